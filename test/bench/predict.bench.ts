/**
 * `npm run bench:predict`: inference throughput (samples/second) of Netloom beside idiomatic PyTorch
 * (`model.eval()` + `torch.no_grad()`, torch_infer.py), batch 1 and 256, in the same run (issue 20,
 * item 4), for the templates the training bench uses (MLP, CNN, LSTM, GRU, Transformer) and, for the
 * decision boundary, a 2-D MLP on the app's real grid.
 *
 *   npm run bench:predict -- [--backend wasm|cpu|tensorflow] [--models mlp,cnn,lstm,gru,transformer]
 *                            [--seconds X] [--no-torch] [--no-cli]
 *
 * Netloom, through the code paths users hit (random initial weights, saved and loaded as a trained
 * project's are):
 *   predict   engine/predict.ts `predictArrays`, one call per batch: what `netloom predict`, the app's
 *             prediction box, its decision boundary and evaluation run with a project's weights
 *             (each call gets the model for the graph and weights, then predicts);
 *   live      engine/inspect.ts `activationsOf` on the model a run trains (the live probe views:
 *             every node's activation for one sample), batch 1 only;
 *   inspect   `inspectActivations` (the same with a project's trained weights: `netloom inspect`,
 *             the app's inspect view), batch 1 only;
 *   boundary  trainMetrics.ts `runProbe` (the decision boundary at an epoch's end) on the app's
 *             60×60 grid (3,600 points) of a 2-D MLP, and `unitGrids` on its 20×20 grid.
 * PyTorch: the same architecture (torch_ref.py `idiomatic_model`) at the same batch, the faster of
 * 1 thread and threads = cores; the ratio is against it. Timed per model right after Netloom.
 *
 * Then the whole `netloom predict` command as a user runs it (process start, loading the project,
 * reading the CSV, printing), on an MLP project trained on a 20-column CSV: 1 row and 10,000 rows,
 * beside `netloom --version` (process start alone) and `python3 -c "import torch"`. Needs dist/
 * (`npm run build`); `--no-cli` skips it.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { saveModelArtifacts } from '../../electron/engine/artifacts';
import { initBackend, isBackendName } from '../../electron/engine/backend';
import { compileGraph, type CompiledModel } from '../../electron/engine/compile';
import { activationsOf, inspectActivations, unitGrids } from '../../electron/engine/inspect';
import { predictArrays } from '../../electron/engine/predict';
import { mulberry32 } from '../../electron/engine/random';
import { runProbe } from '../../electron/engine/trainMetrics';
import { gridProbe } from '../../electron/services/trainingSessions';
import type { CheckGraph } from '../../shared/graph/check';
import { UNIT_GRID_N } from '../../shared/inspect/types';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../shared/templates/index';
import type { BackendName, WeightArtifacts } from '../../shared/training/protocol';
import { fmt, load, PYTHON, PythonChild } from './common';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SEED = 1;
const BATCHES = [1, 256];
/** The app's decision-boundary grid (renderer/store/curves.ts `gridFor`, n = 60). */
const BOUNDARY_N = 60;

/** The training bench's models (train.bench.ts runs its main on import, so they are listed here). */
interface ModelSpec {
  id: string;
  template: TemplateId;
  options: TemplateOptions;
  sampleShape: number[];
  dtype: 'float32' | 'int32';
  classes: number;
  vocab: number;
}

const MODELS: readonly ModelSpec[] = [
  {
    id: 'mlp',
    template: 'mlp',
    options: { inputShape: [784], outputs: 10 },
    sampleShape: [784],
    dtype: 'float32',
    classes: 10,
    vocab: 0,
  },
  {
    id: 'cnn',
    template: 'cnn',
    options: { inputShape: [28, 28, 1], outputs: 10 },
    sampleShape: [28, 28, 1],
    dtype: 'float32',
    classes: 10,
    vocab: 0,
  },
  {
    id: 'lstm',
    template: 'lstm',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
  },
  {
    id: 'gru',
    template: 'gru',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
  },
  {
    id: 'transformer',
    template: 'transformer',
    options: { inputShape: [100], vocabSize: 10000, outputs: 2 },
    sampleShape: [100],
    dtype: 'int32',
    classes: 2,
    vocab: 10000,
  },
];
/** The decision boundary's model: the MLP template on 2-D points, 2 classes. */
const PLANE: ModelSpec = {
  id: 'mlp-2d',
  template: 'mlp',
  options: { inputShape: [2], outputs: 2 },
  sampleShape: [2],
  dtype: 'float32',
  classes: 2,
  vocab: 0,
};

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

