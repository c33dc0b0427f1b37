/**
 * One table over every layer kind and every loss: for Input → kind → [Activation?] → Output, the
 * final activation and the loss the rules of shared/graph/head.ts give, and the checker, the engine's
 * compiler and the export plan all agreeing with them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, EngineError } from '../../electron/engine/compile';
import { finalActivation as planActivation, planGraph, resolvedLoss } from '../../electron/export/plan';
import { checkGraph, type GraphIssue } from '../../shared/graph/check';
import { decideLoss, finalActivationIn, headIssue, type TargetInfo } from '../../shared/graph/head';
import type { Graph, GraphEdge, GraphNode } from '../../shared/ir/schema';
import { defaults, type EnumParam } from '../../shared/layers/define';
import { LAYER_KINDS, layerSpec, LOSSES, type LayerKind } from '../../shared/layers/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * The activation each kind's output ends with: `param` (its `activation`, or an Activation's `fn`),
 * `linear`, or `input` (a pass-through layer: whatever its input ends with; here an Input, linear).
 */
const ENDS_WITH: Record<LayerKind, 'param' | 'linear' | 'input'> = {
  Input: 'linear',
  Dense: 'param',
  Activation: 'param',
  Dropout: 'input',
  Flatten: 'input',
  Reshape: 'input',
  Embedding: 'linear',
  Conv1D: 'param',
  Conv2D: 'param',
  Conv2DTranspose: 'param',
  MaxPool1D: 'linear',
  MaxPool2D: 'linear',
  AvgPool1D: 'linear',
  AvgPool2D: 'linear',
  GlobalAvgPool1D: 'linear',
  GlobalAvgPool2D: 'linear',
  GlobalMaxPool1D: 'linear',
  GlobalMaxPool2D: 'linear',
  BatchNormalization: 'linear',
  LayerNormalization: 'linear',
  // The state (SimpleRNN) or a gated scaling or mix of the activation (LSTM, GRU): in its range.
  SimpleRNN: 'param',
  LSTM: 'param',
  GRU: 'param',
  MultiHeadAttention: 'linear',
  // Its activation is inside the feed-forward block, before a residual sum and a LayerNorm.
  TransformerEncoderBlock: 'linear',
  PositionalEmbedding: 'linear',
  Add: 'linear',
  Concatenate: 'linear',
  Multiply: 'linear',
  Output: 'linear',
};

const TOKEN_KINDS: ReadonlySet<string> = new Set(['Embedding', 'PositionalEmbedding']);
const at = { x: 0, y: 0 };

/** The activation-like parameter of a kind and the values to try (sigmoid and softmax where offered). */
function activationParam(kind: LayerKind): { param: string; values: string[] } | undefined {
  const params = layerSpec(kind).params as Record<string, { type: string }>;
  const param = kind === 'Activation' ? 'fn' : 'activation';
  const spec = params[param];
  if (spec?.type !== 'enum') return undefined;
  const options = (spec as EnumParam).options;
  const values = ['sigmoid', 'softmax'].filter((v) => options.includes(v));
  return { param, values: values.length > 0 ? values : [options[0]!] };
}

interface Case {
  label: string;
  graph: Graph;
  /** The node feeding the Output. */
  source: string;
  expected: string;
  units: number;
  targetShape: (number | null)[];
}

