/**
 * LSTM and GRU gates over time in the probe views: recomputed from the layer's input and weights,
 * shown only when they reproduce the layer's own output (so a view never shows gates that did not
 * produce it); the hidden state at every step for a layer that returns only its last.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { traceMatches, traceRecurrent } from '../../../electron/engine/gates';
import { inspectActivations } from '../../../electron/engine/inspect';
import { flatten } from '../../../shared/inspect/types';
import { buildTemplate } from '../../../shared/templates/index';
import { randomArray, rng } from '../engine/reference';

beforeAll(async () => {
  await initBackend('wasm');
});

const steps = 12;
const ids = Int32Array.from({ length: steps }, (_, i) => 1 + ((i * 37) % 900));

describe('recurrent gates over time', () => {
  for (const [template, names] of [
    ['lstm', ['input', 'forget', 'output']],
    ['gru', ['update', 'reset']],
  ] as const)
    it(`${template}: ${names.join(', ')} gates that reproduce the layer's output`, async () => {
      const project = buildTemplate(template, { inputShape: [steps], outputs: 2 });
      const c = await compileGraph(project.graph);
      const weights = await saveModelArtifacts(c.model);
      c.model.dispose();
      const { nodes } = await inspectActivations(project.graph, weights, ids, [steps], 'int32');
      const rec = nodes.find((n) => n.kind === template.toUpperCase())!;
      expect(rec.gates!.map((g) => g.name)).toEqual(names);
      const units = rec.shape.at(-1)!;
      for (const g of rec.gates!) {
        expect(g.values).toHaveLength(steps);
        expect(g.values[0]).toHaveLength(units);
        for (const v of g.values.flat()) expect(v > 0 && v < 1).toBe(true);
      }
      // It returns its last state only: the states over time end with it.
      expect(rec.shape).toEqual([units]);
      expect(rec.states).toHaveLength(steps);
      const last = flatten(rec.values);
      rec.states!.at(-1)!.forEach((v, k) => expect(v).toBeCloseTo(last[k]!, 5));
    });

  it('gru with reset after (Netloom’s GRU): update and reset gates that reproduce its output', async () => {
    const project = buildTemplate('gru', { inputShape: [steps], outputs: 2 });
    const node = project.graph.nodes.find((n) => n.kind === 'GRU')!;
    node.params = { ...node.params, resetAfter: true };
    const c = await compileGraph(project.graph);
    const r = rng(3);
    // Random biases too (they start at zero), so both rows count.
    c.model.setWeights(
      c.model.weights.map((w) =>
        tf.tensor(
          randomArray(
            w.shape.reduce<number>((a, d) => a * (d ?? 1), 1),
            r,
            0.3,
          ),
          w.shape as number[],
        ),
      ),
    );
    const weights = await saveModelArtifacts(c.model);
    c.model.dispose();
    const { nodes } = await inspectActivations(project.graph, weights, ids, [steps], 'int32');
    const rec = nodes.find((n) => n.kind === 'GRU')!;
    expect(rec.gates!.map((g) => g.name)).toEqual(['update', 'reset']);
    expect(rec.states).toHaveLength(steps);
    const last = flatten(rec.values);
    rec.states!.at(-1)!.forEach((v, k) => expect(v).toBeCloseTo(last[k]!, 5));
  });

  it.each([
    ['LSTM', false, ['input', 'forget', 'output']],
    ['GRU', false, ['update', 'reset']],
    ['GRU', true, ['update', 'reset']],
  ] as const)(
    '%s (reset after: %s) with hard sigmoid gates: gates in [0, 1] that reproduce its output',
    async (kind, resetAfter, names) => {
      const project = buildTemplate(kind === 'LSTM' ? 'lstm' : 'gru', { inputShape: [steps], outputs: 2 });
      const node = project.graph.nodes.find((n) => n.kind === kind)!;
      node.params = { ...node.params, recurrentActivation: 'hardSigmoid', resetAfter };
      if (kind === 'LSTM') delete node.params.resetAfter;
      const c = await compileGraph(project.graph);
      const r = rng(11);
      // Large enough weights that some gates saturate at 0 or 1 (where the hard sigmoid clips).
      c.model.setWeights(
        c.model.weights.map((w) =>
          tf.tensor(
            randomArray(
              w.shape.reduce<number>((a, d) => a * (d ?? 1), 1),
              r,
              1.5,
            ),
            w.shape as number[],
          ),
        ),
      );
      const weights = await saveModelArtifacts(c.model);
      c.model.dispose();
      const { nodes } = await inspectActivations(project.graph, weights, ids, [steps], 'int32');
      const rec = nodes.find((n) => n.kind === kind)!;
      expect(rec.gates!.map((g) => g.name)).toEqual(names);
      const values = rec.gates!.flatMap((g) => g.values.flat());
      for (const v of values) expect(v >= 0 && v <= 1).toBe(true);
      expect(values.some((v) => v === 0 || v === 1)).toBe(true);
      // Float32 rounding over 12 steps with these weights: within traceMatches's 1e-4.
      const last = flatten(rec.values);
      rec.states!.at(-1)!.forEach((v, k) => expect(Math.abs(v - last[k]!)).toBeLessThan(1e-4));
    },
  );

  it('a recomputation that does not reproduce the output is refused', () => {
    const u = 3;
    const f = 2;
    const random = (n: number, s: number) =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(i * s) * 0.5);
    const p = {
      kind: 'LSTM' as const,
      units: u,
      activation: 'tanh',
      x: random(4 * f, 1.1),
      steps: 4,
      kernel: random(f * 4 * u, 0.7),
      recurrent: random(u * 4 * u, 0.3),
      bias: random(4 * u, 0.9),
    };
    const trace = traceRecurrent(p)!;
    const output = Float32Array.from(trace.hidden.at(-1)!);
    expect(traceMatches(trace, output)).toBe(true);
    output[1]! += 0.01;
    expect(traceMatches(trace, output)).toBe(false);
    expect(traceRecurrent({ ...p, activation: 'swish' })).toBeNull();
    // The gates' activation counts: sigmoid's gates do not reproduce hard sigmoid's states.
    const hard = traceRecurrent({ ...p, recurrentActivation: 'hardSigmoid' })!;
    expect(traceMatches(hard, Float32Array.from(trace.hidden.at(-1)!))).toBe(false);
    expect(traceRecurrent({ ...p, recurrentActivation: 'softsign' })).toBeNull();
  });
});
