/**
 * `npm run bench:scale`: a bigger model than the templates (issue 20, item 5): a CNN of ~1.1M
 * parameters on 32×32×3 images (conv 32-32, pool, conv 64-64, pool, dense 256, 10 classes;
 * synthetic data), trained through the real path, `startTraining` (the worker thread and its
 * data-parallel peers, as `netloom train` runs it; needs dist/, `npm run build`), in a child process
 * that reports its peak resident set size (process.resourceUsage().maxRSS: the worker and the peers
 * are threads of that process) and its samples/s; beside it the same network in idiomatic PyTorch
 * (torch_scale.py: nn.Sequential, logits, nn.CrossEntropyLoss, Adam) in a child Python process
 * (ru_maxrss), at threads = cores and at 1 thread. Same batch, data size, epochs, validation split.
 *
 *   npm run bench:scale -- [--batch 64] [--epochs 3] [--batches 10] [--no-torch]
 *
 * samples/s: training rows of epochs 2.. (the first warms up) over the time from the end of epoch 1
 * to the end of the last, validation passes included, for both. The RSS after each epoch (Netloom)
 * shows whether memory grows with the epochs (a leak) or settles; a third Netloom run, in the child's own
 * thread (startTrainingInProcess, one shard), also reports the engine's tensor count and WebAssembly heap
 * after each epoch.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../electron/engine/backend';
import { mulberry32 } from '../../electron/engine/random';
import * as tf from '@tensorflow/tfjs';
import { startTraining, startTrainingInProcess } from '../../electron/engine/session';
import { checkGraph } from '../../shared/graph/check';
import type { Graph, GraphEdge, GraphNode } from '../../shared/ir/schema';
import { type LayerKind, layerSpec } from '../../shared/layers/index';
import { defaultParams } from '../../shared/layers/params';
import { DEFAULT_TRAINING, type TrainingConfig } from '../../shared/training/config';
import { load } from './common';
import type { ArrayDataset } from '../../shared/training/data';

const PYTHON = process.env.NETLOOM_BENCH_PYTHON ?? '/usr/bin/python3';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLASSES = 10;
const LR = 1e-3;
const SEED = 1;
const VALIDATION = 0.1;

interface Request {
  batch: number;
  /** Rows in all: `batches` training batches an epoch after the validation split. */
  count: number;
  epochs: number;
  /**
   * In this thread (`startTrainingInProcess`, one shard) instead of the worker: the engine's tensors
   * and WebAssembly heap can then be read after each epoch (a leak shows as a growing count).
   */
  inProcess?: boolean;
}

/** The ~1M-parameter CNN, built as the templates build theirs (layer specs' defaults, then params). */
function bigCnn(): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (kind: LayerKind, params: Record<string, unknown> = {}) => {
    const id = `${kind.toLowerCase()}_${nodes.length + 1}`;
    nodes.push({
      id,
      kind,
      params: { ...defaultParams(layerSpec(kind)), ...params } as GraphNode['params'],
      position: { x: 0, y: nodes.length * 130 },
    });
    const prev = nodes.at(-2);
    if (prev) edges.push({ id: `e${edges.length + 1}`, source: prev.id, target: id, targetPort: 'in' });
  };
  const conv = (filters: number) =>
    add('Conv2D', { filters, kernelSize: [3, 3], padding: 'same', activation: 'relu' });
  add('Input', { shape: [32, 32, 3] });
  conv(32);
  conv(32);
  add('MaxPool2D', { poolSize: [2, 2], strides: [2, 2] });
  conv(64);
  conv(64);
  add('MaxPool2D', { poolSize: [2, 2], strides: [2, 2] });
  add('Flatten');
  add('Dense', { units: 256, activation: 'relu' });
  add('Dense', { units: CLASSES });
  add('Activation', { fn: 'softmax' });
  add('Output', { targetShape: [CLASSES], loss: 'auto' });
  return { nodes, edges };
}

