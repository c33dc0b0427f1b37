/**
 * Shape logic shared by the layers that slide a window along a sequence or over an image
 * (convolutions and pooling): rank checks that say which Reshape fixes them, and per-axis output sizes.
 * Not a layer kind itself.
 */
import { fail, type FixInsert, type Padding } from './define';
import { allFixed, type Dim, formatShape, type Shape, windowLength } from './shape';

/** Number of spatial axes: 1 for sequences [batch, steps, channels], 2 for images. */
export type SpatialRank = 1 | 2;

export const LAYOUT: Readonly<Record<SpatialRank, string>> = {
  1: '[batch, steps, channels]',
  2: '[batch, height, width, channels]',
};

const AXIS_NAMES: Readonly<Record<SpatialRank, readonly string[]>> = {
  1: ['length'],
  2: ['height', 'width'],
};

function squareSide(n: number): number | undefined {
  const s = Math.round(Math.sqrt(n));
  return s >= 2 && s * s === n ? s : undefined;
}

/** The sample shape a Reshape should produce so that a window layer accepts `x`, when it is obvious. */
function reshapeTarget(x: Shape, spatial: SpatialRank): number[] | undefined {
  const sample = x.slice(1);
  if (!allFixed(sample)) return undefined;
  const [a, b] = sample;
  if (a === undefined) return undefined;
  if (spatial === 1) return sample.length === 1 ? [a, 1] : undefined;
  if (sample.length === 2 && b !== undefined) return [a, b, 1];
  if (sample.length !== 1) return undefined;
  const grey = squareSide(a);
  if (grey !== undefined) return [grey, grey, 1];
  const rgb = a % 3 === 0 ? squareSide(a / 3) : undefined;
  return rgb !== undefined ? [rgb, rgb, 3] : undefined;
}

function describeTarget(t: readonly number[]): string {
  if (t.length === 2) return `${t[0]} steps with ${t[1]} channel${t[1] === 1 ? '' : 's'}`;
  return `${t[0]}×${t[1]} pixels, ${t[2]} channel${t[2] === 1 ? '' : 's'}`;
}

/**
 * Fails unless `x` is [batch, steps, channels] (spatial 1) or [batch, height, width, channels]
 * (spatial 2). The message says what to do, and carries a Reshape fix when one is obvious.
 * `other` is the kind that handles the other rank (Conv1D for Conv2D and vice versa).
 */
export function requireSpatialRank(kind: string, x: Shape, spatial: SpatialRank, other: string): void {
  const want = spatial + 2;
  if (x.length === want) return;
  const head = `${kind} needs a rank-${want} input ${LAYOUT[spatial]}; got ${formatShape(x)}.`;
  const target = reshapeTarget(x, spatial);
  if (target) {
    const fix: FixInsert = { kind: 'Reshape', params: { targetShape: target } };
    fail(`${head} Insert a Reshape to ${formatShape(target)} (${describeTarget(target)}).`, {
      port: 'in',
      fix,
    });
  }
  let hint: string;
  if (spatial === 1 && x.length === 2)
    hint = 'If these are token ids, add an Embedding first: it gives [batch, seq, dim].';
  else if (spatial === 1 && x.length === 4) hint = `For images use ${other}.`;
  else if (spatial === 2 && x.length === 3) hint = `For sequences [batch, steps, channels] use ${other}.`;
  else if (spatial === 2) hint = 'Reshape each sample to [height, width, channels] first.';
  else hint = 'Reshape each sample to [steps, channels] first.';
  fail(`${head} ${hint}`, { port: 'in' });
}

export interface WindowSpec {
  kernel: readonly number[];
  strides: readonly number[];
  padding: Padding;
  dilation?: readonly number[];
  /** What the window is called in messages: 'kernel' or 'pool'. */
  noun: 'kernel' | 'pool';
}

/**
 * Output sizes of the spatial axes of `x` (which has passed `requireSpatialRank`) under a sliding
 * window. Fails when a fixed axis is smaller than the window with padding 'valid'.
 */
export function windowDims(kind: string, x: Shape, spatial: SpatialRank, w: WindowSpec): Dim[] {
  const out: Dim[] = [];
  for (let i = 0; i < spatial; i++) {
    const len = x[i + 1] ?? 1;
    const k = w.kernel[i] ?? 1;
    const s = w.strides[i] ?? 1;
    const d = w.dilation?.[i] ?? 1;
    const n = windowLength(len, k, s, w.padding, d);
    if (typeof n === 'number' && n <= 0) {
      const span = (k - 1) * d + 1;
      const size = spatial === 1 ? `${k}-step` : w.kernel.join('×');
      const dilated = d > 1 ? ` (dilated to span ${span})` : '';
      fail(
        `The input is too small for ${kind}'s ${w.noun}: its ${AXIS_NAMES[spatial][i]} is ${len}, but the ` +
          `${size} ${w.noun}${dilated} needs at least ${span}. Use padding 'same' or a smaller ${w.noun}.`,
        { port: 'in' },
      );
    }
    out.push(n);
  }
  return out;
}

/** The product of the fixed sizes; a symbolic size counts as 1 (so FLOPs are "per position" there). */
export function fixedProduct(dims: readonly Dim[]): number {
  return dims.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}

/** tfjs (like TensorFlow) cannot combine strides above 1 with dilation above 1. */
export function stridesWithDilation(
  strides: readonly number[],
  dilation: readonly number[],
): { param: 'dilationRate'; message: string } | undefined {
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1))
    return {
      param: 'dilationRate',
      message: 'Dilation above 1 cannot be combined with strides above 1; set one of them back to 1.',
    };
  return undefined;
}
