import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../../shared/graph/check';
import { flatGraph } from '../../../shared/graph/blocks';
import { groupIntoBlock, ungroupBlock } from '../../../shared/graph/grouping';
import type { Graph, GraphNode } from '../../../shared/ir/schema';
import { graphSchema } from '../../../shared/ir/schema';
import { toKerasModel } from '../../../shared/keras/index';

const node = (id: string, kind: string, params: GraphNode['params'], y: number): GraphNode => ({
  id,
  kind,
  params,
  position: { x: 0, y },
});
const edge = (source: string, target: string, targetPort = 'in', id = `${source}-${target}`) => ({
  id,
  source,
  target,
  targetPort,
});

/** input(16) → dense_0(16) → [dense_a(16, relu) → add(dense_0, dense_a)] → dense_out(10, softmax) → output */
function residual(): Graph {
  return {
    nodes: [
      node('input_1', 'Input', { shape: [16] }, 0),
      node('dense_0', 'Dense', { units: 16 }, 100),
      node('dense_a', 'Dense', { units: 16, activation: 'relu' }, 200),
      node('add_1', 'Add', { inputs: 2 }, 300),
      node('dense_out', 'Dense', { units: 10, activation: 'softmax' }, 400),
      node('output_1', 'Output', { loss: 'categoricalCrossentropy' }, 500),
    ],
    edges: [
      edge('input_1', 'dense_0'),
      edge('dense_0', 'dense_a'),
      edge('dense_0', 'add_1', 'in1'),
      edge('dense_a', 'add_1', 'in2'),
      edge('add_1', 'dense_out'),
      edge('dense_out', 'output_1'),
    ],
  };
}

