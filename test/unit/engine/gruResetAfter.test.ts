/**
 * The GRU with reset after (NetloomGRU): its forward against a plain-array computation of the
 * equations and, where Debian's python3-torch is installed, against torch.nn.GRU with the same
 * weights; its weights against the catalog, through save and load; dropout only while training; and
 * it learns. Projects saved before the parameter existed still load as the reset-before GRU.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedModel, saveModelArtifacts } from '../../../electron/engine/artifacts';
import { compileGraph } from '../../../electron/engine/compile';
import { setFusedRecurrent } from '../../../electron/engine/layers/fusedRecurrent';
import { gruResetAfter } from '../../../electron/engine/layers/gru';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { checkGraph, paramCount } from '../../../shared/graph/check';
import { expectedWeights } from '../../../shared/graph/weights';
import { emptyProject, parseProjectJson, serializeProject } from '../../../shared/ir/project';
import { layerSpec } from '../../../shared/layers/index';
import { resolveParams } from '../../../shared/layers/params';
import { BATCH } from '../../../shared/layers/shape';
import type { ArrayDataset } from '../../../shared/training/data';
import { PYTHON, torchAvailable } from '../export/helpers';
import { chain, config } from './helpers';
import { maxRelError, randomArray, rng } from './reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ACT: Record<string, (v: number) => number> = {
  tanh: Math.tanh,
  relu: (v) => Math.max(0, v),
  linear: (v) => v,
};
const GATE: Record<string, (v: number) => number> = {
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
};

interface Direction {
  kernel: Float32Array; // [f, 3u]
  recurrent: Float32Array; // [u, 3u]
  bias: Float32Array; // [2, 3u]
}

/** One direction of the reset-after GRU in float64: the states [time][u] in reading order. */
function reference(
  x: Float32Array,
  t: number,
  f: number,
  u: number,
  w: Direction,
  act: string,
  back = false,
  gate = 'sigmoid',
) {
  const g = 3 * u;
  const sigmoid = GATE[gate]!;
  let h = new Float64Array(u);
  const states: Float64Array[] = [];
  for (let s = 0; s < t; s++) {
    const step = back ? t - 1 - s : s;
    const xw = Float64Array.from({ length: g }, (_, j) => w.bias[j]!);
    const hr = Float64Array.from({ length: g }, (_, j) => w.bias[g + j]!);
    for (let k = 0; k < f; k++) for (let j = 0; j < g; j++) xw[j]! += x[step * f + k]! * w.kernel[k * g + j]!;
    for (let k = 0; k < u; k++) for (let j = 0; j < g; j++) hr[j]! += h[k]! * w.recurrent[k * g + j]!;
    const next = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      const z = sigmoid(xw[j]! + hr[j]!);
      const r = sigmoid(xw[u + j]! + hr[u + j]!);
      const cand = ACT[act]!(xw[2 * u + j]! + r * hr[2 * u + j]!);
      next[j] = z * h[j]! + (1 - z) * cand;
    }
    h = next;
    states.push(h);
  }
  return states;
}

interface Case {
  name: string;
  units: number;
  returnSequences: boolean;
  bidirectional: boolean;
  activation: string;
  recurrentActivation?: string;
}

const CASES: Case[] = [
  { name: 'last state', units: 4, returnSequences: false, bidirectional: false, activation: 'tanh' },
  { name: 'sequences, relu', units: 3, returnSequences: true, bidirectional: false, activation: 'relu' },
  {
    name: 'bidirectional sequences',
    units: 5,
    returnSequences: true,
    bidirectional: true,
    activation: 'tanh',
  },
  { name: 'bidirectional last', units: 4, returnSequences: false, bidirectional: true, activation: 'tanh' },
  {
    name: 'bidirectional sequences, hard sigmoid gates',
    units: 4,
    returnSequences: true,
    bidirectional: true,
    activation: 'tanh',
    recurrentActivation: 'hardSigmoid',
  },
];
const B = 3;
const T = 6;
const F = 5;

