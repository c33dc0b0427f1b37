/**
 * Netloom's wasm kernels and faster gradients (electron/engine/kernels*) against the cpu backend
 * (or, where cpu has no such case, an independent computation): seeded random inputs, several
 * strides, paddings, dilations and shapes, 1e-4 relative error (max |wasm - ref| / max |ref|).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { registerWasmKernels, WASM_KERNELS, WASM_MISSING_KERNELS } from '../../../electron/engine/kernels';
import { conv2dTuning } from '../../../electron/engine/kernels/conv2d';
import { directConv } from '../../../electron/engine/kernels/convDirect';
import { maxPoolTuning } from '../../../electron/engine/kernels/maxPoolGrad';
import { gatherGradConfig, tileGradConfig } from '../../../electron/engine/kernels/gradients';
import { RELU_GRAD, reluGradConfig } from '../../../electron/engine/kernels/relu';
import { randomArray, rng } from './reference';

const TOL = 1e-4;
type Backend = 'cpu' | 'wasm';
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Runs `f` on a backend and returns its outputs' values. */
async function on(backend: Backend, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
  });
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

/** Runs `f` on cpu and on wasm and checks they agree. */
async function agree(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const want = await on('cpu', f);
  const got = await on('wasm', f);
  let worst = 0;
  want.forEach((w, i) => (worst = Math.max(worst, relErr(got[i]!, w))));
  expect(worst).toBeLessThan(TOL);
  return worst;
}

/** d/dp sum(forward(p) * dy), one basis tensor p at a time, with cpu's forward pass only. */
async function byDefinition(
  shape: number[],
  forward: (p: tf.Tensor) => tf.Tensor,
  dy: () => tf.Tensor,
): Promise<Float32Array> {
  const size = tf.util.sizeFromShape(shape);
  const [out] = await on('cpu', () => {
    const g = dy();
    return tf.stack(
      Array.from({ length: size }, (_, j) =>
        tf.sum(tf.mul(forward(tf.oneHot(j, size).toFloat().reshape(shape)), g)),
      ),
    );
  });
  return out!;
}

