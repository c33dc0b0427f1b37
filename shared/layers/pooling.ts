/**
 * Parameters and shape logic shared by the pooling layers (MaxPool1D/2D, AvgPool1D/2D and the global
 * poolings). Not a layer kind itself: each kind keeps its own declaration in its own file.
 */
import { fail, type KerasLayer, p, PADDINGS, type Padding } from './define';
import { BATCH, type Dim, formatShape, type Shape } from './shape';
import { fixedProduct, requireSpatialRank, type SpatialRank, windowDims } from './spatial';

const PADDING_HELP =
  'valid: drop the leftover edge that does not fill a window; same: pad so nothing is dropped.';

export const POOL_1D_PARAMS = {
  poolSize: p.ints({ length: 1, default: [2], min: 1, help: 'Number of steps each window summarises.' }),
  strides: p.ints({
    length: 1,
    default: [2],
    min: 1,
    help: 'Step between windows; usually equal to the pool size (then the length shrinks by that factor).',
  }),
  padding: p.enum(PADDINGS, { default: 'valid', help: PADDING_HELP }),
};

export const POOL_2D_PARAMS = {
  poolSize: p.ints({
    length: 2,
    default: [2, 2],
    min: 1,
    help: 'Height and width of each window; 2×2 halves the image.',
  }),
  strides: p.ints({
    length: 2,
    default: [2, 2],
    min: 1,
    help: 'Step between windows, down and across; usually equal to the pool size.',
  }),
  padding: p.enum(PADDINGS, { default: 'valid', help: PADDING_HELP }),
};

export interface PoolConfig {
  readonly poolSize: readonly number[];
  readonly strides: readonly number[];
  readonly padding: Padding;
}

/** Output shape of a windowed pooling: the spatial axes shrink, the channels stay. */
export function poolShape(kind: string, other: string, spatial: SpatialRank, x: Shape, c: PoolConfig): Shape {
  requireSpatialRank(kind, x, spatial, other);
  const dims = windowDims(kind, x, spatial, {
    kernel: c.poolSize,
    strides: c.strides,
    padding: c.padding,
    noun: 'pool',
  });
  return [BATCH, ...dims, x[spatial + 1] ?? 1];
}

/** One comparison or addition per value in each window (plus a division for averages, ignored). */
export function poolFlops(out: Shape, c: PoolConfig): number {
  return fixedProduct(out.slice(1)) * fixedProduct(c.poolSize);
}

export function poolKeras(className: string, c: PoolConfig): KerasLayer {
  return {
    class_name: className,
    config: { pool_size: [...c.poolSize], strides: [...c.strides], padding: c.padding },
  };
}

/** Output shape of a global pooling: every spatial axis is reduced away, leaving [batch, channels]. */
export function globalPoolShape(kind: string, other: string, spatial: SpatialRank, x: Shape): Shape {
  if (x.length === 2)
    fail(
      `${kind} has nothing to pool: ${formatShape(x)} is already one vector per sample. ` +
        'Remove it, or move it before the Flatten or Dense layers.',
      { port: 'in' },
    );
  requireSpatialRank(kind, x, spatial, other);
  const channels: Dim = x[spatial + 1] ?? 1;
  return [BATCH, channels];
}

/** One addition or comparison per input value. */
export function globalPoolFlops(x: Shape): number {
  return fixedProduct(x.slice(1));
}
