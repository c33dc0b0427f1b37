/**
 * Align and distribute the selected nodes (by their measured boxes): left edges, centres, top
 * edges, middles; or equal gaps across or down. Pure: the slice applies the result as one edit.
 */
import { type LayerNodeT, NODE_H, NODE_W } from './graph';

export type Arrangement = 'left' | 'centre' | 'top' | 'middle' | 'across' | 'down';

const box = (n: LayerNodeT) => ({
  x: n.position.x,
  y: n.position.y,
  w: n.measured?.width ?? NODE_W,
  h: n.measured?.height ?? NODE_H,
});

/** The nodes with the selected ones moved (null: fewer than 2 selected, or 3 for distributing). */
export function arranged(nodes: readonly LayerNodeT[], how: Arrangement): LayerNodeT[] | null {
  const chosen = nodes.filter((n) => n.selected);
  const distribute = how === 'across' || how === 'down';
  if (chosen.length < (distribute ? 3 : 2)) return null;
  const boxes = new Map(chosen.map((n) => [n.id, box(n)]));
  const all = [...boxes.values()];
  const to = new Map<string, { x: number; y: number }>();
  if (how === 'left') {
    const x = Math.min(...all.map((b) => b.x));
    for (const [id, b] of boxes) to.set(id, { x, y: b.y });
  } else if (how === 'top') {
    const y = Math.min(...all.map((b) => b.y));
    for (const [id, b] of boxes) to.set(id, { x: b.x, y });
  } else if (how === 'centre') {
    const c = all.reduce((a, b) => a + b.x + b.w / 2, 0) / all.length;
    for (const [id, b] of boxes) to.set(id, { x: Math.round(c - b.w / 2), y: b.y });
  } else if (how === 'middle') {
    const c = all.reduce((a, b) => a + b.y + b.h / 2, 0) / all.length;
    for (const [id, b] of boxes) to.set(id, { x: b.x, y: Math.round(c - b.h / 2) });
  } else {
    const across = how === 'across';
    const pos = (b: (typeof all)[number]) => (across ? b.x : b.y);
    const len = (b: (typeof all)[number]) => (across ? b.w : b.h);
    const order = [...boxes.entries()].sort((a, b) => pos(a[1]) - pos(b[1]));
    const first = order[0]![1];
    const last = order.at(-1)![1];
    const span = pos(last) + len(last) - pos(first);
    const gap = (span - order.reduce((a, [, b]) => a + len(b), 0)) / (order.length - 1);
    let at = pos(first);
    for (const [id, b] of order) {
      to.set(id, across ? { x: Math.round(at), y: b.y } : { x: b.x, y: Math.round(at) });
      at += len(b) + gap;
    }
  }
  return nodes.map((n) => {
    const p = to.get(n.id);
    return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
  });
}
