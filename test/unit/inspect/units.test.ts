/**
 * Per-unit heatmaps for 2-D data: each Dense/Activation unit over the input plane. The last layer's
 * map is the network's own prediction at each point; a run streams them (the last epoch always).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { trainedUnitGrids } from '../../../electron/engine/inspect';
import { predictArrays } from '../../../electron/engine/predict';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { MAX_UNIT_MAPS, UNIT_GRID_N } from '../../../shared/inspect/types';
import type { EpochEndEvent, TrainingEvent } from '../../../shared/training/protocol';
import { buildTemplate } from '../../../shared/templates/index';

const points = Float32Array.from({ length: UNIT_GRID_N * UNIT_GRID_N * 2 }, (_, i) => Math.sin(i * 0.7) * 2);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('unit heatmaps', () => {
  it('every Dense/Activation layer, first 16 units; the last one equals predict at each point', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 3 });
    const compiled = await compileGraph(project.graph);
    const weights = await saveModelArtifacts(compiled.model);
    compiled.model.dispose();
    const grids = await trainedUnitGrids(project.graph, weights, points);
    expect(grids.map((g) => [g.id, g.total, g.values.length])).toEqual([
      ['dense_1', 128, MAX_UNIT_MAPS],
      ['dense_2', 128, MAX_UNIT_MAPS],
      ['dense_3', 3, 3],
      ['activation_1', 3, 3],
    ]);
    const count = UNIT_GRID_N * UNIT_GRID_N;
    const { outputs } = await predictArrays(project.graph, weights, points, [2], 'float32', count);
    const last = grids[3]!;
    for (let u = 0; u < 3; u++)
      for (let p = 0; p < count; p += 37) expect(last.values[u]![p]).toBeCloseTo(outputs[p * 3 + u]!, 6);
    // ReLU units are never negative.
    expect(Math.min(...grids[0]!.values.flat())).toBeGreaterThanOrEqual(0);
  });

  it('a run streams them with its epochs, the last epoch always', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const n = 64;
    const events: TrainingEvent[] = [];
    const h = startTrainingInProcess({
      project,
      dataset: {
        id: 's',
        name: 's',
        task: 'classification',
        x: Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i)),
        y: Int32Array.from({ length: n }, (_, i) => i % 2),
        sampleShape: [2],
        xDtype: 'float32',
        targetSize: 1,
        count: n,
      },
      config: { ...project.training, epochs: 3, batchSize: 16 },
      backend: 'wasm',
      probe: { data: points, count: points.length / 2, sampleShape: [2], dtype: 'float32', units: points },
      onEvent: (e) => events.push(e),
    });
    expect((await h.done).type).toBe('done');
    const ends = events.filter((e): e is EpochEndEvent => e.type === 'epochEnd');
    expect(ends).toHaveLength(3);
    const last = ends[2]!.units!;
    expect(last.map((g) => g.id)).toEqual(['dense_1', 'dense_2', 'dense_3', 'activation_1']);
    expect(last[0]!.values[0]).toHaveLength(UNIT_GRID_N * UNIT_GRID_N);
  });
});
