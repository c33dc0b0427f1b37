/**
 * Tensor shapes with symbolic dimensions.
 *
 * A dimension is either a fixed size (a number) or a symbol: `batch` for the batch axis, `seq` for a
 * variable sequence length, or a readable expression derived from one (`⌈seq/2⌉`). Every shape the
 * checker produces starts with the batch axis.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export const BATCH = 'batch';
export const SEQ = 'seq';

export function isFixed(d: Dim): d is number {
  return typeof d === 'number';
}

export function allFixed(dims: readonly Dim[]): dims is readonly number[] {
  return dims.every(isFixed);
}

export function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}

/** `[batch, 28, 28, 1]` */
export function formatShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function last(s: Shape): Dim {
  const d = s[s.length - 1];
  if (d === undefined) throw new Error('empty shape');
  return d;
}

/** Thousands separators, the way the summary prints counts: 100,480. */
export function formatCount(n: number): string {
  // Hand-rolled: toLocaleString is ~50x slower, and the checker formats counts for every node.
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const [int, frac] = String(Math.abs(n)).split('.');
  let out = '';
  const digits = int!;
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return (neg ? '-' : '') + out + (frac !== undefined ? `.${frac}` : '');
}

/**
 * Output length of a 1-D window (convolution or pooling) along one axis, as Keras computes it.
 * Symbolic lengths stay symbolic with a readable expression.
 */
export function windowLength(
  len: Dim,
  kernel: number,
  stride: number,
  padding: 'valid' | 'same',
  dilation = 1,
): Dim {
  const effective = (kernel - 1) * dilation + 1;
  if (typeof len === 'number') {
    return padding === 'same' ? Math.ceil(len / stride) : Math.floor((len - effective) / stride) + 1;
  }
  if (padding === 'same') return stride === 1 ? len : `⌈${len}/${stride}⌉`;
  const reduced = effective === 1 ? len : `${len}-${effective - 1}`;
  return stride === 1 ? reduced : `⌊(${reduced})/${stride}⌋+1`;
}

/** Output length of a transposed convolution along one axis (Keras `deconv_output_length`). */
export function transposedLength(len: Dim, kernel: number, stride: number, padding: 'valid' | 'same'): Dim {
  if (typeof len === 'number') {
    return padding === 'same' ? len * stride : len * stride + Math.max(kernel - stride, 0);
  }
  return padding === 'same' ? `${len}×${stride}` : `${len}×${stride}+${Math.max(kernel - stride, 0)}`;
}
