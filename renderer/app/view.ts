/** The canvas's viewport as the commands and document workflows use it (React Flow underneath). */
import { useReactFlow } from '@xyflow/react';
import { type RefObject, useMemo } from 'react';
import { useAppStore } from '../store/store';

export interface XY {
  x: number;
  y: number;
}

export interface CanvasView {
  fit(): void;
  /** Back to the origin at 100% (an empty document). */
  reset(): void;
  zoomIn(): void;
  zoomOut(): void;
  /** Where a layer added without a place goes: the middle of the canvas, a little apart from the last. */
  centre(): XY;
}

/** `canvas`: the element the canvas fills (for its middle). Stable for the editor's lifetime. */
export function useCanvasView(canvas: RefObject<HTMLElement | null>): CanvasView {
  const rf = useReactFlow();
  return useMemo(
    () => ({
      fit: () => void rf.fitView({ padding: 0.2, maxZoom: 1.2 }),
      reset: () => void rf.setViewport({ x: 0, y: 0, zoom: 1 }),
      zoomIn: () => void rf.zoomIn(),
      zoomOut: () => void rf.zoomOut(),
      centre: () => {
        const rect = canvas.current?.getBoundingClientRect();
        const p = rf.screenToFlowPosition({
          x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2,
          y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2,
        });
        const jitter = (useAppStore.getState().nodes.length % 5) * 16;
        return { x: p.x - 110 + jitter, y: p.y - 40 + jitter };
      },
    }),
    [rf, canvas],
  );
}
