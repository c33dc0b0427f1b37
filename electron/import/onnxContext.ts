/**
 * The state of one ONNX import while its graph is walked: what every ONNX value is (a Netloom
 * layer's output in some layout, a constant, a symbolic shape), the layers made so far with their
 * edges and weights, and the helpers the op mappings share (located refusals, single-consumer checks,
 * output shapes from the catalog).
 */
import { layerSpec, type LayerKind } from '../../shared/layers/index';
import { defaultParams } from '../../shared/layers/params';
import type { Dim, Shape } from '../../shared/layers/shape';
import type { ParamValue } from '../../shared/ir/schema';
import type { Const, OnnxGraph, OnnxNode } from './onnxRead';
import {
  type HostWeight,
  idFrom,
  type ImportedEdge,
  ImportError,
  type ImportedNode,
  UnsupportedList,
} from './types';

/**
 * How an ONNX value's axes relate to the Netloom tensor it stands for: the same (`last`), channels
 * first (`first`, ONNX N, C, H, W of Netloom's N, H, W, C), flattened from channels first
 * (`flatFirst`, with the ONNX dims C, H, W), time first (`time`, T, N, F), a global pool that kept
 * its axes (`pooled`, N, C, 1, 1), one time step kept as an axis (`step`, N, 1, F), or a recurrent op's raw outputs (Y [T, D, N, U], Y_h [D, N, U],
 * and those with the batch moved first, or the directions moved next to the units: T, N, D, U).
 */
export type Layout =
  | { k: 'last' }
  | { k: 'first' }
  | { k: 'flatFirst'; dims: number[] }
  | { k: 'time' }
  | { k: 'step' }
  | { k: 'pooled'; spatial: number }
  | { k: 'rnnY' | 'rnnYbt' | 'rnnYtb' | 'rnnH' | 'rnnHb'; dirs: number };

export interface TensorVal {
  t: 'tensor';
  id: string;
  /** The Netloom tensor's shape, batch first. */
  shape: Shape;
  layout: Layout;
  dtype: 'float32' | 'int32';
}

/** An ONNX value: a layer output, a constant, a symbolic int64 shape, zeros of a computed shape, or unknown. */
export type Val =
  | TensorVal
  | { t: 'const'; c: Const }
  | { t: 'shape'; dims: Dim[]; scalar: boolean }
  | { t: 'zeros' }
  | { t: 'unknown' };

export const LAST: Layout = { k: 'last' };

/** Appends to the list under `key` (in place: a value read by thousands of nodes stays linear). */
function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

export class Ctx {
  readonly vals = new Map<string, Val>();
  readonly nodes: ImportedNode[] = [];
  readonly edges: ImportedEdge[] = [];
  readonly weights = new Map<string, Record<string, HostWeight>>();
  readonly unsupported = new UnsupportedList();
  /** Nodes a pattern has taken (they are not walked on their own). */
  readonly done = new Set<number>();
  /**
   * Patterns found before the walk, by the node they are made at (their first compute node): how to
   * make them, and the values they set besides that node's own outputs.
   */
  readonly planned = new Map<number, { run: (c: Ctx, n: OnnxNode) => void; outputs: string[] }>();
  channelsFirst = false;
  private readonly taken = new Set<string>();
  private readonly users = new Map<string, OnnxNode[]>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly aliases = new Map<string, string[]>();
  private readonly byId = new Map<string, ImportedNode>();
  private readonly shapes = new Map<string, Shape>();
  private readonly outputs: Set<string>;

  constructor(readonly g: OnnxGraph) {
    for (const [name, c] of g.consts) this.vals.set(name, { t: 'const', c });
    for (const n of g.nodes) {
      for (const i of n.inputs) if (i) push(this.users, i, n);
      for (const o of n.outputs) if (o) this.producers.set(o, n);
    }
    this.outputs = new Set(g.outputs);
  }

  /** Refuses the model at node `n`. */
  refuse(n: OnnxNode, why: string): never {
    throw new ImportError(`${n.name} (${n.op}): ${why}`);
  }

  uses(v: string): OnnxNode[] {
    return this.users.get(v) ?? [];
  }

  producer(v: string): OnnxNode | undefined {
    return this.producers.get(v);
  }

  /** The only node reading `v` (of type `op`), when `v` is not also a graph output. */
  only(v: string | undefined, op?: string): OnnxNode | undefined {
    if (v === undefined) return undefined;
    const u = this.uses(v);
    if (u.length !== 1 || this.outputs.has(v) || this.done.has(u[0]!.index)) return undefined;
    return op === undefined || u[0]!.op === op ? u[0] : undefined;
  }

  isOutput(v: string): boolean {
    return this.outputs.has(v);
  }

