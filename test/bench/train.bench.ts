/**
 * `npm run bench:train`: training throughput (samples/second) of Netloom's engine beside PyTorch,
 * measured in the same run, for the MLP (784-128-128-10), CNN (LeNet, 28×28×1), LSTM, GRU and
 * Transformer templates (sequences of 100 tokens, vocabulary 10,000), batch 64 and 256, Adam, float32.
 *
 *   npm run bench:train -- [--backend wasm|cpu|tensorflow] [--models mlp,cnn,lstm,gru,transformer]
 *                          [--batch 64,256] [--seconds X] [--profile] [--no-torch] [--no-whole-run]
 *
 * `--seconds X` scales every time budget (X is the MLP's Netloom budget, default 8);
 * `NETLOOM_BENCH_PYTHON` replaces /usr/bin/python3.
 *
 * Netloom: the real training loop (`startTrainingInProcess`, as the worker runs it), one progress
 * event per batch; the first `warmup` steps are skipped, then steps are timed until both `minSteps`
 * and the time budget are reached.
 *
 * The yardstick (issue 20) is idiomatic PyTorch: the model a PyTorch user writes for each template
 * (`torch_ref.py`, `idiomatic_model`: nn.Sequential, nn.LSTM, nn.GRU, nn.TransformerEncoder, the CNN
 * channels first, logits with nn.CrossEntropyLoss, Adam), same architecture, batch and dtype, timed
 * at threads = cores and at one thread; the ratio is against the faster of the two. A second column
 * times PyTorch running Netloom's own export (model.py), which should be as fast. Both run under
 * Debian's /usr/bin/python3 with OPENBLAS_NUM_THREADS=1, and per model right after Netloom, so both
 * see the same machine load. OMP_WAIT_POLICY=PASSIVE is set (unless the environment sets it): on a
 * machine where other work competes for the cores, OpenMP's default spinning makes torch with
 * threads = cores 10-50x slower than one thread; passive waiting keeps it in line without changing
 * what is computed. Absolute figures on a shared machine are noise; ratios are what we track.
 *
 * GFLOP/s: 3 × the forward FLOPs the graph checker counts per sample (the summary's figure), times
 * samples/s, the same count for both sides. "Whole run": a short `netloom train`-like run through the
 * worker (validation split, progress at the engine's pace), as the CLI and the app report it.
 *
 * `--profile` adds, per model, a few Netloom steps under `tf.profile` (exactly whole batches of the
 * engine's loop), reported per step: wall time, time inside kernels, kernel calls, and the kernels
 * that take the most with the input shapes that cost most.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { planGraph } from '../../electron/export/plan';
import { mlpProductsGflops, simdCapGflops } from './simdCap';
import { fmt, load, PythonChild } from './common';
import { torchModelPy } from '../../electron/export/pytorch';
import { initBackend, isBackendName } from '../../electron/engine/backend';
import { mulberry32 } from '../../electron/engine/random';
import { startTraining, startTrainingInProcess } from '../../electron/engine/session';
import { checkGraph } from '../../shared/graph/check';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../shared/templates/index';
import { DEFAULT_TRAINING, type TrainingConfig } from '../../shared/training/config';
import type { ArrayDataset } from '../../shared/training/data';
import { backendLabel, type BackendName, type TerminalEvent } from '../../shared/training/protocol';

/** Batch sizes measured (`--batch` overrides). */
const BATCHES = [64, 256];
const LR = 1e-3;
const SEED = 1;
/** Debian's python3 (with python3-torch); the Python on PATH is not Debian's. */

interface ModelSpec {
  id: string;
  template: TemplateId;
  label: string;
  options: TemplateOptions;
  sampleShape: number[];
  dtype: 'float32' | 'int32';
  classes: number;
  vocab: number;
  /** Netloom steps skipped before timing (compile, first-call kernel set-up, allocator growth). */
  warmup: number;
  /** Netloom timed steps: at least `minSteps`, and at least `seconds` of them (at most `maxSteps`). */
  minSteps: number;
  maxSteps: number;
  seconds: number;
  /** The same for torch (fast: more steps in less time). */
  torchSeconds: number;
  /** `--profile`: steps profiled (figures are per step). */
  profileSteps: number;
}

