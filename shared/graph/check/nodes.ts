/** Phase 1, nodes and parameters: one index per unique id, each node's spec, resolved parameters and ports. */
import { isLayerKind, layerSpec } from '../../layers/index';
import { resolveParams } from '../../layers/params';
import { GraphCheck, NO_ISSUES } from './state';
import type { CheckNode, GraphIssue } from './types';

/** Indexes the nodes (a repeated id is an error and the later node is left out). */
export function indexNodes(nodes: readonly CheckNode[]): GraphCheck {
  const c = new GraphCheck();
  for (const n of nodes) {
    if (c.index.has(n.id)) {
      c.add({
        severity: 'error',
        code: 'duplicate-id',
        message: `Two nodes share the id "${n.id}"; ids must be unique.`,
      });
      continue;
    }
    c.index.set(n.id, c.list.length);
    c.list.push(n);
    c.reps.push({
      id: n.id,
      kind: n.kind,
      inputShapes: [],
      outputShape: undefined,
      params: undefined,
      flops: undefined,
      issues: NO_ISSUES as GraphIssue[],
    });
  }
  return c;
}

/** Parameters and ports per node: an unknown kind or a bad parameter is located on its node. */
export function resolveNodes(c: GraphCheck): void {
  const N = c.size;
  c.specs = new Array(N);
  c.configs = new Array(N);
  c.ports = new Array(N);
  for (let i = 0; i < N; i++) {
    const n = c.list[i]!;
    if (!isLayerKind(n.kind)) {
      c.add({
        severity: 'error',
        code: 'unknown-kind',
        nodeId: n.id,
        kind: n.kind,
        message: `Unknown layer kind "${n.kind}". Replace it with a kind from the palette.`,
      });
      continue;
    }
    const spec = layerSpec(n.kind);
    c.specs[i] = spec;
    const res = resolveParams(spec, n.params);
    if (!res.ok) {
      for (const pi of res.issues)
        c.add({
          severity: 'error',
          code: 'bad-param',
          nodeId: n.id,
          kind: n.kind,
          param: pi.param,
          message: pi.message,
        });
      continue;
    }
    c.configs[i] = res.config;
    c.ports[i] = spec.ports(res.config);
  }
}
