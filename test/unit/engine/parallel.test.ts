/**
 * Data-parallel training (electron/engine/parallel.ts): the batch is cut into shards whose
 * gradients are computed on worker threads ("peers", dist/peer.js) and combined in a fixed order.
 * Where a shard runs must not change a bit of the result; the result matches serial training up
 * to float rounding; anything a peer does wrong falls back to computing its shard here.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { fromArrayDataset } from '../../../electron/engine/data';
import { chooseShards, MIN_FLOPS_PER_PARAM, MIN_PARALLEL_FLOPS } from '../../../electron/engine/parallel';
import { shardBounds } from '../../../electron/engine/shard';
import { combineGradients, weightedSum } from '../../../electron/engine/combine';
import { runTraining } from '../../../electron/engine/train';
import type { CheckGraph } from '../../../shared/graph/check';
import type { ProgressEvent, TerminalEvent } from '../../../shared/training/protocol';
import { chain, config, linearRegression, mlp as mlpGraph, spirals } from './helpers';

/** A spirals classifier with dropout (so the per-shard dropout seeds are exercised). */
const graph: CheckGraph = chain(
  ['Input', { shape: [2], dtype: 'float32' }],
  ['Dense', { units: 64, activation: 'relu', useBias: true }],
  ['Dropout', { rate: 0.2 }],
  ['Dense', { units: 64, activation: 'tanh', useBias: true }],
  ['Dense', { units: 2, activation: 'softmax', useBias: true }],
  ['Output', { targetShape: [2], loss: 'auto' }],
);
const data = fromArrayDataset(spirals(600, 4));

async function train(o: { shards?: number; noPeers?: boolean; peerScript?: string; g?: CheckGraph }) {
  const progress: ProgressEvent[] = [];
  const end = await runTraining({
    runId: 'p',
    graph: o.g ?? graph,
    data: o.g ? fromArrayDataset(linearRegression(500)) : data,
    config: config({ epochs: 3, batchSize: 64, validationSplit: 0.2, learningRate: 0.01, seed: 11 }),
    backend: 'wasm',
    progressIntervalMs: 0,
    emit: (e) => {
      if (e.type === 'progress') progress.push(e);
    },
    isCancelled: () => false,
    ...(o.shards ? { shards: o.shards } : {}),
    ...(o.noPeers ? { noPeers: true } : {}),
    ...(o.peerScript ? { peerScript: o.peerScript } : {}),
    waitForPeersMs: o.peerScript ? 2000 : 60_000,
  });
  return { end, progress };
}

const weightsOf = (e: TerminalEvent) => (e.type === 'done' ? Buffer.from(e.weights.weightsBin) : null);

