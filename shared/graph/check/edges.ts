/** Phase 2, edges and ports: endpoints, ports, one edge per input port. */
import { describeNode } from './format';
import type { GraphCheck } from './state';
import type { CheckEdge } from './types';

/** Keeps the edges that join two nodes at a known port; says what is wrong with the others. */
export function readEdges(c: GraphCheck, edges: readonly CheckEdge[]): void {
  const N = c.size;
  const { index, list, ports } = c;
  const incoming: (CheckEdge[][] | undefined)[] = (c.incoming = new Array(N));
  const outCount = (c.outCount = new Int32Array(N));
  for (const e of edges) {
    const si = index.get(e.source);
    const ti = index.get(e.target);
    const s = si === undefined ? undefined : list[si];
    const t = ti === undefined ? undefined : list[ti];
    if (!s || !t || si === undefined || ti === undefined) {
      c.add({
        severity: 'error',
        code: 'dangling-edge',
        edgeId: e.id,
        message: `Edge ${e.id} connects ${s ? '' : `a missing node "${e.source}"`}${!s && !t ? ' and ' : ''}${t ? '' : `a missing node "${e.target}"`}. Delete the edge.`,
      });
      continue;
    }
    if (si === ti) {
      c.add({
        severity: 'error',
        code: 'self-loop',
        nodeId: t.id,
        kind: t.kind,
        port: e.targetPort,
        edgeId: e.id,
        message: `${describeNode(t)} feeds its own input. A layer cannot use its own output; remove that edge.`,
      });
      continue;
    }
    if (s.kind === 'Output') {
      c.add({
        severity: 'error',
        code: 'output-has-no-output',
        nodeId: s.id,
        kind: s.kind,
        edgeId: e.id,
        message: `An Output node ends the network and has no outgoing tensor; connect from the layer before it.`,
      });
      continue;
    }
    const tp = ports[ti];
    let pi = 0;
    if (tp) {
      pi = tp.findIndex((p) => p.name === e.targetPort);
      if (pi < 0) {
        c.add({
          severity: 'error',
          code: 'unknown-port',
          nodeId: t.id,
          kind: t.kind,
          port: e.targetPort,
          edgeId: e.id,
          message: `${t.kind} has no input port "${e.targetPort}" (its ports: ${tp.map((p) => p.name).join(', ') || 'none'}).`,
        });
        continue;
      }
    }
    c.validEdges.push(e);
    c.topoEdges.push(si, ti);
    outCount[si]!++;
    if (!tp) continue; // node without valid params: no port table to fill
    let byPort = incoming[ti];
    if (!byPort) incoming[ti] = byPort = Array.from({ length: tp.length }, () => []);
    byPort[pi]!.push(e);
  }
}

/** An input port takes one edge. */
export function checkFanIn(c: GraphCheck): void {
  for (let i = 0; i < c.size; i++) {
    const byPort = c.incoming[i];
    if (!byPort) continue;
    byPort.forEach((edges, pi) => {
      if (edges.length > 1) {
        const n = c.list[i]!;
        const port = c.ports[i]![pi]!.name;
        c.add({
          severity: 'error',
          code: 'port-multiple',
          nodeId: n.id,
          kind: n.kind,
          port,
          message: `Port ${port} has ${edges.length} incoming edges (from ${edges.map((e) => e.source).join(', ')}); an input port takes one. To combine tensors, insert an Add or a Concatenate.`,
        });
      }
    });
  }
}
