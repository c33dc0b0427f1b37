import { describe, expect, it } from 'vitest';
import { checkGraph, formatIssue, type CheckGraph } from '../../shared/graph/check';
import { topoOrder } from '../../shared/graph/topo';
import { toKerasModel } from '../../shared/keras/index';
import { defaultParams } from '../../shared/layers/params';
import { layerSpec, type LayerKind } from '../../shared/layers/index';

let edgeNo = 0;
function node(id: string, kind: LayerKind, params: Record<string, unknown> = {}) {
  return { id, kind, params: { ...defaultParams(layerSpec(kind)), ...params } };
}
function edge(source: string, target: string, targetPort = 'in') {
  return { id: `e${++edgeNo}`, source, target, targetPort };
}

describe('topological order', () => {
  it('orders inputs first and is stable', () => {
    const r = topoOrder(
      ['c', 'a', 'b'],
      [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
      ],
    );
    expect(r.order).toEqual(['a', 'b', 'c']);
    expect(r.cycle).toBeUndefined();
  });
  it('finds and spells out a cycle', () => {
    const r = topoOrder(
      ['a', 'b', 'c', 'd'],
      [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'c', target: 'b' },
        { source: 'c', target: 'd' },
      ],
    );
    expect(r.order).toEqual(['a']);
    expect(new Set(r.cycle)).toEqual(new Set(['b', 'c']));
  });
});

