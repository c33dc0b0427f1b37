/** The store's derived values as hooks, for components. */
import { useStore } from 'zustand';
import { selectCanvasReport, selectReport, selectWeights } from './selectors';
import { useAppStore } from './store';

export const useReport = () => useAppStore(selectReport);
/** The report the canvas draws: inside an open block, its layers' (see `blockView`). */
export const useCanvasViewReport = () => useAppStore(selectCanvasReport);
export const useWeights = () => useAppStore(selectWeights);
export const useDirty = () => useAppStore((s) => s.editVersion !== s.savedVersion);
/** How many steps undo and redo can go. */
export const useUndoDepth = () => useStore(useAppStore.temporal, (t) => t.pastStates.length);
export const useRedoDepth = () => useStore(useAppStore.temporal, (t) => t.futureStates.length);
