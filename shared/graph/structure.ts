/**
 * Whether two graphs describe the same model: the same nodes (id, kind, parameters) wired the same
 * way. Positions and display names do not count. Used to hold the graph still while it trains: a
 * request that carries a different graph during a run is refused.
 */
import type { CheckGraph } from './check';

function canonical(g: CheckGraph): string {
  const nodes = [...g.nodes]
    .map((n) => [n.id, n.kind, sortKeys(n.params)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const edges = [...g.edges].map((e) => `${e.source}\u0000${e.target}\u0000${e.targetPort}`).sort();
  return JSON.stringify([nodes, edges]);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

export function sameModelGraph(a: CheckGraph, b: CheckGraph): boolean {
  return a === b || canonical(a) === canonical(b);
}
