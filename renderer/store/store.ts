/**
 * The renderer's one store (zustand): the graph, document, training and window slices combined,
 * with zundo's `temporal` applied once over all of them. Undo history records only the tracked
 * editor state (nodes, edges, meta), compared by what undo cares about (see `sameTracked`); a set
 * that changes none of it (a training event, a notice, a dialog) records nothing.
 *
 * Components read it with selectors: `useAppStore((s) => s.nodes)`. Slices reach each other through
 * `get()`, never through another store.
 */
import { temporal } from 'zundo';
import { create } from 'zustand';
import { api } from '../ipc/client';
import { sameTracked, type Tracked } from './graph';
import { createBlocksSlice } from './slices/blocks';
import { createDocumentSlice } from './slices/document';
import { createGraphSlice } from './slices/graph';
import { createTrainingSlice } from './slices/training';
import { createUiSlice } from './slices/ui';
import type { AppState, SliceCreator } from './state';

export const useAppStore = create<AppState>()(
  temporal(
    (...a) => {
      // zundo types its own store field as unknown inside the creator; the slices know it is history.
      const args = a as unknown as Parameters<SliceCreator<AppState>>;
      return {
        ...createGraphSlice(...args),
        ...createBlocksSlice(...args),
        ...createDocumentSlice(...args),
        ...createTrainingSlice(...args),
        ...createUiSlice(...args),
      };
    },
    {
      partialize: (s): Tracked => ({
        nodes: s.nodes,
        edges: s.edges,
        meta: s.meta,
        blocks: s.blocks,
        scope: s.scope,
      }),
      equality: sameTracked,
      limit: 200,
    },
  ),
);

/** Passes the services' training and data-loading events for the open document to the store. */
export function bindTrainingEvents(): () => void {
  const offEvent = api.on('training.event', ({ docId, event }) => {
    const s = useAppStore.getState();
    if (docId === s.docId) s.handleTrainingEvent(event);
  });
  const offProgress = api.on('data.progress', ({ docId, bytesRead, totalBytes, rows }) => {
    if (docId === useAppStore.getState().docId)
      useAppStore.setState({ dataLoading: { bytesRead, totalBytes, rows } });
  });
  return () => {
    offEvent();
    offProgress();
  };
}