  constOf(v: string | undefined): Const | undefined {
    const x = v ? this.vals.get(v) : undefined;
    return x?.t === 'const' ? x.c : undefined;
  }

  /** A float constant's values. */
  floats(v: string | undefined): Float32Array | undefined {
    return this.constOf(v)?.float;
  }

  /** An integer constant's values. */
  ints(v: string | undefined): number[] | undefined {
    return this.constOf(v)?.ints;
  }

  /** The Netloom tensor `v` stands for; refused when it is a constant or has no Netloom counterpart. */
  tensor(n: OnnxNode, v: string | undefined): TensorVal {
    const x = v ? this.vals.get(v) : undefined;
    if (x?.t === 'tensor') return x;
    return this.refuse(n, `its input ${v || '(none)'} is not a tensor Netloom can compute here.`);
  }

  set(v: string | undefined, val: Val): void {
    if (!v) return;
    this.vals.set(v, val);
    if (val.t === 'tensor') push(this.aliases, val.id, v);
  }

  node(id: string): ImportedNode | undefined {
    return this.byId.get(id);
  }

  /**
   * Whether layer `id` may still change: no layer reads it yet, and its ONNX values are read by the
   * chain of ops that led to `x` only, `x` itself by the nodes of `pattern` only.
   */
  exclusive(id: string, x: string, pattern: readonly OnnxNode[]): boolean {
    if (this.edges.some((e) => e.source === id)) return false;
    const own = new Set(pattern.map((p) => p.index));
    return (this.aliases.get(id) ?? []).every((v) => {
      const others = this.uses(v).filter((u) => !own.has(u.index)).length;
      return !this.outputs.has(v) && others <= (v === x ? 0 : 1);
    });
  }

  outputShape(n: OnnxNode, kind: LayerKind, params: Record<string, ParamValue>, inputs: Shape[]): Shape {
    const spec = layerSpec(kind);
    try {
      return spec.outputShape(inputs, { ...defaultParams(spec), ...params } as never);
    } catch (e) {
      return this.refuse(n, `as a Netloom ${kind}: ${(e as Error).message}`);
    }
  }

  /** Adds a layer reading the tensors `inputs` (value name, port); returns its output. */
  layer(
    n: OnnxNode,
    kind: LayerKind,
    params: Record<string, ParamValue>,
    inputs: readonly (readonly [string, string])[],
    weights?: Record<string, HostWeight>,
    layout: Layout = LAST,
  ): TensorVal {
    const sources = inputs.map(([v]) => this.tensor(n, v));
    const shape = this.outputShape(
      n,
      kind,
      params,
      sources.map((s) => s.shape),
    );
    const id = idFrom(n.name, this.taken, kind.toLowerCase());
    const node: ImportedNode = { id, kind, params, ...(n.name !== id ? { name: n.name } : {}) };
    this.nodes.push(node);
    this.byId.set(id, node);
    inputs.forEach(([, port], i) =>
      this.edges.push({ source: sources[i]!.id, target: id, targetPort: port }),
    );
    if (weights && Object.keys(weights).length) this.weights.set(id, weights);
    this.shapes.set(id, shape);
    return { t: 'tensor', id, shape, layout, dtype: 'float32' };
  }

  /** An Input node for a graph input. */
  input(name: string, shape: (number | null)[], dtype: 'float32' | 'int32', layout: Layout): TensorVal {
    const id = idFrom(name, this.taken, 'input');
    const params = { shape, dtype };
    const node: ImportedNode = { id, kind: 'Input', params, ...(name !== id ? { name } : {}) };
    this.nodes.push(node);
    this.byId.set(id, node);
    const out = layerSpec('Input').outputShape([], {
      ...defaultParams(layerSpec('Input')),
      ...params,
    } as never);
    this.shapes.set(id, out);
    const val: TensorVal = { t: 'tensor', id, shape: out, layout, dtype };
    this.set(name, val);
    return val;
  }

  /** Recomputes layer `id`'s output shape after its params changed. */
  reshaped(n: OnnxNode, id: string): Shape {
    const node = this.byId.get(id)!;
    const inputs = this.edges.filter((e) => e.target === id).map((e) => this.shapes.get(e.source)!);
    const shape = this.outputShape(n, node.kind, node.params, inputs);
    this.shapes.set(id, shape);
    return shape;
  }
}

/** Fixed sizes of a Netloom shape without its batch axis, or undefined when one is not fixed. */
export function fixed(shape: Shape): number[] | undefined {
  const rest = shape.slice(1);
  return rest.every((d): d is number => typeof d === 'number') ? rest : undefined;
}

export const sameInts = (a: readonly number[] | undefined, b: readonly number[]) =>
  !!a && a.length === b.length && a.every((x, i) => x === b[i]);

export const near = (a: number | undefined, b: number, tol = 1e-5) =>
  a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