describe('blocks', () => {
  it('grouping keeps the model: same parameters, same output shape, valid, and the schema accepts it', () => {
    const g = residual();
    const before = checkGraph(g);
    expect(before.valid).toBe(true);
    const res = groupIntoBlock(g, ['dense_a', 'add_1'], 'Residual');
    if (!res.ok) throw new Error(res.reason);
    expect(graphSchema.safeParse(res.graph).success).toBe(true);
    const after = checkGraph(res.graph);
    expect(after.issues).toEqual([]);
    expect(after.totals.params).toBe(before.totals.params);
    const block = after.nodes.get(res.id)!;
    expect(block.kind).toBe('Block');
    expect(block.outputShape).toEqual(['batch', 16]);
    expect(block.inputShapes).toEqual([['batch', 16]]);
    expect(block.params?.total).toBe(16 * 16 + 16);
    // Every model consumer reads the flattened graph: the Keras model has the block's layers.
    const names = toKerasModel(res.graph).model.config.layers.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining([`${res.id}__dense_a`, `${res.id}__add_1`]));
  });

  it('a repeated block chains its copies; each copy has its own weights', () => {
    const res = groupIntoBlock(residual(), ['dense_a', 'add_1']);
    if (!res.ok) throw new Error(res.reason);
    const g = res.graph;
    const repeated: Graph = {
      ...g,
      nodes: g.nodes.map((n) => (n.id === res.id ? { ...n, params: { ...n.params, repeat: 3 } } : n)),
    };
    const r = checkGraph(repeated);
    expect(r.valid).toBe(true);
    expect(r.nodes.get(res.id)!.params?.total).toBe(3 * (16 * 16 + 16));
    expect(r.totals.params).toBe(checkGraph(residual()).totals.params + 2 * (16 * 16 + 16));
    const flat = flatGraph(repeated).nodes.map((n) => n.id);
    expect(flat).toEqual(expect.arrayContaining([`${res.id}__1__dense_a`, `${res.id}__3__add_1`]));
    // Ungrouping a repeated block gives the same model, with plain layers.
    const un = ungroupBlock(repeated, res.id);
    if (!un.ok) throw new Error(un.reason);
    expect(un.graph.nodes.some((n) => n.kind === 'Block')).toBe(false);
    expect(un.graph.blocks ?? []).toEqual([]);
    // The unrolled copies sit above what followed the block (it moves down, nothing overlaps).
    const y = (id: string) => un.graph.nodes.find((n) => n.id === id)!.position.y;
    const copies = un.graph.nodes.filter((n) => /^(dense_a|add_1)/.test(n.id)).map((n) => n.position.y);
    expect(copies).toHaveLength(6);
    expect(y('dense_out')).toBeGreaterThan(Math.max(...copies));
    const ru = checkGraph(un.graph);
    expect(ru.valid).toBe(true);
    expect(ru.totals.params).toBe(r.totals.params);
  });

  it('ungroup restores the original graph model', () => {
    const g = residual();
    const res = groupIntoBlock(g, ['dense_a', 'add_1']);
    if (!res.ok) throw new Error(res.reason);
    const un = ungroupBlock(res.graph, res.id);
    if (!un.ok) throw new Error(un.reason);
    expect(new Set(un.graph.nodes.map((n) => n.id))).toEqual(new Set(g.nodes.map((n) => n.id)));
    const pairs = (x: Graph) => new Set(x.edges.map((e) => `${e.source}>${e.target}.${e.targetPort}`));
    expect(pairs(un.graph)).toEqual(pairs(g));
  });

  it('refuses selections that cannot be a block, with the reason', () => {
    const g = residual();
    const two = groupIntoBlock(g, ['dense_0', 'dense_a']);
    expect(two).toEqual({ ok: false, reason: expect.stringContaining('one output') });
    expect(groupIntoBlock(g, ['input_1', 'dense_0'])).toEqual({
      ok: false,
      reason: expect.stringContaining('Inputs'),
    });
    expect(groupIntoBlock(g, [])).toMatchObject({ ok: false });
  });

  it('problems inside or with a block are located on the Block node', () => {
    const res = groupIntoBlock(residual(), ['dense_a', 'add_1']);
    if (!res.ok) throw new Error(res.reason);
    const unknown: Graph = {
      ...res.graph,
      nodes: res.graph.nodes.map((n) => (n.id === res.id ? { ...n, params: { block: 'nope' } } : n)),
    };
    const r = checkGraph(unknown);
    expect(r.valid).toBe(false);
    expect(r.issues.find((i) => i.code === 'block')?.nodeId).toBe(res.id);
    // A shape mismatch inside: the definition's Dense gets 8 units, the Add cannot add 16 and 8.
    const bad: Graph = {
      ...res.graph,
      blocks: res.graph.blocks!.map((b) => ({
        ...b,
        nodes: b.nodes.map((n) => (n.id === 'dense_a' ? { ...n, params: { ...n.params, units: 8 } } : n)),
      })),
    };
    const rb = checkGraph(bad);
    expect(rb.valid).toBe(false);
    const issue = rb.issues.find((i) => i.code === 'shape')!;
    expect(issue.nodeId).toBe(res.id);
    expect(issue.message).toMatch(/^add_1: /);
    expect(rb.nodes.get(res.id)!.issues.length).toBeGreaterThan(0);
  });

  it('a block that contains itself is refused, not expanded forever', () => {
    const res = groupIntoBlock(residual(), ['dense_a', 'add_1']);
    if (!res.ok) throw new Error(res.reason);
    const def = res.graph.blocks![0]!;
    const selfish: Graph = {
      ...res.graph,
      blocks: [{ ...def, nodes: [...def.nodes, node('again', 'Block', { block: def.id }, 0)] }],
    };
    const r = checkGraph(selfish);
    expect(r.issues.some((i) => i.code === 'block' && /contains itself/.test(i.message))).toBe(true);
  });
});

