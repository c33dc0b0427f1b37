/**
 * A graph the checker accepts trains, or is refused with its reason, never with an internal error:
 * - a graph with nothing to learn (no trainable weights on the way to an Output) gets the checker's
 *   'nothing-to-learn' warning and the engine's INVALID_GRAPH refusal with the same words (TF.js's
 *   own refusal, in the first step, was an INTERNAL error);
 * - token ids (an int32 Input) may reach only the layers that read them (Embedding, Positional
 *   embedding), move them (Reshape, Flatten) or compute with them exactly (Dense); anything else is a
 *   located 'token-ids' error (convolutions and pooling failed INTERNAL, normalisation trained on
 *   integer arithmetic: losses of 1e17);
 * - property: random checker-valid graphs with one Input, one Output and data of their shapes train a
 *   step to `done` or end in a stated, non-internal error.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { fromArrayDataset } from '../../../electron/engine/data';
import { compileGraph } from '../../../electron/engine/compile';
import { findLearningRate } from '../../../electron/engine/lrFind';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { type CheckGraph, checkGraph } from '../../../shared/graph/check';
import { NOTHING_TO_LEARN } from '../../../shared/graph/check/whole';
import type { Graph } from '../../../shared/ir/schema';
import { DEFAULT_TRAINING, type TrainingConfig } from '../../../shared/training/config';
import type { ArrayDataset } from '../../../shared/training/data';
import type { TerminalEvent } from '../../../shared/training/protocol';
import { graphArb } from '../helpers/graphArb';

beforeAll(async () => {
  await initBackend('wasm');
});

type Step = { kind: string; params?: Graph['nodes'][number]['params'] };

/** Input (shape, dtype) → steps → Output (target shape), as a chain. */
function chain(shape: number[], dtype: 'float32' | 'int32', steps: Step[], target: number[]): Graph {
  const at = { x: 0, y: 0 };
  const nodes = [
    { id: 'input_1', kind: 'Input', params: { shape, dtype }, position: at },
    ...steps.map((s, i) => ({ id: `n${i}`, kind: s.kind, params: s.params ?? {}, position: at })),
    {
      id: 'output_1',
      kind: 'Output',
      params: { targetShape: target, loss: 'meanSquaredError' },
      position: at,
    },
  ];
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: nodes[i]!.id,
    target: n.id,
    targetPort: 'in',
  }));
  return { nodes, edges };
}

const CONFIG: TrainingConfig = { ...DEFAULT_TRAINING, epochs: 1, batchSize: 8, validationSplit: 0 };

/** `count` samples of zeros (token id 0, or 0.0), regression targets of zeros. */
function zeros(
  shape: readonly number[],
  dtype: 'float32' | 'int32',
  targetSize: number,
  count = 16,
): ArrayDataset {
  const per = shape.reduce((a, d) => a * d, 1);
  return {
    id: 'zeros',
    name: 'zeros',
    task: 'regression',
    x: dtype === 'int32' ? new Int32Array(count * per) : new Float32Array(count * per),
    sampleShape: [...shape],
    xDtype: dtype,
    y: new Float32Array(count * targetSize),
    targetSize,
    count,
  };
}

function train(graph: Graph, data: ArrayDataset): Promise<TerminalEvent> {
  const config = { ...CONFIG, loss: 'auto' as const };
  return startTrainingInProcess({
    project: { graph, training: config },
    dataset: data,
    config,
    backend: 'wasm',
  }).done;
}

const codes = (g: CheckGraph) => checkGraph(g).issues.map((i) => `${i.severity} ${i.code} ${i.nodeId ?? ''}`);

