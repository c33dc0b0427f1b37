import { describe, expect, it } from 'vitest';
import {
  defaultFill,
  downsampleInk,
  grayToRgba,
  inkBounds,
  normaliseGray,
} from '../../../renderer/training/lib/drawing';

/** A w×h canvas of zeros with a filled rectangle. */
function canvas(w: number, h: number, rect?: { x: number; y: number; w: number; h: number }): Float32Array {
  const a = new Float32Array(w * h);
  if (rect)
    for (let y = rect.y; y < rect.y + rect.h; y++)
      for (let x = rect.x; x < rect.x + rect.w; x++) a[y * w + x] = 1;
  return a;
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

describe('downsampleInk', () => {
  it('gives 0..1 values of the target size', () => {
    const out = downsampleInk(canvas(224, 224, { x: 50, y: 40, w: 30, h: 120 }), 224, 224, 28, 28);
    expect(out.length).toBe(28 * 28);
    for (const v of out) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('an empty drawing stays empty', () => {
    expect(downsampleInk(canvas(224, 224), 224, 224, 8, 8)).toEqual(new Array(64).fill(0));
  });

  it('area-averages without fitting (mass is conserved)', () => {
    const src = canvas(16, 16, { x: 0, y: 0, w: 8, h: 8 });
    const out = downsampleInk(src, 16, 16, 4, 4, { fit: false });
    expect(out).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const half = downsampleInk(canvas(16, 16, { x: 0, y: 0, w: 2, h: 4 }), 16, 16, 4, 4, { fit: false });
    expect(half[0]).toBeCloseTo(0.5);
    expect(sum(half) * 16).toBeCloseTo(8);
  });

  it('centres a drawing made in a corner and scales it to the fill box (MNIST: 20 of 28)', () => {
    const src = canvas(224, 224, { x: 0, y: 0, w: 40, h: 40 });
    const out = downsampleInk(src, 224, 224, 28, 28);
    const box = inkBounds(out, 28, 28, 0.5)!;
    expect(box.x1 - box.x0).toBe(20);
    expect(box.y1 - box.y0).toBe(20);
    expect(box.x0).toBe(4);
    expect(box.y0).toBe(4);
  });

  it('fills the whole 8×8 grid for the 8×8 digits, keeping the aspect ratio', () => {
    expect(defaultFill(8, 8)).toBe(1);
    expect(defaultFill(28, 28)).toBeCloseTo(20 / 28);
    // A tall stroke: full height, a third of the width, centred.
    const src = canvas(224, 224, { x: 100, y: 20, w: 40, h: 120 });
    const out = downsampleInk(src, 224, 224, 8, 8);
    const box = inkBounds(out, 8, 8, 0.5)!;
    expect(box.y0).toBe(0);
    expect(box.y1).toBe(8);
    expect(box.x1 - box.x0).toBeLessThanOrEqual(4);
    expect((box.x0 + box.x1) / 2).toBeCloseTo(4, 0);
  });
});

describe('grayscale helpers', () => {
  it('normalises 0..16 and 0..255 images to 0..1 and leaves 0..1 alone', () => {
    expect(normaliseGray([0, 8, 16])).toEqual([0, 0.5, 1]);
    expect(normaliseGray([0, 0.25, 1])).toEqual([0, 0.25, 1]);
    expect(normaliseGray([0, NaN, 255])).toEqual([0, 0, 1]);
  });

  it('draws ink dark on light by default', () => {
    expect(Array.from(grayToRgba([1, 0]))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(Array.from(grayToRgba([1], false))).toEqual([255, 255, 255, 255]);
  });
});

describe('MNIST placement: centred by mass', () => {
  it("puts the ink's centre of mass at the centre of the 28×28 frame, not its bounding box's", () => {
    // An "L": a long thin stroke down the left and a heavy foot: the mass sits low and left of the box centre.
    const w = 280;
    const ink = canvas(w, w);
    for (let y = 40; y < 240; y++) for (let x = 60; x < 80; x++) ink[y * w + x] = 1;
    for (let y = 200; y < 240; y++) for (let x = 60; x < 220; x++) ink[y * w + x] = 1;
    const out = downsampleInk(ink, w, w, 28, 28);
    let m = 0;
    let mx = 0;
    let my = 0;
    out.forEach((v, i) => {
      m += v;
      mx += v * ((i % 28) + 0.5);
      my += v * (Math.floor(i / 28) + 0.5);
    });
    expect(mx / m).toBeCloseTo(14, 0);
    expect(my / m).toBeCloseTo(14, 0);
  });
});
