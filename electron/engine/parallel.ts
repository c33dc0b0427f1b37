/**
 * Synchronous data-parallel training on every core (the wasm and cpu backends run one thread each).
 *
 * The maths, fixed for a run with R shards: a batch of n samples is cut into R contiguous shards
 * (sizes differ by at most one); each shard's gradient of its mean loss is computed with the same
 * weights, with dropout drawing from a generator seeded by (run seed, step, shard); the batch
 * gradient is Σ_r (n_r / n)·g_r, summed in shard order in float32 (any term that does not depend on
 * the samples would be in every shard's loss with weights summing to 1, so it counts once); loss,
 * accuracy and regression sums combine the same way. That is the gradient of the batch's mean
 * loss, up to float rounding.
 *
 * Where a shard is computed does not change a bit of it: shard 0 always runs here (rank 0, the
 * training loop's thread); shard k runs on peer k (peer.ts, a worker thread with its own backend
 * and a replica of the model) when that peer is ready, else here too. Peers start in the
 * background (the first steps run all shards here), and a peer that fails is replaced the same
 * way, so a run's result depends only on its seed, never on timing.
 *
 * Per step: rank 0 copies the weights into shared memory, writes each peer's sample indices,
 * bumps a sequence number (Atomics.notify), computes its own shard, waits for the peers' gradients
 * in shared memory, combines, and the optimizer applies the result on rank 0 only. One shard's work
 * (its rows, dropout seed, gradient and stats), the same on either side, is in shard.ts.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { CheckGraph } from '../../shared/graph/check';
import type { TrainingConfig } from '../../shared/training/config';
import type { BackendName } from '../../shared/training/protocol';
import { BackendError } from './backend';
import type { CompiledModel } from './compile';
import type { InputArrays, TrainData } from './data';
import { combineGradients, type GradSource } from './combine';
import { hostValues } from './kernels/wasm';
import {
  readStats,
  shardBounds,
  shardGradients,
  shardGradientTensors,
  shardSeed,
  sumsLength,
  writeStats,
  type ShardResult,
} from './shard';
import type { BatchGradients } from './step';

/** Layers whose training-mode output for one sample depends on the others in its batch. */
const BATCH_COUPLED = new Set(['BatchNormalization']);
/**
 * Below this much work per step (forward FLOPs × 3 × batch) a step is dominated by per-kernel
 * overhead, which sharding does not divide: the 784-128-128-10 MLP at batch 64 (45 MFLOP) ran
 * 12,255 → 8,846 samples/s on two shards; LeNet (164 MFLOP) 1,734 → 2,546.
 */
export const MIN_PARALLEL_FLOPS = 1e8;
/**
 * Sharding costs rank 0 a fixed time per parameter every step (weights copied out for the peers,
 * each shard's gradient copied back and summed into the gradient tensors: ~0.3 ms for the
 * 784-128-128-10 MLP's 118k parameters), while each shard also pays the per-kernel overhead in
 * full: only the arithmetic is divided. Measured on the 2-vCPU machine (the MLP, long runs of the
 * engine's loop, one shard and two alternated): batch 256 (1,536 FLOPs per step per parameter)
 * 49,100-49,300 → 58,900-59,400 samples/s; batch 128 (768) 41,500 → 41,700, even; batch 64 (384)
 * 32,100 → 25,600. (Before the Dense layer ran as one op, with ~50 kernel calls per step instead of
 * 35, batch 256 did not gain either.) LeNet at batch 64 (2,650) ran 1,734 → 2,546 samples/s, the
 * LSTM template (2,840) 418 → 524, the Transformer (3,500) 276 → 405. Below this many FLOPs per step
 * per parameter: one shard.
 */
export const MIN_FLOPS_PER_PARAM = 1000;
/**
 * Each shard gets at least this many samples: smaller shards pay the fixed per-step costs (100
 * recurrent steps of small products, the embedding table's gradient) twice for little work. The
 * LSTM template at batch 32 ran no faster on two shards of 16; at batch 64 (two of 32) 418 → 524
 * samples/s, transformer 276 → 405, LeNet 1,729 → 2,683 (same run).
 */
const MIN_SHARD = 32;

// Control block (Int32Array over a SharedArrayBuffer).
const SEQ = 0;
const CMD = 1;
const PER_PEER = 6;
const peerSlot = (k: number, field: number) => 2 + (k - 1) * PER_PEER + field;
const READY = 0; // 1 ready, -1 failed
const ASSIGN = 1; // the sequence number of the step this peer computes
const DONE = 2; // the sequence number of the step it last finished
const LEN = 3; // samples in its shard
const SEED = 4; // the shard's dropout seed
export const CMD_STEP = 1;
export const CMD_STOP = 2;

