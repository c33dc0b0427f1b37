/**
 * Netloom's custom layers against independent plain-array computations (and MultiHeadAttention
 * against PyTorch's nn.MultiheadAttention where Debian's python3-torch is installed); parameter
 * counts and weight names against the layer catalog; save and load through tfjs artifacts.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetloomMultiHeadAttention } from '../../../electron/engine/layers/multiHeadAttention';
import { NetloomPositionalEmbedding } from '../../../electron/engine/layers/positionalEmbedding';
import {
  LAYER_NORM_EPSILON,
  NetloomTransformerEncoderBlock,
} from '../../../electron/engine/layers/transformerEncoderBlock';
import '../../../electron/engine/layers/index';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import type { WeightArtifacts } from '../../../shared/training/protocol';

/** tfjs's own loader over saved artifacts (the TF.js export's path: topology + manifest + bin). */
async function loadWithTfjs(a: WeightArtifacts): Promise<tf.LayersModel> {
  const json = JSON.parse(a.modelJson) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const data = a.weightsBin.buffer.slice(
    a.weightsBin.byteOffset,
    a.weightsBin.byteOffset + a.weightsBin.byteLength,
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: data as ArrayBuffer,
    }),
  );
}
import { paramCount } from '../../../shared/graph/check';
import { LAYERS } from '../../../shared/layers/index';
import { defaultParams, resolveParams } from '../../../shared/layers/params';
import { BATCH } from '../../../shared/layers/shape';
import {
  add,
  geluRef,
  layerNormReference,
  linear,
  maxRelError,
  mhaReference,
  randomArray,
  reluRef,
  rng,
} from './reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = 1e-4;

function catalog(
  kind: 'MultiHeadAttention' | 'TransformerEncoderBlock' | 'PositionalEmbedding',
  params: object,
) {
  const spec = LAYERS[kind];
  const res = resolveParams(spec as never, { ...defaultParams(spec as never), ...params });
  if (!res.ok) throw new Error(JSON.stringify(res.issues));
  return { spec, config: res.config };
}

const shortName = (w: tf.LayerVariable) => w.name.split('/').pop();

/** Sets every weight of a built layer to seeded random values; returns them by short name. */
function randomiseWeights(layer: tf.layers.Layer, seed: number, scale = 0.5): Record<string, Float32Array> {
  const r = rng(seed);
  const out: Record<string, Float32Array> = {};
  const values = layer.weights.map((w) => {
    const shape = w.shape as number[];
    const a = randomArray(
      shape.reduce((x, y) => x * y, 1),
      r,
      scale,
    );
    out[shortName(w)!] = a;
    return tf.tensor(a, shape);
  });
  layer.setWeights(values);
  tf.dispose(values);
  return out;
}

interface MhaCase {
  name: string;
  b: number;
  tq: number;
  tk: number;
  dq: number;
  dk: number;
  dv: number;
  numHeads: number;
  keyDim: number;
  valueDim: number;
  useBias: boolean;
  causal: boolean;
}

const MHA_CASES: MhaCase[] = [
  {
    name: 'self-attention',
    b: 2,
    tq: 5,
    tk: 5,
    dq: 8,
    dk: 8,
    dv: 8,
    numHeads: 2,
    keyDim: 4,
    valueDim: 4,
    useBias: true,
    causal: false,
  },
  {
    name: 'causal',
    b: 2,
    tq: 6,
    tk: 6,
    dq: 6,
    dk: 6,
    dv: 6,
    numHeads: 3,
    keyDim: 2,
    valueDim: 2,
    useBias: true,
    causal: true,
  },
  {
    name: 'cross, no bias, value dim',
    b: 3,
    tq: 4,
    tk: 7,
    dq: 5,
    dk: 3,
    dv: 6,
    numHeads: 2,
    keyDim: 3,
    valueDim: 5,
    useBias: false,
    causal: false,
  },
];

function runMha(c: MhaCase, seed: number) {
  const layer = new NetloomMultiHeadAttention({
    numHeads: c.numHeads,
    keyDim: c.keyDim,
    valueDim: c.valueDim,
    useBias: c.useBias,
    causal: c.causal,
    dropout: 0.5, // must not apply outside training
  });
  const r = rng(seed);
  const qa = randomArray(c.b * c.tq * c.dq, r);
  const ka = randomArray(c.b * c.tk * c.dk, r);
  const va = randomArray(c.b * c.tk * c.dv, r);
  const q = tf.tensor3d(qa, [c.b, c.tq, c.dq]);
  const k = tf.tensor3d(ka, [c.b, c.tk, c.dk]);
  const v = tf.tensor3d(va, [c.b, c.tk, c.dv]);
  layer.apply([q, k, v]); // builds
  const w = randomiseWeights(layer, seed + 1);
  const y = layer.apply([q, k, v]) as tf.Tensor;
  const out = y.dataSync();
  tf.dispose([q, k, v, y]);
  return { layer, qa, ka, va, w, out };
}