/** Input(s) → kind (Input and Output: none) → [Activation(after)] → Output(loss). */
function buildCase(
  kind: LayerKind,
  value: string | undefined,
  after: string | undefined,
  loss: string,
): Case {
  const spec = layerSpec(kind);
  const inner = kind !== 'Input' && kind !== 'Output';
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const link = (source: string, target: string, targetPort = 'in') =>
    edges.push({ id: `e${edges.length}`, source, target, targetPort });
  const inputs = inner ? spec.example.inputs : [[10]];
  inputs.forEach((shape, i) =>
    nodes.push({
      id: `in${i}`,
      kind: 'Input',
      params: { shape: [...shape], dtype: TOKEN_KINDS.has(kind) ? 'int32' : 'float32' },
      position: at,
    }),
  );
  let last = 'in0';
  if (inner) {
    const params: Record<string, unknown> = { ...defaults(spec.params), ...(spec.example.params ?? {}) };
    const ap = activationParam(kind);
    if (ap && value !== undefined) params[ap.param] = value;
    nodes.push({ id: 'layer', kind, params: params as GraphNode['params'], position: at });
    const ports = spec.ports(params as never);
    inputs.forEach((_, i) => link(`in${i}`, 'layer', ports[i]!.name));
    last = 'layer';
  }
  if (after) {
    nodes.push({ id: 'act', kind: 'Activation', params: { fn: after }, position: at });
    link(last, 'act');
    last = 'act';
  }
  // The Output's target: the prediction's shape (for sparse targets, one class index per position).
  const probe = checkGraph({ nodes, edges }).nodes.get(last)!.outputShape!;
  const dims = probe.slice(1).map((d) => (typeof d === 'number' ? d : null));
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const targetShape = sparse ? (dims.length > 1 ? dims.slice(0, -1) : [1]) : dims;
  nodes.push({ id: 'out', kind: 'Output', params: { targetShape, loss }, position: at });
  link(last, 'out');
  const ends = ENDS_WITH[kind];
  const expected = after ?? (ends === 'param' ? value! : 'linear');
  const lastDim = probe[probe.length - 1];
  return {
    label: `${kind}${value ? `(${value})` : ''}${after ? ` → Activation(${after})` : ''} → Output(${loss})`,
    graph: { nodes, edges },
    source: last,
    expected,
    units: typeof lastDim === 'number' ? lastDim : 1,
    targetShape,
  };
}

function casesOf(kind: LayerKind): Case[] {
  const values = activationParam(kind)?.values ?? [undefined];
  return values.flatMap((value) =>
    [undefined, 'sigmoid', 'softmax'].flatMap((after) =>
      LOSSES.map((loss) => buildCase(kind, value, after, loss)),
    ),
  );
}

const lossIssues = (issues: GraphIssue[]) =>
  issues.filter((i) => i.code === 'loss').map((i) => ({ severity: i.severity, message: i.message }));

