import { describe, expect, it } from 'vitest';
import { dataKind, verdict } from '../../../shared/training/evaluation';

const ladder = (forest: number) => [
  { id: 'majority', label: 'Majority class', metrics: { accuracy: 0.1 }, trainMs: 1 },
  { id: 'random-forest', label: 'Random forest', metrics: { accuracy: forest }, trainMs: 10 },
];

describe('the verdict names the kind of data', () => {
  it('tells images, text and tabular data apart', () => {
    expect(dataKind({ xDtype: 'float32', sampleShape: [28, 28, 1] })).toBe('images');
    expect(dataKind({ xDtype: 'int32', sampleShape: [200] })).toBe('text');
    expect(dataKind({ xDtype: 'float32', sampleShape: [4] })).toBe('tabular');
  });

  it('a tie on images points to convolutions, on tabular data to the baseline', () => {
    const images = verdict('classification', { accuracy: 0.94 }, ladder(0.945), 'images');
    expect(images).toMatch(/On images a network usually pulls ahead with convolutions/);
    expect(images).not.toMatch(/tabular/);
    expect(verdict('classification', { accuracy: 0.94 }, ladder(0.945), 'tabular')).toMatch(
      /for tabular data like this, start there/,
    );
    expect(verdict('classification', { accuracy: 0.99 }, ladder(0.9), 'text')).toMatch(
      /On these texts a neural network earns its keep/,
    );
    expect(verdict('classification', { accuracy: 0.8 }, ladder(0.9), 'text')).toMatch(/sequence layer/);
  });
});
