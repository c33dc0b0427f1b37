/**
 * Netloom's TransformerEncoderBlock, found again after the op-by-op import: its export writes
 * attention, residual Adds, LayerNormalization (epsilon 1e-5) and the two feed-forward MatMuls, which
 * import as those layers. Where they form exactly the block (pre- or post-norm, nothing else reading
 * the inside), they are replaced by one TransformerEncoderBlock with the same weights; a graph built
 * from separate layers (other epsilons, other wiring) keeps its layers. Either way the maths is equal.
 */
/** The LayerNormalization epsilon inside the engine's encoder block (what its export writes). */
const BLOCK_EPSILON = 1e-5;
import type { HostWeight, ImportedEdge, ImportedModel, ImportedNode } from './types';

type Graph = Pick<ImportedModel, 'nodes' | 'edges' | 'weights' | 'outputs'>;

const ATTENTION_WEIGHTS = ['query', 'key', 'value', 'attention_output'].flatMap((p) => [
  `${p}_kernel`,
  `${p}_bias`,
]);

interface Block {
  x: string;
  norm: 'pre' | 'post';
  attention: ImportedNode;
  norms: [ImportedNode, ImportedNode];
  ffn: [ImportedNode, ImportedNode];
  /** Every node of the block; the first gives its id, the last its output. */
  members: ImportedNode[];
}

function finder(g: Graph) {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const outs = (id: string) => g.edges.filter((e) => e.source === id);
  const ins = (id: string) => g.edges.filter((e) => e.target === id);
  /** The only node reading `id` (of `kind`), when `id` is no model output. */
  const next = (id: string, kind: string) => {
    const o = outs(id);
    const n = o.length === 1 && !g.outputs.includes(id) ? byId.get(o[0]!.target) : undefined;
    return n?.kind === kind ? n : undefined;
  };
  const sources = (id: string) =>
    ins(id)
      .map((e) => e.source)
      .sort();
  const isNorm = (n: ImportedNode | undefined) =>
    n?.kind === 'LayerNormalization' &&
    Math.abs((n.params.epsilon as number) - BLOCK_EPSILON) < 1e-9 &&
    n.params.center === true &&
    n.params.scale === true;
  /** Dense (relu or gelu) → Dense (linear) after `from`, both with biases. */
  const ffn = (first: ImportedNode | undefined) => {
    const second = first && next(first.id, 'Dense');
    const ok =
      first?.kind === 'Dense' &&
      ['relu', 'gelu'].includes(first.params.activation as string) &&
      first.params.useBias === true &&
      second?.params.activation === 'linear' &&
      second.params.useBias === true;
    return ok ? ([first, second] as [ImportedNode, ImportedNode]) : undefined;
  };
  return { byId, outs, ins, next, sources, isNorm, ffn };
}

/** The block around attention node `a`, if it is one. */
function blockAt(g: Graph, a: ImportedNode): Block | undefined {
  const f = finder(g);
  const p = a.params;
  if (p.useBias !== true || p.causal === true || p.valueDim !== p.keyDim || f.ins(a.id).length !== 1)
    return undefined;
  const before = f.byId.get(f.ins(a.id)[0]!.source);
  const add1 = f.next(a.id, 'Add');
  if (!before || !add1) return undefined;
  const pre = f.isNorm(before) && f.outs(before.id).length === 1 && f.ins(before.id).length === 1;
  const x = pre ? f.ins(before.id)[0]!.source : before.id;
  if (f.sources(add1.id).join() !== [x, a.id].sort().join()) return undefined;
  if (pre) {
    const norm2 = f
      .outs(add1.id)
      .map((e) => f.byId.get(e.target))
      .find((n) => f.isNorm(n));
    const ffn = f.ffn(norm2 && f.next(norm2.id, 'Dense'));
    const add2 = ffn && f.next(ffn[1].id, 'Add');
    const wired = f.outs(add1.id).length === 2 && f.outs(norm2?.id ?? '').length === 1;
    if (!wired || !norm2 || !f.isNorm(norm2) || !ffn || !add2) return undefined;
    if (f.sources(add2.id).join() !== [add1.id, ffn[1].id].sort().join()) return undefined;
    const members = [before, a, add1, norm2, ...ffn, add2];
    return { x, norm: 'pre', attention: a, norms: [before, norm2], ffn, members };
  }
  const norm1 = f.next(add1.id, 'LayerNormalization');
  const branches = norm1 ? f.outs(norm1.id) : [];
  const ffn =
    branches.length === 2 ? branches.map((e) => f.ffn(f.byId.get(e.target))).find(Boolean) : undefined;
  const add2 = ffn && f.next(ffn[1].id, 'Add');
  const norm2 = add2 && f.next(add2.id, 'LayerNormalization');
  if (!norm1 || !f.isNorm(norm1) || !ffn || !add2 || !norm2 || !f.isNorm(norm2)) return undefined;
  if (f.sources(add2.id).join() !== [norm1.id, ffn[1].id].sort().join()) return undefined;
  const members = [a, add1, norm1, ...ffn, add2, norm2];
  return { x, norm: 'post', attention: a, norms: [norm1, norm2], ffn, members };
}