function gruGraph(c: Case, extra: Record<string, unknown> = {}) {
  const width = c.bidirectional ? 2 * c.units : c.units;
  return chain(
    ['Input', { shape: [T, F], dtype: 'float32' }],
    [
      'GRU',
      {
        units: c.units,
        activation: c.activation,
        returnSequences: c.returnSequences,
        bidirectional: c.bidirectional,
        resetAfter: true,
        ...(c.recurrentActivation ? { recurrentActivation: c.recurrentActivation } : {}),
        ...extra,
      },
    ],
    ['Output', { targetShape: c.returnSequences ? [T, width] : [width], loss: 'meanSquaredError' }],
  );
}

/** The compiled graph of a case with seeded random weights, its input, and its weights by catalog name. */
async function randomModel(c: Case, seed: number, extra: Record<string, unknown> = {}) {
  const graph = gruGraph(c, extra);
  const { model } = await compileGraph(graph);
  const r = rng(seed);
  const byName: Record<string, Float32Array> = {};
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      const a = randomArray(
        shape.reduce((p, d) => p * d, 1),
        r,
        0.6,
      );
      byName[w.originalName.split('/').pop()!] = a;
      return tf.tensor(a, shape);
    }),
  );
  const x = randomArray(B * T * F, r);
  return { graph, model, byName, x };
}

function predict(model: tf.LayersModel, x: Float32Array): Float32Array {
  const input = tf.tensor3d(x, [B, T, F]);
  const y = model.predict(input) as tf.Tensor;
  const out = y.dataSync() as Float32Array;
  tf.dispose([input, y]);
  return out;
}

/** The layer's output from the reference: [batch, (time,) directions × u]. */
function expected(c: Case, byName: Record<string, Float32Array>, x: Float32Array): Float64Array {
  const dirs = c.bidirectional ? ['forward_', 'backward_'] : [''];
  const u = c.units;
  const width = dirs.length * u;
  const out = new Float64Array(B * (c.returnSequences ? T : 1) * width);
  for (let n = 0; n < B; n++) {
    const sample = x.subarray(n * T * F, (n + 1) * T * F);
    dirs.forEach((p, d) => {
      const w = {
        kernel: byName[`${p}kernel`]!,
        recurrent: byName[`${p}recurrent_kernel`]!,
        bias: byName[`${p}bias`]!,
      };
      const states = reference(sample, T, F, u, w, c.activation, d === 1, c.recurrentActivation);
      if (!c.returnSequences) return out.set(states[T - 1]!, n * width + d * u);
      // The backward states are put back in time order, as Keras's Bidirectional does.
      for (let s = 0; s < T; s++) out.set(states[d === 1 ? T - 1 - s : s]!, (n * T + s) * width + d * u);
    });
  }
  return out;
}

