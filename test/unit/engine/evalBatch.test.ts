/**
 * Validation passes run in larger batches than training (runParts.ts evalBatchSize): the size rule,
 * and the metrics, which must not depend on the batch size.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { fromArrayDataset } from '../../../electron/engine/data';
import { evalBatchSize } from '../../../electron/engine/runParts';
import { evaluate } from '../../../electron/engine/trainMetrics';
import { checkGraph } from '../../../shared/graph/check';
import { buildTemplate } from '../../../shared/templates/index';
import { linearRegression, spirals } from './helpers';

describe('validation batch size', () => {
  it('grows to 1,024 for small models, shrinks to fit big activations, never below training', () => {
    const mlp = checkGraph(buildTemplate('mlp', { inputShape: [784], outputs: 10 }).graph);
    expect(evalBatchSize(mlp, 64)).toBe(1024);
    expect(evalBatchSize(mlp, 2048)).toBe(2048);
    const wide = checkGraph(buildTemplate('cnn', { inputShape: [512, 512, 3], outputs: 10 }).graph);
    const size = evalBatchSize(wide, 4);
    expect(size).toBeGreaterThanOrEqual(4);
    expect(size).toBeLessThan(64);
  });

  it('gives the same metrics at any batch size (classification and regression)', async () => {
    await initBackend('wasm');
    const cases = [
      { template: 'mlp' as const, data: spirals(300, 3), outputs: 2, inputShape: [2] },
      { template: 'mlp' as const, data: linearRegression(300, 4), outputs: 1, inputShape: [3] },
    ];
    for (const k of cases) {
      const project = buildTemplate(k.template, {
        inputShape: k.inputShape,
        outputs: k.outputs,
        ...(k.outputs === 1 ? { task: 'regression' as const } : {}),
      });
      const c = await compileGraph(project.graph, { target: fromArrayDataset(k.data).target });
      const data = fromArrayDataset(k.data);
      const rows = Int32Array.from({ length: 300 }, (_, i) => i);
      const small = evaluate(c, data, rows, 7);
      const large = evaluate(c, data, rows, evalBatchSize(checkGraph(project.graph), 7));
      expect(Object.keys(large).sort()).toEqual(Object.keys(small).sort());
      for (const [name, v] of Object.entries(small))
        expect(large[name as keyof typeof large]).toBeCloseTo(v!, 5);
      c.model.dispose();
    }
  });
});