/** The block around `a` when nothing outside it reads its inside. */
function sealedBlockAt(g: Graph, a: ImportedNode): Block | undefined {
  const b = blockAt(g, a);
  return b && b.members.slice(0, -1).every((n) => !g.outputs.includes(n.id)) ? b : undefined;
}

function weightsOf(g: Graph, b: Block): Record<string, HostWeight> | undefined {
  const att = g.weights.get(b.attention.id) ?? {};
  const out: Record<string, HostWeight> = {};
  for (const k of ATTENTION_WEIGHTS) if (att[k]) out[k] = att[k];
  const copy = (n: ImportedNode, from: string, to: string) => {
    const w = g.weights.get(n.id)?.[from];
    if (w) out[to] = w;
  };
  b.norms.forEach((n, i) => {
    copy(n, 'gamma', `norm${i + 1}_gamma`);
    copy(n, 'beta', `norm${i + 1}_beta`);
  });
  b.ffn.forEach((n, i) => {
    copy(n, 'kernel', `ffn${i + 1}_kernel`);
    copy(n, 'bias', `ffn${i + 1}_bias`);
  });
  return Object.keys(out).length === 16 ? out : undefined;
}

function replace(g: Graph, b: Block, weights: Record<string, HostWeight>): void {
  const first = b.members[0]!;
  const last = b.members.at(-1)!;
  const inside = new Set(b.members.map((n) => n.id));
  const node: ImportedNode = {
    id: first.id,
    kind: 'TransformerEncoderBlock',
    params: {
      numHeads: b.attention.params.numHeads!,
      keyDim: b.attention.params.keyDim!,
      ffDim: b.ffn[0].params.units!,
      dropout: 0,
      norm: b.norm,
      activation: b.ffn[0].params.activation!,
    },
    ...(first.name ? { name: first.name } : {}),
  };
  const after: ImportedEdge[] = g.edges
    .filter((e) => e.source === last.id && !inside.has(e.target))
    .map((e) => ({ ...e, source: node.id }));
  const kept = g.edges.filter((e) => !inside.has(e.source) && !inside.has(e.target));
  g.edges.splice(0, g.edges.length, ...kept, { source: b.x, target: node.id, targetPort: 'in' }, ...after);
  const at = g.nodes.indexOf(first);
  g.nodes.splice(at, 1, node);
  for (const n of b.members.slice(1)) g.nodes.splice(g.nodes.indexOf(n), 1);
  for (const n of b.members) g.weights.delete(n.id);
  g.weights.set(node.id, weights);
  g.outputs.forEach((o, i) => {
    if (o === last.id) g.outputs[i] = node.id;
  });
}

/** Replaces every exact Transformer encoder block made of separate layers by one block layer. */
export function encoderBlocks(g: Graph): void {
  for (const a of g.nodes.filter((n) => n.kind === 'MultiHeadAttention')) {
    const b = sealedBlockAt(g, a);
    const w = b && weightsOf(g, b);
    if (b && w) replace(g, b, w);
  }
}
