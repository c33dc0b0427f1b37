/**
 * The graph as the exporters see it: checked, in topological order, every node with its resolved
 * parameters, its sources in port order (fallback ports resolved, as the compiler does), its shapes,
 * and a Python identifier. Shared by every exporter so they all agree on names and order.
 */
import { checkGraph, formatIssue, type GraphReport } from '../../shared/graph/check';
import { decideLoss, finalActivation as headActivation, type LossKind } from '../../shared/graph/head';
import { modelNodes } from '../../shared/graph/model';
import type { Graph } from '../../shared/ir/schema';
import type { LayerKind, Shape } from '../../shared/layers/index';

/** Refused export (invalid graph, missing weights, a file in the way): the message says why. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

export interface PlanNode {
  id: string;
  kind: LayerKind;
  /** Display name (the node's name, else its id). */
  label: string;
  /** A Python identifier derived from the id (unique, not a keyword or a reserved name). */
  py: string;
  /** Resolved parameters (defaults filled in). */
  config: Readonly<Record<string, unknown>>;
  /** Source node ids in port order (fallback ports resolved). */
  sources: string[];
  inputShapes: Shape[];
  /** Undefined for Output nodes' tensor-less result is never the case: Output returns its input shape. */
  outputShape: Shape;
  params: number;
}

export interface ExportPlan {
  nodes: PlanNode[];
  byId: Map<string, PlanNode>;
  inputs: PlanNode[];
  /** Output nodes with the node whose tensor they mark, in graph order. */
  outputs: { node: PlanNode; source: PlanNode }[];
  report: GraphReport;
  /** The graph as the project holds it (blocks not expanded), for exporters that keep its structure. */
  graph: Graph;
}

export const PY_RESERVED: ReadonlySet<string> = new Set([
  // keywords and soft keywords
  ...'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(
    ' ',
  ),
  // names the generated code uses
  ...'torch nn F math json struct os sys self x inputs outputs keras layers ops np tf activate print len range list dict str int float'.split(
    ' ',
  ),
  // nn.Module / keras.Model attributes a submodule must not shadow
  ...'training forward train eval parameters modules children buffers state_dict load_state_dict to cuda cpu apply half double zero_grad extra_repr add_module register_buffer register_parameter register_module get_submodule get_parameter requires_grad_ share_memory named_modules named_parameters named_buffers named_children dump_patches call_super_init weights layers name'.split(
    ' ',
  ),
]);

/** Python identifiers for `ids`, in order, unique and distinct from `reserved` too. */
export function pythonNames(ids: readonly string[], reserved: Iterable<string> = []): Map<string, string> {
  const used = new Set<string>(reserved);
  const out = new Map<string, string>();
  for (const id of ids) {
    let base = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `n_${base}`;
    if (PY_RESERVED.has(base) || base.startsWith('__')) base = `${base}_`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    out.set(id, name);
  }
  return out;
}

/** Checks and orders the graph; throws `ExportError` listing every error when it is not valid. */
export function planGraph(graph: Graph): ExportPlan {
  const report = checkGraph(graph);
  if (!report.valid) {
    const errors = report.issues.filter((i) => i.severity === 'error');
    throw new ExportError(
      errors.length === 0
        ? 'The graph is empty: add an Input, layers and an Output before exporting.'
        : `The graph cannot be exported until its ${errors.length} error${errors.length === 1 ? ' is' : 's are'} fixed:\n` +
            errors.map(formatIssue).join('\n'),
    );
  }
  // Only the nodes with a path to an Output, as the engine compiles them (a dead branch is left out).
  const names = pythonNames(report.live);
  const nodes: PlanNode[] = [];
  const byId = new Map<string, PlanNode>();
  for (const { id, node, kind, config, sources } of modelNodes(graph, report)) {
    const rep = report.nodes.get(id);
    if (!rep?.outputShape) throw new ExportError(`${id} (${kind}): its output shape is unknown.`);
    const p: PlanNode = {
      id,
      kind,
      label: node.name ?? id,
      py: names.get(id)!,
      config,
      sources,
      inputShapes: rep.inputShapes.filter((s): s is Shape => s !== undefined),
      outputShape: rep.outputShape,
      params: rep.params?.total ?? 0,
    };
    nodes.push(p);
    byId.set(id, p);
  }
  const inputs = nodes.filter((n) => n.kind === 'Input');
  const outputs = nodes
    .filter((n) => n.kind === 'Output')
    .map((n) => ({ node: n, source: byId.get(n.sources[0]!)! }));
  if (inputs.length === 0 || outputs.length === 0)
    throw new ExportError('The graph needs at least one Input and one Output to be exported.');
  return { nodes, byId, inputs, outputs, report, graph };
}

// ---------------------------------------------------------------------------------------------
// Typed helpers for reading a node's configuration
// ---------------------------------------------------------------------------------------------

export const num = (n: PlanNode, k: string): number => n.config[k] as number;
export const str = (n: PlanNode, k: string): string => n.config[k] as string;
export const bool = (n: PlanNode, k: string): boolean => n.config[k] as boolean;
export const ints = (n: PlanNode, k: string): number[] => [...(n.config[k] as readonly number[])];

/** The last axis of a node's i-th input (a fixed size, guaranteed by the checker where it matters). */
export function lastDim(n: PlanNode, i = 0): number {
  const s = n.inputShapes[i];
  const d = s?.[s.length - 1];
  if (typeof d !== 'number')
    throw new ExportError(`${n.id} (${n.kind}): the last axis of its input is not fixed.`);
  return d;
}

/** The activation that produces a node's tensor, looking through Dropout/Flatten/Reshape. */
export function finalActivation(plan: ExportPlan, id: string): string {
  return headActivation(
    id,
    (ref) => plan.byId.get(ref),
    (ref) => plan.byId.get(ref)?.sources[0],
  );
}

export type ResolvedLoss = Exclude<LossKind, 'categoricalCrossentropy'>;

/**
 * The loss of each output, as the engine resolves it without data (`decideLoss`, shared/graph/head.ts):
 * the training config's, else the Output node's, else from the final activation. Categorical
 * cross-entropy is exported as its sparse form: the exported data gives class indices.
 */
export function resolvedLoss(
  plan: ExportPlan,
  configLoss: string,
  out: ExportPlan['outputs'][number],
): ResolvedLoss {
  const last = out.source.outputShape.at(-1);
  const { loss } = decideLoss(
    {
      outputNode: out.node.id,
      activation: finalActivation(plan, out.source.id),
      units: typeof last === 'number' ? last : 1,
      nodeLoss: str(out.node, 'loss'),
    },
    configLoss,
  );
  return loss === 'categoricalCrossentropy' ? 'sparseCategoricalCrossentropy' : loss;
}

/** `[batch, 12, 12, 1]` -> `(12, 12, 1)` as Python; symbolic sizes become None. */
export function pyShape(s: readonly (number | string | null)[]): string {
  const parts = s.map((d) => (typeof d === 'number' ? String(d) : 'None'));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

export const pyStr = (s: string): string => JSON.stringify(s);
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
export const pyNum = (v: number): string => (Number.isInteger(v) ? String(v) : String(v));
