/**
 * Blocks: a subgraph defined once (`graph.blocks`) and used by Block nodes, each use linked to the
 * one definition, optionally repeated ×N (copies chained output to input). Every consumer that
 * builds a model (the checker, training, weights, exports, summary) sees through blocks by reading
 * the flattened graph made here: a block's layers get ids `<block node>__<inner id>` (with
 * `__<copy>` between for repeats), so each use has its own weights.
 */
import { BLOCK_INPUT, BLOCK_KIND, BLOCK_OUTPUT } from '../ir/schema';
import type { CheckBlock, CheckEdge, CheckGraph, CheckNode, GraphIssue } from './check/types';

export const BLOCK_SEP = '__';
/** Blocks inside blocks, at most this deep. */
const MAX_DEPTH = 8;
export const MAX_REPEAT = 64;
/** Blocks in blocks, repeated, multiply: the expanded model may have at most this many layers. */
export const MAX_FLAT_NODES = 100_000;

/** One use of a block in the graph (top level). */
export interface BlockUse {
  /** The Block node's id. */
  instance: string;
  /** The definition's id. */
  block: string;
  repeat: number;
  /** The flat id of the node whose output is the block's output (its last copy), if any. */
  output: string | undefined;
  /** Flat ids of the block's layers. */
  members: string[];
}

export interface Flattened {
  /** The same model with no Block nodes. */
  graph: CheckGraph;
  /** Problems with the blocks themselves, each located at the top-level Block node. */
  issues: GraphIssue[];
  uses: Map<string, BlockUse>;
  /** Flat node id → the top-level node it belongs to (itself when it is not inside a block). */
  owner: Map<string, string>;
  /** Definition → the flat id prefix of each copy of it (`<node>__`, `<node>__2__`, nested ones too). */
  copies: Map<string, string[]>;
}

interface Target {
  node: string;
  port: string;
}

/** The input ports of a block: `in` for one input, `in1`…`inK` for more (like the merge layers). */
export function blockPortNames(def: CheckBlock): string[] {
  const k = def.nodes.filter((n) => n.kind === BLOCK_INPUT).length;
  return k === 1 ? ['in'] : Array.from({ length: k }, (_, i) => `in${i + 1}`);
}

/** The BlockInput nodes of a definition in port order (by their `index` parameter). */
export function blockInputs(def: CheckBlock): CheckNode[] {
  return def.nodes
    .filter((n) => n.kind === BLOCK_INPUT)
    .sort((a, b) => Number(a.params.index ?? 0) - Number(b.params.index ?? 0));
}

export function repeatOf(node: CheckNode): number {
  const r = node.params.repeat;
  return r === undefined ? 1 : typeof r === 'number' ? r : NaN;
}

export function hasBlocks(graph: CheckGraph): boolean {
  return graph.nodes.some((n) => n.kind === BLOCK_KIND);
}

/** What a level of the graph (the top, or one copy of a block) turned into. */
interface Level {
  /** Block node → the flat id giving its output. */
  out: Map<string, string>;
  ins: Map<string, Target[]>;
  /** For a block's copy: where each BlockInput's tensor goes, and the output node. */
  inputTargets: Target[][];
  output: string | undefined;
}

class Flattener {
  readonly nodes: CheckNode[] = [];
  readonly edges: CheckEdge[] = [];
  readonly issues: GraphIssue[] = [];
  /** Block node (flat path) → the flat id of the node giving its output. */
  readonly outputs = new Map<string, string>();
  /** Definition → the flat id prefix of each of its copies, in graph order (nested uses too). */
  readonly copies = new Map<string, string[]>();
  private readonly defs: Map<string, CheckBlock>;
  private top = '';
  /** Set once the expansion passed MAX_FLAT_NODES: nothing more is expanded. */
  private overflow = false;

  constructor(blocks: readonly CheckBlock[]) {
    this.defs = new Map(blocks.map((b) => [b.id, b]));
  }

  problem(message: string): void {
    this.issues.push({ severity: 'error', code: 'block', message, nodeId: this.top, kind: BLOCK_KIND });
  }

