/** Phase 6, the model's live set: every node with a path to an Output (walked back from the Outputs). */
import type { GraphCheck } from './state';

/** alive[i] = 1 when node i feeds an Output, directly or not (Outputs included). */
export function liveSet(c: GraphCheck, outputs: readonly number[]): Uint8Array {
  const N = c.size;
  const { topoEdges } = c;
  const alive = new Uint8Array(N);
  const feeders: number[][] = Array.from({ length: N }, () => []);
  for (let k = 0; k < c.validEdges.length; k++) feeders[topoEdges[2 * k + 1]!]!.push(topoEdges[2 * k]!);
  const walk = [...outputs];
  for (const i of walk) alive[i] = 1;
  while (walk.length > 0) {
    const i = walk.pop()!;
    for (const j of feeders[i]!)
      if (!alive[j]) {
        alive[j] = 1;
        walk.push(j);
      }
  }
  return alive;
}
