/**
 * The canvas: React Flow with the layer nodes and shape edges, dropping layers from the palette,
 * connecting ports (a connection dropped on empty canvas opens the add-layer menu there), and the
 * read-only banner while the graph trains.
 */
import {
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type Node,
  useReactFlow,
  useUpdateNodeInternals,
  type Viewport,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type RefObject, useCallback, useEffect, useRef } from 'react';
import { isLayerKind, layerSpec } from '../../shared/layers/index';
import { isMac } from '../commands/commands';
import { revealNode } from '../app/view';
import { DND_BLOCK_MIME, DND_LIBRARY_MIME } from '../palette/BlockLibrary';
import { DND_MIME } from '../palette/Palette';
import { NODE_W, type Scope } from '../store/graph';
import { beginGesture, endGesture } from '../store/history';
import { useCanvasViewReport } from '../store/hooks';
import type { AppState } from '../store/state';
import { EdgeWeightsToggle } from '../panels/EdgeWeightsToggle';
import { ProbeBar } from '../panels/ProbeBar';
import { useAppStore } from '../store/store';
import { BlockNode, PortNode } from './BlockNode';
import { Breadcrumbs } from './Breadcrumbs';
import { FarContext, ReportContext, useFarZoom } from './context';
import { DotGrid } from './DotGrid';
import { FarEdges } from './FarEdges';
import { LayerNode } from './LayerNode';
import { ShapeEdge } from './ShapeEdge';

const nodeTypes = { layer: LayerNode, block: BlockNode, port: PortNode };
/** Zoomed out, React Flow gets no edges: FarEdges draws them as one path (see FarEdges.tsx). */
const NO_EDGES: Edge[] = [];
const edgeTypes = { shape: ShapeEdge };
const isValidConnection = (c: Edge | Connection) => c.source !== c.target;

/** The minimap draws each node in its category's colour (the palette's), not as a blank box. */
function minimapColor(n: Node): string {
  const kind = (n.data as { kind?: string }).kind;
  if (kind === 'Block') return 'var(--accent)';
  return kind && isLayerKind(kind) ? `var(--cat-${layerSpec(kind).category})` : 'var(--muted)';
}

/** Opening or leaving a block shows its level whole (after React Flow has measured the nodes). */
function useBlockFit(rf: ReturnType<typeof useReactFlow>) {
  const scope = useAppStore((s) => s.scope);
  const seen = useRef(scope);
  const flow = useRef(rf);
  flow.current = rf;
  // The viewport of each level left for a block inside it, given back on the way out.
  const views = useRef(new Map<Scope | null, Viewport>());
  useEffect(() => {
    // Only when the open block changes (not when React Flow's instance object does).
    const from = seen.current;
    if (from === scope) return;
    seen.current = scope;
    const back = views.current.get(scope);
    const opening = back === undefined || scope?.parent === from;
    if (opening) views.current.set(from, flow.current.getViewport());
    else views.current.delete(scope);
    const t = setTimeout(() => {
      if (opening || !back) void flow.current.fitView({ padding: 0.3, maxZoom: 1 });
      else void flow.current.setViewport(back);
    }, 50);
    return () => clearTimeout(t);
  }, [scope]);
}

/** Something dragged from the palette dropped at `at` (flow coordinates). */
function dropOnCanvas(e: React.DragEvent, at: { x: number; y: number }): void {
  e.preventDefault();
  const s = useAppStore.getState();
  const place = { x: at.x - NODE_W / 2, y: at.y - 30 };
  const block = e.dataTransfer.getData(DND_BLOCK_MIME);
  if (block) return s.addBlock(block, place);
  const mine = e.dataTransfer.getData(DND_LIBRARY_MIME);
  const entry = s.userBlocks.find((u) => u.block.name === mine);
  if (entry) return s.addFromLibrary(entry, place);
  const kind = e.dataTransfer.getData(DND_MIME);
  // On an edge: inserted into it; on a node with a free output: appended; else where dropped.
  if (isLayerKind(kind)) s.dropLayer(kind, at);
}

/**
 * The sample picker rides on the canvas once there are weights to look inside and data to pick from
 * (an imported model has none until it is chosen); Design view only (the Train view has its own).
 */