describe('NetloomGRU (reset after)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s matches a plain-array computation', async (_n, c) => {
    const { model, byName, x } = await randomModel(c, 7);
    const diff = maxRelError(predict(model, x), expected(c, byName, x));
    console.log(`GRU reset after, ${c.name}: max rel diff vs reference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    model.dispose();
  });

  it.runIf(torchAvailable)(
    'matches torch.nn.GRU with the same weights (gates z, r, h -> r, z, n)',
    async () => {
      for (const c of CASES.filter((k) => k.activation === 'tanh' && !k.recurrentActivation)) {
        const { model, byName, x } = await randomModel(c, 21);
        const script = `
import json, sys, torch
a = json.load(sys.stdin)
u, f = a['units'], a['features']
gru = torch.nn.GRU(f, u, batch_first=True, bidirectional=a['bidirectional'])
def order(m):  # Keras blocks z, r, h -> torch r, z, n (along the first axis)
    return torch.cat([m[u:2 * u], m[:u], m[2 * u:]], 0)
with torch.no_grad():
    for p, sfx in (('forward_', ''), ('backward_', '_reverse')) if a['bidirectional'] else (('', ''),):
        k = torch.tensor(a[p + 'kernel']).reshape(f, 3 * u).T
        r = torch.tensor(a[p + 'recurrent_kernel']).reshape(u, 3 * u).T
        b = torch.tensor(a[p + 'bias']).reshape(2, 3 * u)
        getattr(gru, 'weight_ih_l0' + sfx).copy_(order(k))
        getattr(gru, 'weight_hh_l0' + sfx).copy_(order(r))
        getattr(gru, 'bias_ih_l0' + sfx).copy_(order(b[0]))
        getattr(gru, 'bias_hh_l0' + sfx).copy_(order(b[1]))
    x = torch.tensor(a['x']).reshape(${B}, ${T}, f)
    y, h = gru(x)
    out = y if a['returnSequences'] else torch.cat(list(h), -1)
print(json.dumps(out.flatten().tolist()))
`;
        const input = JSON.stringify({
          units: c.units,
          features: F,
          bidirectional: c.bidirectional,
          returnSequences: c.returnSequences,
          x: Array.from(x),
          ...Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, Array.from(v)])),
        });
        const torchOut = JSON.parse(
          execFileSync(PYTHON, ['-c', script], { input, encoding: 'utf8' }),
        ) as number[];
        const ours = predict(model, x);
        let diff = 0;
        ours.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - torchOut[i]!))));
        console.log(`GRU reset after, ${c.name}: max abs diff vs torch.nn.GRU ${diff.toExponential(2)}`);
        expect(ours.length).toBe(torchOut.length);
        expect(diff).toBeLessThanOrEqual(1e-5);
        model.dispose();
      }
    },
  );

  it('has the catalog’s weights (bias [2, 3u]) and predicts the same after save and load', async () => {
    const c = CASES[2]!;
    const { graph, model, x } = await randomModel(c, 3);
    const names = model.weights.map((w) => `${w.originalName} ${JSON.stringify(w.shape)}`);
    const catalog = expectedWeights(graph)!.map((w) => `${w.node}/${w.weight} ${JSON.stringify(w.shape)}`);
    expect(names).toEqual(catalog);
    expect(catalog).toContain('n1/forward_bias [2,15]');
    const before = predict(model, x);
    const saved = await saveModelArtifacts(model);
    const loaded = await loadTrainedModel(graph, saved);
    expect(Array.from(predict(loaded, x))).toEqual(Array.from(before));
    model.dispose();
    loaded.dispose();
  });

  it('drops only while training: one mask per sequence, inference unchanged', () => {
    const r = rng(5);
    const u = 4;
    const w = {
      kernel: tf.tensor(randomArray(F * 3 * u, r), [F, 3 * u]),
      recurrentKernel: tf.tensor(randomArray(u * 3 * u, r), [u, 3 * u]),
      bias: tf.tensor(randomArray(6 * u, r), [2, 3 * u]),
    };
    const x = tf.tensor3d(randomArray(B * T * F, r), [B, T, F]);
    const run = (training: boolean, dropout: number) =>
      gruResetAfter(x, w, {
        units: u,
        activation: 'tanh',
        returnSequences: true,
        goBackwards: false,
        dropout,
        recurrentDropout: dropout,
        training,
      });
    const plain = run(false, 0);
    const inference = run(false, 0.5);
    const trained = run(true, 0.5);
    expect(Array.from(inference.dataSync())).toEqual(Array.from(plain.dataSync()));
    expect(maxRelError(trained.dataSync(), plain.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([plain, inference, trained, x, ...Object.values(w)]);
  });

  it('the step loop’s gradients when reading backwards match finite differences (the fused op is off)', () => {
    // Regression: the loop reversed tf.unstack's own array, which tfjs's tape keeps as the op's
    // outputs, so the gradients of x and the kernel came back with their time steps reversed.
    const r = rng(13);
    const u = 3;
    const R = tf.tensor(randomArray(u * 3 * u, r), [u, 3 * u]);
    const b = tf.tensor(randomArray(6 * u, r), [2, 3 * u]);
    const x0 = randomArray(B * T * F, r);
    const k0 = randomArray(F * 3 * u, r);
    const loss = (x: tf.Tensor, kernel: tf.Tensor) =>
      tf.sum(
        tf.square(
          gruResetAfter(
            x,
            { kernel, recurrentKernel: R, bias: b },
            {
              units: u,
              activation: 'tanh',
              returnSequences: false,
              goBackwards: true,
              dropout: 0,
              recurrentDropout: 0,
              training: true,
            },
          ),
        ),
      );
    setFusedRecurrent(false);
    try {
      const [dx, dk] = tf.grads(loss)([tf.tensor3d(x0, [B, T, F]), tf.tensor2d(k0, [F, 3 * u])]);
      const numeric = (a: Float32Array, i: number, f: (v: Float32Array) => number) => {
        const at = (d: number) => {
          const v = a.slice();
          v[i] = v[i]! + d;
          return f(v);
        };
        return (at(1e-2) - at(-1e-2)) / 2e-2;
      };
      const lossX = (v: Float32Array) =>
        loss(tf.tensor3d(v, [B, T, F]), tf.tensor2d(k0, [F, 3 * u])).dataSync()[0]!;
      const lossK = (v: Float32Array) =>
        loss(tf.tensor3d(x0, [B, T, F]), tf.tensor2d(v, [F, 3 * u])).dataSync()[0]!;
      for (const i of [0, 1, F, x0.length - 1]) {
        const n = numeric(x0, i, lossX);
        expect(Math.abs(dx!.dataSync()[i]! - n)).toBeLessThan(2e-3 + 1e-2 * Math.abs(n));
      }
      for (const i of [0, 4, k0.length - 1]) {
        const n = numeric(k0, i, lossK);
        expect(Math.abs(dk!.dataSync()[i]! - n)).toBeLessThan(2e-3 + 1e-2 * Math.abs(n));
      }
    } finally {
      setFusedRecurrent(true);
    }
  });

  it('learns: the loss falls on a tiny sequence task (with dropout on)', async () => {
    // Target: the mean of each sequence's first feature (a running sum the state must carry).
    const count = 64;
    const r = rng(9);
    const xs = randomArray(count * T * F, r);
    const y = Float32Array.from({ length: count }, (_, i) => {
      let s = 0;
      for (let t = 0; t < T; t++) s += xs[(i * T + t) * F]!;
      return s / T;
    });
    const dataset: ArrayDataset = {
      id: 'mean',
      name: 'mean',
      task: 'regression',
      x: xs,
      sampleShape: [T, F],
      xDtype: 'float32',
      y,
      targetSize: 1,
      count,
    };
    const graph = chain(
      ['Input', { shape: [T, F], dtype: 'float32' }],
      ['GRU', { units: 8, resetAfter: true, bidirectional: true, dropout: 0.1, recurrentDropout: 0.1 }],
      ['Dense', { units: 1, activation: 'linear' }],
      ['Output', { targetShape: [1], loss: 'meanSquaredError' }],
    );
    const losses: number[] = [];
    const done = await startTrainingInProcess({
      project: { graph, training: config() },
      dataset,
      config: config({ epochs: 8, batchSize: 16, learningRate: 0.01, validationSplit: 0 }),
      backend: 'wasm', // the app's
      onEvent: (e) => {
        if (e.type === 'epochEnd') losses.push(e.metrics.loss!);
      },
    }).done;
    expect(done.type).toBe('done');
    console.log(`GRU reset after, training loss by epoch: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
  });
});

