/**
 * The model as the Python exports write it: the export plan (every block expanded, its layers with
 * flat ids `<block node>__<layer>`, see shared/graph/blocks.ts) read back into the graph's own
 * structure, so model.py can hold one class (PyTorch) or one function (Keras) per block definition
 * and use it once per Block node.
 *
 * A scope (the graph's top level, or one copy of a block) becomes a list of steps in the plan's
 * topological order: a layer, or a use of a block (its copies, each a body of steps of its own).
 * Every step's inputs are read from the scope's own edges, port by port as `modelNodes` resolves
 * them (a missing optional port takes its fallback), and checked against the flat plan's sources,
 * so the structured code computes exactly what the flat model does. Layers that do not lead to an
 * Output (dead) are left out, as in the plan. A graph without blocks gives one scope whose steps and
 * names are the plan's own.
 */
import { BLOCK_SEP, blockInputs, blockPortNames, repeatOf } from '../../shared/graph/blocks';
import type { CheckBlock, CheckEdge, CheckNode } from '../../shared/graph/check/types';
import { BLOCK_INPUT, BLOCK_KIND, BLOCK_OUTPUT } from '../../shared/ir/schema';
import { type ConfigOf, layerSpec, type ParamSpecs } from '../../shared/layers/index';
import { type ExportPlan, type PlanNode, PY_RESERVED, pythonNames } from './plan';

/** A tensor in a scope: its Python name there, and the flat plan node giving it (none: not connected). */
interface Var {
  py: string;
  flat: string | undefined;
}

/** A layer (Input and Output included, for the exporters that write them). */
export interface LayerStep {
  type: 'layer';
  node: PlanNode;
  /** Its Python name in the scope (the submodule's and the variable's). */
  py: string;
  /** The input tensors' names in port order. */
  args: string[];
}

/** A use of a block: a Block node, its copies chained when repeated. */
export interface BlockStep {
  type: 'block';
  py: string;
  /** The block's input tensors in port order; `None` for a port with nothing connected. */
  args: string[];
  copies: BlockBody[];
  /** The flat plan node giving the block's output (its last copy's). */
  output: PlanNode;
}

export type Step = LayerStep | BlockStep;

/** One copy of a block: what its class's forward() or its Keras function computes. */
export interface BlockBody {
  def: CheckBlock;
  /** The flat ids of this copy's layers start with it. */
  prefix: string;
  /** The parameters, one per port: `x`, or `x1`…`xK`. */
  params: string[];
  steps: Step[];
  /** The name of the tensor it returns. */
  result: string;
}

export interface ModelStructure {
  steps: Step[];
  /** Each Input's name (the forward's parameters, in plan order). */
  inputs: string[];
  /** Each Output's tensor name, in plan order. */
  returns: string[];
}

/** Names a block body also uses: the parameters and the Keras functions' name prefix. */
const bodyReserved = (params: readonly string[]) => [...params, 'prefix'];

class Structurer {
  private readonly order: Map<string, number>;
  private readonly defs: Map<string, CheckBlock>;
  private readonly outputs = new Map<CheckBlock, CheckNode | undefined>();

  constructor(private readonly plan: ExportPlan) {
    this.order = new Map(plan.nodes.map((n, i) => [n.id, i]));
    this.defs = new Map((plan.graph.blocks ?? []).map((b) => [b.id, b]));
  }

  private def(n: CheckNode): CheckBlock {
    const def = this.defs.get(String(n.params.block));
    if (!def) throw new Error(`${n.id}: the block ${String(n.params.block)} is not defined.`);
    return def;
  }

  /** The flat id a copy's layers start with (as shared/graph/blocks.ts names them). */
  private copyPrefix(prefix: string, n: CheckNode, k: number): string {
    const repeat = repeatOf(n);
    return `${prefix}${n.id}${BLOCK_SEP}${repeat > 1 ? `${k}${BLOCK_SEP}` : ''}`;
  }

  /** The local node a definition's output comes from (the last edge into a BlockOutput). */
  private outputSource(def: CheckBlock): CheckNode | undefined {
    if (this.outputs.has(def)) return this.outputs.get(def);
    const outs = new Set(def.nodes.filter((n) => n.kind === BLOCK_OUTPUT).map((n) => n.id));
    let source: string | undefined;
    for (const e of def.edges) if (outs.has(e.target)) source = e.source;
    const node = def.nodes.find((n) => n.id === source);
    this.outputs.set(def, node);
    return node;
  }

  /** The flat id of the node giving a local node's output. */
  private flatOf(n: CheckNode | undefined, prefix: string): string | undefined {
    if (!n || n.kind === BLOCK_INPUT || n.kind === BLOCK_OUTPUT) return undefined;
    if (n.kind !== BLOCK_KIND) return prefix + n.id;
    return this.flatOf(this.outputSource(this.def(n)), this.copyPrefix(prefix, n, repeatOf(n)));
  }

