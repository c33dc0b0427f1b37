/**
 * Schedules and regularisation in the PyTorch export, against the engine: the same network from the
 * same initial weights, trained 5 full-batch epochs with Adam, L2 weight decay, gradient clipping
 * and a step schedule, by Netloom and by the exported train.py (Debian's python3-torch), ends with
 * the same predictions and the same per-epoch losses and learning rates. The Keras export's
 * train.py is checked to compile for every schedule (Keras itself is not installed here).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { mulberry32 } from '../../../electron/engine/random';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { exportProject } from '../../../electron/export/index';
import { writeSafetensors } from '../../../electron/export/tensors';
import type { Project } from '../../../shared/ir/schema';
import { buildTemplate } from '../../../shared/templates/index';
import { LearningRateSchedule } from '../../../shared/training/schedule';
import type { TrainingConfig } from '../../../shared/training/config';
import type { ArrayDataset } from '../../../shared/training/data';
import type { EpochEndEvent } from '../../../shared/training/protocol';
import type { WeightArtifacts } from '../../../shared/training/protocol';
import { enginePredict, maxAbsDiff, PYTHON, tempDir, torchAvailable, torchPredict } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const random = mulberry32(11);
const count = 60;
const data: ArrayDataset = {
  id: 'reg',
  name: 'reg',
  task: 'classification',
  x: Float32Array.from({ length: count * 4 }, () => random() * 2 - 1),
  y: Int32Array.from({ length: count }, () => Math.floor(random() * 3)),
  sampleShape: [4],
  xDtype: 'float32',
  targetSize: 1,
  count,
  classes: ['a', 'b', 'c'],
};

async function engineRun(project: Project, config: TrainingConfig) {
  const ends: EpochEndEvent[] = [];
  const h = startTrainingInProcess({
    project,
    dataset: data,
    config,
    backend: 'wasm',
    onEvent: (e) => {
      if (e.type === 'epochEnd') ends.push(e);
    },
  });
  const done = await h.done;
  if (done.type !== 'done') throw new Error(`the run ended ${done.type}`);
  return { weights: done.weights, ends };
}

describe.skipIf(!torchAvailable)('PyTorch export: schedule, weight decay and clipping', () => {
  it('train.py follows the engine epoch by epoch from the same initial weights', async () => {
    const project = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
    const base: TrainingConfig = {
      ...project.training,
      optimizer: 'adam',
      batchSize: count, // one step an epoch: the order of the rows does not matter
      validationSplit: 0,
      shuffle: false,
      seed: 5,
    };
    // The initial weights: the same seed, a step too small to move a float32 weight.
    const { weights: initial } = await engineRun(project, { ...base, epochs: 1, learningRate: 1e-30 });
    const config: TrainingConfig = {
      ...base,
      epochs: 5,
      learningRate: 0.02,
      weightDecay: 0.05,
      clipNorm: 0.5,
      schedule: { kind: 'step', everyEpochs: 2, factor: 0.5 },
    };
    project.training = config;
    const { weights: trained, ends } = await engineRun(project, config);

    const dir = path.join(tempDir('regularised'), 'export');
    await exportProject({ project, weights: initial as WeightArtifacts }, 'pytorch', dir);
    const train = readFileSync(path.join(dir, 'train.py'), 'utf8');
    expect(train).toContain('clip_grad_norm_');
    expect(train).toContain('StepLR(optimizer, step_size=2, gamma=0.5)');
    writeFileSync(
      path.join(dir, 'arrays.safetensors'),
      writeSafetensors(
        new Map([
          ['x', { shape: [count, 4], data: data.x }],
          ['y', { shape: [count], data: data.y }],
        ]),
      ),
    );
    const r = spawnSync(
      PYTHON,
      ['train.py', '--data', 'arrays.safetensors', '--init-weights', 'weights.pt', '--metrics', 'm.json'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const m = JSON.parse(readFileSync(path.join(dir, 'm.json'), 'utf8')) as {
      epochs: { loss: number; learning_rate: number }[];
    };
    expect(m.epochs.map((e) => e.learning_rate)).toEqual(ends.map((e) => expect.closeTo(e.learningRate!, 9)));
    m.epochs.forEach((e, i) => expect(e.loss).toBeCloseTo(ends[i]!.metrics.loss!, 4));

    // The engine's final weights and train.py's give the same predictions.
    const want = await enginePredict({ project, weights: trained }, data);
    const got = torchPredict(dir, data, 'trained.pt');
    const diff = maxAbsDiff(want, got);
    console.log(`engine vs train.py after 5 regularised epochs: max |Δ prediction| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    // Without the regularisation the runs part: the comparison can fail.
    const plain = await engineRun(project, { ...config, weightDecay: null, clipNorm: null, schedule: null });
    expect(maxAbsDiff(await enginePredict({ project, weights: plain.weights }, data), got)).toBeGreaterThan(
      1e-3,
    );
  });
});

describe.skipIf(!torchAvailable)('PyTorch schedulers as the export sets them', () => {
  it("ReduceLROnPlateau(patience − 1, rel 1e-4) and CosineAnnealingLR give Netloom's rates", () => {
    const losses = [1, 0.9, 0.9, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.71, 0.7];
    const plateau = { kind: 'plateau', factor: 0.5, patience: 2, minLearningRate: 0.01 } as const;
    const cosine = { kind: 'cosine', minLearningRate: 0.001 } as const;
    const netloom = (schedule: TrainingConfig['schedule']) => {
      const s = new LearningRateSchedule({ learningRate: 0.1, epochs: losses.length, schedule });
      return losses.map((loss, i) => {
        const rate = s.rate(i + 1);
        s.observe(loss);
        return rate;
      });
    };
    const py = `
import json, torch
losses = ${JSON.stringify(losses)}
def rates(make, plateau):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for loss in losses:
        out.append(opt.param_groups[0]['lr'])
        sched.step(loss) if plateau else sched.step()
    return out
print(json.dumps([
    rates(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=1,
          threshold=1e-4, threshold_mode='rel', min_lr=0.01), True),
    rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=len(losses), eta_min=0.001), False),
]))`;
    const r = spawnSync(PYTHON, ['-c', py], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [torchPlateau, torchCosine] = JSON.parse(r.stdout) as number[][];
    expect(torchPlateau).toEqual(netloom(plateau).map((x) => expect.closeTo(x, 12)));
    expect(torchCosine).toEqual(netloom(cosine).map((x) => expect.closeTo(x, 9)));
  });
});

describe('Keras export: schedules', () => {
  const schedules: TrainingConfig['schedule'][] = [
    null,
    { kind: 'step', everyEpochs: 3, factor: 0.5 },
    { kind: 'cosine', minLearningRate: 1e-5 },
    { kind: 'plateau', factor: 0.2, patience: 4, minLearningRate: 1e-6 },
  ];
  it.each(schedules.map((s) => [s?.kind ?? 'none', s] as const))(
    '%s: train.py compiles and names its callbacks and options',
    async (_kind, schedule) => {
      const project = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
      project.training = { ...project.training, schedule, weightDecay: 0.001, clipNorm: 2 };
      const dir = path.join(tempDir('keras-schedule'), 'export');
      await exportProject({ project }, 'keras', dir, { version: 'test' });
      const file = path.join(dir, 'train.py');
      const r = spawnSync(PYTHON, ['-m', 'py_compile', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain("'clip_norm': 2,");
      expect(text).toContain("'weight_decay': 0.001,");
      expect(text).toContain('callbacks=SCHEDULE');
      if (schedule)
        expect(text).toContain(schedule.kind === 'plateau' ? 'ReduceLROnPlateau' : 'LearningRateScheduler');
    },
  );
});