const probingOnCanvas = (s: AppState) =>
  ((s.hasWeights && s.data !== null) || s.status === 'running') && s.view === 'design';

export function Canvas({ ref }: { ref: RefObject<HTMLDivElement | null> }) {
  const rf = useReactFlow();
  const nodes = useAppStore((s) => s.nodes);
  const edges = useAppStore((s) => s.edges);
  const onNodesChange = useAppStore((s) => s.onNodesChange);
  const onEdgesChange = useAppStore((s) => s.onEdgesChange);
  const connect = useAppStore((s) => s.connect);
  const locked = useAppStore((s) => s.locked);
  const probing = useAppStore(probingOnCanvas);
  const ready = useAppStore((s) => s.docId !== null);
  const theme = useAppStore((s) => s.theme);
  const minimap = useAppStore((s) => s.minimap);
  const report = useCanvasViewReport();
  const far = useFarZoom();

  const onDrop = useCallback(
    (e: React.DragEvent) => dropOnCanvas(e, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY })),
    [rf],
  );

  // Ports move sides with the layout direction, and nodes change size in compact mode: React Flow
  // must measure their handles again or edges attach where they were.
  const direction = useAppStore((s) => s.layoutDirection);
  const compact = useAppStore((s) => s.compactNodes);
  const updateInternals = useUpdateNodeInternals();
  useEffect(() => {
    updateInternals(useAppStore.getState().nodes.map((n) => n.id));
  }, [direction, compact, updateInternals]);
  useBlockFit(rf);
  // A node a fix inserted comes into view.
  const revealRequest = useAppStore((s) => s.revealRequest);
  useEffect(() => {
    if (revealRequest) revealNode(rf, ref.current, revealRequest.id);
  }, [revealRequest, rf, ref]);

  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode || state.toNode) return;
      const pt = 'changedTouches' in e ? e.changedTouches[0]! : e;
      const at = rf.screenToFlowPosition({ x: pt.clientX, y: pt.clientY });
      useAppStore.getState().openDialog({ kind: 'command', at, connectFrom: state.fromNode.id });
    },
    [rf],
  );

  return (
    <div
      className="canvas"
      ref={ref}
      data-testid="canvas"
      data-ready={ready}
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
    >
      <ReportContext.Provider value={report}>
        <FarContext.Provider value={far}>
          <ReactFlow
            nodes={nodes}
            edges={far ? NO_EDGES : edges}
            className={far ? 'far' : ''}
            onlyRenderVisibleElements={!far}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            nodesDraggable={!locked}
            nodesConnectable={!locked}
            edgesReconnectable={!locked}
            onConnect={(c: Connection) => void connect(c)}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeDragStart={beginGesture}
            onNodeDragStop={endGesture}
            onSelectionDragStart={beginGesture}
            onSelectionDragStop={endGesture}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={isMac ? 'Meta' : 'Control'}
            colorMode={theme}
            defaultViewport={{ x: 0, y: 0, zoom: 1 }}
            minZoom={0.05}
            maxZoom={2.5}
            proOptions={{ hideAttribution: true }}
          >
            {far && <FarEdges />}
            <DotGrid />
            <Breadcrumbs />
            {probing && (
              <Panel position="top-left" className="canvas-probe">
                <ProbeBar compact />
                <EdgeWeightsToggle />
              </Panel>
            )}
            {locked && (
              <div className="canvas-locked" data-testid="canvas-locked" role="status">
                Training: the graph is read-only until the run ends.
              </div>
            )}
            <Controls showInteractive={false} />
            {/* Zoomed out, the canvas is its own overview; the minimap's per-node subscriptions
                would double the cost of every drag step on a big graph. */}
            {minimap && !far && (
              <MiniMap
                pannable
                zoomable
                nodeStrokeWidth={2}
                nodeColor={minimapColor}
                nodeBorderRadius={4}
                maskColor="rgb(120 130 150 / 18%)"
              />
            )}
          </ReactFlow>
        </FarContext.Provider>
      </ReportContext.Provider>
    </div>
  );
}
