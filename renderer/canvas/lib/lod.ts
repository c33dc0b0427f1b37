/**
 * Level of detail for big graphs on the canvas: the pure parts (no React), unit-tested in Node.
 * See FarEdges.tsx and DotGrid.tsx for why they exist (measured in test/bench/editor.bench.ts).
 */

/** Below this zoom, nodes draw as plain coloured boxes and edges as one path. */
export const FAR_ZOOM = 0.45;

/**
 * Fit never zooms out past this: node labels (13 px) stay at least ~10 px high. A graph too big to
 * show whole at it is shown from its first layer, and scrolls (pans) from there.
 */
export const READABLE_ZOOM = 0.75;

/** What the edge path needs of a node: React Flow's node shape, structurally. */
export interface LodNode {
  id: string;
  position: { x: number; y: number };
  measured?: { width?: number; height?: number };
}
export interface LodEdge {
  id: string;
  source: string;
  target: string;
}

/** Default size of a node before React Flow has measured it (the far node's CSS size). */
const FALLBACK = { width: 220, height: 96 };

function segment(s: LodNode, t: LodNode): string {
  const sw = s.measured?.width ?? FALLBACK.width;
  const sh = s.measured?.height ?? FALLBACK.height;
  const tw = t.measured?.width ?? FALLBACK.width;
  const sx = (s.position.x + sw / 2).toFixed(1);
  const sy = s.position.y + sh;
  const tx = (t.position.x + tw / 2).toFixed(1);
  const ty = t.position.y;
  const bend = Math.max(Math.abs(ty - sy) / 2, 40);
  return `M${sx},${sy.toFixed(1)}C${sx},${(sy + bend).toFixed(1)} ${tx},${(ty - bend).toFixed(1)} ${tx},${ty.toFixed(1)}`;
}

/**
 * The path for all edges: bottom centre of the source to top centre of the target, as a bezier.
 * Incremental: an edge's segment is reused while both its node objects are the same ones (a drag
 * replaces only the dragged nodes), so a drag step costs a lookup per edge, not a reformat.
 */
export class FarEdgesPath {
  private cache = new Map<string, { s: LodNode; t: LodNode; seg: string }>();

  path(nodes: readonly LodNode[], edges: readonly LodEdge[]): string {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const next = new Map<string, { s: LodNode; t: LodNode; seg: string }>();
    const parts: string[] = [];
    for (const e of edges) {
      const s = byId.get(e.source);
      const t = byId.get(e.target);
      if (!s || !t) continue;
      const hit = this.cache.get(e.id);
      const entry = hit && hit.s === s && hit.t === t ? hit : { s, t, seg: segment(s, t) };
      next.set(e.id, entry);
      parts.push(entry.seg);
    }
    this.cache = next;
    return parts.join('');
  }
}

// The canvas's dot grid.

const GAP = 20;
/** Dots closer than this on screen are replaced by a 5× coarser grid. */
const MIN_SCREEN_GAP = 10;

export function gridCell(zoom: number, gap = GAP): number {
  let cell = gap * zoom;
  if (!(cell > 0)) return gap;
  while (cell < MIN_SCREEN_GAP) cell *= 5;
  return cell;
}

/** Offset in [-cell, 0) so the moved layer (two cells larger than the pane) always covers it. */
export const gridOffset = (t: number, cell: number) => (((t % cell) + cell) % cell) - cell;