describe('data-parallel training', () => {
  it('shards cover the batch contiguously, sizes within one of each other', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 8 }),
        (start, n, k) => {
          const b = Array.from({ length: k }, (_, r) => shardBounds(start, start + n, k, r));
          const sizes = b.map(([a, z]) => z - a);
          return (
            b[0]![0] === start &&
            b[k - 1]![1] === start + n &&
            b.every(([, z], r) => r === k - 1 || z === b[r + 1]![0]) &&
            Math.max(...sizes) - Math.min(...sizes) <= 1
          );
        },
      ),
    );
  });

  it('two shards on a peer thread give bit-identical weights to both shards computed here', async () => {
    const peers = await train({ shards: 2 });
    const here = await train({ shards: 2, noPeers: true });
    expect(peers.end.type).toBe('done');
    expect(here.end.type).toBe('done');
    // The peer really worked: progress said two threads.
    expect(peers.progress.every((p) => p.threads === 2)).toBe(true);
    expect(here.progress.every((p) => p.threads === 1)).toBe(true);
    expect(weightsOf(peers.end)!.equals(weightsOf(here.end)!)).toBe(true);
    if (peers.end.type === 'done' && here.end.type === 'done') {
      expect(peers.end.metrics).toEqual(here.end.metrics);
      expect(peers.end.valMetrics).toEqual(here.end.valMetrics);
    }
  });

  it('matches serial training up to rounding, and learns', async () => {
    const two = await train({ shards: 2 });
    const one = await train({ shards: 1 });
    expect(one.progress.every((p) => p.threads === undefined)).toBe(true);
    if (two.end.type !== 'done' || one.end.type !== 'done') throw new Error('not done');
    expect(two.end.valMetrics.accuracy!).toBeGreaterThan(0.7);
    expect(Math.abs(two.end.valMetrics.accuracy! - one.end.valMetrics.accuracy!)).toBeLessThan(0.08);
    expect(Math.abs(two.end.metrics.loss! - one.end.metrics.loss!)).toBeLessThan(0.1);
  });

  it('regression: MAE and R² combine across shards exactly as computed here', async () => {
    const g = chain(
      ['Input', { shape: [3], dtype: 'float32' }],
      ['Dense', { units: 16, activation: 'relu', useBias: true }],
      ['Dense', { units: 1, activation: 'linear', useBias: true }],
      ['Output', { targetShape: [1], loss: 'auto' }],
    );
    const peers = await train({ shards: 2, g });
    const here = await train({ shards: 2, g, noPeers: true });
    expect(peers.progress.every((p) => p.threads === 2)).toBe(true);
    if (peers.end.type !== 'done' || here.end.type !== 'done') throw new Error('not done');
    expect(peers.end.metrics).toEqual(here.end.metrics);
    expect(Number.isFinite(peers.end.metrics.mae)).toBe(true);
  });

  it('a peer that never starts (its program throws) is replaced by computing its shard here: same result', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netloom-peer-'));
    const crash = path.join(dir, 'crash.mjs');
    writeFileSync(
      crash,
      "import { parentPort } from 'node:worker_threads';\nparentPort.once('message', () => { throw new Error('boom'); });\n",
    );
    const broken = await train({ shards: 2, peerScript: crash });
    const here = await train({ shards: 2, noPeers: true });
    expect(broken.end.type).toBe('done');
    expect(weightsOf(broken.end)!.equals(weightsOf(here.end)!)).toBe(true);
  });

  it('a cancelled run with live peers ends cancelled, with its weights, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    let steps = 0;
    const threads: (number | undefined)[] = [];
    const end = await runTraining({
      runId: 'c',
      graph,
      data,
      config: config({ epochs: 50, batchSize: 64, validationSplit: 0.2, seed: 3 }),
      backend: 'wasm',
      progressIntervalMs: 0,
      emit: (e) => {
        if (e.type === 'progress') {
          steps++;
          threads.push(e.threads);
        }
      },
      isCancelled: () => steps >= 5,
      shards: 2,
      waitForPeersMs: 60_000,
    });
    expect(end.type).toBe('cancelled');
    expect(end.type === 'cancelled' && end.weights !== null).toBe(true);
    expect(steps).toBe(5);
    expect(threads).toEqual([2, 2, 2, 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('picks serial where sharding cannot pay or would change the maths', async () => {
    const small = await compileGraph(graph, { target: data.target });
    expect(chooseShards(small, 'wasm', 64, 1000, {})).toBe(1); // tiny model: overhead-bound
    expect(chooseShards(small, 'wasm', 64, MIN_PARALLEL_FLOPS, {})).toBeGreaterThanOrEqual(1);
    expect(chooseShards(small, 'tensorflow', 64, 1e9, {})).toBe(1); // native: already multithreaded
    expect(chooseShards(small, 'wasm', 32, 1e9, {})).toBe(1); // shards of 16: fixed costs twice
    expect(chooseShards(small, 'wasm', 64, 1e9, { NETLOOM_REPLICAS: '2' })).toBe(2);
    expect(() => chooseShards(small, 'wasm', 64, 1e9, { NETLOOM_REPLICAS: 'two' })).toThrow(
      'NETLOOM_REPLICAS must be a whole number of shards from 1 to 64; got "two".',
    );
    small.model.dispose();
    const bn = await compileGraph(
      chain(
        ['Input', { shape: [2], dtype: 'float32' }],
        ['Dense', { units: 8, activation: 'linear', useBias: true }],
        ['BatchNormalization', {}],
        ['Dense', { units: 2, activation: 'softmax', useBias: true }],
        ['Output', { targetShape: [2], loss: 'auto' }],
      ),
      { target: data.target },
    );
    // Batch statistics couple the samples of a batch: shards would compute something else, even
    // when forced (the moving averages would also depend on where each shard ran).
    expect(chooseShards(bn, 'wasm', 64, 1e9, {})).toBe(1);
    expect(chooseShards(bn, 'wasm', 64, 1e9, { NETLOOM_REPLICAS: '2' })).toBe(1);
    bn.model.dispose();
  });

  it('weightedSum is the plain float32 sum of w·g from 0, term by term, bit for bit (−0 and NaN included)', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const n = 1000;
    const grads = [0, 1, 2].map((r) => {
      // Shared memory like a peer's gradients for r > 0.
      const g = r > 0 ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n);
      for (let i = 0; i < n; i++) g[i] = rand() * 10 ** Math.floor(rand() * 8);
      g[5] = -0;
      g[6] = r === 1 ? -0 : 1e-30;
      return g;
    });
    grads[2]![7] = NaN;
    const ws = [0.33, 0.34, 0.33];
    for (const count of [0, 1, 2, 3]) {
      const terms = grads.slice(0, count).map((g, r) => [ws[r]!, g] as const);
      const want = new Float32Array(n);
      for (const [w, g] of terms) for (let i = 0; i < n; i++) want[i] = want[i]! + w * g[i]!;
      const got = new Float32Array(n).fill(7);
      weightedSum(got, terms);
      for (let i = 0; i < n; i++)
        expect(Object.is(got[i], want[i]), `${count} terms, element ${i}`).toBe(true);
    }
  });

  it('combineGradients gives weightedSum’s numbers on wasm and cpu, from tensors and host or shared arrays', async () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const shapes = [[37, 29], [29], [5]];
    const total = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    const values = [0, 1, 2].map((r) => {
      const g = new Float32Array(new SharedArrayBuffer(4 * total));
      for (let i = 0; i < total; i++) g[i] = rand() * 10 ** Math.floor(rand() * 8);
      // −0, a subnormal, ±Infinity and NaN among them.
      g[5] = -0;
      g[6] = r === 1 ? -0 : 1e-44;
      g[9] = r === 2 ? Infinity : -Infinity;
      g[total - 1] = r === 0 ? NaN : 3;
      return g;
    });
    const ws = [1 / 3, 0.34, 0.25];
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const vars = shapes.map((s) => tf.variable(tf.zeros(s)));
      for (const count of [1, 2, 3])
        for (const asTensors of [[0], [], [0, 2]]) {
          const want = new Float32Array(total);
          weightedSum(
            want,
            values.slice(0, count).map((g, r) => [ws[r]!, g] as const),
          );
          const before = tf.memory().numTensors;
          const terms = values.slice(0, count).map((g, r) => {
            if (!asTensors.includes(r)) return [ws[r]!, r === 1 ? Float32Array.from(g) : g] as const;
            // Tensors by variable name; the last variable without one (it counts as 0).
            let off = 0;
            const map: tf.NamedTensorMap = {};
            vars.forEach((v, k) => {
              if (k < vars.length - 1 || r !== 2)
                map[v.name] = tf.tensor(g.slice(off, off + v.size), v.shape);
              off += v.size;
            });
            return [ws[r]!, map] as const;
          });
          if (asTensors.includes(2) && count === 3)
            want.set(
              (() => {
                const z = values.slice(0, 2).map((g, r) => [ws[r]!, g.subarray(total - 5)] as const);
                const out = new Float32Array(5);
                weightedSum(out, [...z, [ws[2]!, new Float32Array(5)]]);
                return out;
              })(),
              total - 5,
            );
          const grads = combineGradients(vars, terms);
          const got = Float32Array.from(vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
          tf.dispose(Object.values(grads));
          // The tensors of the terms are disposed by the combine.
          expect(tf.memory().numTensors, `${backend}: nothing left behind`).toBe(before);
          for (let i = 0; i < total; i++)
            expect(
              Object.is(got[i], want[i]),
              `${backend}, ${count} terms, tensors ${asTensors}, element ${i}`,
            ).toBe(true);
        }
      tf.dispose(vars);
    }
  });

  it('picks serial where the arithmetic per parameter is too little to pay for copying weights and gradients', async () => {
    // The 784-128-128-10 MLP: 118,282 parameters, 236,604 forward FLOPs per sample.
    const mlp = await compileGraph(mlpGraph(784, 10, 128));
    const params = mlp.model.countParams();
    expect(params).toBe(118_282);
    const perStep = (batch: number) => 236_604 * 3 * batch;
    // Batch 128: under MIN_FLOPS_PER_PARAM per parameter and MIN_PARALLEL_FLOPS (two shards measured
    // even with one there, slower at batch 64).
    expect(perStep(128)).toBeLessThan(MIN_PARALLEL_FLOPS);
    expect(perStep(128)).toBeLessThan(MIN_FLOPS_PER_PARAM * params);
    expect(chooseShards(mlp, 'wasm', 128, 236_604, {})).toBe(1);
    // Batch 256 clears both (two shards measured 1.2x one): as many shards as cores allow (at most
    // 8, shards of 32 or more).
    expect(perStep(256)).toBeGreaterThan(MIN_PARALLEL_FLOPS);
    expect(perStep(256)).toBeGreaterThan(MIN_FLOPS_PER_PARAM * params);
    const cores =
      typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    expect(chooseShards(mlp, 'wasm', 256, 236_604, {})).toBe(Math.max(1, Math.min(cores, 8, 8)));
    // Forcing still forces.
    expect(chooseShards(mlp, 'wasm', 128, 236_604, { NETLOOM_REPLICAS: '2' })).toBe(2);
    mlp.model.dispose();
  });
});