describe('nothing to learn', () => {
  const weightless = chain([4], 'float32', [{ kind: 'Activation', params: { fn: 'relu' } }], [4]);

  it('the checker warns on the Output; a graph with a Dense, or an unused one, is told apart', () => {
    expect(checkGraph(weightless).valid).toBe(true);
    expect(codes(weightless)).toEqual(['warning nothing-to-learn output_1']);
    expect(codes(chain([4], 'float32', [{ kind: 'Dense', params: { units: 4 } }], [4]))).toEqual([]);
    // A Dense that feeds nothing is left out of the model: still nothing to learn.
    const unused: Graph = {
      nodes: [
        ...weightless.nodes,
        { id: 'dense_x', kind: 'Dense', params: { units: 2 }, position: { x: 0, y: 0 } },
      ],
      edges: [...weightless.edges, { id: 'ex', source: 'input_1', target: 'dense_x', targetPort: 'in' }],
    };
    expect(codes(unused)).toContain('warning nothing-to-learn output_1');
    // An unfinished graph shows its own errors first.
    const broken = chain([4], 'float32', [{ kind: 'Activation', params: { fn: 'relu' } }], [3]);
    expect(codes(broken).some((c) => c.includes('nothing-to-learn'))).toBe(false);
  });

  it('train and the learning-rate finder refuse it with the reason (INVALID_GRAPH), not an internal error', async () => {
    const end = await train(weightless, zeros([4], 'float32', 4));
    expect(end).toMatchObject({
      type: 'error',
      code: 'INVALID_GRAPH',
      message: `output_1 (Output): ${NOTHING_TO_LEARN}`,
    });
    const data = fromArrayDataset(zeros([4], 'float32', 4));
    await expect(
      findLearningRate({ graph: weightless, data, config: CONFIG, steps: 3, backend: 'wasm' }),
    ).rejects.toMatchObject({ code: 'INVALID_GRAPH', message: `output_1 (Output): ${NOTHING_TO_LEARN}` });
  });
});

describe('token ids', () => {
  const ids = (steps: Step[], target: number[]) => chain([6], 'int32', steps, target);
  const embed = { kind: 'Embedding', params: { inputDim: 10, outputDim: 3 } };

  it('reach only the layers that read, move or exactly compute with them', () => {
    for (const g of [
      ids([embed, { kind: 'Flatten' }, { kind: 'Dense', params: { units: 1 } }], [1]),
      ids([{ kind: 'Reshape', params: { targetShape: [6] } }, embed, { kind: 'Flatten' }], [18]),
      ids([{ kind: 'Dense', params: { units: 2 } }], [2]),
      ids(
        [
          { kind: 'Dense', params: { units: 2 } },
          { kind: 'Activation', params: { fn: 'softmax' } },
        ],
        [2],
      ),
    ])
      expect(codes(g)).toEqual([]);
  });

  it('anything else is a located error naming the Input', () => {
    const refused: [Step[], number[], string][] = [
      [[{ kind: 'Activation', params: { fn: 'softmax' } }], [6], 'n0'],
      [[{ kind: 'BatchNormalization' }], [6], 'n0'],
      [
        [
          { kind: 'Dropout', params: { rate: 0.5 } },
          { kind: 'Dense', params: { units: 1 } },
        ],
        [1],
        'n0',
      ],
      // Passed on by a Reshape, refused where they arrive.
      [
        [
          { kind: 'Reshape', params: { targetShape: [6, 1] } },
          { kind: 'Conv1D', params: { filters: 2, kernelSize: [3] } },
          { kind: 'Flatten' },
        ],
        [8],
        'n1',
      ],
    ];
    for (const [steps, target, at] of refused) {
      const report = checkGraph(ids(steps, target));
      expect(report.valid).toBe(false);
      const issue = report.issues.find((i) => i.code === 'token-ids');
      expect(issue, JSON.stringify(report.issues)).toMatchObject({
        severity: 'error',
        nodeId: at,
        port: 'in',
      });
      expect(issue!.message).toMatch(/token ids \(int32\) from .*input_1|token ids \(int32\) from .*n0/);
    }
  });

  it('an int32 Input into a Dense trains exactly as the same values in float32 (wasm and cpu)', async () => {
    const count = 64;
    const values = Array.from({ length: count * 6 }, (_, i) => (i * 7) % 11);
    const y = Float32Array.from({ length: count * 2 }, (_, i) => (i % 5) / 5);
    const steps: Step[] = [
      { kind: 'Dense', params: { units: 8, activation: 'relu' } },
      { kind: 'Dense', params: { units: 2 } },
    ];
    for (const backend of ['wasm', 'cpu'] as const) {
      const run = async (dtype: 'float32' | 'int32') => {
        const data: ArrayDataset = {
          ...zeros([6], dtype, 2, count),
          x: dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
          y,
        };
        const graph = chain([6], dtype, steps, [2]);
        const config = { ...CONFIG, epochs: 2, batchSize: 16, seed: 3 };
        const end = await startTrainingInProcess({
          project: { graph, training: config },
          dataset: data,
          config,
          backend,
        }).done;
        if (end.type !== 'done') throw new Error(`${backend} ${dtype}: ${JSON.stringify(end)}`);
        return end;
      };
      const [ints, floats] = [await run('int32'), await run('float32')];
      expect(ints.metrics, backend).toEqual(floats.metrics);
      expect(ints.weights.weightsBin, backend).toEqual(floats.weights.weightsBin);
    }
  });
});