/** What a peer gets once, at start (postMessage; the buffers are shared, not copied). */
export interface PeerInit {
  rank: number;
  graph: CheckGraph;
  config: TrainingConfig;
  data: TrainData;
  backend: BackendName;
  ctrl: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  indices: SharedArrayBuffer;
}

/**
 * Whether sharding computes the same thing here: not on the native backend (it already uses every
 * core inside each kernel), not with layers whose training forward couples the samples of a batch
 * (BatchNormalization: its batch statistics and its moving averages, updated on rank 0 only).
 */
export function shardable(c: CompiledModel, backend: BackendName): boolean {
  return backend !== 'tensorflow' && !c.model.layers.some((l) => BATCH_COUPLED.has(l.getClassName()));
}

/**
 * How many shards (1 = plain serial training) for this model, backend and batch size.
 * `NETLOOM_REPLICAS=N` forces N where sharding is allowed (debugging and benchmarks).
 */
export function chooseShards(
  c: CompiledModel,
  backend: BackendName,
  batchSize: number,
  flopsPerSample: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env.NETLOOM_REPLICAS?.trim();
  const forced = text ? Number(text) : undefined;
  if (forced !== undefined && !(Number.isInteger(forced) && forced >= 1 && forced <= 64))
    throw new BackendError(`NETLOOM_REPLICAS must be a whole number of shards from 1 to 64; got "${text}".`);
  if (!shardable(c, backend)) return 1;
  if (forced !== undefined) return Math.min(forced, Math.max(1, Math.floor(batchSize / 2)));
  const flops = flopsPerSample * 3 * batchSize;
  if (flops < MIN_PARALLEL_FLOPS || flops < MIN_FLOPS_PER_PARAM * c.model.countParams()) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 8, Math.floor(batchSize / MIN_SHARD)));
}

const sizeOf = (vars: readonly tf.Variable[]) => vars.reduce((a, v) => a + v.size, 0);

/** The same arrays in shared memory (no copy when they already are). */
function shared<T extends Float32Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new SharedArrayBuffer(a.byteLength);
  const out = (a instanceof Int32Array ? new Int32Array(s) : new Float32Array(s)) as T;
  out.set(a);
  return out;
}
/** The dataset in shared memory, one copy per distinct array (every model input may share one). */
function shareData(d: TrainData): TrainData {
  const copies = new Map<Float32Array | Int32Array, Float32Array | Int32Array>();
  const once = <T extends Float32Array | Int32Array>(a: T): T => {
    let c = copies.get(a);
    if (!c) copies.set(a, (c = shared(a)));
    return c as T;
  };
  return { ...d, inputs: d.inputs.map((i): InputArrays => ({ ...i, data: once(i.data) })), y: once(d.y) };
}

/** dist/peer.js next to the bundle that imports this module, or under the repository from source. */
export function peerScriptPath(): string | null {
  for (const u of [new URL('./peer.js', import.meta.url), new URL('../../dist/peer.js', import.meta.url)]) {
    const p = fileURLToPath(u);
    if (existsSync(p) && !p.endsWith('/electron/engine/peer.js')) return p;
  }
  return null;
}

interface Peer {
  rank: number;
  worker: Worker | null;
  grads: Float32Array;
  stats: Float64Array;
  indices: Int32Array;
  dead: boolean;
  /** Steps it has finished. */
  steps: number;
}

/** Rank 0's side: the peers, the shared buffers, and one step at a time. */
export class Replicas {
  private readonly ctrl: Int32Array;
  private readonly weights: Float32Array;
  private readonly peers: Peer[] = [];
  /** Parameters (trainable values) per gradient. */
  private readonly params: number;
  private seq = 0;
  private readonly regression: boolean;
  private readonly sumsLen: number;
  /** Shards computed on a peer / here, and where rank 0's time went (ms): `NETLOOM_PARALLEL_DEBUG=1` prints them. */
  readonly counts = { peer: 0, local: 0 };
  readonly times = { weights: 0, own: 0, wait: 0, combine: 0 };