const MODELS: readonly ModelSpec[] = [
  {
    id: 'mlp',
    template: 'mlp',
    label: 'MLP 784-128-128-10',
    options: { inputShape: [784], outputs: 10 },
    sampleShape: [784],
    dtype: 'float32',
    classes: 10,
    vocab: 0,
    warmup: 5,
    minSteps: 20,
    maxSteps: 2000,
    seconds: 8,
    torchSeconds: 4,
    profileSteps: 10,
  },
  {
    id: 'cnn',
    template: 'cnn',
    label: 'CNN LeNet 28×28×1',
    options: { inputShape: [28, 28, 1], outputs: 10 },
    sampleShape: [28, 28, 1],
    dtype: 'float32',
    classes: 10,
    vocab: 0,
    warmup: 3,
    minSteps: 5,
    maxSteps: 500,
    seconds: 10,
    torchSeconds: 4,
    profileSteps: 4,
  },
  {
    id: 'lstm',
    template: 'lstm',
    label: 'LSTM 64 (seq 100, vocab 10k)',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
    warmup: 2,
    minSteps: 3,
    maxSteps: 200,
    seconds: 15,
    torchSeconds: 4,
    profileSteps: 2,
  },
  {
    id: 'gru',
    template: 'gru',
    label: 'GRU 64 (seq 100, vocab 10k)',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
    warmup: 2,
    minSteps: 3,
    maxSteps: 200,
    seconds: 15,
    torchSeconds: 4,
    profileSteps: 2,
  },
  {
    id: 'transformer',
    template: 'transformer',
    label: 'Transformer 2×(2 heads, d 32) seq 100',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
    warmup: 2,
    minSteps: 3,
    maxSteps: 200,
    seconds: 15,
    torchSeconds: 4,
    profileSteps: 2,
  },
];
const DEFAULT_MODELS = ['mlp', 'cnn', 'lstm', 'gru', 'transformer'];

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

