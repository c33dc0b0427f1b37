/**
 * The graph slice: React Flow's nodes and edges (following React Flow's state-management guide) and
 * every edit of them. Each edit is refused while the graph trains (see `locked`), counts as an edit
 * of the document, and is one undo step (the store's `temporal` records nodes, edges and meta).
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import type { DataSummary } from '../../../shared/ipc/contract';
import type { ParamValue } from '../../../shared/ir/schema';
import type { LayerKind } from '../../../shared/layers/index';
import { type Arrangement, arranged } from '../arrange';
import { freeSpot } from '../placement';
import { edgeAt, nodeAt, withAppended, withDroppedOnEdge, withoutSelection } from '../dropEdits';
import { connectionProblem, type LayerData, type LayerNodeT, nextId, NODE_W } from '../graph';
import {
  fittedToData,
  laidOut,
  newLayer,
  selectionText,
  withConnection,
  withInsertedBefore,
  withParams,
  withPasted,
} from '../graphEdits';
import type { AppState, GetState, SliceCreator } from '../state';
import { editing } from './edits';

export interface GraphSlice {
  nodes: LayerNodeT[];
  edges: Edge[];
  onNodesChange(changes: NodeChange<LayerNodeT>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  connect(c: Connection): boolean;
  addNode(kind: LayerKind, position: { x: number; y: number }, params?: Record<string, unknown>): string;
  setParams(id: string, params: Record<string, ParamValue>): void;
  renameNode(id: string, name: string): void;
  deleteSelection(): void;
  selectAll(): void;
  select(ids: string[]): void;
  duplicateSelection(): void;
  copySelection(): string | null;
  paste(text: string, at?: { x: number; y: number }): boolean;
  insertBefore(nodeId: string, port: string, kind: LayerKind, params: Record<string, unknown>): void;
  autoLayout(): void;
  /** Aligns or distributes the selected nodes (one undo step). */
  arrange(how: Arrangement): void;
  /**
   * A layer dropped from the palette at `at` (flow coordinates): inserted into the edge there,
   * appended to the node there (when its output is free), else added on its own. A drop that would
   * break the graph is refused with the reason.
   */
  dropLayer(kind: LayerKind, at: { x: number; y: number }): void;
  /** Sets the single Input and Output node to the data's shapes (one undo step). */
  fitToData(summary: DataSummary): void;
}

let clipboardFallback: string | null = null;
/** The last copied nodes, for a paste where the system clipboard cannot be read. */
export const getClipboardFallback = () => clipboardFallback;
export const CLIPBOARD_MIME = 'application/x-netloom-nodes+json';

const anySelected = (xs: readonly { selected?: boolean }[]) => xs.some((x) => x.selected);

/** A layer dropped from the palette: into the edge there, after the node there, else on its own. */
function dropLayer(
  get: GetState,
  edited: (patch: Partial<AppState>) => void,
  kind: LayerKind,
  at: { x: number; y: number },
) {
  const g = { nodes: get().nodes, edges: get().edges };
  const edge = edgeAt(g, at, get().layoutDirection === 'LR');
  const onto = edge ? undefined : nodeAt(g, at);
  const r = edge ? withDroppedOnEdge(g, edge, kind) : onto ? withAppended(g, onto, kind) : null;
  if (r && 'refused' in r) return void get().notify(r.refused, 'error');
  if (!r) return void get().addNode(kind, { x: at.x - NODE_W / 2, y: at.y - 30 });
  edited(r.graph);
  if (r.id) get().select([r.id]);
  if (r.notice) get().notify(r.notice);
}

export const createGraphSlice: SliceCreator<GraphSlice> = (set, get) => {
  const { edited, refused } = editing(set, get);
  return {
    nodes: [],
    edges: [],
    onNodesChange: (changes) => {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      const moved = changes.some((c) => c.type === 'position' && c.position);
      if ((structural || moved) && refused()) return;
      const next = applyNodeChanges(changes, get().nodes);
      if (structural) {
        const ids = new Set(next.map((n) => n.id));
        edited({ nodes: next, edges: get().edges.filter((e) => ids.has(e.source) && ids.has(e.target)) });
      } else if (moved) edited({ nodes: next });
      else set({ nodes: next });
    },
    onEdgesChange: (changes) => {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      if (structural && refused()) return;
      const next = applyEdgeChanges(changes, get().edges);
      if (structural) edited({ edges: next });
      else set({ edges: next });
    },
    connect: (c) => {
      if (refused()) return false;
      const { nodes, edges } = get();
      const problem = connectionProblem(nodes, edges, c);
      if (problem) get().notify(problem, 'error');
      else edited({ edges: withConnection(edges, c) });
      return !problem;
    },
    addNode: (kind, position, params = {}) => {
      if (refused()) return '';
      const id = nextId(kind, get().nodes);
      // Never on top of another node: the nearest free place.
      const node = { ...newLayer(id, kind, freeSpot(get().nodes, position), params), selected: true };
      edited({ nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
      return id;
    },
    setParams: (id, params) => {
      const next = refused() ? null : withParams(get(), id, params);
      if (next) edited(next);
    },
    renameNode: (id, name) =>
      !refused() &&
      edited({
        nodes: get().nodes.map((n) => {
          if (n.id !== id) return n;
          const data: LayerData = { ...n.data };
          if (name.trim()) data.name = name.trim();
          else delete data.name;
          return { ...n, data };
        }),
      }),
    deleteSelection: () => {
      const { nodes, edges } = get();
      if ((anySelected(nodes) || anySelected(edges)) && refused()) return;
      // One node out of a chain: its neighbours are joined when the shapes allow (one undo step).
      const r = withoutSelection({ nodes, edges });
      if (!r || 'refused' in r) return;
      edited(r.graph);
      if (r.notice) get().notify(r.notice);
    },
    dropLayer: (kind, at) => !refused() && dropLayer(get, edited, kind, at),
    selectAll: () =>
      set({
        nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
        edges: get().edges.map((e) => (e.selected ? e : { ...e, selected: true })),
      }),
    select: (ids) => {
      const want = new Set(ids);
      set({
        nodes: get().nodes.map((n) =>
          !!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
        ),
        edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      });
    },
    duplicateSelection: () => {
      const text = get().copySelection();
      if (text) get().paste(text);
    },
    copySelection: () => {
      const text = selectionText(get());
      if (text) clipboardFallback = text;
      return text;
    },
    paste: (text, at) => {
      const next = refused() ? null : withPasted(get(), text, at);
      if (next) edited(next);
      return next !== null;
    },
    insertBefore: (nodeId, port, kind, params) => {
      const next = refused() ? null : withInsertedBefore(get(), nodeId, port, kind, params);
      const added = next?.nodes.find((n) => !get().nodes.some((m) => m.id === n.id));
      if (next) edited({ ...next, revealRequest: added ? { id: added.id, at: Date.now() } : null });
    },
    autoLayout: () => !refused() && edited({ nodes: laidOut(get(), get().layoutDirection) }),
    arrange: (how) => {
      const next = refused() ? null : arranged(get().nodes, how);
      if (next) edited({ nodes: next });
      else if (!get().locked)
        get().notify(
          `Select ${how === 'across' || how === 'down' ? 'three' : 'two'} or more nodes first.`,
          'error',
        );
    },
    fitToData: (summary) => {
      if (get().locked) return;
      const fit = fittedToData(get(), summary);
      if (fit && 'problem' in fit) {
        if (get().nodes.length) get().notify(fit.problem, 'error');
      } else if (fit) {
        edited({ nodes: fit.nodes });
        get().notify(fit.notice);
      }
    },
  };
};