interface Args {
  backend: BackendName | undefined;
  models: ModelSpec[];
  seconds: number;
  torch: boolean;
  cli: boolean;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: npm run bench:predict -- [--backend wasm|cpu|tensorflow] ` +
      `[--models ${MODELS.map((m) => m.id).join(',')}] [--seconds X] [--no-torch] [--no-cli]`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { backend: undefined, models: [...MODELS], seconds: 1.5, torch: true, cli: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--backend') {
      const b = value();
      if (!isBackendName(b)) usage(`unknown backend "${b}"`);
      args.backend = b;
    } else if (flag === '--models')
      args.models = value()
        .split(',')
        .map((id) => MODELS.find((m) => m.id === id.trim()) ?? usage(`unknown model "${id}"`));
    else if (flag === '--seconds') {
      args.seconds = Number(value());
      if (!(args.seconds > 0)) usage('--seconds must be a positive number');
    } else if (flag === '--no-torch') args.torch = false;
    else if (flag === '--no-cli') args.cli = false;
    else usage(`unknown argument "${a}"`);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Netloom
// ---------------------------------------------------------------------------------------------

function samples(spec: ModelSpec, count: number): Float32Array | Int32Array {
  const random = mulberry32(SEED);
  const n = count * spec.sampleShape.reduce((a, b) => a * b, 1);
  return spec.dtype === 'int32'
    ? Int32Array.from({ length: n }, () => 2 + Math.floor(random() * (spec.vocab - 2)))
    : Float32Array.from({ length: n }, () => random());
}

/** The template's model with its initial weights, and those weights as a trained project stores them. */
async function modelOf(
  spec: ModelSpec,
): Promise<{ graph: CheckGraph; c: CompiledModel; weights: WeightArtifacts }> {
  const graph = buildTemplate(spec.template, spec.options).graph;
  const c = await compileGraph(graph);
  return { graph, c, weights: await saveModelArtifacts(c.model) };
}

/**
 * Calls `fn` (one batch of `batch` samples) after `warmup` calls until both `minCalls` calls and
 * `seconds` have passed; samples/s over the timed calls.
 */
async function rate(
  batch: number,
  seconds: number,
  fn: () => unknown,
  warmup = 2,
  minCalls = 5,
): Promise<{ samplesPerSecond: number; msPerCall: number; calls: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (calls < minCalls || elapsed < seconds * 1000) {
    await fn();
    calls++;
    elapsed = performance.now() - t0;
  }
  return { samplesPerSecond: (calls * batch * 1000) / elapsed, msPerCall: elapsed / calls, calls };
}

// ---------------------------------------------------------------------------------------------
// PyTorch (torch_infer.py, one process for the whole run)
// ---------------------------------------------------------------------------------------------

type TorchReply = { ok: true; samplesPerSecond: number; calls: number } | { ok: false; error: string };

type TorchInfer = PythonChild<TorchReply>;

/** Torch at threads = cores and at 1 thread; the faster, with its thread count. */
async function torchBest(
  ref: TorchInfer | undefined,
  spec: ModelSpec,
  batch: number,
  seconds: number,
  cores: number,
): Promise<{ best: number; threads: number; many: number; one: number; error?: string }> {
  if (!ref) return { best: 0, threads: 0, many: 0, one: 0 };
  const request = {
    idiomatic: spec.template,
    inputShape: spec.sampleShape,
    vocab: spec.vocab,
    classes: spec.classes,
    batch,
    seed: SEED,
    warmup: 3,
    minCalls: 5,
    seconds,
  };
  const many = await ref.run({ ...request, threads: cores });
  const one = cores > 1 ? await ref.run({ ...request, threads: 1 }) : many;
  const m = many.ok ? many.samplesPerSecond : 0;
  const o = one.ok ? one.samplesPerSecond : 0;
  const error = !many.ok ? many.error : !one.ok ? one.error : undefined;
  return { best: Math.max(m, o), threads: o >= m ? 1 : cores, many: m, one: o, ...(error ? { error } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

interface Row {
  model: string;
  path: string;
  batch: number;
  netloom: number;
  msPerCall: number;
  torch: Awaited<ReturnType<typeof torchBest>>;
}

function printTable(rows: readonly Row[]) {
  const header = ['model', 'path', 'batch', 'netloom samples/s', 'ms/call', 'torch best', 'ratio'];
  const cells = rows.map((r) => [
    r.model,
    r.path,
    String(r.batch),
    fmt(r.netloom),
    r.msPerCall.toFixed(2),
    r.torch.best > 0 ? `${fmt(r.torch.best)} (${r.torch.threads} thr)` : r.torch.error ? 'failed' : '—',
    r.torch.best > 0 ? `${(r.netloom / r.torch.best).toFixed(3)}x` : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  console.log('\n' + line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  for (const r of rows) if (r.torch.error) console.log(`${r.model} batch ${r.batch}: torch ${r.torch.error}`);
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

async function measureModel(
  spec: ModelSpec,
  args: Args,
  ref: TorchInfer | undefined,
  cores: number,
): Promise<Row[]> {
  const { graph, c, weights } = await modelOf(spec);
  const rows: Row[] = [];
  try {
    for (const batch of BATCHES) {
      const x = samples(spec, batch);
      const predict = await rate(batch, args.seconds, () =>
        predictArrays(graph, weights, x, spec.sampleShape, spec.dtype, batch),
      );
      const torch = await torchBest(ref, spec, batch, args.seconds, cores);
      rows.push({
        model: spec.id,
        path: 'predict',
        batch,
        netloom: predict.samplesPerSecond,
        msPerCall: predict.msPerCall,
        torch,
      });
      console.error(
        `  ${spec.id} predict batch ${batch}: ${fmt(predict.samplesPerSecond)} samples/s; torch ${fmt(torch.best)}`,
      );
      if (batch !== 1) continue;
      const live = await rate(1, args.seconds, () =>
        activationsOf(c.model, graph, x, spec.sampleShape, spec.dtype),
      );
      rows.push({
        model: spec.id,
        path: 'live probe',
        batch,
        netloom: live.samplesPerSecond,
        msPerCall: live.msPerCall,
        torch,
      });
      const inspect = await rate(1, args.seconds, () =>
        inspectActivations(graph, weights, x, spec.sampleShape, spec.dtype),
      );
      rows.push({
        model: spec.id,
        path: 'inspect',
        batch,
        netloom: inspect.samplesPerSecond,
        msPerCall: inspect.msPerCall,
        torch,
      });
      console.error(
        `  ${spec.id} live ${fmt(live.samplesPerSecond)}, inspect ${fmt(inspect.samplesPerSecond)} samples/s`,
      );
    }
  } finally {
    c.model.dispose();
  }
  return rows;
}

/** The decision boundary (runProbe on the 60×60 grid, and predictArrays on it) and the unit maps. */
async function measurePlane(args: Args, ref: TorchInfer | undefined, cores: number): Promise<Row[]> {
  const { graph, c, weights } = await modelOf(PLANE);
  const grid = { x0: -1, x1: 1, y0: -1, y1: 1, n: BOUNDARY_N };
  const probe = gridProbe(grid);
  const points = gridProbe({ ...grid, n: UNIT_GRID_N }).data as Float32Array;
  try {
    const live = await rate(probe.count, args.seconds, () => runProbe(c, probe));
    const torch = await torchBest(ref, PLANE, probe.count, args.seconds, cores);
    const saved = await rate(probe.count, args.seconds, () =>
      predictArrays(graph, weights, probe.data, [2], 'float32', probe.count),
    );
    const units = await rate(points.length / 2, args.seconds, () => unitGrids(c.model, points));
    const torchUnits = await torchBest(ref, PLANE, points.length / 2, args.seconds, cores);
    return [
      {
        model: PLANE.id,
        path: 'boundary (run)',
        batch: probe.count,
        netloom: live.samplesPerSecond,
        msPerCall: live.msPerCall,
        torch,
      },
      {
        model: PLANE.id,
        path: 'boundary (saved)',
        batch: probe.count,
        netloom: saved.samplesPerSecond,
        msPerCall: saved.msPerCall,
        torch,
      },
      {
        model: PLANE.id,
        path: 'unit maps',
        batch: points.length / 2,
        netloom: units.samplesPerSecond,
        msPerCall: units.msPerCall,
        torch: torchUnits,
      },
    ];
  } finally {
    c.model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// The netloom predict command, as a user runs it
// ---------------------------------------------------------------------------------------------

function csv(file: string, rows: number, seed: number) {
  const random = mulberry32(seed);
  const lines = [[...Array.from({ length: 20 }, (_, i) => `f${i}`), 'label'].join(',')];
  for (let r = 0; r < rows; r++) {
    const xs = Array.from({ length: 20 }, () => random() * 2 - 1);
    const s = xs[0]! + xs[1]! + xs[2]!;
    lines.push([...xs.map((v) => v.toFixed(4)), s < -0.5 ? 'a' : s < 0.5 ? 'b' : 'c'].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Median wall time of `runs` runs of a command (interleaved by the caller). */
function timeCommand(cmd: string, argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: ROOT });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return ms;
}

function measureCli(torchToo: boolean): string[] {
  const bin = path.join(ROOT, 'bin/netloom.js');
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) return ['skipped: dist/cli.js is missing (npm run build)'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netloom-bench-predict-'));
  try {
    const train = path.join(dir, 'train.csv');
    const one = path.join(dir, 'one.csv');
    const many = path.join(dir, 'many.csv');
    const proj = path.join(dir, 'p.nnproj');
    csv(train, 2000, 1);
    csv(one, 1, 2);
    csv(many, 10000, 3);
    timeCommand('node', [bin, 'new', '--template', 'mlp', '--data', train, '--out', proj]);
    timeCommand('node', [bin, 'train', proj, '--epochs', '2']);
    const cases: [string, string, string[]][] = [
      ['netloom --version (process start)', 'node', [bin, '--version']],
      ['netloom predict, 1 row', 'node', [bin, 'predict', proj, '--data', one]],
      ['netloom predict, 10,000 rows', 'node', [bin, 'predict', proj, '--data', many]],
      ...(torchToo
        ? [['python3 -c "import torch"', PYTHON, ['-c', 'import torch']] as [string, string, string[]]]
        : []),
    ];
    const times = cases.map(() => [] as number[]);
    for (let rep = 0; rep < 3; rep++)
      cases.forEach(([, cmd, argv], i) => times[i]!.push(timeCommand(cmd, argv)));
    return cases.map(([label], i) => {
      const t = times[i]!.sort((a, b) => a - b);
      const rows = label.includes('10,000') ? 10000 : label.includes('1 row') ? 1 : 0;
      return (
        `${label.padEnd(36)} ${(t[1]! / 1000).toFixed(2)} s median of 3 (${t.map((v) => (v / 1000).toFixed(2)).join(', ')})` +
        (rows ? `, ${fmt((rows * 1000) / t[1]!)} rows/s` : '')
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const loadBefore = load();
  const cores = os.cpus().length;
  const backend = await initBackend(args.backend);
  let ref: TorchInfer | undefined;
  let hello = 'skipped (--no-torch)';
  if (args.torch) {
    const started = await PythonChild.start<
      TorchReply,
      { torch: string; threads: number; ompWaitPolicy: string | null }
    >('torch_infer.py');
    if (typeof started === 'string') hello = started;
    else {
      ref = started.child;
      const h = started.hello;
      hello = `PyTorch ${h.torch}, eval() + no_grad(), ${h.threads} threads (and 1), OMP_WAIT_POLICY=${h.ompWaitPolicy ?? 'default'}`;
    }
  }
  console.log('Inference throughput: Netloom (TensorFlow.js) vs PyTorch, float32');
  console.log(
    `Netloom: tfjs ${tf.version.tfjs}, backend ${backend}, Node ${process.version}; ${hello}; ${cores} cores`,
  );
  console.log(`Load before: ${loadBefore}`);
  const rows: Row[] = [];
  try {
    for (const spec of args.models) rows.push(...(await measureModel(spec, args, ref, cores)));
    rows.push(...(await measurePlane(args, ref, cores)));
  } finally {
    ref?.stop();
  }
  printTable(rows);
  console.log(
    '\npredict: engine predictArrays per call (netloom predict, the app with saved weights); live probe: ' +
      'activationsOf on the training model; inspect: inspectActivations (saved weights); boundary (run): ' +
      `runProbe at an epoch's end, ${BOUNDARY_N}×${BOUNDARY_N} grid; boundary (saved): the same grid through ` +
      `predictArrays; unit maps: unitGrids, ${UNIT_GRID_N}×${UNIT_GRID_N}. torch best: the faster of 1 thread ` +
      'and threads = cores, same batch; the live/inspect rows compare with torch at batch 1.',
  );
  if (args.cli) {
    console.log(
      '\nThe netloom predict command (MLP project trained on a 20-column CSV; wall time incl. process start):',
    );
    for (const l of measureCli(args.torch)) console.log(`  ${l}`);
  }
  console.log(`\nLoad after: ${load()}`);
  console.log(`Total ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
}

await main();