/** `f` on wasm with a switch off then on: the two results, as bits (NaN payloads included). */
async function offOn(
  flag: { set(v: boolean): void },
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Uint32Array[][]> {
  const bits = (a: Float32Array[]) => a.map((x) => new Uint32Array(x.buffer, x.byteOffset, x.length));
  try {
    flag.set(false);
    const off = bits(await on('wasm', f));
    flag.set(true);
    return [off, bits(await on('wasm', f))];
  } finally {
    flag.set(true);
  }
}
const direct = { set: (v: boolean) => (directConv.enabled = v) };
const tiled = { set: (v: boolean) => (maxPoolTuning.tiled = v) };

/** Seeded random tensors: the same values on every backend. */
function randoms(seed: number, ...shapes: number[][]): () => tf.Tensor[] {
  const r = rng(seed);
  const data = shapes.map((s) => randomArray(tf.util.sizeFromShape(s), r));
  return () => data.map((d, i) => tf.tensor(d, shapes[i]));
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { name: 'stride 1, same, 3x3', x: [2, 9, 8, 3], k: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: 'stride 2, same, rectangular 2x3', x: [2, 9, 8, 3], k: [2, 3, 3, 5], strides: 2, pad: 'same' },
  { name: 'strides [2, 1], valid, 3x2', x: [3, 10, 7, 2], k: [3, 2, 2, 4], strides: [2, 1], pad: 'valid' },
  { name: 'stride 3, valid, unused rows', x: [2, 11, 10, 2], k: [3, 3, 2, 3], strides: 3, pad: 'valid' },
  {
    name: 'explicit pads, strides [1, 2]',
    x: [2, 7, 6, 3],
    k: [3, 2, 3, 2],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: 'numeric pad 1, stride 2, 4x4', x: [2, 9, 9, 2], k: [4, 4, 2, 3], strides: 2, pad: 1 },
  { name: '1x1 kernel, 16 channels', x: [2, 5, 5, 16], k: [1, 1, 16, 8], strides: 1, pad: 'valid' },
  { name: 'long contiguous tap rows (5x5x8)', x: [2, 8, 8, 8], k: [5, 5, 8, 4], strides: 1, pad: 'same' },
  {
    name: "LeNet's first (28x28x1, 5x5 to 6, same)",
    x: [3, 28, 28, 1],
    k: [5, 5, 1, 6],
    strides: 1,
    pad: 'same',
  },
  { name: "LeNet's second (5x5x6 to 16)", x: [3, 14, 14, 6], k: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  {
    name: 'filter rows of 30 values, same (dx padded, cropped)',
    x: [2, 9, 8, 6],
    k: [5, 5, 6, 8],
    strides: 1,
    pad: 'same',
  },
  {
    name: 'filter rows of 28 values, stride 2, same',
    x: [2, 11, 9, 7],
    k: [3, 4, 7, 5],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'filter rows of 32 values, stride [2, 1]',
    x: [2, 9, 8, 8],
    k: [3, 4, 8, 6],
    strides: [2, 1],
    pad: 'valid',
  },
  {
    name: 'Conv1D-shaped (height 1), stride 2',
    x: [4, 1, 20, 3],
    k: [1, 5, 3, 6],
    strides: [1, 2],
    pad: 'same',
  },
];

function convTensors(c: ConvCase, seed: number) {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.k, c.strides, 1, c.pad);
  return randoms(seed, c.x, c.k, info.outShape);
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm kernels', () => {
  it('are registered for wasm, and no layer kind is listed as missing one', () => {
    registerWasmKernels();
    for (const name of Object.keys(WASM_KERNELS))
      expect(tf.getKernel(name, 'wasm').kernelFunc).toBe(WASM_KERNELS[name]);
    expect(WASM_MISSING_KERNELS).toEqual({});
  });

  describe.each(CONV_CASES.map((c, i) => [c.name, c, i] as const))('Conv2D backprop: %s', (_, c, i) => {
    const make = convTensors(c, 10 + i);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    it('Conv2DBackpropFilter matches cpu (one block and several blocks of columns), direct = im2col bit for bit', async () => {
      const f = () => {
        const [x, , dy] = make();
        return run(tf.Conv2DBackpropFilter, { x: x!, dy: dy! }, { ...attrs, filterShape: c.k });
      };
      await agree(f);
      const [im2col, directOut] = await offOn(direct, f);
      expect(directOut).toEqual(im2col);
      const limit = conv2dTuning.colLimit;
      conv2dTuning.colLimit = 1;
      try {
        await agree(f);
        const [im2colBlocks, directBlocks] = await offOn(direct, f);
        expect(directBlocks).toEqual(im2colBlocks);
      } finally {
        conv2dTuning.colLimit = limit;
      }
    });
    it('Conv2D matches cpu, and wasm’s own (XNNPACK) bit for bit', async () => {
      const f = () => {
        const [x, w] = make();
        return run(tf.Conv2D, { x: x!, filter: w! }, { ...attrs, dilations: 1 });
      };
      await agree(f);
      const [xnnpack, directOut] = await offOn(direct, f);
      expect(directOut).toEqual(xnnpack);
    });
    it('Conv2DBackpropInput matches cpu, direct = gemm + col2im bit for bit', async () => {
      const f = () => {
        const [, w, dy] = make();
        return run(tf.Conv2DBackpropInput, { dy: dy!, filter: w! }, { ...attrs, inputShape: c.x });
      };
      await agree(f);
      const [col2im, directOut] = await offOn(direct, f);
      expect(directOut).toEqual(col2im);
    });
  });

  it('Conv2D backprop in NCHW matches cpu', async () => {
    const info = tf.backend_util.computeConv2DInfo(
      [2, 3, 9, 8],
      [3, 2, 3, 4],
      2,
      1,
      'same',
      'floor',
      false,
      'channelsFirst',
    );
    const make = randoms(30, [2, 3, 9, 8], [3, 2, 3, 4], info.outShape);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' };
    await agree(() => {
      const [x, w, dy] = make();
      return [
        run(tf.Conv2DBackpropFilter, { x: x!, dy: dy! }, { ...attrs, filterShape: [3, 2, 3, 4] }),
        run(tf.Conv2DBackpropInput, { dy: dy!, filter: w! }, { ...attrs, inputShape: [2, 3, 9, 8] }),
      ];
    });
  });

  it('Conv2DBackpropFilter with dilation matches the definition (cpu forward convolutions)', async () => {
    const k: [number, number, number, number] = [2, 3, 2, 2];
    const x: [number, number, number, number] = [2, 9, 10, 2];
    for (const pad of ['same', 'valid'] as const) {
      const info = tf.backend_util.computeConv2DInfo(x, k, 1, [2, 3], pad);
      const make = randoms(31, x, info.outShape);
      const want = await byDefinition(
        k,
        (e) => tf.conv2d(make()[0] as tf.Tensor4D, e as tf.Tensor4D, 1, pad, 'NHWC', [2, 3]),
        () => make()[1]!,
      );
      const [got] = await on('wasm', () => {
        const [xt, dy] = make();
        const attrs = { strides: 1, pad, dataFormat: 'NHWC', filterShape: k, dilations: [2, 3] };
        return run(tf.Conv2DBackpropFilter, { x: xt!, dy: dy! }, attrs);
      });
      expect(relErr(got!, want)).toBeLessThan(TOL);
    }
  });

  const DEPTHWISE: {
    name: string;
    x: [number, number, number, number];
    k: [number, number, number, number];
    strides: number | [number, number];
    dilations: number | [number, number];
    pad: Pad;
  }[] = [
    { name: 'stride 1, same', x: [2, 9, 8, 3], k: [3, 3, 3, 2], strides: 1, dilations: 1, pad: 'same' },
    { name: 'stride 2, same, 2x3', x: [2, 9, 8, 3], k: [2, 3, 3, 1], strides: 2, dilations: 1, pad: 'same' },
    {
      name: 'strides [1, 2], valid',
      x: [2, 10, 9, 4],
      k: [3, 2, 4, 3],
      strides: [1, 2],
      dilations: 1,
      pad: 'valid',
    },
  ];
  it.each(DEPTHWISE.map((c, i) => [c.name, c, i] as const))(
    'DepthwiseConv2dNativeBackpropFilter/Input match cpu: %s',
    async (_, c, i) => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.k, c.strides, c.dilations, c.pad, 'floor', true);
      const make = randoms(40 + i, c.x, c.k, info.outShape);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      await agree(() => {
        const [x, w, dy] = make();
        return [
          run(tf.DepthwiseConv2dNativeBackpropFilter, { x: x!, dy: dy! }, { ...attrs, filterShape: c.k }),
          run(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy!, filter: w! }, { ...attrs, inputShape: c.x }),
        ];
      });
    },
  );

  it.each([
    [2, 'valid'],
    [[2, 1], 'same'],
  ] as const)(
    'DepthwiseConv2dNativeBackpropFilter/Input with dilation %j, %s match the definition (cpu forward)',
    async (dilations, pad) => {
      // cpu's depthwise backprop kernels ignore dilation (tfjs never asks for it): use the definition.
      const x: [number, number, number, number] = [1, 7, 6, 2];
      const k: [number, number, number, number] = [3, 2, 2, 2];
      const d = dilations as number | [number, number];
      const info = tf.backend_util.computeConv2DInfo(x, k, 1, d, pad, 'floor', true);
      const make = randoms(45, x, k, info.outShape);
      const fwd = (a: tf.Tensor, b: tf.Tensor) =>
        tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad, 'NHWC', d);
      const wantW = await byDefinition(
        k,
        (e) => fwd(make()[0]!, e),
        () => make()[2]!,
      );
      const wantX = await byDefinition(
        x,
        (e) => fwd(e, make()[1]!),
        () => make()[2]!,
      );
      const [gotW, gotX] = await on('wasm', () => {
        const [xt, w, dy] = make();
        const attrs = { strides: 1, dilations: d, pad };
        return [
          run(tf.DepthwiseConv2dNativeBackpropFilter, { x: xt!, dy: dy! }, { ...attrs, filterShape: k }),
          run(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy!, filter: w! }, { ...attrs, inputShape: x }),
        ];
      });
      expect(relErr(gotW!, wantW)).toBeLessThan(TOL);
      expect(relErr(gotX!, wantX)).toBeLessThan(TOL);
    },
  );

  it('UnsortedSegmentSum matches cpu (repeated, missing and out-of-range ids; 2-D ids)', async () => {
    const r = rng(50);
    const ids1 = Int32Array.from({ length: 40 }, () => Math.floor(r() * 13) - 1);
    const ids2 = Int32Array.from({ length: 5 * 8 }, () => Math.floor(r() * 9));
    const make = randoms(51, [40, 5], [5, 8, 3]);
    const sum = (x: tf.Tensor, ids: tf.Tensor, numSegments: number) =>
      run(tf.UnsortedSegmentSum, { x, segmentIds: ids }, { numSegments });
    await agree(() => {
      const [x1, x2] = make();
      return [
        sum(x1!, tf.tensor1d(ids1, 'int32'), 12),
        sum(x2!.reshape([40, 3]), tf.tensor1d(ids2, 'int32'), 10),
      ];
    });
    // cpu cannot take 2-D ids; on wasm they must equal the flattened ones.
    const [flat, twoD] = await on('wasm', () => {
      const [, x2] = make();
      return [
        sum(x2!.reshape([40, 3]), tf.tensor1d(ids2, 'int32'), 10),
        sum(x2!, tf.tensor2d(ids2, [5, 8], 'int32'), 10),
      ];
    });
    expect(Array.from(twoD!)).toEqual(Array.from(flat!));
    // An embedding's gradient (rows of 32, the SIMD kernel's four-at-a-time path, and rows of 7 with
    // a remainder): on wasm bit for bit the float32 sums of the rows in order (cpu sums in another
    // order: agreeing to rounding, above).
    for (const inner of [32, 7]) {
      const rows = 300;
      const segments = 50;
      const ids = Int32Array.from({ length: rows }, () => Math.floor(r() * (segments + 4)) - 2);
      const xs = Float32Array.from({ length: rows * inner }, () => r() * 2 - 1);
      const want = new Float32Array(segments * inner);
      ids.forEach((s, i) => {
        if (s < 0 || s >= segments) return;
        for (let j = 0; j < inner; j++)
          want[s * inner + j] = Math.fround(want[s * inner + j]! + xs[i * inner + j]!);
      });
      const [got] = await on('wasm', () =>
        sum(tf.tensor2d(xs, [rows, inner]), tf.tensor1d(ids, 'int32'), segments),
      );
      expect(Array.from(got!)).toEqual(Array.from(want));
    }
  });

  it.each([
    [1, 'same'],
    [1, 'valid'],
    [2, 'same'],
    [2, 'valid'],
    [[2, 1, 3], 'same'],
  ] as const)('Conv3DBackpropFilterV2/InputV2 match cpu: strides %j, %s', async (strides, pad) => {
    const x: [number, number, number, number, number] = [2, 7, 6, 5, 3];
    const k: [number, number, number, number, number] = [3, 2, 3, 3, 4];
    const info = tf.backend_util.computeConv3DInfo(
      x,
      k,
      strides as number | [number, number, number],
      1,
      pad,
    );
    const make = randoms(60, x, k, info.outShape);
    await agree(() => {
      const [xt, w, dy] = make();
      return [
        run(tf.Conv3DBackpropFilterV2, { x: xt!, dy: dy! }, { strides, pad, filterShape: k }),
        run(tf.Conv3DBackpropInputV2, { dy: dy!, filter: w! }, { strides, pad, inputShape: x }),
      ];
    });
  });

  it.each([
    [
      [7, 5],
      [5, 6],
    ],
    [
      [3, 7, 5],
      [5, 6],
    ],
    [
      [2, 3, 7, 5],
      [1, 5, 6],
    ],
    [
      [3, 7, 5],
      [3, 5, 6],
    ],
    [
      [1, 7, 5],
      [3, 5, 6],
    ],
    // Item by item, as attention asks; sizes off the 4 × 8 blocks of the SIMD product.
    [
      [2, 3, 40, 33],
      [2, 3, 33, 25],
    ],
    [
      [4, 64, 32],
      [4, 32, 70],
    ],
    // gemm_packed: columns in 16s, one 8, then 5 left; K over two chunks of 256 rows; odd rows.
    [
      [37, 300],
      [300, 29],
    ],
    [
      [5, 9, 520],
      [520, 16],
    ],
  ])('BatchMatMul %j x %j matches cpu with every transpose flag', async (aShape, bShape) => {
    const t = (s: number[]) => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
    const make = randoms(65, aShape, bShape, t(aShape), t(bShape));
    await agree(() => {
      const [a, b, aT, bT] = make();
      return [
        tf.matMul(a!, b!),
        tf.matMul(aT!, b!, true, false),
        tf.matMul(a!, bT!, false, true),
        tf.matMul(aT!, bT!, true, true),
      ];
    });
  });

  it.each([
    [[37, 300], [300, 29], false],
    [[256, 128], [128, 10], false],
    [[5, 9, 52], [52, 16], false],
    [[6, 33], [20, 33], true],
    [[3, 7], [7, 3], false],
  ] as [number[], number[], boolean][])(
    "_FusedMatMul %j x %j (transposeB %s), bias with no activation or ReLU: on wasm exactly its training chain (BatchMatMul, Add, Relu), as cpu within tolerance; other activations as cpu (Dense's shapes)",
    async (aShape, bShape, transposeB) => {
      const n = transposeB ? bShape.at(-2)! : bShape.at(-1)!;
      const make = randoms(66, aShape, bShape, [n]);
      const fused = (activation: 'linear' | 'relu' | 'sigmoid' | 'leakyrelu') => () => {
        const [a, b, bias] = make();
        return [
          tf.fused.matMul({ a: a!, b: b!, transposeB, bias: bias!, activation }),
          tf.fused.matMul({ a: a!, b: b!, transposeB, activation }),
        ];
      };
      const chain = (relu: boolean) => () => {
        const [a, b, bias] = make();
        const z = tf.matMul(a!, b!, false, transposeB);
        return [relu ? tf.relu(z.add(bias!)) : z.add(bias!), relu ? tf.relu(z) : z];
      };
      for (const relu of [false, true]) {
        const got = await on('wasm', fused(relu ? 'relu' : 'linear'));
        const want = await on('wasm', chain(relu));
        got.forEach((g, i) =>
          expect(Array.from(g), `relu ${relu}, output ${i}`).toEqual(Array.from(want[i]!)),
        );
        await agree(fused(relu ? 'relu' : 'linear'));
      }
      // Left to wasm's own kernel, which is right for a Dense layer's product (2-D, b not transposed)
      // but adds no bias to batched or transposed ones (tfjs-backend-wasm 4.22; no layer asks those).
      if (aShape.length === 2 && !transposeB) {
        await agree(fused('sigmoid'));
        await agree(fused('leakyrelu'));
      }
    },
  );

  it.each([
    ['2x2 stride 2, valid', [2, 8, 8, 3], 2, 2, 'valid'],
    ['3x3 stride 2, same', [2, 9, 7, 2], 3, 2, 'same'],
    ['3x3 stride 1, same (overlapping windows)', [1, 6, 6, 4], 3, 1, 'same'],
    ["2x2 stride 2, 6 channels (LeNet's)", [2, 12, 12, 6], 2, 2, 'valid'],
    ['3x3 stride 1, same, 9 channels (overlapping windows)', [1, 7, 7, 9], 3, 1, 'same'],
    [
      '2x3 stride [1, 2], explicit padding',
      [2, 5, 7, 1],
      [2, 3],
      [1, 2],
      [
        [0, 0],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    ],
  ] as const)('MaxPoolGrad %s matches cpu, ties included', async (_, shape, filter, stride, pad) => {
    const make = randoms(68, [...shape]);
    // Rounded values make ties, where the first maximum in window order must get the gradient.
    const grad = () => {
      const x = make()[0]!.mul(2).round();
      return tf.grad((v: tf.Tensor) => {
        const y = tf.maxPool(v as tf.Tensor4D, filter as never, stride as never, pad as never);
        // A different gradient for every output, so each one's routing shows.
        return tf.sum(tf.mul(y, tf.range(1, 1 + y.size).reshape(y.shape)));
      })(x);
    };
    const want = await on('cpu', grad);
    const got = await on('wasm', grad);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
  });

  it.each([
    ['2x2, 6 channels, an odd height and width (positions in no window)', [2, 9, 11, 6], 2],
    ['3x3, 4 channels', [3, 9, 9, 4], 3],
    ['2x2, 5 channels', [2, 8, 8, 5], 2],
  ] as const)(
    'MaxPoolGrad on windows that tile the input, %s: the general kernel bit for bit',
    async (_, shape, k) => {
      const make = randoms(69, [...shape]);
      const grad = () =>
        tf.grad((v: tf.Tensor) => {
          const y = tf.maxPool(v as tf.Tensor4D, k, k, 'valid');
          return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 3)));
        })(make()[0]!.mul(2).round());
      const [general, tiles] = await offOn(tiled, grad);
      expect(tiles).toEqual(general);
      const want = await on('cpu', grad);
      expect(Array.from(new Float32Array(tiles![0]!.buffer))).toEqual(Array.from(want[0]!));
    },
  );

  it('MaxPoolGrad routes nothing from a window of only -inf or NaN, and skips NaN beside numbers, as cpu', async () => {
    // 1 image, 4x4, 5 channels (a group of four and one more), 2x2 windows.
    const v = Float32Array.from({ length: 80 }, (_, i) => ((i * 37) % 11) - 5);
    for (const i of [0, 5, 20, 25]) v[i] = -Infinity; // channel 0, first window: all -inf
    for (const i of [2, 7, 22, 27]) v[i] = NaN; // channel 2, first window: all NaN
    for (const i of [44, 49]) v[i] = NaN; // channel 4, a window with NaN beside numbers
    const grad = () =>
      tf.grad((x: tf.Tensor) => {
        const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
        return tf.sum(tf.mul(y, tf.range(1, 1 + y.size).reshape(y.shape)));
      })(tf.tensor4d(v, [1, 4, 4, 5]));
    const want = await on('cpu', grad);
    const got = await on('wasm', grad);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
  });

  it.each([
    ['a bias on every row of a 4-D tensor', [3, 5, 4, 6], [6]],
    ['a [1, 1, 1, n] bias', [2, 3, 3, 7], [1, 1, 1, 7]],
    ['the row first', [9], [5, 9]],
    ['a [rows, n] block on every leading index', [4, 3, 8], [3, 8]],
    ['equal shapes', [4, 6], [4, 6]],
    ['a scalar', [3, 7, 5], []],
    ['a [1, 1] value first', [1, 1], [6, 3]],
    ['a column (wasm’s own)', [5, 4], [5, 1]],
    ['a rank that widens the result (wasm’s own)', [5, 6], [1, 1, 6]],
    ['a value of higher rank (wasm’s own)', [5, 6], [1, 1, 1]],
  ] as const)(
    'Add and Multiply of %s match cpu exactly (inf and NaN included)',
    async (_, aShape, bShape) => {
      const make = randoms(71, [...aShape], [...bShape]);
      const ops = () => {
        const [a, b] = make();
        // Special values where both operands have more than one element to hold them.
        const a2 = a!.size > 2 ? a!.where(tf.range(0, a!.size).reshape(a!.shape).notEqual(1), Infinity) : a!;
        return [tf.add(a2, b!), tf.mul(a2, b!), tf.add(b!, a2), tf.mul(tf.mul(a2, 0), b!)];
      };
      const want = await on('cpu', ops);
      const got = await on('wasm', ops);
      got.forEach((g, i) => expect(Array.from(g), `result ${i}`).toEqual(Array.from(want[i]!)));
    },
  );

  it.each([
    [[64, 10], 0, false],
    [[6, 5, 4], [0, 1], false],
    [[6, 5, 4], [1, 0], true],
    [[3, 4, 5], -1, false],
    [[3, 4, 5], 1, true],
    [[7], 0, false],
    [[1, 8], 0, false],
    // Column counts that are not multiples of 4 (rows summed in pairs or fours, leftovers last).
    [[5, 7, 6], [0, 1], false],
    [[9, 3], 0, true],
    [[11, 5], 0, false],
    [[13, 1], 0, false],
    [[3, 2, 2, 6], [0, 1, 2], false],
    [[257, 33], 0, false],
  ] as const)('Sum of %j over axes %j (keepDims %s) matches cpu', async (shape, axis, keepDims) => {
    const make = randoms(69, [...shape]);
    await agree(() => tf.sum(make()[0]!, axis as number | number[], keepDims));
  });

  it.each([
    [[10, 4], [6], 'float32'],
    [[10, 3, 2], [2, 5], 'float32'],
    [[7], [4, 3], 'int32'],
    [[50, 8], [0], 'float32'],
  ] as const)(
    'GatherV2 of a %j table by %j ids (%s) matches cpu, repeated ids included',
    async (shape, ids, dtype) => {
      const make = randoms(70, [...shape]);
      const n = ids.reduce((a, d) => a * d, 1);
      const idx = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % shape[0]);
      const gather = () =>
        tf.gather(make()[0]!.mul(5).round().cast(dtype), tf.tensor(idx, [...ids], 'int32')).cast('float32');
      const want = await on('cpu', gather);
      const got = await on('wasm', gather);
      expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
    },
  );

  it('GatherV2 with an id out of range leaves it to wasm, which throws as cpu does', async () => {
    for (const bad of [-1, 10]) {
      for (const backend of ['cpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        expect(() =>
          tf.tidy(() => tf.gather(tf.ones([10, 4]), tf.tensor1d([0, bad, 3], 'int32')).dataSync()),
        ).toThrow(/not in \[0, 9\]/);
      }
    }
  });

  it.each([
    [[7], 0, 'float32'],
    [[5, 3], 0, 'float32'],
    [[5, 3], 1, 'int32'],
    [[4, 6, 3], 1, 'float32'],
    [[4, 6, 3], -1, 'bool'],
    [[2, 3, 4, 5], 2, 'float32'],
    [[3, 0, 2], 0, 'float32'],
  ] as const)('Unpack of %j along axis %d (%s) matches cpu', async (shape, axis, dtype) => {
    const make = randoms(67, [...shape]);
    const input = (x: tf.Tensor) => (dtype === 'bool' ? tf.greater(x, 0) : x.mul(3).round().cast(dtype));
    const unpack = () => tf.unstack(input(make()[0]!), axis).map((t) => t.cast('float32'));
    const want = await on('cpu', unpack);
    const got = await on('wasm', unpack);
    expect(got.length).toBe(shape.at(axis)!);
    expect(got.map((g) => Array.from(g))).toEqual(want.map((w) => Array.from(w)));
  });

  it.each([
    [[5], [3], 'float32'],
    [[1, 1, 6], [4, 7, 1], 'float32'],
    [[2, 3, 1], [2, 1, 5], 'int32'],
    [[2, 1, 3, 2], [2, 3, 1, 2], 'float32'],
    [[2, 2, 1, 2, 3], [1, 2, 3, 1, 2], 'bool'],
    [[2, 3], [1, 1], 'float32'],
  ] as const)('Tile of %j by %j (%s) matches cpu', async (shape, reps, dtype) => {
    const make = randoms(66, [...shape]);
    // (wasm's Cast to bool keeps the number, so bools come from a comparison.)
    const input = (x: tf.Tensor) => (dtype === 'bool' ? tf.greater(x, 0) : x.mul(3).round().cast(dtype));
    const tile = () => tf.tile(input(make()[0]!), [...reps]).cast('float32');
    const want = await on('cpu', tile);
    const got = await on('wasm', tile);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
  });

  it('gradients of Conv1D, Conv2D, Conv2DTranspose, depthwise conv and gather match cpu', async () => {
    const make = randoms(
      70,
      [2, 9, 8, 3],
      [3, 3, 3, 4],
      [4, 11, 3],
      [3, 3, 4],
      [3, 3, 2, 3],
      [3, 3, 3, 2],
      [10, 4],
    );
    const ids = Int32Array.from([3, 1, 3, 9, 0, 3, 7]);
    await agree(() => {
      const [x, w, x1, w1, wt, wd, emb] = make();
      const loss = (y: tf.Tensor) => y.square().sum();
      const conv = tf.grads((a, b) => loss(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([
        x!,
        w!,
      ]);
      const conv1 = tf.grads((a, b) => loss(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 2, 'same')))([
        x1!,
        w1!,
      ]);
      const transposed = tf.grads((a, b) =>
        loss(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 17, 15, 2], 2, 'same')),
      )([x!, wt!]);
      const depthwise = tf.grads((a, b) =>
        loss(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
      )([x!, wd!]);
      const gather = tf.grad((e) => loss(tf.gather(e, tf.tensor1d(ids, 'int32'))))(emb!);
      return [...conv, ...conv1, ...transposed, ...depthwise, gather];
    });
  });
});