describe('normalisation without its offset or scale', () => {
  it('training refuses it by name (TF.js 4.22 fails in the first step); the model still predicts', async () => {
    for (const [kind, params, missing] of [
      ['LayerNormalization', { center: false }, 'offset \\(center\\)'],
      ['LayerNormalization', { scale: false }, 'scale'],
      ['BatchNormalization', { center: false }, 'offset \\(center\\)'],
      ['BatchNormalization', { scale: false }, 'scale'],
    ] as const) {
      const graph = chain(
        [3],
        'float32',
        [
          { kind: 'Dense', params: { units: 3 } },
          { kind, params },
        ],
        [3],
      );
      expect(checkGraph(graph).valid).toBe(true);
      const end = await train(graph, zeros([3], 'float32', 3));
      expect(end).toMatchObject({ type: 'error', code: 'INVALID_GRAPH' });
      expect((end as { message: string }).message).toMatch(
        new RegExp(`^n1 \\(${kind}\\): TensorFlow.js cannot train it without its ${missing}\\.`),
      );
      const { model } = await compileGraph(graph);
      const y = tf.tidy(() => (model.predict(tf.ones([2, 3])) as tf.Tensor).dataSync());
      expect(y.length).toBe(6);
      expect(Array.from(y).every(Number.isFinite)).toBe(true);
      model.dispose();
    }
  });
});

describe('property: a checker-valid graph trains or says why', () => {
  it('random valid graphs with one Input and one Output, on data of their shapes', async () => {
    let trained = 0;
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(graphArb, async (g) => {
        const report = checkGraph(g);
        if (!report.valid || report.totals.params > 50_000 || report.inputs.length !== 1) return;
        if (report.outputs.length !== 1) return;
        const input = g.nodes.find((n) => n.id === report.inputs[0])!;
        const output = g.nodes.find((n) => n.id === report.outputs[0])!;
        const shape = input.params.shape as (number | null)[];
        const target = output.params.targetShape as (number | null)[] | undefined;
        if (shape.some((d) => d === null) || !target || target.some((d) => d === null)) return;
        const size = (target as number[]).reduce((a, d) => a * d, 1);
        if (size > 4096) return;
        tried++;
        const end = await train(
          g,
          zeros(shape as number[], input.params.dtype === 'int32' ? 'int32' : 'float32', size),
        );
        if (end.type === 'error') {
          expect(end.code, `${end.code}: ${end.message}`).not.toBe('INTERNAL');
        } else trained++;
      }),
      { numRuns: 1500 },
    );
    console.log(
      `trains property: ${trained} of ${tried} valid single-input graphs trained, the rest said why`,
    );
    expect(tried).toBeGreaterThan(5);
  }, 600_000);
});
