import { describe, expect, it } from 'vitest';
import {
  alignSeries,
  countPoints,
  defaultColorSlots,
  downsample,
  FrameBatcher,
  structureKey,
  type Point,
} from '../../../renderer/training/lib/chartData';

const line = (n: number, f: (i: number) => number = (i) => i): Point[] =>
  Array.from({ length: n }, (_, i) => [i, f(i)] as const);

/** A fake animation-frame clock. */
function fakeFrames() {
  let next = 1;
  const queue = new Map<number, () => void>();
  return {
    schedule: (cb: () => void) => {
      const h = next++;
      queue.set(h, cb);
      return h;
    },
    cancel: (h: number) => void queue.delete(h),
    tick: () => {
      const cbs = [...queue.values()];
      queue.clear();
      for (const cb of cbs) cb();
    },
    get pending() {
      return queue.size;
    },
  };
}

describe('downsample', () => {
  it('leaves short series alone', () => {
    const pts = line(100);
    expect(downsample(pts, 2000)).toBe(pts);
  });

  it('bounds the number of points and keeps the first and the last', () => {
    const pts = line(100_000, (i) => Math.sin(i / 100));
    const out = downsample(pts, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.length).toBeGreaterThan(900);
    expect(out[0]).toEqual(pts[0]);
    expect(out[out.length - 1]).toEqual(pts[pts.length - 1]);
  });

  it('keeps spikes (min/max per bucket) and x order', () => {
    const pts = line(50_000, (i) => (i === 31_337 ? 1e6 : i === 12_345 ? -1e6 : 1));
    const out = downsample(pts, 500);
    expect(out.some((p) => p[1] === 1e6)).toBe(true);
    expect(out.some((p) => p[1] === -1e6)).toBe(true);
    for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0]);
  });
});

describe('alignSeries', () => {
  it('merges the x values of all series and leaves gaps as null', () => {
    const batch: Point[] = [
      [0.5, 2],
      [1, 1.5],
      [1.5, 1.2],
      [2, 1],
    ];
    const epoch: Point[] = [
      [1, 1.6],
      [2, 1.1],
    ];
    const [xs, a, b] = alignSeries([
      { label: 'batch', points: batch },
      { label: 'epoch', points: epoch },
    ]);
    expect(xs).toEqual([0.5, 1, 1.5, 2]);
    expect(a).toEqual([2, 1.5, 1.2, 1]);
    expect(b).toEqual([null, 1.6, null, 1.1]);
  });

  it('turns non-finite values into gaps, and non-positive ones too on a log scale', () => {
    const pts: Point[] = [
      [1, 0],
      [2, NaN],
      [3, Infinity],
      [4, 0.5],
      [5, -1],
    ];
    expect(alignSeries([{ label: 'l', points: pts }])[1]).toEqual([0, null, null, 0.5, -1]);
    expect(alignSeries([{ label: 'l', points: pts }], { logScale: true })[1]).toEqual([
      null,
      null,
      null,
      0.5,
      null,
    ]);
  });

  it('sorts unsorted input (overlaid runs) and handles no series or no points', () => {
    const [xs, ys] = alignSeries([
      {
        label: 'l',
        points: [
          [3, 30],
          [1, 10],
          [2, 20],
        ],
      },
    ]);
    expect(xs).toEqual([1, 2, 3]);
    expect(ys).toEqual([10, 20, 30]);
    expect(alignSeries([])).toEqual([[]]);
    expect(alignSeries([{ label: 'l', points: [] }])).toEqual([[], []]);
  });

  it('ends on the latest value even when downsampled', () => {
    const pts = line(20_000, (i) => 1 / (i + 1));
    const [xs, ys] = alignSeries([{ label: 'l', points: pts }], { maxPoints: 300 });
    expect(xs.length).toBeLessThanOrEqual(300);
    expect(xs[xs.length - 1]).toBe(19_999);
    expect(ys![ys!.length - 1]).toBe(1 / 20_000);
  });

  it('stays fast for a long run (40 000 batches + epochs) per frame', () => {
    const batch = line(40_000, (i) => 2 / Math.sqrt(i + 1));
    const epoch = line(800, (i) => 2 / Math.sqrt(i * 50 + 1)).map(([x, y]) => [x * 50, y] as const);
    const t = performance.now();
    for (let i = 0; i < 10; i++)
      alignSeries([
        { label: 'b', points: batch },
        { label: 'e', points: epoch },
      ]);
    expect((performance.now() - t) / 10).toBeLessThan(50);
  });
});

describe('FrameBatcher', () => {
  it('coalesces any number of pushes into one flush per frame, with the latest value', () => {
    const frames = fakeFrames();
    const seen: number[] = [];
    const b = new FrameBatcher<number>((v) => seen.push(v), frames.schedule, frames.cancel);
    for (let i = 1; i <= 1000; i++) b.push(i);
    expect(seen).toEqual([]);
    expect(frames.pending).toBe(1);
    frames.tick();
    expect(seen).toEqual([1000]);
    frames.tick();
    expect(seen).toEqual([1000]);
    b.push(1001);
    frames.tick();
    expect(seen).toEqual([1000, 1001]);
  });

  it('at 1,000 updates/s and 60 frames/s: ≤ 1 redraw per frame and never behind the final value', () => {
    const frames = fakeFrames();
    let shown = 0;
    const b = new FrameBatcher<number>(
      (v) => {
        shown = v;
      },
      frames.schedule,
      frames.cancel,
    );
    let t = 0;
    let nextFrame = 1000 / 60;
    let frameCount = 0;
    for (let i = 1; i <= 3000; i++) {
      t += 1; // one update per millisecond
      b.push(i);
      if (t >= nextFrame) {
        frames.tick();
        frameCount++;
        nextFrame += 1000 / 60;
        expect(shown).toBe(i);
      }
    }
    frames.tick();
    expect(shown).toBe(3000);
    expect(b.flushes).toBeLessThanOrEqual(frameCount + 1);
  });

  it('flushNow draws the pending value at once; dispose drops it', () => {
    const frames = fakeFrames();
    const seen: string[] = [];
    const b = new FrameBatcher<string>((v) => seen.push(v), frames.schedule, frames.cancel);
    b.push('a');
    b.flushNow();
    expect(seen).toEqual(['a']);
    expect(frames.pending).toBe(0);
    b.push('b');
    expect(b.hasPending).toBe(true);
    b.dispose();
    frames.tick();
    b.push('c');
    frames.tick();
    expect(seen).toEqual(['a']);
  });
});

describe('helpers', () => {
  it('counts points over all series', () => {
    expect(countPoints([{ points: [1, 2] }, { points: [] }, { points: [3] }])).toBe(3);
  });
  it('changes the structure key only when labels, colours or styles change', () => {
    const a = structureKey([{ label: 'loss', color: '#f00' }]);
    expect(structureKey([{ label: 'loss', color: '#f00' }])).toBe(a);
    expect(structureKey([{ label: 'loss', color: '#0f0' }])).not.toBe(a);
    expect(structureKey([{ label: 'loss', color: '#f00', faint: true }])).not.toBe(a);
  });
});

describe('defaultColorSlots', () => {
  it('gives a faint per-batch series the colour of the per-epoch line after it', () => {
    expect(defaultColorSlots([{ faint: true }, {}, {}])).toEqual([0, 0, 1]);
    expect(defaultColorSlots([{}, {}, {}])).toEqual([0, 1, 2]);
    expect(defaultColorSlots([{ faint: true }, {}, { faint: true }, {}])).toEqual([0, 0, 1, 1]);
  });
});