function dataset(count: number): ArrayDataset {
  const random = mulberry32(SEED);
  return {
    id: 'bench:scale',
    name: 'synthetic 32×32×3',
    task: 'classification',
    x: Float32Array.from({ length: count * 32 * 32 * 3 }, () => random()),
    sampleShape: [32, 32, 3],
    xDtype: 'float32',
    y: Int32Array.from({ length: count }, () => Math.floor(random() * CLASSES)),
    targetSize: 1,
    classes: Array.from({ length: CLASSES }, (_, i) => String(i)),
    count,
  };
}

const mb = (kb: number) => kb / 1024;

/** The child: trains, then prints one JSON line (figures, RSS after each epoch, peak RSS). */
async function child(req: Request) {
  const backend = await initBackend();
  const graph = bigCnn();
  const data = dataset(req.count);
  const config: TrainingConfig = {
    ...DEFAULT_TRAINING,
    optimizer: 'adam',
    learningRate: LR,
    batchSize: req.batch,
    epochs: req.epochs,
    validationSplit: VALIDATION,
    shuffle: true,
    seed: SEED,
    loss: 'auto',
    earlyStopping: null,
  };
  const startRss = mb(process.resourceUsage().maxRSS);
  const ends: number[] = [];
  const rss: number[] = [];
  const tensors: number[] = [];
  const heap: number[] = [];
  let threads = 1;
  let reported = 0;
  let batches = 0;
  const t0 = performance.now();
  const start = req.inProcess ? startTrainingInProcess : startTraining;
  const handle = start({
    project: { graph, training: config },
    dataset: data,
    config,
    onEvent: (e) => {
      if (e.type === 'progress') {
        threads = Math.max(threads, e.threads ?? 1);
        reported = e.samplesPerSecond;
        batches = e.batches;
      }
      if (e.type === 'epochEnd') {
        ends.push(performance.now());
        rss.push(process.memoryUsage().rss / 2 ** 20);
        if (req.inProcess) {
          tensors.push(tf.memory().numTensors);
          const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
          heap.push((wasm?.HEAPU8?.byteLength ?? 0) / 2 ** 20);
        }
      }
    },
  });
  const end = await handle.done;
  const wall = (performance.now() - t0) / 1000;
  const trainRows = req.count - Math.floor(req.count * VALIDATION);
  const timed = ends.length > 1 ? (ends.at(-1)! - ends[0]!) / 1000 : NaN;
  console.log(
    JSON.stringify({
      ok: end.type === 'done',
      end: end.type === 'error' ? `${end.code}: ${end.message}` : end.type,
      backend,
      threads,
      params: checkGraph(graph).totals.params,
      steps: batches * ends.length,
      samplesPerSecond: (trainRows * (ends.length - 1)) / timed,
      reportedSamplesPerSecond: reported,
      wallSamplesPerSecond: (trainRows * ends.length) / wall,
      startRssMB: startRss,
      rssAfterEpochMB: rss,
      ...(req.inProcess ? { tensorsAfterEpoch: tensors, wasmHeapAfterEpochMB: heap } : {}),
      maxRssMB: mb(process.resourceUsage().maxRSS),
    }),
  );
}

interface Result {
  ok: boolean;
  end?: string;
  threads: number;
  params: number;
  steps: number;
  samplesPerSecond: number;
  wallSamplesPerSecond: number;
  reportedSamplesPerSecond?: number;
  startRssMB: number;
  rssAfterEpochMB?: number[];
  tensorsAfterEpoch?: number[];
  wasmHeapAfterEpochMB?: number[];
  maxRssMB: number;
  torch?: string;
}