it('Sum over leading axes adds the rows in order: exactly a float32 running sum (training runs unchanged)', async () => {
  await tf.setBackend('wasm');
  for (const [rows, cols] of [
    [50176, 6],
    [256, 10],
    [257, 128],
    [9, 3],
  ] as const) {
    const r = rng(rows + cols);
    const values = Float32Array.from(
      { length: rows * cols },
      () => (r() - 0.5) * 10 ** Math.floor(r() * 6 - 3),
    );
    const want = new Float32Array(cols);
    for (let i = 0; i < rows; i++)
      for (let c = 0; c < cols; c++) want[c] = Math.fround(want[c]! + values[i * cols + c]!);
    const got = tf.tidy(() => tf.sum(tf.tensor2d(values, [rows, cols]), 0).dataSync());
    expect(Array.from(got), `${rows}×${cols}`).toEqual(Array.from(want));
  }
});

describe('ReLU', () => {
  /** Values with every case the definitions distinguish: ±0, NaN, ±Infinity, positives, negatives. */
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5, -2.25];

  it("Relu and its gradient (one kernel on wasm) give the cpu backend's exact values, NaN and infinities included", async () => {
    expect(tf.getGradient(tf.Relu)).toBe(reluGradConfig);
    for (const n of [1, 4, 9, 37, 4096 + 3]) {
      const r = rng(n);
      const xs = Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : r() * 4 - 2));
      const dys = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? -0 : i % 11 === 5 ? NaN : r() * 2 - 1));
      const f = () => {
        const x = tf.tensor1d(xs);
        const dy = tf.tensor1d(dys);
        const g = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
        return [tf.relu(x), g, tf.relu(x.reshape([1, n]))];
      };
      const want = await on('cpu', f);
      const got = await on('wasm', f);
      got.forEach((g, i) => expect(Array.from(g), `n ${n}, result ${i}`).toEqual(Array.from(want[i]!)));
    }
  });

  it('the gradient runs as one kernel on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, -2, 3, -4], [2, 2]);
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x));
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain(RELU_GRAD);
    expect(names).not.toContain('Step');
    tf.dispose(x);
  });
});

