/**
 * Edges of a zoomed-out graph, drawn as ONE svg path. Below `FAR_ZOOM` React Flow is given no
 * edges (each would be its own svg, with its own store subscription) and the nodes' handles are
 * hidden by CSS: with a thousand of them Chromium spent ~30 ms a frame deciding compositing layers
 * while panning or dragging (1,000-node benchmark). One path is one paint chunk, in its own layer;
 * labels and edge interaction are not needed at a zoom where text is unreadable.
 */
import { ViewportPortal } from '@xyflow/react';
import { memo, useMemo, useRef } from 'react';
import { useAppStore } from '../store/store';
import { FarEdgesPath } from './lib/lod';

function FarEdgesImpl() {
  const nodes = useAppStore((s) => s.nodes);
  const edges = useAppStore((s) => s.edges);
  const cache = useRef(new FarEdgesPath());
  const d = useMemo(() => cache.current.path(nodes, edges), [nodes, edges]);
  return (
    <ViewportPortal>
      <svg className="far-edges" data-testid="far-edges" width="1" height="1" aria-hidden="true">
        <path d={d} />
      </svg>
    </ViewportPortal>
  );
}

export const FarEdges = memo(FarEdgesImpl);