describe('GRU resetAfter in the catalog and in project files', () => {
  it('adds the recurrent bias row to the parameters and its addition to the FLOPs', () => {
    const spec = layerSpec('GRU');
    const before = resolveParams(spec, { units: 4, bidirectional: true }).config!;
    const after = { ...before, resetAfter: true };
    const x = [[BATCH, T, F]];
    const params = (c: typeof before) => paramCount(spec.weights(x, c)).total;
    const flops = (c: typeof before) => spec.flops(x, spec.outputShape(x, c), c);
    expect(params(after) - params(before)).toBe(2 * 3 * 4); // two directions, 3u each
    expect(flops(after) - flops(before)).toBe(T * 2 * 3 * 4);
    expect(spec.keras(after, x)?.class_name).toBe('NetloomGRU');
    expect(spec.keras(before, x)?.class_name).toBe('Bidirectional');
  });

  it('recurrentActivation: hard sigmoid gates cost fewer FLOPs, and the Keras JSON says which', () => {
    for (const kind of ['LSTM', 'GRU'] as const) {
      const spec = layerSpec(kind);
      const x = [[BATCH, T, F]];
      for (const resetAfter of kind === 'GRU' ? [false, true] : [false]) {
        const soft = resolveParams(spec, { units: 4, ...(kind === 'GRU' ? { resetAfter } : {}) }).config!;
        const hard = { ...soft, recurrentActivation: 'hardSigmoid' as const };
        const flops = (c: typeof soft) => spec.flops(x, spec.outputShape(x, c), c);
        // One FLOP less per gate value: LSTM 3 gates, GRU 2, of 4 units over T steps.
        expect(flops(soft) - flops(hard)).toBe(T * (kind === 'LSTM' ? 3 : 2) * 4);
        expect(spec.keras(soft, x)?.config.recurrent_activation).toBe('sigmoid');
        expect(spec.keras(hard, x)?.config.recurrent_activation).toBe('hard_sigmoid');
      }
    }
  });

  it('a project saved before recurrentActivation existed loads with sigmoid gates (LSTM and GRU)', () => {
    const graph = chain(
      ['Input', { shape: [T, F], dtype: 'float32' }],
      ['LSTM', { units: 4, activation: 'tanh', returnSequences: true, bidirectional: false }],
      ['GRU', { units: 4, activation: 'tanh', returnSequences: false, bidirectional: false }],
      ['Output', { targetShape: [4], loss: 'meanSquaredError' }],
    );
    const text = serializeProject({ ...emptyProject('old'), graph });
    expect(text).not.toContain('recurrentActivation');
    const project = parseProjectJson(text);
    expect(checkGraph(project.graph).valid).toBe(true);
    for (const kind of ['LSTM', 'GRU'] as const) {
      const node = project.graph.nodes.find((n) => n.kind === kind)!;
      expect(resolveParams(layerSpec(kind), node.params).config).toMatchObject({
        recurrentActivation: 'sigmoid',
      });
    }
  });

  it('a project saved before the parameter existed loads as the reset-before GRU (bias [3u])', () => {
    const graph = chain(
      ['Input', { shape: [T, F], dtype: 'float32' }],
      ['GRU', { units: 4, activation: 'tanh', returnSequences: false, bidirectional: false }],
      ['Output', { targetShape: [4], loss: 'meanSquaredError' }],
    );
    const text = serializeProject({ ...emptyProject('old'), graph });
    expect(text).not.toContain('resetAfter');
    const project = parseProjectJson(text);
    const report = checkGraph(project.graph);
    expect(report.valid).toBe(true);
    const gru = project.graph.nodes.find((n) => n.kind === 'GRU')!;
    expect(resolveParams(layerSpec('GRU'), gru.params).config).toMatchObject({ resetAfter: false });
    expect(expectedWeights(project.graph, report)!.find((w) => w.weight === 'bias')?.shape).toEqual([12]);
  });
});