function runJson(cmd: string, argv: string[], env?: NodeJS.ProcessEnv): Result | string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    return `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  }
}

async function main(argv: string[]) {
  if (argv[0] === '--child') return child(JSON.parse(argv[1]!) as Request);
  let batch = 64;
  let epochs = 3;
  let perEpoch = 10;
  let torch = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--batch') batch = Number(argv[++i]);
    else if (a === '--epochs') epochs = Number(argv[++i]);
    else if (a === '--batches') perEpoch = Number(argv[++i]);
    else if (a === '--no-torch') torch = false;
    else {
      console.error(
        `unknown argument ${a}\nusage: npm run bench:scale -- [--batch 64] [--epochs 3] [--batches 10] [--no-torch]`,
      );
      process.exit(2);
    }
  }
  if (!(batch >= 1 && epochs >= 2 && perEpoch >= 1)) {
    console.error('--batch and --batches must be ≥ 1 and --epochs ≥ 2');
    process.exit(2);
  }
  // The fewest rows whose split leaves exactly `perEpoch` full training batches.
  let count = batch * perEpoch;
  while (count - Math.floor(count * VALIDATION) < batch * perEpoch) count++;
  const req: Request = { batch, count, epochs };
  const cores = os.cpus().length;
  const report = checkGraph(bigCnn());
  console.log(
    `Scale: a CNN of ${report.totals.params.toLocaleString('en-US')} parameters on 32×32×3 (conv 32-32, pool, conv 64-64, ` +
      `pool, dense 256, ${CLASSES} classes), ${(report.totals.flops / 1e6).toFixed(1)} MFLOP forward per sample; ` +
      `batch ${batch}, Adam, ${count} synthetic rows (validation ${VALIDATION}), ${epochs} epochs; ${cores} cores`,
  );
  console.log(`Load before: ${load()}`);
  const t0 = performance.now();
  const runs: [string, Result | string][] = [];
  const self = fileURLToPath(import.meta.url);
  const netloom = (env: NodeJS.ProcessEnv, r: Request = req) =>
    runJson(process.execPath, [...process.execArgv, self, '--child', JSON.stringify(r)], env);
  runs.push(['Netloom (worker + peers)', netloom(process.env)]);
  // One shard: the worker alone (each peer thread has its own WebAssembly memory and heap).
  if (cores > 1) runs.push(['Netloom, 1 shard', netloom({ ...process.env, NETLOOM_REPLICAS: '1' })]);
  runs.push([
    'Netloom in process, 1 shard',
    netloom({ ...process.env, NETLOOM_REPLICAS: '1' }, { ...req, inProcess: true }),
  ]);
  console.error(`  netloom done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (torch)
    for (const threads of cores > 1 ? [cores, 1] : [1]) {
      const env = { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, OPENBLAS_NUM_THREADS: '1' };
      const request = { ...req, validationSplit: VALIDATION, classes: CLASSES, lr: LR, seed: SEED, threads };
      runs.push([
        `PyTorch ${threads} thread(s)`,
        runJson(PYTHON, [path.join(HERE, 'torch_scale.py'), JSON.stringify(request)], env),
      ]);
    }
  const header = [
    'run',
    'params',
    'threads',
    'steps',
    'samples/s',
    'whole run samples/s',
    'RSS at start MB',
    'peak RSS MB',
  ];
  const rows = runs.map(([label, r]) =>
    typeof r === 'string' || !r.ok
      ? [label, `failed: ${typeof r === 'string' ? r : r.end}`]
      : [
          label,
          r.params.toLocaleString('en-US'),
          String(r.threads),
          String(r.steps),
          r.samplesPerSecond.toFixed(1),
          r.wallSamplesPerSecond.toFixed(1),
          r.startRssMB.toFixed(0),
          r.maxRssMB.toFixed(0),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  console.log('\n' + line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const [label, net] of runs)
    if (typeof net !== 'string' && net.ok && net.rssAfterEpochMB)
      console.log(
        `${label}: RSS after each epoch ${net.rssAfterEpochMB.map((v) => v.toFixed(0)).join(', ')} MB; ` +
          `its progress events report ${net.reportedSamplesPerSecond?.toFixed(1)} samples/s` +
          (net.tensorsAfterEpoch
            ? `; tensors after each epoch ${net.tensorsAfterEpoch.join(', ')}, WebAssembly heap ` +
              `${net.wasmHeapAfterEpochMB?.map((v) => v.toFixed(0)).join(', ')} MB.`
            : '.'),
      );
  console.log(
    '\nsamples/s: epochs 2.. with their validation passes; whole run: every epoch over the wall time from the ' +
      'start (Netloom: worker and peers start, compile; PyTorch: after import). RSS at start: the process before ' +
      'training (runtime, libraries, data).',
  );
  console.log(`Load after: ${load()}`);
}

await main(process.argv.slice(2));
