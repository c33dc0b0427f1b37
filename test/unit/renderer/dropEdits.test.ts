/**
 * Direct manipulation: a layer dropped on an edge goes into it (or is refused with the shape that
 * would break), one dropped on a node with a free output is appended, and deleting a node from a
 * chain joins its neighbours when the shapes allow.
 */
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../../shared/graph/check';
import { buildTemplate, type TemplateId } from '../../../shared/templates/index';
import { fromGraph, NODE_H, NODE_W, toGraph } from '../../../renderer/store/graph';
import {
  edgeAt,
  nodeAt,
  withAppended,
  withDroppedOnEdge,
  withoutSelection,
} from '../../../renderer/store/dropEdits';
import { laidOut } from '../../../renderer/store/graphEdits';

function laid(id: TemplateId) {
  const g = fromGraph(buildTemplate(id).graph);
  return { nodes: laidOut(g), edges: g.edges };
}
const wiring = (g: ReturnType<typeof laid>) => g.edges.map((e) => `${e.source}>${e.target}`).sort();
const valid = (g: ReturnType<typeof laid>) => checkGraph(toGraph(g.nodes, g.edges)).valid;

describe('a layer dropped on an edge', () => {
  it('finds the edge under the pointer and goes into it, the graph still valid', () => {
    const g = laid('mlp');
    const a = g.nodes.find((n) => n.id === 'dense_1')!;
    const b = g.nodes.find((n) => n.id === 'dense_2')!;
    const mid = { x: a.position.x + NODE_W / 2 + 5, y: (a.position.y + NODE_H + b.position.y) / 2 };
    const edge = edgeAt(g, mid)!;
    expect([edge.source, edge.target]).toEqual(['dense_1', 'dense_2']);
    expect(edgeAt(g, { x: mid.x + 200, y: mid.y })).toBeUndefined();
    const r = withDroppedOnEdge(g, edge, 'Dropout');
    if (!r || 'refused' in r) throw new Error('expected an insertion');
    expect(r.id).toBe('dropout_1');
    expect(wiring(r.graph)).toContain('dense_1>dropout_1');
    expect(wiring(r.graph)).toContain('dropout_1>dense_2');
    expect(wiring(r.graph)).not.toContain('dense_1>dense_2');
    expect(valid(r.graph)).toBe(true);
  });

  it('is refused, with the reason, where its shape does not fit', () => {
    const g = laid('mlp');
    const edge = g.edges.find((e) => e.source === 'dense_1')!;
    const r = withDroppedOnEdge(g, edge, 'Conv2D');
    expect(r && 'refused' in r && r.refused).toMatch(
      /Conv 2D cannot go between dense_1 and dense_2: .*rank-4/,
    );
  });
});

describe('a layer dropped on a node', () => {
  it('is appended to a node whose output is free, and not to one already read', () => {
    const g = laid('mlp');
    const out = g.nodes.find((n) => n.id === 'output_1')!;
    expect(nodeAt(g, { x: out.position.x + 10, y: out.position.y + 10 })?.id).toBe('output_1');
    const dense = g.nodes.find((n) => n.id === 'dense_1')!;
    expect(withAppended(g, dense, 'Dropout')).toBeNull();
    const lone = { nodes: g.nodes.filter((n) => n.id === 'input_1'), edges: [] };
    const r = withAppended(lone, lone.nodes[0]!, 'Dense');
    if (!r || 'refused' in r) throw new Error('expected an append');
    expect(wiring(r.graph)).toEqual(['input_1>dense_1']);
    expect(r.graph.nodes.find((n) => n.id === 'dense_1')!.position.y).toBeGreaterThan(
      lone.nodes[0]!.position.y,
    );
  });
});

describe('deleting a node from a chain', () => {
  it('joins its neighbours when the shapes allow', () => {
    const g = laid('mlp');
    const sel = { ...g, nodes: g.nodes.map((n) => (n.id === 'dense_2' ? { ...n, selected: true } : n)) };
    const r = withoutSelection(sel);
    if (!r || 'refused' in r) throw new Error('expected a deletion');
    expect(wiring(r.graph)).toContain('dense_1>dense_3');
    expect(r.notice).toMatch(/joined dense_1 to dense_3/);
    expect(valid(r.graph)).toBe(true);
  });

  it('leaves the gap, and says why, when joining would break a shape', () => {
    const g = laid('cnn');
    const sel = { ...g, nodes: g.nodes.map((n) => (n.id === 'flatten_1' ? { ...n, selected: true } : n)) };
    const r = withoutSelection(sel);
    if (!r || 'refused' in r) throw new Error('expected a deletion');
    expect(r.graph.nodes.some((n) => n.id === 'flatten_1')).toBe(false);
    expect(wiring(r.graph)).not.toContain('maxpool2d_2>dense_1');
    expect(r.notice).toMatch(/was not joined/);
  });
});