describe('the block library', () => {
  it('a block goes out with the blocks it uses and comes back under fresh ids and free names', async () => {
    const { blockWithUses, withBlockBundle } = await import('../../../shared/graph/library');
    const res = groupIntoBlock(residual(), ['dense_a', 'add_1'], 'Residual');
    if (!res.ok) throw new Error(res.reason);
    const inner = res.graph.blocks![0]!;
    const outer = {
      id: 'block_9',
      name: 'Twice',
      nodes: [
        node('in_1', 'BlockInput', { index: 1 }, 0),
        node('r', 'Block', { block: inner.id, repeat: 2 }, 100),
        node('out_1', 'BlockOutput', {}, 200),
      ],
      edges: [edge('in_1', 'r'), edge('r', 'out_1')],
    };
    const bundle = blockWithUses([inner, outer], 'block_9')!;
    expect(bundle.uses.map((b) => b.id)).toEqual([inner.id]);
    const into = withBlockBundle([inner], bundle);
    expect(into.blocks.map((b) => b.name)).toEqual(['Residual', 'Twice', 'Residual (2)']);
    const twice = into.blocks.find((b) => b.id === into.id)!;
    const ref = twice.nodes.find((n) => n.kind === 'Block')!.params.block;
    expect(ref).not.toBe(inner.id);
    expect(into.blocks.some((b) => b.id === ref && b.name === 'Residual (2)')).toBe(true);
    // Used in a graph, the imported block is the same model as the original.
    const g: Graph = {
      ...res.graph,
      nodes: res.graph.nodes.map((n) =>
        n.id === res.id ? { ...n, params: { block: into.id, repeat: 1 } } : n,
      ),
      blocks: into.blocks,
    };
    expect(checkGraph(g).valid).toBe(true);
    expect(checkGraph(g).totals.params).toBe(checkGraph(residual()).totals.params + (16 * 16 + 16));
  });
});

describe('diff through blocks', () => {
  it('an edit inside a block definition shows on the Block node', async () => {
    const { diffGraphs } = await import('../../../shared/graph/diff');
    const res = groupIntoBlock(residual(), ['dense_a', 'add_1'], 'Residual');
    if (!res.ok) throw new Error(res.reason);
    const edited: Graph = {
      ...res.graph,
      blocks: res.graph.blocks!.map((b) => ({
        ...b,
        nodes: b.nodes.map((n) =>
          n.id === 'dense_a' ? { ...n, params: { ...n.params, activation: 'tanh' } } : n,
        ),
      })),
    };
    const d = diffGraphs(res.graph, edited);
    expect(d.changed).toEqual([
      {
        id: res.id,
        kind: 'Block',
        params: { inside: [null, expect.stringContaining('dense_a (Dense): activation relu → tanh')] },
      },
    ]);
    expect(diffGraphs(res.graph, res.graph).changed).toEqual([]);
  });
});

describe('hostile blocks', () => {
  it('blocks nested and repeated past the layer budget are refused quickly, not expanded', () => {
    // Six levels of a block used ×64 inside the next: 64^6 layers if expanded.
    const level = (i: number) => ({
      id: `b${i}`,
      name: `Level ${i}`,
      nodes: [
        node('in_1', 'BlockInput', { index: 1 }, 0),
        i === 0
          ? node('d', 'Dense', { units: 4 }, 100)
          : node('d', 'Block', { block: `b${i - 1}`, repeat: 64 }, 100),
        node('out_1', 'BlockOutput', {}, 200),
      ],
      edges: [edge('in_1', 'd'), edge('d', 'out_1')],
    });
    const g: Graph = {
      nodes: [
        node('input_1', 'Input', { shape: [4] }, 0),
        node('big', 'Block', { block: 'b5', repeat: 64 }, 100),
        node('output_1', 'Output', { loss: 'meanSquaredError', targetShape: [4] }, 200),
      ],
      edges: [edge('input_1', 'big'), edge('big', 'output_1')],
      blocks: [0, 1, 2, 3, 4, 5].map(level),
    };
    // Expanded, this would never end; refused, it ends (within the test's own timeout).
    const r = checkGraph(g);
    expect(r.valid).toBe(false);
    expect(r.issues.some((i) => i.code === 'block' && /more than 100,000 layers/.test(i.message))).toBe(true);
  });
});
