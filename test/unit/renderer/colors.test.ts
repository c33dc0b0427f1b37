import { describe, expect, it } from 'vitest';
import {
  classColor,
  CLASS_COLORS,
  luminance,
  mix,
  parseColor,
  parseHex,
  rgbToHex,
  seriesColor,
  withAlpha,
} from '../../../renderer/training/lib/colors';

describe('class colours', () => {
  it('are stable and the first ten come from the palette', () => {
    for (let i = 0; i < 10; i++) expect(classColor(i)).toBe(CLASS_COLORS[i]);
    expect(classColor(3)).toBe(classColor(3));
  });

  it('stay distinct and valid hex beyond the palette', () => {
    const colors = Array.from({ length: 40 }, (_, i) => classColor(i));
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(colors).size).toBe(40);
  });

  it('treat odd indices sanely', () => {
    expect(classColor(-1)).toBe(CLASS_COLORS[0]);
    expect(classColor(2.7)).toBe(CLASS_COLORS[2]);
    expect(seriesColor(0)).not.toBe(seriesColor(1));
  });
});

describe('colour arithmetic', () => {
  it('parses hex and rgb()', () => {
    expect(parseHex('#fff')).toEqual([255, 255, 255]);
    expect(parseHex('#3158d8')).toEqual([49, 88, 216]);
    expect(parseHex('#3158d880')).toEqual([49, 88, 216]);
    expect(parseHex('blue')).toBeNull();
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseColor(' rgba(10 20 30 / 50%)')).toEqual([10, 20, 30]);
  });

  it('round-trips and adds alpha', () => {
    expect(rgbToHex([49, 88, 216])).toBe('#3158d8');
    expect(withAlpha('#3158d8', 0.5)).toBe('#3158d880');
    expect(withAlpha('#3158d8', 2)).toBe('#3158d8ff');
    expect(withAlpha('var(--accent)', 0.5)).toBe('var(--accent)');
  });

  it('mixes linearly and clamps t', () => {
    expect(mix([0, 0, 0], [100, 200, 50], 0.5)).toEqual([50, 100, 25]);
    expect(mix([0, 0, 0], [100, 200, 50], 3)).toEqual([100, 200, 50]);
  });

  it('orders luminance', () => {
    expect(luminance([255, 255, 255])).toBeCloseTo(1);
    expect(luminance([0, 0, 0])).toBe(0);
  });
});