  level(nodes: readonly CheckNode[], edges: readonly CheckEdge[], prefix: string, stack: string[]): Level {
    const lv: Level = { out: new Map(), ins: new Map(), inputTargets: [], output: undefined };
    for (const n of nodes) {
      if (prefix === '') this.top = n.id;
      if (n.kind === BLOCK_INPUT || n.kind === BLOCK_OUTPUT) {
        if (prefix === '') this.problem(`${n.id}: a ${n.kind} belongs inside a block's definition.`);
        continue;
      }
      if (n.kind === BLOCK_KIND) {
        this.block(n, prefix, stack, lv);
        continue;
      }
      if (prefix !== '' && (n.kind === 'Input' || n.kind === 'Output'))
        this.problem(`${n.id}: a block holds no ${n.kind} layer; its inputs and output are its ports.`);
      if (this.nodes.length >= MAX_FLAT_NODES) {
        if (!this.overflow)
          this.problem(
            `${n.id}: the blocks expand to more than ${MAX_FLAT_NODES.toLocaleString('en-US')} layers.`,
          );
        this.overflow = true;
        return lv;
      }
      this.nodes.push({ ...n, id: prefix + n.id });
    }
    const inputIndex = new Map(
      nodes.filter((n) => n.kind === BLOCK_INPUT).map((n) => [n.id, Number(n.params.index ?? 1)]),
    );
    const outputs = new Set(nodes.filter((n) => n.kind === BLOCK_OUTPUT).map((n) => n.id));
    const blocks = new Set(nodes.filter((n) => n.kind === BLOCK_KIND).map((n) => n.id));
    for (const e of edges) {
      // A Block node's ports lead to its layers (none when the block could not be expanded).
      const targets = outputs.has(e.target)
        ? []
        : blocks.has(e.target)
          ? (lv.ins.get(`${e.target}\u0000${e.targetPort}`) ?? [])
          : [{ node: prefix + e.target, port: e.targetPort }];
      const k = inputIndex.get(e.source);
      if (k !== undefined) {
        (lv.inputTargets[k - 1] ??= []).push(...targets);
        continue;
      }
      const source = blocks.has(e.source) ? lv.out.get(e.source) : prefix + e.source;
      if (outputs.has(e.target)) {
        lv.output = source;
        continue;
      }
      if (source === undefined) continue;
      targets.forEach((t, i) =>
        this.edges.push({
          id: prefix + e.id + (i > 0 ? `${BLOCK_SEP}${i}` : ''),
          source,
          target: t.node,
          targetPort: t.port,
        }),
      );
    }
    return lv;
  }

  /** Expands one Block node into `lv`: its copies' layers, chained, and where its ports lead. */
  private block(n: CheckNode, prefix: string, stack: string[], lv: Level): void {
    const blockId = n.params.block;
    const def = typeof blockId === 'string' ? this.defs.get(blockId) : undefined;
    const repeat = repeatOf(n);
    if (!def)
      return this.problem(`${n.id}: the block ${JSON.stringify(blockId)} is not defined in this project.`);
    if (stack.includes(def.id) || stack.length >= MAX_DEPTH)
      return this.problem(
        `${n.id}: the block ${def.name} contains itself (or blocks nest over ${MAX_DEPTH} deep).`,
      );
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT)
      return this.problem(`${n.id}: repeat must be a whole number from 1 to ${MAX_REPEAT}.`);
    const ports = blockPortNames(def);
    if (repeat > 1 && ports.length !== 1)
      return this.problem(
        `${n.id}: only a block with one input can be repeated (its output feeds the next copy); ${def.name} has ${ports.length}.`,
      );
    let first: Level | undefined;
    let previous: string | undefined;
    for (let k = 1; k <= repeat && !this.overflow; k++) {
      const copyPrefix = `${prefix}${n.id}${BLOCK_SEP}${repeat > 1 ? `${k}${BLOCK_SEP}` : ''}`;
      const inner = this.level(def.nodes, def.edges, copyPrefix, [...stack, def.id]);
      (this.copies.get(def.id) ?? this.copies.set(def.id, []).get(def.id)!).push(copyPrefix);
      first ??= inner;
      if (inner.output === undefined)
        return this.problem(`${n.id}: nothing is connected to ${def.name}'s output.`);
      if (previous !== undefined)
        for (const t of inner.inputTargets[0] ?? [])
          this.edges.push({
            id: `${t.node}${BLOCK_SEP}chain`,
            source: previous,
            target: t.node,
            targetPort: t.port,
          });
      previous = inner.output;
    }
    const sorted = blockInputs(def);
    ports.forEach((port, i) => {
      const k = Number(sorted[i]?.params.index ?? i + 1);
      lv.ins.set(`${n.id}\u0000${port}`, first?.inputTargets[k - 1] ?? []);
    });
    if (previous !== undefined) {
      lv.out.set(n.id, previous);
      this.outputs.set(prefix + n.id, previous);
    }
  }
}

const memo = new WeakMap<CheckGraph, Flattened | null>();

/** The graph with its blocks expanded, or null when it uses none (then it is its own flat form). */
export function flattenBlocks(graph: CheckGraph): Flattened | null {
  const known = memo.get(graph);
  if (known !== undefined) return known;
  let result: Flattened | null = null;
  if (hasBlocks(graph)) {
    const f = new Flattener(graph.blocks ?? []);
    f.level(graph.nodes, graph.edges, '', []);
    const uses = new Map<string, BlockUse>();
    const owner = new Map<string, string>();
    for (const n of graph.nodes) owner.set(n.id, n.id);
    for (const n of graph.nodes) {
      if (n.kind !== BLOCK_KIND) continue;
      const members = f.nodes.filter((m) => m.id.startsWith(n.id + BLOCK_SEP)).map((m) => m.id);
      for (const m of members) owner.set(m, n.id);
      uses.set(n.id, {
        instance: n.id,
        block: String(n.params.block),
        repeat: repeatOf(n),
        output: f.outputs.get(n.id),
        members,
      });
    }
    result = { graph: { nodes: f.nodes, edges: f.edges }, issues: f.issues, uses, owner, copies: f.copies };
  }
  memo.set(graph, result);
  return result;
}

/** The graph every model consumer reads: blocks expanded. */
export function flatGraph(graph: CheckGraph): CheckGraph {
  return flattenBlocks(graph)?.graph ?? graph;
}
