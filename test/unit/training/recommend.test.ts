/**
 * Recommended training settings: what they are for each kind of data and network, that `netloom
 * new --data` writes them, and that with them the perceptron on blobs and the MLP on spirals reach
 * the figures (≥ 0.95 validation accuracy) with fixed seeds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProjectFile } from '../../../shared/ir/project';
import { isRecommended, recommendTraining } from '../../../shared/training/recommend';
import { buildTemplate } from '../../../shared/templates/index';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

const base = buildTemplate('mlp', { inputShape: [2], outputs: 2 });

describe('recommendTraining', () => {
  it('small 2-D data, images, text and attention each get their settings, with early stopping', () => {
    const points = recommendTraining(
      { task: 'classification', sampleShape: [2], xDtype: 'float32', trainCount: 800 },
      base.graph,
      base.training,
    );
    expect(points.config).toMatchObject({ optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 60 });
    expect(points.config.earlyStopping).toEqual({ patience: 10, restoreBest: true });
    expect(points.reason).toMatch(/2-D/);
    const cnn = buildTemplate('cnn');
    const images = recommendTraining(
      { task: 'classification', sampleShape: [28, 28, 1], xDtype: 'float32', trainCount: 8000 },
      cnn.graph,
      cnn.training,
    );
    expect(images.config).toMatchObject({ learningRate: 1e-3, batchSize: 64, epochs: 10, schedule: null });
    // An MLP on images: smaller batches and a cosine schedule over more epochs.
    const mlp = buildTemplate('mlp', { inputShape: [784], outputs: 10 });
    const flat = recommendTraining(
      { task: 'classification', sampleShape: [28, 28, 1], xDtype: 'float32', trainCount: 8000 },
      mlp.graph,
      mlp.training,
    );
    expect(flat.config).toMatchObject({
      batchSize: 32,
      epochs: 20,
      schedule: { kind: 'cosine', minLearningRate: 1e-5 },
      earlyStopping: { patience: 5, restoreBest: true },
    });
    expect(isRecommended(flat.config, flat)).toBe(true);
    expect(isRecommended({ ...flat.config, schedule: null }, flat)).toBe(false);
    const transformer = buildTemplate('transformer');
    const text = {
      task: 'classification' as const,
      sampleShape: [100],
      xDtype: 'int32' as const,
      trainCount: 4800,
    };
    expect(recommendTraining(text, transformer.graph, transformer.training).config.learningRate).toBe(5e-4);
    const lstm = buildTemplate('lstm');
    expect(recommendTraining(text, lstm.graph, lstm.training).config.learningRate).toBe(1e-3);
    // A batch never larger than the rows.
    expect(recommendTraining({ ...text, trainCount: 10 }, lstm.graph, lstm.training).config.batchSize).toBe(
      10,
    );
    expect(isRecommended(points.config, points)).toBe(true);
    expect(isRecommended({ ...points.config, learningRate: 0.02 }, points)).toBe(false);
  });

  for (const [template, dataset] of [
    ['perceptron', 'blobs'],
    ['mlp', 'spirals'],
  ] as const)
    it(`netloom new writes them; ${template} on ${dataset} trains with them to ≥ 0.95`, async () => {
      const dir = tempDir(`recommend-${template}`);
      const netloom = netloomIn(dir);
      expect(
        (await netloom('new', '--template', template, '--data', `builtin:${dataset}`, '--out', 'p.nnproj'))
          .code,
      ).toBe(0);
      const p = readProjectFile(readFileSync(path.join(dir, 'p.nnproj'))).project;
      expect(p.training.earlyStopping).toMatchObject({ restoreBest: true });
      const r = await netloom('train', 'p.nnproj', '--json');
      expect(r.code, r.stderr).toBe(0);
      const done = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; metrics?: { val_accuracy?: number } })
        .find((e) => e.event === 'done')!;
      expect(done.metrics!.val_accuracy).toBeGreaterThanOrEqual(0.95);
    });
});