describe('NetloomMultiHeadAttention', () => {
  it.each(MHA_CASES.map((c) => [c.name, c] as const))('%s matches a plain-array computation', (_n, c) => {
    const { layer, qa, ka, va, w, out } = runMha(c, 11);
    const expected = mhaReference(qa, ka, va, c, {
      numHeads: c.numHeads,
      keyDim: c.keyDim,
      valueDim: c.valueDim,
      causal: c.causal,
      queryKernel: w.query_kernel!,
      queryBias: w.query_bias,
      keyKernel: w.key_kernel!,
      keyBias: w.key_bias,
      valueKernel: w.value_kernel!,
      valueBias: w.value_bias,
      outputKernel: w.attention_output_kernel!,
      outputBias: w.attention_output_bias,
    });
    expect(maxRelError(out, expected)).toBeLessThan(TOL);

    // Parameter count and weight names equal the catalog's.
    const { spec, config } = catalog('MultiHeadAttention', {
      numHeads: c.numHeads,
      keyDim: c.keyDim,
      valueDim: c.valueDim,
      useBias: c.useBias,
      causal: c.causal,
    });
    const weights = spec.weights(
      [
        [BATCH, c.tq, c.dq],
        [BATCH, c.tk, c.dk],
        [BATCH, c.tk, c.dv],
      ],
      config as never,
    );
    expect(layer.countParams()).toBe(paramCount(weights).total);
    expect(layer.weights.map(shortName)).toEqual(Object.keys(weights));
    layer.dispose();
  });

  it('applies attention dropout only in training', () => {
    const layer = new NetloomMultiHeadAttention({ numHeads: 1, keyDim: 4, dropout: 0.5 });
    const x = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 3);
    const a = layer.apply([x, x, x], { training: false }) as tf.Tensor;
    const b = layer.apply([x, x, x], { training: false }) as tf.Tensor;
    const c = layer.apply([x, x, x], { training: true }) as tf.Tensor;
    expect(maxRelError(a.dataSync(), b.dataSync())).toBe(0);
    expect(maxRelError(a.dataSync(), c.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, c]);
    layer.dispose();
  });

  const torchAvailable =
    spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!torchAvailable)
    console.warn(
      'SKIPPED: PyTorch comparison of MultiHeadAttention: `/usr/bin/python3 -c "import torch"` failed.',
    );

  it.skipIf(!torchAvailable).each([
    ['self-attention', MHA_CASES[0]!],
    ['causal', MHA_CASES[1]!],
  ] as const)('%s matches torch.nn.MultiheadAttention with the same weights', (_n, c) => {
    const { qa, ka, va, w, out } = runMha({ ...c, tk: c.tq, dk: c.dq, dv: c.dq }, 29);
    const script = `
import json, sys, torch
d = json.load(sys.stdin)
torch.set_default_dtype(torch.float64)
E, h, k, T, B = d['E'], d['h'], d['k'], d['T'], d['B']
m = torch.nn.MultiheadAttention(E, h, bias=True, batch_first=True)
def kern(name):  # our [E, h, k] kernel -> torch's [h*k, E] weight
    return torch.tensor(d[name]).reshape(E, h * k).T
with torch.no_grad():
    m.in_proj_weight.copy_(torch.cat([kern('query_kernel'), kern('key_kernel'), kern('value_kernel')]))
    m.in_proj_bias.copy_(torch.cat([torch.tensor(d[n]) for n in ('query_bias', 'key_bias', 'value_bias')]))
    m.out_proj.weight.copy_(torch.tensor(d['attention_output_kernel']).reshape(h * k, E).T)
    m.out_proj.bias.copy_(torch.tensor(d['attention_output_bias']))
q, k, v = (torch.tensor(d[n]).reshape(B, T, E) for n in ('qx', 'kx', 'vx'))
mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1) if d['causal'] else None
y, _ = m(q, k, v, attn_mask=mask, need_weights=False)
print(json.dumps(y.reshape(-1).tolist()))
`;
    const input = JSON.stringify({
      E: c.dq,
      h: c.numHeads,
      k: c.keyDim,
      T: c.tq,
      B: c.b,
      causal: c.causal,
      qx: Array.from(qa),
      kx: Array.from(ka),
      vx: Array.from(va),
      ...Object.fromEntries(Object.entries(w).map(([name, a]) => [name, Array.from(a)])),
    });
    const result = execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8' });
    const torchOut = JSON.parse(result) as number[];
    expect(maxRelError(out, torchOut)).toBeLessThan(TOL);
  });
});