interface Args {
  backend: BackendName | undefined;
  batches: number[];
  /** Also train a short run through the worker, as `netloom train` does (`--no-whole-run` skips). */
  wholeRun: boolean;
  models: ModelSpec[];
  /** Multiplies every time budget. */
  timeScale: number;
  profile: boolean;
  torch: boolean;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: npm run bench:train -- [--backend wasm|cpu|tensorflow] ` +
      `[--models ${MODELS.map((m) => m.id).join(',')}] [--batch 64,256] [--seconds X] [--profile] [--no-torch] [--no-whole-run]`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    backend: undefined,
    batches: BATCHES,
    wholeRun: true,
    models: MODELS.filter((m) => DEFAULT_MODELS.includes(m.id)),
    timeScale: 1,
    profile: false,
    torch: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    switch (flag) {
      case '--backend': {
        const b = value();
        if (!isBackendName(b)) usage(`unknown backend "${b}"`);
        args.backend = b;
        break;
      }
      case '--models': {
        const ids = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        args.models = ids.map((id) => MODELS.find((m) => m.id === id) ?? usage(`unknown model "${id}"`));
        break;
      }
      case '--seconds': {
        // The per-model Netloom budget for the MLP; the others scale with it.
        const s = Number(value());
        if (!(s > 0)) usage('--seconds must be a positive number');
        args.timeScale = s / MODELS[0]!.seconds;
        break;
      }
      case '--profile':
        args.profile = true;
        break;
      case '--batch': {
        const list = value()
          .split(',')
          .map((b) => Number(b));
        if (!list.length || list.some((b) => !Number.isInteger(b) || b < 1))
          usage('--batch takes sizes, e.g. 64,256');
        args.batches = list;
        break;
      }
      case '--no-whole-run':
        args.wholeRun = false;
        break;
      case '--no-torch':
        args.torch = false;
        break;
      default:
        usage(`unknown argument "${a}"`);
    }
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Synthetic data (seeded)
// ---------------------------------------------------------------------------------------------

function dataset(spec: ModelSpec, count: number): ArrayDataset {
  const random = mulberry32(SEED);
  const per = spec.sampleShape.reduce((a, b) => a * b, 1);
  // Plain loops: `Float32Array.from({ length }, f)` took ~0.8 s for the MLP's 20,000 samples.
  const x = spec.dtype === 'int32' ? new Int32Array(count * per) : new Float32Array(count * per);
  for (let i = 0; i < x.length; i++)
    x[i] = spec.dtype === 'int32' ? 2 + Math.floor(random() * (spec.vocab - 2)) : random();
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = Math.floor(random() * spec.classes);
  return {
    id: `bench:${spec.id}`,
    name: `synthetic ${spec.id}`,
    task: 'classification',
    x,
    sampleShape: spec.sampleShape,
    xDtype: spec.dtype,
    y,
    targetSize: 1,
    classes: Array.from({ length: spec.classes }, (_, i) => String(i)),
    ...(spec.vocab > 0 ? { vocabSize: spec.vocab } : {}),
    count,
  };
}

// ---------------------------------------------------------------------------------------------
// Netloom
// ---------------------------------------------------------------------------------------------

interface KernelStat {
  name: string;
  ms: number;
  calls: number;
  /** Input shapes -> time, to name the costly call sites. */
  shapes: Map<string, { ms: number; calls: number }>;
}

interface StepProfile {
  wallMs: number;
  kernelMs: number;
  kernels: number;
  top: KernelStat[];
}

type Measured =
  | {
      ok: true;
      samplesPerSecond: number;
      steps: number;
      seconds: number;
      backend: BackendName;
      /** Most gradient threads seen in a timed step (data-parallel shards). */
      threads: number;
    }
  | { ok: false; reason: string; backend?: BackendName | undefined };

/** Data for at most this many distinct batches; longer runs take several epochs over it. */
const DATA_BATCHES = 16;

/**
 * Trains `spec` with the engine in this thread, one progress event per step. `onStep` sees every
 * step's end (1-based index, time, backend) and returns true to cancel (the engine stops before the
 * next batch). Resolves with the terminal event.
 */
function runEngine(
  spec: ModelSpec,
  backend: BackendName | undefined,
  batch: number,
  maxSteps: number,
  onStep: (step: number, now: number, backend: BackendName, threads: number) => boolean,
): Promise<TerminalEvent> {
  const batches = Math.min(DATA_BATCHES, maxSteps);
  const project = buildTemplate(spec.template, spec.options);
  const config: TrainingConfig = {
    ...DEFAULT_TRAINING,
    optimizer: 'adam',
    learningRate: LR,
    batchSize: batch,
    epochs: Math.ceil((maxSteps + 1) / batches),
    validationSplit: 0,
    shuffle: true,
    seed: SEED,
    loss: 'auto',
    earlyStopping: null,
  };
  let step = 0;
  const handle = startTrainingInProcess({
    project: { graph: project.graph, training: config },
    dataset: dataset(spec, batches * batch),
    config,
    ...(backend ? { backend } : {}),
    progressIntervalMs: 0,
    // The loop's steady state: every data-parallel peer ready before the first step (a peer's
    // start, ~0.3-1 s, counts in the whole-run figure instead).
    waitForPeersMs: 60_000,
    onEvent: (e) => {
      if (e.type !== 'progress') return;
      step++;
      if (onStep(step, performance.now(), e.backend, e.threads ?? 1)) handle.cancel();
    },
  });
  return handle.done;
}

const reasonOf = (e: TerminalEvent): string =>
  e.type === 'error'
    ? `${e.code}: ${e.message.split('\n')[0]}`
    : e.type === 'diverged'
      ? `diverged: ${e.message}`
      : e.type;

async function measureNetloom(
  spec: ModelSpec,
  backend: BackendName | undefined,
  batch: number,
  scale: number,
): Promise<Measured> {
  const seconds = spec.seconds * scale;
  let t0 = 0;
  let t1 = 0;
  let timed = 0;
  let seen: BackendName | undefined;
  let threads = 1;
  const end = await runEngine(spec, backend, batch, spec.warmup + spec.maxSteps, (step, now, b, th) => {
    seen = b;
    if (step > spec.warmup) threads = Math.max(threads, th);
    if (step === spec.warmup) {
      t0 = now;
      return false;
    }
    if (step < spec.warmup) return false;
    timed = step - spec.warmup;
    t1 = now;
    return timed >= spec.maxSteps || (timed >= spec.minSteps && (t1 - t0) / 1000 >= seconds);
  });
  if (timed > 0 && (end.type === 'cancelled' || end.type === 'done')) {
    const s = (t1 - t0) / 1000;
    return {
      ok: true,
      samplesPerSecond: (timed * batch) / s,
      steps: timed,
      seconds: s,
      backend: seen!,
      threads,
    };
  }
  return { ok: false, reason: reasonOf(end), backend: seen };
}

/**
 * `profileSteps` engine steps under `tf.profile`, from the end of step `warmup`; figures per step.
 * Profiling times every kernel and records its shapes, which costs time of its own outside the
 * kernels (measured: the MLP's ~7 ms step reads ~12 ms profiled); the kernel times are sound.
 */
async function profileNetloom(
  spec: ModelSpec,
  backend: BackendName | undefined,
  batch: number,
): Promise<StepProfile | string> {
  let release: (() => void) | undefined;
  let profiled: ReturnType<typeof tf.profile> | undefined;
  let start = 0;
  let wallMs = 0;
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  const steps = spec.profileSteps;
  const end = await runEngine(spec, backend, batch, spec.warmup + steps, (step, now) => {
    if (step === spec.warmup) {
      // Everything the engine does until a later progress event is whole steps (the loop yields via
      // setImmediate first; tf.profile's own continuation runs before that).
      tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
      profiled = tf.profile(() => new Promise<tf.TensorContainer>((r) => (release = () => r([]))));
      start = now;
      return false;
    }
    if (step === spec.warmup + steps) {
      wallMs = (now - start) / steps;
      release?.();
      return true;
    }
    return false;
  });
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  if (!profiled) return reasonOf(end);
  const info = await profiled;
  const byName = new Map<string, KernelStat>();
  let kernelMs = 0;
  let kernels = 0;
  const active = tf.getBackend();
  for (const k of info.kernels) {
    // Custom-gradient ops (fusedMatMul__op, ...) are profiled as scopes around the kernels they run,
    // which are profiled themselves: count only registered kernels.
    if (tf.getKernel(k.name, active) === undefined) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    kernels++;
    const s = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0, shapes: new Map() };
    s.ms += ms;
    s.calls++;
    const key = k.inputShapes.map((sh: number[] | null) => (sh ? `[${sh.join(',')}]` : '-')).join(' ');
    const at = s.shapes.get(key) ?? { ms: 0, calls: 0 };
    at.ms += ms;
    at.calls++;
    s.shapes.set(key, at);
    byName.set(k.name, s);
  }
  const top = [...byName.values()].sort((a, b) => b.ms - a.ms).slice(0, 12);
  for (const k of top) {
    k.ms /= steps;
    k.calls /= steps;
    for (const at of k.shapes.values()) {
      at.ms /= steps;
      at.calls /= steps;
    }
  }
  return { wallMs, kernelMs: kernelMs / steps, kernels: kernels / steps, top };
}

// ---------------------------------------------------------------------------------------------
// PyTorch (torch_ref.py, one process for the whole run)
// ---------------------------------------------------------------------------------------------

interface TorchHello {
  torch: string;
  threads: number;
  ompWaitPolicy: string | null;
}
type TorchReply =
  | { ok: true; samplesPerSecond: number; steps: number; seconds: number; notes: string[] }
  | { ok: false; error: string };

type TorchRef = PythonChild<TorchReply>;

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

interface Row {
  spec: ModelSpec;
  batch: number;
  netloom: Measured;
  /** Idiomatic PyTorch (the yardstick), threads = cores and one thread. */
  idiom: TorchReply | undefined;
  idiomOne: TorchReply | undefined;
  /** PyTorch running Netloom's own export (model.py), threads = cores and one thread. */
  torch: TorchReply | undefined;
  torchOne: TorchReply | undefined;
  /** Training FLOPs per sample (3× the forward pass's, from the graph checker). */
  flops: number;
  profile?: StepProfile | string;
}

/** Ratio targets against the best idiomatic PyTorch run (issue 20). */
const TARGETS: Record<string, number> = { mlp: 0.5, cnn: 0.75, lstm: 1, gru: 1, transformer: 1 };

const bestOf = (...xs: (TorchReply | undefined)[]) =>
  Math.max(0, ...xs.map((x) => (x?.ok ? x.samplesPerSecond : 0)));

/** Both torch runs (threads = cores, then one thread) of one request. */
async function torchPair(
  ref: TorchRef,
  request: object,
  cores: number,
  label: string,
): Promise<[TorchReply, TorchReply | undefined]> {
  const many = await ref.run({ ...request, threads: cores });
  // One thread too: on a loaded machine torch's threads wait for each other at every op and the
  // threads = cores figure collapses; the faster of the two is the stricter yardstick.
  const one = cores > 1 ? await ref.run({ ...request, threads: 1 }) : undefined;
  const say = (t: TorchReply, n: number) =>
    `    ${label} ${n} thread(s) ` +
    (t.ok ? `${fmt(t.samplesPerSecond)} samples/s (${t.steps} steps)` : `failed: ${t.error}`);
  console.error(say(many, cores));
  if (one) console.error(say(one, 1));
  return [many, one];
}

/** The run `wholeRun` trains: batch 64, this many epochs, validation split 0.1. */
const WHOLE_EPOCHS = 3;

interface WholeRun {
  /** samples/s as the run's last progress event reports it (what `netloom train` and the app show). */
  reported: number;
  /** Training samples over the wall time from starting the worker to the done event. */
  wall: number;
  /** Seconds from starting the worker to its first progress event (worker start, backend, compile). */
  firstEvent: number;
  seconds: number;
  samples: number;
}

/**
 * What a user sees: a `netloom train`-like run through the worker (validation split 0.1, progress
 * events at the engine's own pace, layer statistics, peers started as the run needs them), sized to
 * last about 3 s per epoch at the benchmark loop's batch-64 speed (`loopRate`; 2,560 to 20,000
 * samples): samples/s as its last progress event reports it and as the wall clock gives it.
 */
async function wholeRun(
  spec: ModelSpec,
  backend: BackendName | undefined,
  loopRate: number,
): Promise<WholeRun | string> {
  const project = buildTemplate(spec.template, spec.options);
  const count = 64 * Math.round(Math.min(20_000, Math.max(2_560, loopRate * 3)) / 64);
  const config: TrainingConfig = {
    ...DEFAULT_TRAINING,
    optimizer: 'adam',
    learningRate: LR,
    batchSize: 64,
    epochs: WHOLE_EPOCHS,
    validationSplit: 0.1,
    seed: SEED,
    earlyStopping: null,
  };
  let reported = 0;
  let firstEvent = 0;
  // The data first: a user's is loaded before the run starts (the clock used to include making it).
  const data = dataset(spec, count);
  const t0 = performance.now();
  const handle = startTraining({
    project: { graph: project.graph, training: config },
    dataset: data,
    config,
    ...(backend ? { backend } : {}),
    onEvent: (e) => {
      if (e.type !== 'progress') return;
      reported = e.samplesPerSecond;
      firstEvent ||= (performance.now() - t0) / 1000;
    },
  });
  const end = await handle.done;
  const seconds = (performance.now() - t0) / 1000;
  if (end.type !== 'done') return `failed: ${reasonOf(end)}`;
  const samples = WHOLE_EPOCHS * (count - Math.round(count * 0.1));
  return { reported, wall: samples / seconds, firstEvent, seconds, samples };
}

const describeWhole = (w: WholeRun | string, loop: number | undefined): string =>
  typeof w === 'string'
    ? w
    : `${fmt(w.reported)} samples/s in its progress events` +
      (loop ? ` (${(w.reported / loop).toFixed(2)}x the loop's ${fmt(loop)})` : '') +
      `, ${fmt(w.wall)} over the wall time (${w.seconds.toFixed(1)} s for ${fmt(w.samples)} samples; ` +
      `first progress event after ${w.firstEvent.toFixed(2)} s)`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const loadBefore = load();
  const cores = os.cpus().length;
  let backend: BackendName;
  try {
    backend = await initBackend(args.backend);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netloom-bench-train-'));
  let torch: { ref: TorchRef; hello: TorchHello } | string = 'skipped (--no-torch)';
  if (args.torch) {
    const started = await PythonChild.start<TorchReply, TorchHello>('torch_ref.py');
    torch = typeof started === 'string' ? started : { ref: started.child, hello: started.hello };
  }

  console.log(
    `Training throughput: Netloom (TensorFlow.js) vs PyTorch, batch ${args.batches.join(' and ')}, Adam, float32`,
  );
  console.log(
    `Netloom: tfjs ${tf.version.tfjs}, backend ${backend}, Node ${process.version}; ` +
      (typeof torch === 'string'
        ? `PyTorch: ${torch}`
        : `PyTorch ${torch.hello.torch}: ${torch.hello.threads} threads (and 1), OPENBLAS_NUM_THREADS=1, ` +
          `OMP_WAIT_POLICY=${torch.hello.ompWaitPolicy ?? 'default'}`) +
      `; ${cores} cores`,
  );
  console.log(`Load before: ${loadBefore}`);
  const busy = os.loadavg()[0]!;
  if (busy > cores * 0.75)
    console.log(
      `Warning: the 1-minute load (${busy.toFixed(1)}) is near or above the ${cores} cores: other work competes ` +
        `for them and multithreaded torch suffers most (see the 1-thread column). Ratios are noisier.`,
    );

  const rows: Row[] = [];
  const whole = new Map<string, string>();
  try {
    for (const spec of args.models) {
      const project = buildTemplate(spec.template, spec.options);
      const flops = 3 * checkGraph(project.graph).totals.flops;
      const modelPy = path.join(dir, `${spec.id}.py`);
      writeFileSync(modelPy, torchModelPy(planGraph(project.graph), spec.id, 'bench'));
      for (const batch of args.batches) {
        const net = await measureNetloom(spec, args.backend ?? backend, batch, args.timeScale);
        console.error(
          `  ${spec.id} batch ${batch}: netloom ` +
            (net.ok
              ? `${fmt(net.samplesPerSecond)} samples/s (${net.steps} steps)`
              : `failed: ${net.reason}`),
        );
        const row: Row = {
          spec,
          batch,
          netloom: net,
          idiom: undefined,
          idiomOne: undefined,
          torch: undefined,
          torchOne: undefined,
          flops,
        };
        if (typeof torch !== 'string') {
          const request = {
            name: spec.id,
            inputShape: spec.sampleShape,
            inputDtype: spec.dtype,
            vocab: spec.vocab,
            classes: spec.classes,
            batch,
            lr: LR,
            seed: SEED,
            warmup: 3,
            minSteps: 5,
            maxSteps: 5000,
            seconds: spec.torchSeconds * args.timeScale,
          };
          [row.idiom, row.idiomOne] = await torchPair(
            torch.ref,
            { ...request, idiomatic: spec.id },
            cores,
            'idiomatic torch',
          );
          [row.torch, row.torchOne] = await torchPair(
            torch.ref,
            { ...request, modelPy },
            cores,
            'torch on the export',
          );
        }
        if (args.profile && batch === args.batches[0])
          row.profile = await profileNetloom(spec, args.backend ?? backend, batch);
        rows.push(row);
      }
      if (args.wholeRun) {
        const at64 = rows.find((r) => r.spec === spec && r.batch === 64)?.netloom;
        const loop = at64?.ok ? at64.samplesPerSecond : undefined;
        const w = await wholeRun(spec, args.backend ?? backend, loop ?? 5_000);
        whole.set(spec.id, describeWhole(w, loop));
        console.error(`  ${spec.id} whole run: ${whole.get(spec.id)}`);
      }
    }
  } finally {
    if (typeof torch !== 'string') torch.ref.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const header = [
    'model',
    'batch',
    'netloom samples/s',
    'backend',
    'idiomatic torch (best)',
    'ratio',
    'target',
    'torch on export (best)',
    'ratio',
    'GFLOP/s netloom',
    'GFLOP/s torch',
  ];
  const table = rows.map((r) => {
    const n = r.netloom;
    const idiom = bestOf(r.idiom, r.idiomOne);
    const exported = bestOf(r.torch, r.torchOne);
    const thr = (many: TorchReply | undefined, one: TorchReply | undefined) => {
      const best = bestOf(many, one);
      if (best === 0) return many || one ? 'failed' : '—';
      const threads = one?.ok && one.samplesPerSecond === best ? 1 : cores;
      return `${fmt(best)} (${threads} thr)`;
    };
    const ratio = (b: number) => (n.ok && b > 0 ? `${(n.samplesPerSecond / b).toFixed(3)}x` : '—');
    const target = TARGETS[r.spec.id];
    return [
      r.spec.id,
      String(r.batch),
      n.ok ? fmt(n.samplesPerSecond) : 'failed',
      n.ok ? backendLabel(n) : (n.backend ?? backend),
      thr(r.idiom, r.idiomOne),
      ratio(idiom),
      target === undefined
        ? '—'
        : `≥ ${target}x${n.ok && idiom > 0 ? (n.samplesPerSecond / idiom >= target ? ' met' : ' not met') : ''}`,
      thr(r.torch, r.torchOne),
      ratio(exported),
      n.ok ? fmt((n.samplesPerSecond * r.flops) / 1e9) : '—',
      idiom > 0 ? fmt((idiom * r.flops) / 1e9) : '—',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  console.log('');
  console.log(
    'ratio: Netloom over the faster of 1 thread and threads = cores. GFLOP/s: 3 × the forward FLOPs the ' +
      'summary counts, per sample, times samples/s (the same count for both sides).',
  );
  for (const r of rows) {
    const notes: string[] = [];
    if (!r.netloom.ok) notes.push(`netloom: ${r.netloom.reason}`);
    for (const [name, t] of [
      ['idiomatic torch', r.idiom],
      ['idiomatic torch (1 thread)', r.idiomOne],
      ['torch on the export', r.torch],
      ['torch on the export (1 thread)', r.torchOne],
    ] as const)
      if (t && !t.ok) notes.push(`${name}: ${t.error}`);
    if (r.torch?.ok && r.torch.notes.length)
      notes.push(`the export's torch run uses ${r.torch.notes.join(', ')}`);
    if (notes.length) console.log(`${r.spec.id} batch ${r.batch} (${r.spec.label}): ${notes.join('; ')}`);
  }
  if (whole.size) {
    console.log(
      `\nAs \`netloom train\` reports it (worker thread, validation split 0.1, ${WHOLE_EPOCHS} epochs, batch 64; ` +
        'beside the loop above at batch 64 when it was measured):',
    );
    for (const [id, text] of whole) console.log(`  ${id}: ${text}`);
  }
  if (args.models.some((m) => m.id === 'mlp') && tf.getBackend() === 'wasm')
    await printProductsVsCap(args.batches);
  if (args.profile) printProfiles(rows);
  console.log(`\nLoad after: ${load()}`);
  console.log(`Total ${((performance.now() - t0) / 1000).toFixed(0)} s. Targets (issue 20) in the table.`);
}

/** The MLP step's matrix products against WebAssembly SIMD's cap on this machine (simdCap.ts). */
async function printProductsVsCap(batches: readonly number[]) {
  const cap = await simdCapGflops();
  const parts = batches.map((b) => {
    const p = mlpProductsGflops(b);
    return `batch ${b}: ${p.gflops.toFixed(1)} GFLOP/s in ${p.ms.toFixed(2)} ms, ${((100 * p.gflops) / cap).toFixed(0)}% of the cap`;
  });
  console.log(
    `\nMLP matrix products (the 8 of a training step through the wasm BatchMatMul, one thread, best of 15): ` +
      `${parts.join('; ')}. The cap: ${cap.toFixed(1)} GFLOP/s, the product kernel's inner loop on operands ` +
      'held in L1 cache (f32x4 multiplies and adds: WebAssembly SIMD has no fused multiply-add).',
  );
}

function printProfiles(rows: readonly Row[]) {
  console.log(
    '\nNetloom steps under tf.profile, per step (kernel time = wall time inside kernels; the rest is ' +
      'dispatch, tape, gradient bookkeeping and the engine loop):',
  );
  for (const r of rows) {
    const p = r.profile;
    if (p === undefined) continue;
    if (typeof p === 'string') {
      console.log(`${r.spec.id}: not profiled (${p})`);
      continue;
    }
    const outside = p.wallMs - p.kernelMs;
    console.log(
      `${r.spec.id}: step ${p.wallMs.toFixed(1)} ms, kernels ${p.kernelMs.toFixed(1)} ms in ${Math.round(p.kernels)} calls, ` +
        `outside kernels ${outside.toFixed(1)} ms (${((100 * outside) / p.wallMs).toFixed(0)}%, ` +
        `${((1000 * outside) / Math.max(1, p.kernels)).toFixed(0)} µs per call)`,
    );
    for (const k of p.top) {
      const [shape, at] = [...k.shapes].sort((a, b) => b[1].ms - a[1].ms)[0]!;
      console.log(
        `    ${k.name.padEnd(22)} ${k.ms.toFixed(1).padStart(8)} ms ${String(Math.round(k.calls)).padStart(5)} calls ` +
          `${((100 * k.ms) / p.wallMs).toFixed(1).padStart(5)}%   most: ${shape} ` +
          `(${Math.round(at.calls)}× ${at.ms.toFixed(1)} ms)`,
      );
    }
  }
}

await main();
