/**
 * Phase 4, shape inference in topological order: each node's input shapes from its sources (fallback
 * ports resolved), its output shape, weights and FLOPs, or a located shape issue with a fix where a
 * standard one exists.
 */
import { type AnyLayerSpec, type FixInsert, LayerShapeError, type PortSpec } from '../../layers/define';
import { isLayerKind } from '../../layers/index';
import type { Shape } from '../../layers/shape';
import { formatShape } from '../../layers/shape';
import { describeNode, paramCount } from './format';
import type { GraphCheck } from './state';
import type { GraphFix, GraphIssue } from './types';

export function inferShapes(c: GraphCheck): void {
  const { list, specs, configs, ports, reps } = c;
  const outShapes: (Shape | undefined)[] = (c.outShapes = new Array(c.size));
  c.outIds = new Uint8Array(c.size);
  for (const i of c.orderIdx) {
    const spec = specs[i];
    const cfg = configs[i];
    const rep = reps[i]!;
    if (!spec || !cfg) continue;
    if (readInputShapes(c, i, ports[i]!)) continue;
    if (!readTokenIds(c, i, spec.tokenIds, cfg)) continue;
    const inputShapes = rep.inputShapes as Shape[];
    try {
      const out = spec.outputShape(inputShapes, cfg);
      rep.outputShape = out;
      outShapes[i] = out;
      rep.params = paramCount(spec.weights(inputShapes, cfg));
      rep.flops = spec.flops(inputShapes, out, cfg);
    } catch (err) {
      if (!(err instanceof LayerShapeError)) throw err;
      c.add(shapeIssue(c, i, list[i]!, err));
    }
  }
}

/**
 * Fills node i's input shapes, port by port; true when a shape is missing (an unconnected port, said
 * here, or a source without a shape, said at the source).
 */
function readInputShapes(c: GraphCheck, i: number, portList: readonly PortSpec[]): boolean {
  const n = c.list[i]!;
  const byPort = c.incoming[i];
  const shapes: (Shape | undefined)[] = new Array(portList.length);
  let blocked = false;
  for (let pi = 0; pi < portList.length; pi++) {
    const port = portList[pi]!;
    const edges = byPort?.[pi];
    let shape: Shape | undefined;
    if (!edges || edges.length === 0) {
      if (port.fallback !== undefined) {
        const fi = portList.findIndex((p) => p.name === port.fallback);
        shape = fi >= 0 && fi < pi ? shapes[fi] : undefined;
        if (shape === undefined) blocked = true;
      } else {
        c.add({
          severity: 'error',
          code: 'port-unconnected',
          nodeId: n.id,
          kind: n.kind,
          port: port.name,
          message: `Input port ${port.name} of ${describeNode(n)} is not connected. Connect a layer's output to it.`,
        });
        blocked = true;
      }
    } else if (edges.length > 1) {
      blocked = true;
    } else {
      const src = c.index.get(edges[0]!.source);
      shape = src === undefined ? undefined : c.outShapes[src];
      if (shape === undefined) blocked = true;
    }
    shapes[pi] = shape;
  }
  c.reps[i]!.inputShapes = shapes;
  return blocked;
}

/**
 * Where token ids (int32) flow: an int32 Input makes them, `pass` layers keep them, `read` and `cast`
 * layers turn them into real numbers. False (with a located error) when ids reach a layer whose
 * kernels need real numbers: TF.js refuses int32 there (convolutions, pooling, softmax) or computes
 * it in integer arithmetic (normalisation: silently wrong), so the graph could not train.
 */
function readTokenIds(
  c: GraphCheck,
  i: number,
  takes: AnyLayerSpec['tokenIds'],
  cfg: Record<string, unknown>,
): boolean {
  const n = c.list[i]!;
  if (n.kind === 'Input') {
    c.outIds[i] = cfg.dtype === 'int32' ? 1 : 0;
    return true;
  }
  const port = c.ports[i]?.find((p) => {
    const src = c.sourceOf(i, p.name);
    return src !== undefined && c.outIds[src] === 1;
  });
  if (!port) return true;
  if (takes) {
    c.outIds[i] = takes === 'pass' ? 1 : 0;
    return true;
  }
  const src = c.list[c.sourceOf(i, port.name)!]!;
  c.add({
    severity: 'error',
    code: 'token-ids',
    nodeId: n.id,
    kind: n.kind,
    port: port.name,
    message: `${describeNode(n)} receives token ids (int32) from ${describeNode(src)}, but it computes with real numbers. Only an Embedding or a Positional embedding reads token ids: put one in between, or set the Input's dtype to float32 if its values are measurements.`,
  });
  return false;
}

function shapeIssue(c: GraphCheck, i: number, n: { id: string; kind: string }, err: LayerShapeError) {
  const issue: GraphIssue = {
    severity: 'error',
    code: 'shape',
    nodeId: n.id,
    kind: n.kind,
    message: err.message,
  };
  if (err.port) issue.port = err.port;
  const fix = err.fix && err.port ? toFix(err.fix, n.id, err.port) : undefined;
  if (fix) issue.fix = fix;
  else if (n.kind === 'Output') {
    const f = flattenFixForOutput(c, i);
    if (f) {
      issue.fix = f;
      issue.message += ` ${f.label} so it sees one vector per sample.`;
    }
  }
  return issue;
}

function toFix(f: FixInsert, nodeId: string, port: string): GraphFix | undefined {
  if (!isLayerKind(f.kind)) return undefined;
  const params = Object.entries(f.params)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? formatShape(v as number[]) : String(v)}`)
    .join(', ');
  return {
    label: `Insert a ${f.kind}${params ? ` (${params})` : ''} before ${nodeId}`,
    insert: { kind: f.kind, params: { ...f.params } },
    before: { nodeId, port },
  };
}

/** Layers that act on the last axis only: a Flatten in front of them changes nothing else. */
const LAST_AXIS_KINDS: ReadonlySet<string> = new Set([
  'Dense',
  'Activation',
  'Dropout',
  'BatchNormalization',
  'LayerNormalization',
]);

/**
 * The prediction has more axes than the target: walk back through layers that act on the last
 * axis to the first Dense that received a multi-axis tensor, and offer a Flatten in front of it.
 */
function flattenFixForOutput(c: GraphCheck, outputIdx: number): GraphFix | undefined {
  let cur = c.sourceOf(outputIdx, 'in');
  let candidate: string | undefined;
  for (let guard = 0; cur !== undefined && guard < c.size; guard++) {
    const node = c.list[cur]!;
    if (!LAST_AXIS_KINDS.has(node.kind)) break;
    const input = c.reps[cur]!.inputShapes[0];
    if (node.kind === 'Dense' && input && input.length > 2) candidate = node.id;
    cur = c.sourceOf(cur, 'in');
  }
  if (candidate === undefined) return undefined;
  return {
    label: `Insert a Flatten before ${candidate}`,
    insert: { kind: 'Flatten', params: {} },
    before: { nodeId: candidate, port: 'in' },
  };
}