describe('checkGraph', () => {
  const mlp: CheckGraph = {
    nodes: [
      node('input_1', 'Input', { shape: [784] }),
      node('dense_1', 'Dense', { units: 128, activation: 'relu' }),
      node('dense_2', 'Dense', { units: 128, activation: 'relu' }),
      node('dense_3', 'Dense', { units: 10 }),
      node('softmax', 'Activation', { fn: 'softmax' }),
      node('output_1', 'Output', { targetShape: [10] }),
    ],
    edges: [
      edge('input_1', 'dense_1'),
      edge('dense_1', 'dense_2'),
      edge('dense_2', 'dense_3'),
      edge('dense_3', 'softmax'),
      edge('softmax', 'output_1'),
    ],
  };

  it('infers shapes with a symbolic batch axis and counts parameters with their arithmetic', () => {
    const r = checkGraph(mlp);
    expect(r.issues).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.nodes.get('dense_1')!.outputShape).toEqual(['batch', 128]);
    expect(r.nodes.get('dense_1')!.params!.arithmetic).toBe('784 × 128 + 128 = 100,480');
    expect(r.totals.params).toBe(118_282);
    expect(r.edgeShapes.get(mlp.edges[0]!.id)).toEqual(['batch', 784]);
    expect(r.order[0]).toBe('input_1');
  });

  it('names the node and port of a rank error and returns the standard fix as data', () => {
    const g: CheckGraph = {
      nodes: [node('input_1', 'Input', { shape: [784] }), node('conv', 'Conv2D'), node('out', 'Output')],
      edges: [edge('input_1', 'conv'), edge('conv', 'out')],
    };
    const r = checkGraph(g);
    const issue = r.issues.find((i) => i.nodeId === 'conv')!;
    expect(issue.port).toBe('in');
    expect(issue.message).toMatch(/rank-4 input \[batch, height, width, channels\]; got \[batch, 784\]/);
    expect(issue.message).toMatch(/Reshape to \[28, 28, 1\]/);
    expect(issue.fix).toEqual({
      label: expect.stringContaining('Reshape'),
      insert: { kind: 'Reshape', params: { targetShape: [28, 28, 1] } },
      before: { nodeId: 'conv', port: 'in' },
    });
    expect(formatIssue(issue)).toMatch(/^error: conv \(Conv2D\), port in: /);
  });

  it('offers a Flatten before the Dense when the prediction keeps image axes', () => {
    const g: CheckGraph = {
      nodes: [
        node('input_1', 'Input', { shape: [28, 28, 1] }),
        node('dense_1', 'Dense', { units: 10, activation: 'softmax' }),
        node('output_1', 'Output', { targetShape: [10] }),
      ],
      edges: [edge('input_1', 'dense_1'), edge('dense_1', 'output_1')],
    };
    const r = checkGraph(g);
    expect(r.valid).toBe(false);
    const issue = r.nodes.get('output_1')!.issues[0]!;
    expect(issue.message).toContain('The output is [batch, 28, 28, 10], the target is [batch, 10]');
    expect(issue.fix).toMatchObject({
      insert: { kind: 'Flatten' },
      before: { nodeId: 'dense_1', port: 'in' },
    });
    // Applying the fix makes the graph valid.
    const fixed: CheckGraph = {
      nodes: [...g.nodes, node('flatten_1', 'Flatten')],
      edges: [edge('input_1', 'flatten_1'), edge('flatten_1', 'dense_1'), edge('dense_1', 'output_1')],
    };
    expect(checkGraph(fixed).valid).toBe(true);
  });

  it('reports unconnected and doubly-connected ports, cycles and missing endpoints', () => {
    const g: CheckGraph = {
      nodes: [
        node('i', 'Input', { shape: [4] }),
        node('j', 'Input', { shape: [4] }),
        node('a', 'Dense', { units: 4 }),
        node('b', 'Dense', { units: 4 }),
        node('c', 'Dense', { units: 4 }),
        node('o', 'Output', { targetShape: [4] }),
      ],
      edges: [edge('i', 'a'), edge('j', 'a'), edge('b', 'c'), edge('c', 'b'), edge('ghost', 'o')],
    };
    const codes = checkGraph(g).issues.map((i) => i.code);
    expect(codes).toContain('port-multiple');
    expect(codes).toContain('cycle');
    expect(codes).toContain('dangling-edge');
    expect(codes).toContain('port-unconnected');
    const cycle = checkGraph(g).issues.find((i) => i.code === 'cycle')!;
    expect(cycle.message).toMatch(/b → c → b|c → b → c/);
  });

  it('allows several inputs and outputs', () => {
    const g: CheckGraph = {
      nodes: [
        node('a', 'Input', { shape: [8] }),
        node('b', 'Input', { shape: [8] }),
        node('sum', 'Add'),
        node('h', 'Dense', { units: 3, activation: 'softmax' }),
        node('r', 'Dense', { units: 1 }),
        node('o1', 'Output', { targetShape: [3] }),
        node('o2', 'Output', { targetShape: [1], loss: 'meanSquaredError' }),
      ],
      edges: [
        edge('a', 'sum', 'in1'),
        edge('b', 'sum', 'in2'),
        edge('sum', 'h'),
        edge('sum', 'r'),
        edge('h', 'o1'),
        edge('r', 'o2'),
      ],
    };
    const r = checkGraph(g);
    expect(r.issues).toEqual([]);
    expect(r.inputs).toEqual(['a', 'b']);
    expect(r.outputs).toEqual(['o1', 'o2']);
    const compiled = toKerasModel(g);
    expect(compiled.model.config.input_layers).toEqual([
      ['a', 0, 0],
      ['b', 0, 0],
    ]);
    expect(compiled.model.config.output_layers).toEqual([
      ['h', 0, 0],
      ['r', 0, 0],
    ]);
  });

  it('keeps a symbolic sequence length through sequence layers', () => {
    const g: CheckGraph = {
      nodes: [
        node('tokens', 'Input', { shape: [null], dtype: 'int32' }),
        node('emb', 'Embedding', { inputDim: 1000, outputDim: 16 }),
        node('attn', 'MultiHeadAttention', { numHeads: 2, keyDim: 8 }),
        node('pool', 'GlobalAvgPool1D'),
        node('head', 'Dense', { units: 1, activation: 'sigmoid' }),
        node('out', 'Output', { targetShape: [1] }),
      ],
      // Self-attention: one tensor on the query port; key and value fall back to it.
      edges: [
        edge('tokens', 'emb'),
        edge('emb', 'attn', 'query'),
        edge('attn', 'pool'),
        edge('pool', 'head'),
        edge('head', 'out'),
      ],
    };
    const r = checkGraph(g);
    expect(r.issues).toEqual([]);
    expect(r.nodes.get('emb')!.outputShape).toEqual(['batch', 'seq', 16]);
    expect(r.nodes.get('attn')!.outputShape).toEqual(['batch', 'seq', 16]);
    expect(r.nodes.get('pool')!.outputShape).toEqual(['batch', 16]);
  });

  it('refuses a softmax over a single unit and names the Output', () => {
    const g: CheckGraph = {
      nodes: [
        node('i', 'Input', { shape: [2] }),
        node('d', 'Dense', { units: 1, activation: 'softmax' }),
        node('o', 'Output', { targetShape: [1] }),
      ],
      edges: [edge('i', 'd'), edge('d', 'o')],
    };
    const issue = checkGraph(g).issues.find((i) => i.code === 'loss')!;
    expect(issue.nodeId).toBe('o');
    expect(issue.message).toMatch(/sigmoid/);
  });

  it('locates a bad parameter', () => {
    const g: CheckGraph = {
      nodes: [node('i', 'Input'), node('d', 'Dense', { units: 0 }), node('o', 'Output')],
      edges: [edge('i', 'd'), edge('d', 'o')],
    };
    const issue = checkGraph(g).issues.find((i) => i.code === 'bad-param')!;
    expect(issue).toMatchObject({ nodeId: 'd', param: 'units' });
    expect(issue.message).toMatch(/between 1 and 1000000; got 0/);
  });
});