describe('NetloomTransformerEncoderBlock', () => {
  const b = 2;
  const t = 5;
  const d = 6;
  const h = 2;
  const k = 3;
  const ff = 10;
  it.each([
    ['pre', 'relu'],
    ['pre', 'gelu'],
    ['post', 'relu'],
    ['post', 'gelu'],
  ] as const)('%s-norm with %s matches a plain-array computation', (norm, activation) => {
    const layer = new NetloomTransformerEncoderBlock({
      numHeads: h,
      keyDim: k,
      ffDim: ff,
      dropout: 0.3,
      normalizeFirst: norm === 'pre',
      activation,
    });
    const xa = randomArray(b * t * d, rng(5));
    const x = tf.tensor3d(xa, [b, t, d]);
    layer.apply(x);
    const w = randomiseWeights(layer, 6);
    const y = layer.apply(x) as tf.Tensor;
    const out = y.dataSync();
    tf.dispose([x, y]);

    const n = b * t;
    const ln = (v: ArrayLike<number>, which: 1 | 2) =>
      layerNormReference(v, n, d, w[`norm${which}_gamma`]!, w[`norm${which}_beta`]!, LAYER_NORM_EPSILON);
    const attend = (v: ArrayLike<number>) =>
      mhaReference(
        v,
        v,
        v,
        { b, tq: t, tk: t, dq: d, dk: d, dv: d },
        {
          numHeads: h,
          keyDim: k,
          valueDim: k,
          causal: false,
          queryKernel: w.query_kernel!,
          queryBias: w.query_bias,
          keyKernel: w.key_kernel!,
          keyBias: w.key_bias,
          valueKernel: w.value_kernel!,
          valueBias: w.value_bias,
          outputKernel: w.attention_output_kernel!,
          outputBias: w.attention_output_bias,
        },
      );
    const act = activation === 'gelu' ? geluRef : reluRef;
    const ffn = (v: ArrayLike<number>) =>
      linear(
        linear(v, n, d, w.ffn1_kernel!, ff, w.ffn1_bias).map(act),
        n,
        ff,
        w.ffn2_kernel!,
        d,
        w.ffn2_bias,
      );
    let expected: Float64Array;
    if (norm === 'pre') {
      const y1 = add(xa, attend(ln(xa, 1)));
      expected = add(y1, ffn(ln(y1, 2)));
    } else {
      const y1 = ln(add(xa, attend(xa)), 1);
      expected = ln(add(y1, ffn(y1)), 2);
    }
    expect(maxRelError(out, expected)).toBeLessThan(TOL);

    const { spec, config } = catalog('TransformerEncoderBlock', { numHeads: h, keyDim: k, ffDim: ff });
    const weights = spec.weights([[BATCH, t, d]], config as never);
    expect(layer.countParams()).toBe(paramCount(weights).total);
    expect(layer.weights.map(shortName)).toEqual(Object.keys(weights));
    layer.dispose();
  });
});

describe('NetloomPositionalEmbedding', () => {
  it('adds a learned position vector to each token vector', () => {
    const vocab = 7;
    const maxLength = 6;
    const dim = 3;
    const layer = new NetloomPositionalEmbedding({ vocabSize: vocab, maxLength, embedDim: dim });
    const ids = [
      [1, 4, 6, 0],
      [3, 3, 2, 5],
    ];
    const x = tf.tensor2d(ids, [2, 4], 'int32');
    layer.apply(x);
    const w = randomiseWeights(layer, 9);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, dim]);
    const out = y.dataSync();
    const expected: number[] = [];
    ids.forEach((row) =>
      row.forEach((id, pos) => {
        for (let c = 0; c < dim; c++)
          expected.push(w.token_embeddings![id * dim + c]! + w.position_embeddings![pos * dim + c]!);
      }),
    );
    expect(maxRelError(out, expected)).toBeLessThan(TOL);
    const { spec, config } = catalog('PositionalEmbedding', { vocabSize: vocab, maxLength, embedDim: dim });
    const weights = spec.weights([[BATCH, 4]], config as never);
    expect(layer.countParams()).toBe(paramCount(weights).total);
    expect(layer.weights.map(shortName)).toEqual(Object.keys(weights));
    tf.dispose([x, y]);
    layer.dispose();
  });
});

describe('custom layers save and load', () => {
  it('a model using all three round-trips through tfjs artifacts with identical outputs', async () => {
    const input = tf.input({ shape: [6], dtype: 'int32' });
    const emb = new NetloomPositionalEmbedding({ vocabSize: 20, maxLength: 6, embedDim: 8 }).apply(
      input,
    ) as tf.SymbolicTensor;
    const block = new NetloomTransformerEncoderBlock({ numHeads: 2, keyDim: 4, ffDim: 16 }).apply(
      emb,
    ) as tf.SymbolicTensor;
    const mha = new NetloomMultiHeadAttention({ numHeads: 2, keyDim: 4, causal: true }).apply([
      block,
      block,
      block,
    ]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: mha });
    const artifacts = await saveModelArtifacts(model);
    const loaded = await loadWithTfjs(artifacts);
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 19]], [1, 6], 'int32');
    const a = model.predict(x) as tf.Tensor;
    const bb = loaded.predict(x) as tf.Tensor;
    expect(Array.from(bb.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(loaded.countParams()).toBe(model.countParams());
    tf.dispose([x, a, bb]);
    model.dispose();
    loaded.dispose();
  });
});
