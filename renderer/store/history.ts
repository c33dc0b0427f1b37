/**
 * Undo and redo: one step per user edit and one per gesture (a drag: see `beginGesture` /
 * `endGesture`). Selection, measuring and dragging-in-progress are not edits. Refused while the
 * graph trains.
 */
import { sameTracked, type Tracked } from './graph';
import { LOCKED_NOTICE } from './slices/edits';
import { useAppStore } from './store';

const tracked = (): Tracked => {
  const s = useAppStore.getState();
  return { nodes: s.nodes, edges: s.edges, meta: s.meta, blocks: s.blocks, scope: s.scope };
};

function step(which: 'undo' | 'redo'): void {
  const t = useAppStore.temporal.getState();
  if ((which === 'undo' ? t.pastStates : t.futureStates).length === 0) return;
  const s = useAppStore.getState();
  if (s.locked) return s.notify(LOCKED_NOTICE, 'error');
  t[which]();
  // Undo/redo keep the user's selection out of history and count as edits (dirty marker).
  s.markEdited();
}

export const undo = (): void => step('undo');
export const redo = (): void => step('redo');

let gestureStart: Tracked | null = null;

/** Starts a gesture (a drag): intermediate states are not recorded. */
export function beginGesture(): void {
  if (gestureStart) return;
  gestureStart = tracked();
  useAppStore.temporal.getState().pause();
}

/** Ends a gesture: records one undo step from its start to now, if anything changed. */
export function endGesture(): void {
  if (!gestureStart) return;
  const start = gestureStart;
  gestureStart = null;
  const t = useAppStore.temporal;
  t.getState().resume();
  if (!sameTracked(start, tracked()))
    t.setState((h) => ({ pastStates: [...h.pastStates, start].slice(-200), futureStates: [] }));
}