  constructor(
    private readonly c: CompiledModel,
    private readonly vars: tf.Variable[],
    private readonly trainable: tf.Variable[],
    private readonly data: TrainData,
    readonly shards: number,
    opts: {
      graph: CheckGraph;
      config: TrainingConfig;
      backend: BackendName;
      batchSize: number;
      /** Peers never start (every shard runs here): the same numbers, for tests. */
      noPeers?: boolean;
      /** The peer program (default dist/peer.js); tests pass a failing one. */
      peerScript?: string;
    },
  ) {
    const p = sizeOf(trainable);
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (2 + PER_PEER * shards)));
    this.weights = new Float32Array(new SharedArrayBuffer(4 * sizeOf(vars)));
    this.params = p;
    this.regression = c.outputs[0]!.problem !== 'classification';
    this.sumsLen = sumsLength(c, data);
    const script = opts.noPeers ? null : (opts.peerScript ?? peerScriptPath());
    try {
      this.startPeers(script, opts);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private startPeers(
    script: string | null,
    opts: { graph: CheckGraph; config: TrainingConfig; backend: BackendName; batchSize: number },
  ): void {
    const { shards, data } = this;
    const p = this.params;
    const sharedData = script ? shareData(data) : data;
    for (let k = 1; k < shards; k++) {
      const grads = new SharedArrayBuffer(4 * p);
      const stats = new SharedArrayBuffer(8 * (3 + this.sumsLen));
      const indices = new SharedArrayBuffer(4 * Math.max(1, Math.ceil(opts.batchSize / shards) + 1));
      const peer: Peer = {
        rank: k,
        worker: null,
        grads: new Float32Array(grads),
        stats: new Float64Array(stats),
        indices: new Int32Array(indices),
        dead: script === null,
        steps: 0,
      };
      this.peers.push(peer);
      if (!script) continue;
      try {
        const w = new Worker(script);
        w.unref();
        w.on('error', () => this.fail(peer));
        w.on('exit', () => this.fail(peer));
        const init: PeerInit = {
          rank: k,
          graph: opts.graph,
          config: opts.config,
          data: sharedData,
          backend: opts.backend,
          ctrl: this.ctrl.buffer as SharedArrayBuffer,
          weights: this.weights.buffer as SharedArrayBuffer,
          grads,
          stats,
          indices,
        };
        w.postMessage(init);
        peer.worker = w;
      } catch {
        peer.dead = true;
      }
    }
  }

  private fail(peer: Peer) {
    peer.dead = true;
    Atomics.store(this.ctrl, peerSlot(peer.rank, READY), -1);
  }

  /** Peers ready to take a shard now. */
  get readyPeers(): number {
    return this.peers.filter((p) => !p.dead && Atomics.load(this.ctrl, peerSlot(p.rank, READY)) === 1).length;
  }

  /** Blocks until every started peer is ready or failed (tests: so that peers surely take part). */
  waitForPeers(timeoutMs: number): void {
    const deadline = performance.now() + timeoutMs;
    for (const p of this.peers) {
      const slot = peerSlot(p.rank, READY);
      while (!p.dead && Atomics.load(this.ctrl, slot) === 0 && performance.now() < deadline)
        Atomics.wait(this.ctrl, slot, 0, 20);
    }
  }

  /** One step's combined gradients and stats for the batch `order[start..end)`. */
  step(order: Int32Array, start: number, end: number, seed: number, step: number): BatchGradients {
    const n = end - start;
    const seq = ++this.seq;
    const assigned: Peer[] = [];
    for (const peer of this.peers) {
      const [a, b] = shardBounds(start, end, this.shards, peer.rank);
      if (peer.dead || b === a || Atomics.load(this.ctrl, peerSlot(peer.rank, READY)) !== 1) continue;
      peer.indices.set(order.subarray(a, b));
      this.ctrl[peerSlot(peer.rank, LEN)] = b - a;
      this.ctrl[peerSlot(peer.rank, SEED)] = shardSeed(seed, step, peer.rank);
      Atomics.store(this.ctrl, peerSlot(peer.rank, ASSIGN), seq);
      assigned.push(peer);
    }
    let tA = performance.now();
    if (assigned.length > 0) {
      let off = 0;
      for (const v of this.vars) {
        this.weights.set(hostValues(v), off);
        off += v.size;
      }
      Atomics.store(this.ctrl, CMD, CMD_STEP);
      Atomics.store(this.ctrl, SEQ, seq);
      Atomics.notify(this.ctrl, SEQ);
    }
    const results: (ShardResult | null)[] = new Array(this.shards).fill(null);
    const bufs: GradSource[] = new Array<GradSource>(this.shards);
    const runHere = (r: number) => {
      const [a, b] = shardBounds(start, end, this.shards, r);
      this.counts.local++;
      if (b === a) {
        results[r] = null;
        return;
      }
      // Its gradient tensors stay where they are (the wasm heap on wasm) until the combine.
      const { grads, ...res } = shardGradientTensors(
        this.c,
        this.trainable,
        this.data,
        order,
        a,
        b,
        shardSeed(seed, step, r),
      );
      results[r] = res;
      bufs[r] = grads;
    };
    const t0 = performance.now();
    this.times.weights += t0 - tA;
    runHere(0);
    const own = performance.now() - t0;
    this.times.own += own;
    tA = performance.now();
    for (let r = 1; r < this.shards; r++) if (!assigned.some((p) => p.rank === r)) runHere(r);
    for (const peer of assigned) {
      const done = peerSlot(peer.rank, DONE);
      // Its first step may include warming up; after that a peer is as fast as this thread.
      const deadline =
        performance.now() + (peer.steps > 0 ? Math.max(2_000, 20 * own) : Math.max(30_000, 50 * own));
      let v: number;
      while ((v = Atomics.load(this.ctrl, done)) !== seq) {
        if (Atomics.load(this.ctrl, peerSlot(peer.rank, READY)) === -1 || performance.now() > deadline) {
          peer.dead = true;
          void peer.worker?.terminate();
          break;
        }
        Atomics.wait(this.ctrl, done, v, 50);
      }
      if (peer.dead) {
        runHere(peer.rank);
        continue;
      }
      peer.steps++;
      const len = this.ctrl[peerSlot(peer.rank, LEN)]!;
      results[peer.rank] = readStats(peer.stats, len, this.regression, this.sumsLen);
      bufs[peer.rank] = peer.grads;
      this.counts.peer++;
    }
    this.times.wait += performance.now() - tA;
    tA = performance.now();
    const terms: [number, GradSource][] = [];
    let loss = 0;
    let exact = 0;
    let correct: number | undefined = this.regression ? undefined : 0;
    let sums: Float64Array | undefined = this.regression ? new Float64Array(this.sumsLen) : undefined;
    for (let r = 0; r < this.shards; r++) {
      const res = results[r];
      if (!res) continue;
      const w = res.size / n;
      terms.push([w, bufs[r]!]);
      loss += w * res.loss;
      exact += w * res.exact;
      if (correct !== undefined) correct += res.correct ?? 0;
      if (sums && res.sums) for (let i = 0; i < sums.length; i++) sums[i] = sums[i]! + res.sums[i]!;
    }
    // Σ_r (n_r / n)·g_r in shard order, rounded to float32 after every term (combine.ts).
    const grads = combineGradients(this.trainable, terms);
    if (sums && sums.length === 0) sums = undefined;
    this.times.combine += performance.now() - tA;
    return { grads, loss, exact, correct, sums };
  }

  close(): void {
    if (process.env.NETLOOM_PARALLEL_DEBUG)
      console.error(
        `[parallel] shards ${this.shards}: ${this.counts.peer} on peers, ${this.counts.local} here ${JSON.stringify(this.times)}`,
      );
    Atomics.store(this.ctrl, CMD, CMD_STOP);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    for (const p of this.peers) void p.worker?.terminate();
  }
}