describe('faster gradients', () => {
  /** d/dx sum(tile(x, reps) * c) computed element by element. */
  function tileReference(x: number[], reps: number[], c: Float32Array): Float64Array {
    const out = x.map((s, i) => s * reps[i]!);
    const grad = new Float64Array(tf.util.sizeFromShape(x));
    const outStrides = tf.util.computeStrides(out);
    const xStrides = tf.util.computeStrides(x);
    for (let flat = 0; flat < c.length; flat++) {
      let rest = flat;
      let xi = 0;
      out.forEach((_, d) => {
        const stride = outStrides[d] ?? 1;
        const idx = Math.floor(rest / stride);
        rest -= idx * stride;
        xi += (idx % x[d]!) * (xStrides[d] ?? 1);
      });
      grad[xi]! += c[flat]!;
    }
    return grad;
  }

  it('Tile: reshape + sum replaces the Slice + Add loop', () => {
    expect(tf.getGradient(tf.Tile)).toBe(tileGradConfig);
  });

  it.each([
    [[5], [3]],
    [
      [3, 4],
      [2, 1],
    ],
    [
      [1, 1, 6],
      [4, 7, 1],
    ],
    [
      [2, 3, 1],
      [1, 1, 5],
    ],
    [
      [2, 1, 3, 2],
      [2, 3, 1, 2],
    ],
    [
      [2, 2, 1, 2, 3],
      [1, 2, 3, 1, 2],
    ],
    [
      [2, 3],
      [1, 1],
    ],
  ])('Tile gradient of shape %j tiled %j matches the definition on cpu and wasm', async (shape, reps) => {
    const make = randoms(
      80,
      shape,
      shape.map((s, i) => s * reps[i]!),
    );
    const [, cData] = await on('cpu', () => make());
    const want = tileReference(shape, reps, cData!);
    for (const backend of ['cpu', 'wasm'] as const) {
      const [got] = await on(backend, () => {
        const [x, c] = make();
        return tf.grad((a) => tf.tile(a, reps).mul(c!).sum())(x!);
      });
      expect(relErr(got!, want)).toBeLessThan(TOL);
    }
  });

  it('GatherV2: axis 0 without its identity transposes; other axes by tfjs-core; values as the definition', async () => {
    expect(tf.getGradient(tf.GatherV2)).toBe(gatherGradConfig);
    // 2-D ids with repeats (axis 0, rows of [3, 2]), then axis 1 and batchDims 1 (tfjs-core's).
    const ids = Int32Array.from([3, 1, 3, 4, 0, 3]);
    const cases: { shape: number[]; axis: number; batchDims: number; idShape: number[] }[] = [
      { shape: [5, 3, 2], axis: 0, batchDims: 0, idShape: [2, 3] },
      { shape: [5, 3], axis: -2, batchDims: 0, idShape: [6] },
      { shape: [2, 5, 3], axis: 1, batchDims: 0, idShape: [6] },
      { shape: [2, 5], axis: 1, batchDims: 1, idShape: [2, 3] },
    ];
    for (const c of cases) {
      const outShape =
        c.batchDims === 1
          ? [...c.idShape]
          : [
              ...c.shape.slice(0, (c.axis + c.shape.length) % c.shape.length),
              ...c.idShape,
              ...c.shape.slice(((c.axis + c.shape.length) % c.shape.length) + 1),
            ];
      const make = randoms(90, c.shape, outShape);
      const gather = (e: tf.Tensor) => tf.gather(e, tf.tensor(ids, c.idShape, 'int32'), c.axis, c.batchDims);
      const want = await byDefinition(c.shape, gather, () => make()[1]!);
      for (const backend of ['cpu', 'wasm'] as const) {
        const [got] = await on(backend, () => {
          const [x, dy] = make();
          return tf.grad((e) => gather(e).mul(dy!).sum())(x!);
        });
        expect(relErr(got!, want), `${backend} ${JSON.stringify(c)}`).toBeLessThan(TOL);
      }
    }
  });

  it('LayerNormalization gradients match cpu', async () => {
    const make = randoms(90, [4, 6, 8], [4, 6, 8]);
    await agree(() => {
      const layer = tf.layers.layerNormalization({ axis: -1 });
      const [x, c] = make();
      layer.build(x!.shape);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(
        () => (layer.apply(x!) as tf.Tensor).mul(c!).sum() as tf.Scalar,
        vars,
      );
      const dx = tf.grad((a) => (layer.apply(a) as tf.Tensor).mul(c!).sum())(x!);
      const out = [dx, ...vars.map((v) => grads[v.name]!)];
      vars.forEach((v) => v.dispose());
      return out;
    });
  });
});
