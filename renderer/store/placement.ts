/**
 * Where a new node goes when the place asked for is taken: the nearest free spot (no overlap with
 * any node's measured box, a margin between), searched ring by ring around the wanted place.
 */
import { type LayerNodeT, NODE_H, NODE_W } from './graph';

const MARGIN = 24;
const STEP = 40;
const RINGS = 40;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const boxOf = (n: LayerNodeT): Box => ({
  x: n.position.x,
  y: n.position.y,
  w: n.measured?.width ?? NODE_W,
  h: n.measured?.height ?? NODE_H,
});

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.w + MARGIN &&
  b.x < a.x + a.w + MARGIN &&
  a.y < b.y + b.h + MARGIN &&
  b.y < a.y + a.h + MARGIN;

/** `want` if a node of `size` fits there, else the nearest place where it does. */
export function freeSpot(
  nodes: readonly LayerNodeT[],
  want: { x: number; y: number },
  size: { w: number; h: number } = { w: NODE_W, h: NODE_H },
): { x: number; y: number } {
  const boxes = nodes.map(boxOf);
  const free = (x: number, y: number) => !boxes.some((b) => overlaps(b, { x, y, ...size }));
  if (free(want.x, want.y)) return want;
  for (let r = 1; r <= RINGS; r++) {
    const ring: { x: number; y: number; d: number }[] = [];
    for (let i = -r; i <= r; i++)
      for (const [dx, dy] of [
        [i, -r],
        [i, r],
        [-r, i],
        [r, i],
      ] as const)
        ring.push({ x: want.x + dx * STEP, y: want.y + dy * STEP, d: dx * dx + dy * dy });
    ring.sort((a, b) => a.d - b.d);
    const spot = ring.find((p) => free(p.x, p.y));
    if (spot) return { x: spot.x, y: spot.y };
  }
  return want;
}
