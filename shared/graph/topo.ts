/**
 * Topological order of a graph (Kahn's algorithm, stable in node order) and, when there is a cycle,
 * one cycle spelled out as node ids so the message can name it.
 */
export interface TopoResult {
  /** Every node not on or behind a cycle, inputs first. */
  order: string[];
  /** One cycle (`a → b → c → a` as [a, b, c]) when the graph has one. */
  cycle: string[] | undefined;
}

export function topoOrder(
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
): TopoResult {
  const index = new Map<string, number>();
  nodeIds.forEach((id, i) => index.set(id, i));
  const n = nodeIds.length;
  const indegree = new Int32Array(n);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) continue;
    out[s]!.push(t);
    indegree[t]!++;
  }
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    order.push(nodeIds[i]!);
    for (const t of out[i]!) if (--indegree[t]! === 0) queue.push(t);
  }
  if (order.length === n) return { order, cycle: undefined };
  return { order, cycle: findCycle(n, out, indegree, nodeIds) };
}

/** Iterative DFS restricted to nodes left with indegree > 0 (those on or behind a cycle). */
function findCycle(n: number, out: number[][], indegree: Int32Array, ids: readonly string[]): string[] {
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parentPos = new Int32Array(n).fill(-1);
  for (let start = 0; start < n; start++) {
    if (indegree[start] === 0 || state[start] !== 0) continue;
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    const path: number[] = [start];
    state[start] = 1;
    parentPos[start] = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const succ = out[top.node]!;
      if (top.next >= succ.length) {
        state[top.node] = 2;
        stack.pop();
        path.pop();
        continue;
      }
      const t = succ[top.next++]!;
      if (indegree[t] === 0) continue;
      if (state[t] === 1) {
        const from = path.indexOf(t);
        return path.slice(from).map((i) => ids[i]!);
      }
      if (state[t] === 0) {
        state[t] = 1;
        stack.push({ node: t, next: 0 });
        path.push(t);
      }
    }
  }
  return [];
}

/**
 * The same on indices: `edges` is a flat list of (source, target) index pairs. Returns the order and
 * one cycle as indices (empty when there is none).
 */
export function topoOrderIndexed(n: number, edges: readonly number[]): { order: number[]; cycle: number[] } {
  const indegree = new Int32Array(n);
  const start = new Int32Array(n + 1);
  for (let k = 0; k < edges.length; k += 2) {
    start[edges[k]! + 1]!++;
    indegree[edges[k + 1]!]!++;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const succ = new Int32Array(edges.length / 2);
  for (let k = 0; k < edges.length; k += 2) succ[fill[edges[k]!]!++] = edges[k + 1]!;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order.push(i);
  const remaining = indegree.slice();
  for (let head = 0; head < order.length; head++) {
    const i = order[head]!;
    for (let k = start[i]!; k < start[i + 1]!; k++) if (--remaining[succ[k]!]! === 0) order.push(succ[k]!);
  }
  if (order.length === n) return { order, cycle: [] };
  const out: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from(succ.subarray(start[i]!, start[i + 1]!)),
  );
  const ids = Array.from({ length: n }, (_, i) => String(i));
  return { order, cycle: findCycle(n, out, remaining, ids).map(Number) };
}