describe('the head of a network: one answer for the checker, the engine and the exports', () => {
  it('covers every layer kind', () => {
    expect(Object.keys(ENDS_WITH).sort()).toEqual([...LAYER_KINDS].sort());
  });

  for (const kind of LAYER_KINDS) {
    it(`${kind}: every activation variant and every loss`, async () => {
      for (const c of casesOf(kind)) {
        const nodeLoss = c.graph.nodes.find((n) => n.id === 'out')!.params.loss as string;
        const activation = finalActivationIn(c.graph, c.source);
        expect(activation, c.label).toBe(c.expected);
        const head = { outputNode: 'out', activation, units: c.units, nodeLoss };

        // The checker: the head's issue, nothing else about the loss.
        const report = checkGraph(c.graph);
        const issue = headIssue(nodeLoss, activation, c.targetShape);
        expect(lossIssues(report.issues), c.label).toEqual(issue ? [issue] : []);
        if (!report.valid) {
          expect(issue?.severity, c.label).toBe('error');
          continue;
        }

        // The export plan, for every training-config loss over this Output's.
        const plan = planGraph(c.graph);
        expect(planActivation(plan, c.source), c.label).toBe(activation);
        for (const configLoss of LOSSES) {
          const { loss } = decideLoss(head, configLoss);
          const exported = loss === 'categoricalCrossentropy' ? 'sparseCategoricalCrossentropy' : loss;
          expect(resolvedLoss(plan, configLoss, plan.outputs[0]!), `${c.label}, config ${configLoss}`).toBe(
            exported,
          );
        }

        // The engine, without data and against class targets (one class per unit).
        const compiled = await compileGraph(c.graph);
        expect(compiled.outputs[0], c.label).toMatchObject({ activation, ...decideLoss(head, 'auto') });
        compiled.model.dispose();
        const target: TargetInfo = {
          task: 'classification',
          numClasses: c.units,
          targetSize: 1,
          classIndices: true,
        };
        const decided = decideLoss(head, 'auto', target);
        if ('mismatch' in decided) {
          const err = await compileGraph(c.graph, { target }).catch((e: unknown) => e);
          expect(err, c.label).toBeInstanceOf(EngineError);
          expect(err, c.label).toMatchObject({ code: 'DATA_MISMATCH', message: decided.mismatch });
        } else {
          const withData = await compileGraph(c.graph, { target });
          expect(withData.outputs[0], c.label).toMatchObject(decided);
          withData.model.dispose();
        }
      }
    });
  }

  it('refuses a softmax over one unit wherever the rules see one, in all three', async () => {
    for (const kind of ['Dense', 'SimpleRNN', 'LSTM', 'GRU'] as const) {
      const spec = layerSpec(kind);
      const graph: Graph = {
        nodes: [
          { id: 'x', kind: 'Input', params: { shape: [...spec.example.inputs[0]!] }, position: at },
          { id: 'l', kind, params: { units: 1, activation: 'softmax' }, position: at } as GraphNode,
          { id: 'o', kind: 'Output', params: { targetShape: [1] }, position: at },
        ],
        edges: [
          { id: 'e0', source: 'x', target: 'l', targetPort: 'in' },
          { id: 'e1', source: 'l', target: 'o', targetPort: 'in' },
        ],
      };
      expect(finalActivationIn(graph, 'l'), kind).toBe('softmax');
      expect(lossIssues(checkGraph(graph).issues), kind).toEqual([headIssue('auto', 'softmax', [1])]);
      expect(() => planGraph(graph), kind).toThrow(/Softmax over a single unit/);
      await expect(compileGraph(graph), kind).rejects.toMatchObject({ code: 'INVALID_GRAPH' });
    }
  });

  it('looks through Dropout, Flatten and Reshape to the activation before them', async () => {
    const node = (id: string, kind: string, params: Record<string, unknown>): GraphNode =>
      ({ id, kind, params, position: at }) as GraphNode;
    const chain = [
      node('x', 'Input', { shape: [4, 3] }),
      node('d', 'Dense', { units: 6, activation: 'sigmoid' }),
      node('drop', 'Dropout', { rate: 0.5 }),
      node('flat', 'Flatten', {}),
      node('r', 'Reshape', { targetShape: [24] }),
    ];
    const graph: Graph = {
      nodes: [...chain, node('o', 'Output', { targetShape: [24], loss: 'auto' })],
      edges: chain.map((n, i) => ({
        id: `e${i}`,
        source: n.id,
        target: chain[i + 1]?.id ?? 'o',
        targetPort: 'in',
      })),
    };
    expect(finalActivationIn(graph, 'r')).toBe('sigmoid');
    const plan = planGraph(graph);
    expect(planActivation(plan, 'r')).toBe('sigmoid');
    expect(resolvedLoss(plan, 'auto', plan.outputs[0]!)).toBe('binaryCrossentropy');
    const compiled = await compileGraph(graph);
    expect(compiled.outputs[0]).toMatchObject({ activation: 'sigmoid', loss: 'binaryCrossentropy' });
    compiled.model.dispose();
    // A categorical loss on it: the checker warns, naming the sigmoid it found.
    const warned = {
      ...graph,
      nodes: [...chain, node('o', 'Output', { targetShape: [24], loss: 'categoricalCrossentropy' })],
    };
    expect(lossIssues(checkGraph(warned).issues)).toEqual([
      {
        severity: 'warning',
        message: expect.stringContaining('the last activation here is sigmoid') as string,
      },
    ]);
  });
});