/** Marks a peer as failed: rank 0 stops assigning it shards and computes them itself. */
export function peerFailed(init: PeerInit): void {
  const ctrl = new Int32Array(init.ctrl);
  Atomics.store(ctrl, peerSlot(init.rank, READY), -1);
  Atomics.notify(ctrl, peerSlot(init.rank, READY));
  Atomics.notify(ctrl, peerSlot(init.rank, DONE));
}

/** The peer's loop (peer.ts): wait for a step, compute the assigned shard, publish, repeat. */
export function peerLoop(
  init: PeerInit,
  c: CompiledModel,
  vars: tf.Variable[],
  trainable: tf.Variable[],
): void {
  const ctrl = new Int32Array(init.ctrl);
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  const stats = new Float64Array(init.stats);
  const indices = new Int32Array(init.indices);
  const k = init.rank;
  let seen = Atomics.load(ctrl, SEQ);
  if (Atomics.load(ctrl, CMD) === CMD_STOP) return;
  Atomics.store(ctrl, peerSlot(k, READY), 1);
  Atomics.notify(ctrl, peerSlot(k, READY));
  for (;;) {
    Atomics.wait(ctrl, SEQ, seen);
    const seq = Atomics.load(ctrl, SEQ);
    if (seq === seen) continue;
    seen = seq;
    if (Atomics.load(ctrl, CMD) === CMD_STOP) return;
    if (Atomics.load(ctrl, peerSlot(k, ASSIGN)) !== seq) continue;
    let off = 0;
    for (const v of vars) {
      const t = tf.tensor(weights.subarray(off, off + v.size), v.shape, v.dtype);
      v.assign(t);
      t.dispose();
      off += v.size;
    }
    const len = ctrl[peerSlot(k, LEN)]!;
    const r = shardGradients(c, trainable, init.data, indices, 0, len, ctrl[peerSlot(k, SEED)]!, grads);
    writeStats(stats, r);
    Atomics.store(ctrl, peerSlot(k, DONE), seq);
    Atomics.notify(ctrl, peerSlot(k, DONE));
  }
}
