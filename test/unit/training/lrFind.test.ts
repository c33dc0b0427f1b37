/**
 * The learning-rate finder: the suggestion rules on curves made by hand, every optimizer taking a
 * new rate between steps, and `netloom lr-find` on a real project (rates growing, a usable
 * suggestion, the file untouched, a broken graph refused).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { suggest } from '../../../electron/engine/lrFind';
import { makeOptimizer, setLearningRate } from '../../../electron/engine/optimizers';
import { OPTIMIZERS } from '../../../shared/training/config';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

beforeAll(async () => {
  await initBackend('wasm');
});

const curve = (f: (i: number) => number, n = 50): [number, number][] =>
  Array.from({ length: n }, (_, i) => [1e-6 * 10 ** (i / 7), f(i)]);

describe('suggest', () => {
  it('a tenth of the rate at the lowest loss when the loss falls', () => {
    const points = curve((i) => (i < 30 ? 2 - i * 0.05 : 0.5 + (i - 30) * 0.3));
    const lowest = points[30]![0];
    expect(suggest(points)).toEqual({ suggested: Number((lowest / 10).toPrecision(2)), rule: 'lowest-loss' });
  });

  it('a flat curve: a tenth of the rate past which the loss rises above its start', () => {
    const points = curve((i) => (i < 40 ? 0.69 - (i % 3) * 0.001 : 0.69 + (i - 39) * 0.05));
    expect(suggest(points)).toEqual({
      suggested: Number((points[40]![0] / 10).toPrecision(2)),
      rule: 'before-rise',
    });
  });

  it('nothing when the loss only rises or there are too few points', () => {
    expect(suggest(curve((i) => 1 + i))).toBeNull();
    expect(suggest(curve((i) => 1 - i, 2))).toBeNull();
  });
});

describe('setLearningRate', () => {
  for (const name of OPTIMIZERS)
    it(`${name}: a step at rate 2a moves twice as far as at rate a (from the same state)`, () => {
      const size = (lr: number) => {
        const v = tf.variable(tf.tensor1d([1, -2, 3]));
        const o = makeOptimizer({ optimizer: name, learningRate: 1 });
        setLearningRate(o, lr);
        o.applyGradients({ [v.name]: tf.tensor1d([0.5, 0.25, -1]) });
        const moved = Math.hypot(...Array.from(v.dataSync()).map((x, i) => x - [1, -2, 3][i]!));
        o.dispose();
        v.dispose();
        return moved;
      };
      const a = size(1e-3);
      expect(a).toBeGreaterThan(0);
      expect(size(2e-3) / a).toBeCloseTo(2, 3);
    });
});

describe('netloom lr-find', () => {
  it('grows the rate, suggests one, and leaves the file as it was', async () => {
    const dir = tempDir('lr-find');
    const netloom = netloomIn(dir);
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:spirals', '--out', 'p.nnproj')).code,
    ).toBe(0);
    const before = readFileSync(path.join(dir, 'p.nnproj'));
    const r = await netloom('lr-find', 'p.nnproj', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { suggested: number; points: [number, number][]; backend: string };
    expect(out.points.length).toBeGreaterThan(20);
    expect(out.points.length).toBeLessThanOrEqual(100);
    for (let i = 1; i < out.points.length; i++)
      expect(out.points[i]![0]).toBeGreaterThan(out.points[i - 1]![0]);
    expect(out.suggested).toBeGreaterThan(1e-5);
    expect(out.suggested).toBeLessThan(1);
    expect(readFileSync(path.join(dir, 'p.nnproj')).equals(before)).toBe(true);
    const text = await netloom('lr-find', 'p.nnproj', '--steps', '30');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/suggested learning rate: [\d.e-]+ \(a tenth of the rate/);
  });

  it('refuses a graph with errors and a project without data', async () => {
    const dir = tempDir('lr-find-bad');
    const netloom = netloomIn(dir);
    expect((await netloom('new', '--template', 'mlp', '--out', 'nodata.nnproj')).code).toBe(0);
    const r = await netloom('lr-find', 'nodata.nnproj');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data/i);
  });
});
