/** The canvas's viewport as the commands and document workflows use it (React Flow underneath). */
import { useReactFlow } from '@xyflow/react';
import { type RefObject, useMemo } from 'react';
import { READABLE_ZOOM } from '../canvas/lib/lod';
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
  /** Brings node `id` into view (centred) when it is not already on screen. */
  reveal(id: string): void;
}

/** Brings node `id` into view (centred, same zoom) unless it already is: after React Flow has measured it. */
export function revealNode(
  rf: ReturnType<typeof useReactFlow>,
  canvas: HTMLElement | null,
  id: string,
): void {
  requestAnimationFrame(() => {
    const n = rf.getNode(id);
    const rect = canvas?.getBoundingClientRect();
    if (!n || !rect) return;
    const w = n.measured?.width ?? 220;
    const h = n.measured?.height ?? 96;
    const a = rf.flowToScreenPosition(n.position);
    const b = rf.flowToScreenPosition({ x: n.position.x + w, y: n.position.y + h });
    const inside = a.x >= rect.left && a.y >= rect.top && b.x <= rect.right && b.y <= rect.bottom;
    if (!inside)
      void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: rf.getZoom(), duration: 200 });
  });
}

/** `canvas`: the element the canvas fills (for its middle). Stable for the editor's lifetime. */
export function useCanvasView(canvas: RefObject<HTMLElement | null>): CanvasView {
  const rf = useReactFlow();
  return useMemo(
    () => ({
      fit: () => {
        const nodes = rf.getNodes();
        const rect = canvas.current?.getBoundingClientRect();
        if (!nodes.length || !rect?.width || !rect.height)
          return void rf.fitView({ padding: 0.2, maxZoom: 1.2 });
        const b = rf.getNodesBounds(nodes);
        const whole = Math.min(rect.width / (b.width * 1.2), rect.height / (b.height * 1.2));
        if (whole >= READABLE_ZOOM) return void rf.fitView({ padding: 0.2, maxZoom: 1.2 });
        // Too big to read whole: readable, from the first layer (top or left), centred across.
        const z = READABLE_ZOOM;
        const pad = 24;
        const x =
          b.width * z + 2 * pad <= rect.width ? rect.width / 2 - (b.x + b.width / 2) * z : pad - b.x * z;
        const y =
          b.height * z + 2 * pad <= rect.height ? rect.height / 2 - (b.y + b.height / 2) * z : pad - b.y * z;
        void rf.setViewport({ x, y, zoom: z });
      },
      reset: () => void rf.setViewport({ x: 0, y: 0, zoom: 1 }),
      reveal: (id) => revealNode(rf, canvas.current, id),
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
