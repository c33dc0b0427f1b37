/**
 * Part of `npm run bench`: what the live views cost training. The same run (template, data, seed,
 * batch) is timed whole, as a user sees it (setup, every batch, validation, epoch ends), twice:
 *
 *   plain  no layer statistics, no probe, no snapshots;
 *   views  everything the app turns on: layer statistics every epoch, weight snapshots (checkpoint
 *          scrubber), a live-probed sample (every node's activation at most every 250 ms) and, for
 *          2-D data, the decision boundary (60×60) and per-unit maps (20×20) at every epoch end.
 *
 * The reference is the plain run measured in the same process, interleaved (plain, views, plain,
 * views...) so both see the same machine load; each figure is the best of `--repeats` runs (default
 * 9). Goal: overhead ≤ 10% (issue 16). Runs in-process on the wasm backend (the worker does the same
 * work on its own thread), with the data-parallel peers the engine picks, as in the app.
 *
 *   npm run bench -- [--repeats N]
 */
import { performance } from 'node:perf_hooks';
import { initBackend } from '../../electron/engine/backend';
import { startTrainingInProcess } from '../../electron/engine/session';
import { gridProbe } from '../../electron/services/trainingSessions';
import { UNIT_GRID_N } from '../../shared/inspect/types';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../shared/templates/index';
import type { ArrayDataset } from '../../shared/training/data';
import type { Probe, TerminalEvent } from '../../shared/training/protocol';
import { mulberry32 } from '../../electron/engine/random';

interface Case {
  label: string;
  template: TemplateId;
  options: TemplateOptions;
  data: ArrayDataset;
  epochs: number;
  batchSize: number;
  /** 2-D data: the boundary and unit-map probes the app sends. */
  plane: boolean;
}

function dataset(
  count: number,
  sampleShape: number[],
  dtype: 'float32' | 'int32',
  classes: number,
  vocab = 0,
): ArrayDataset {
  const random = mulberry32(7);
  const per = sampleShape.reduce((a, d) => a * d, 1);
  const x =
    dtype === 'int32'
      ? Int32Array.from({ length: count * per }, () => 1 + Math.floor(random() * (vocab - 1)))
      : Float32Array.from({ length: count * per }, () => random() * 2 - 1);
  return {
    id: 'bench',
    name: 'bench',
    task: 'classification',
    x,
    y: Int32Array.from({ length: count }, () => Math.floor(random() * classes)),
    sampleShape,
    xDtype: dtype,
    targetSize: 1,
    count,
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
  };
}

const CASES: Case[] = [
  {
    label: 'MLP, 2-D points (spirals-sized)',
    template: 'mlp',
    options: { inputShape: [2], outputs: 2 },
    data: dataset(1000, [2], 'float32', 2),
    epochs: 30,
    batchSize: 32,
    plane: true,
  },
  {
    label: 'CNN, 28×28×1 images',
    template: 'cnn',
    options: { inputShape: [28, 28, 1], outputs: 10 },
    data: dataset(3000, [28, 28, 1], 'float32', 10),
    epochs: 2,
    batchSize: 64,
    plane: false,
  },
  {
    label: 'Transformer, 100 tokens',
    template: 'transformer',
    options: { inputShape: [100], outputs: 2 },
    data: dataset(1200, [100], 'int32', 2, 10_000),
    epochs: 2,
    batchSize: 64,
    plane: false,
  },
];

function planeProbe(): Probe {
  const grid = { x0: -1, x1: 1, y0: -1, y1: 1, n: 60 };
  return { ...gridProbe(grid), units: gridProbe({ ...grid, n: UNIT_GRID_N }).data as Float32Array };
}

/** One whole run; samples per second over it (training samples × epochs / wall time). */
async function run(c: Case, views: boolean): Promise<{ sps: number; inspections: number }> {
  const project = buildTemplate(c.template, c.options);
  let inspections = 0;
  const t0 = performance.now();
  const h = startTrainingInProcess({
    project,
    dataset: c.data,
    config: { ...project.training, epochs: c.epochs, batchSize: c.batchSize, validationSplit: 0.2, seed: 1 },
    backend: 'wasm',
    layerStats: views,
    checkpoints: views,
    ...(views && c.plane ? { probe: planeProbe() } : {}),
    onEvent: (e) => {
      if (e.type === 'inspect') inspections++;
    },
  });
  if (views) {
    const per = c.data.sampleShape.reduce((a, d) => a * d, 1);
    h.setProbe(c.data.x.slice(0, per));
  }
  const end: TerminalEvent = await h.done;
  const ms = performance.now() - t0;
  if (end.type !== 'done') throw new Error(`${c.label}: the run ended ${end.type}`);
  const trained = Math.floor(c.data.count * 0.8) * c.epochs;
  return { sps: (trained / ms) * 1000, inspections };
}

async function main() {
  const repeats = Number(process.argv[process.argv.indexOf('--repeats') + 1]) || 9;
  await initBackend('wasm');
  console.log(
    `\nLive views' cost to training (whole runs, wasm, best of ${repeats}; goal: overhead ≤ 10%)\n`,
  );
  console.log(
    'model                               plain (samples/s)  views (samples/s)  overhead  inspections',
  );
  let worst = 0;
  for (const c of CASES) {
    await run(c, false); // warm-up: kernels compiled, caches filled
    let plain = 0;
    let views = 0;
    let inspections = 0;
    for (let i = 0; i < repeats; i++) {
      plain = Math.max(plain, (await run(c, false)).sps);
      const v = await run(c, true);
      if (v.sps > views) ({ sps: views, inspections } = v);
    }
    const overhead = 1 - views / plain;
    worst = Math.max(worst, overhead);
    console.log(
      `${c.label.padEnd(36)}${plain.toFixed(0).padStart(17)}${views.toFixed(0).padStart(19)}` +
        `${`${(overhead * 100).toFixed(1)}%`.padStart(10)}${String(inspections).padStart(13)}`,
    );
  }
  console.log(
    `\nworst overhead ${(worst * 100).toFixed(1)}% (${worst <= 0.1 ? 'within' : 'ABOVE'} the 10% goal)`,
  );
}

void main();