  /** The steps of a scope; `bound` gives its BlockInputs' tensors. */
  scope(
    nodes: readonly CheckNode[],
    edges: readonly CheckEdge[],
    prefix: string,
    bound: ReadonlyMap<string, Var>,
    reserved: readonly string[],
  ): { steps: Step[]; vars: Map<string, Var> } {
    const live: { n: CheckNode; flat: string; at: number }[] = [];
    for (const n of nodes) {
      const flat = this.flatOf(n, prefix);
      const at = flat === undefined ? undefined : this.order.get(flat);
      if (flat !== undefined && at !== undefined) live.push({ n, flat, at });
    }
    live.sort((a, b) => a.at - b.at);
    const names = pythonNames(
      live.map((l) => l.n.id),
      reserved,
    );
    const vars = new Map(bound);
    for (const l of live) vars.set(l.n.id, { py: names.get(l.n.id)!, flat: l.flat });
    const into = new Map<string, Map<string, string>>();
    for (const e of edges) {
      let m = into.get(e.target);
      if (!m) into.set(e.target, (m = new Map()));
      m.set(e.targetPort, e.source);
    }
    const steps = live.map(({ n, flat }): Step => {
      const py = names.get(n.id)!;
      const ins = into.get(n.id) ?? new Map<string, string>();
      if (n.kind === BLOCK_KIND) return this.block(n, prefix, py, ins, vars);
      return this.layer(this.plan.byId.get(flat)!, py, ins, vars);
    });
    return { steps, vars };
  }

  private layer(node: PlanNode, py: string, ins: Map<string, string>, vars: Map<string, Var>): LayerStep {
    const resolved = new Map<string, Var>();
    const ports = layerSpec(node.kind).ports(node.config as ConfigOf<ParamSpecs>);
    const args = ports.map((port) => {
      const src = ins.get(port.name);
      let v = src === undefined ? undefined : vars.get(src);
      if (v?.flat === undefined) v = port.fallback ? resolved.get(port.fallback) : undefined;
      if (!v) throw new Error(`${node.id} (${node.kind}): port ${port.name} is not connected.`);
      resolved.set(port.name, v);
      return v;
    });
    const flat = args.map((a) => a.flat);
    if (flat.length !== node.sources.length || flat.some((f, i) => f !== node.sources[i]))
      throw new Error(
        `${node.id} (${node.kind}): its inputs read as ${flat.join(', ')} in its block, ${node.sources.join(', ')} in the model.`,
      );
    return { type: 'layer', node, py, args: args.map((a) => a.py) };
  }

  private block(
    n: CheckNode,
    prefix: string,
    py: string,
    ins: Map<string, string>,
    vars: Map<string, Var>,
  ): BlockStep {
    const def = this.def(n);
    const ports = blockPortNames(def);
    const args = ports.map((p): Var => {
      const src = ins.get(p);
      return (src === undefined ? undefined : vars.get(src)) ?? { py: 'None', flat: undefined };
    });
    const params = ports.length === 1 ? ['x'] : ports.map((_, i) => `x${i + 1}`);
    const inputs = blockInputs(def);
    const copies: BlockBody[] = [];
    let current = args;
    for (let k = 1; k <= repeatOf(n); k++) {
      const copy = this.copyPrefix(prefix, n, k);
      const bound = new Map(inputs.map((inp, i) => [inp.id, { py: params[i]!, flat: current[i]?.flat }]));
      const { steps, vars: inner } = this.scope(def.nodes, def.edges, copy, bound, bodyReserved(params));
      const result = inner.get(this.outputSource(def)?.id ?? '');
      if (result?.flat === undefined) throw new Error(`${n.id}: nothing gives ${def.name}'s output.`);
      copies.push({ def, prefix: copy, params, steps, result: result.py });
      current = [{ py: params[0]!, flat: result.flat }];
    }
    const output = this.plan.byId.get(current[0]!.flat!)!;
    return { type: 'block', py, args: args.map((a) => a.py), copies, output };
  }
}

const memo = new WeakMap<ExportPlan, ModelStructure>();

/** The plan as scopes and blocks (see the file comment). */
export function modelStructure(plan: ExportPlan): ModelStructure {
  const known = memo.get(plan);
  if (known) return known;
  const { steps, vars } = new Structurer(plan).scope(plan.graph.nodes, plan.graph.edges, '', new Map(), []);
  const byFlat = new Map([...vars.values()].map((v) => [v.flat, v.py]));
  const structure: ModelStructure = {
    steps,
    inputs: plan.inputs.map((i) => byFlat.get(i.id)!),
    returns: plan.outputs.map((o) => byFlat.get(o.source.id)!),
  };
  memo.set(plan, structure);
  return structure;
}

/** Every layer's path in the nested modules (`block_1.0.dense_a`), by flat node id. */
export function modulePaths(steps: readonly Step[], base = '', out = new Map<string, string>()) {
  for (const s of steps) {
    if (s.type === 'layer') out.set(s.node.id, base + s.py);
    else
      s.copies.forEach((c, i) =>
        modulePaths(c.steps, `${base}${s.py}.${s.copies.length > 1 ? `${i}.` : ''}`, out),
      );
  }
  return out;
}

/** Every name the structure's scopes use (so a class or function named after a block avoids them). */
export function localNames(steps: readonly Step[], out = new Set<string>()): Set<string> {
  for (const s of steps) {
    out.add(s.py);
    if (s.type === 'block')
      for (const c of s.copies) {
        bodyReserved(c.params).forEach((p) => out.add(p));
        localNames(c.steps, out);
      }
  }
  return out;
}

/** A block's name as a Python identifier: `residual block` → `ResidualBlock` (or `residual_block`). */
export function blockIdentifier(name: string, style: 'class' | 'snake'): string {
  const words = name.match(/[A-Za-z0-9]+/g) ?? [];
  let id =
    style === 'class'
      ? words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
      : words.map((w) => w.toLowerCase()).join('_');
  if (id === '') id = style === 'class' ? 'Block' : 'block';
  if (/^[0-9]/.test(id)) id = style === 'class' ? `Block${id}` : `block_${id}`;
  return id;
}

/** `base`, or `base_2`, `base_3`… : the first not in `used` (nor a reserved Python name); marks it used. */
export function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name) || PY_RESERVED.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}
