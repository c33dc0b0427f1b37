/**
 * What the checker's phases share while they run. Internally every node is an index into flat
 * arrays (one Map from id to index), which keeps the checker fast on big graphs: 5,000 nodes are
 * checked in a few milliseconds. Each phase fills its part, in this order: nodes and parameters
 * (`nodes.ts`), edges and ports (`edges.ts`), the order (`order.ts`), shapes (`shapes.ts`).
 */
import type { AnyLayerSpec, ConfigOf, ParamSpecs, PortSpec } from '../../layers/define';
import type { Shape } from '../../layers/shape';
import type { CheckEdge, CheckNode, GraphIssue, NodeReport } from './types';

/** A node's issue list until its first issue (one shared empty list instead of one per node). */
export const NO_ISSUES: readonly GraphIssue[] = Object.freeze([]);

export class GraphCheck {
  readonly issues: GraphIssue[] = [];
  /** Node id -> index into the arrays below (the first node of a duplicated id). */
  readonly index = new Map<string, number>();
  readonly list: CheckNode[] = [];
  readonly reps: NodeReport[] = [];

  // Nodes and parameters: undefined for an unknown kind or invalid parameters.
  specs: (AnyLayerSpec | undefined)[] = [];
  configs: (ConfigOf<ParamSpecs> | undefined)[] = [];
  ports: (readonly PortSpec[] | undefined)[] = [];

  // Edges: incoming[i][p] = edges into port p of node i; validEdges[k] runs from node
  // topoEdges[2k] to node topoEdges[2k + 1].
  incoming: (CheckEdge[][] | undefined)[] = [];
  outCount = new Int32Array(0);
  readonly validEdges: CheckEdge[] = [];
  readonly topoEdges: number[] = [];

  /** Node indices inputs-first (nodes on a cycle left out). */
  orderIdx: number[] = [];
  outShapes: (Shape | undefined)[] = [];
  /** 1 where a node's output is token ids (int32): an int32 Input, then the layers that pass them. */
  outIds = new Uint8Array(0);

  get size(): number {
    return this.list.length;
  }

  /** Records an issue, on its node's report too. */
  add(issue: GraphIssue): void {
    this.issues.push(issue);
    if (issue.nodeId === undefined) return;
    const i = this.index.get(issue.nodeId);
    const r = i === undefined ? undefined : this.reps[i];
    if (!r) return;
    if (r.issues === NO_ISSUES) r.issues = [issue];
    else r.issues.push(issue);
  }

  /** The node feeding port `port` of node i (the first edge), as an index. */
  sourceOf(i: number, port: string): number | undefined {
    const pl = this.ports[i];
    const byPort = this.incoming[i];
    if (!pl || !byPort) return undefined;
    const pi = pl.findIndex((p) => p.name === port);
    const e = pi < 0 ? undefined : byPort[pi]?.[0];
    return e === undefined ? undefined : this.index.get(e.source);
  }
}
