/**
 * The editor store (zustand, slices combined once, zundo for undo/redo).
 *
 * The graph lives here as React Flow nodes and edges, following React Flow's state-management
 * guide; the project document (name, data spec, training config, runs) sits beside it. Undo history
 * records user edits only (selection, measuring and dragging-in-progress are not edits) and one step
 * per gesture: a drag, a paste, an inspector commit (see `beginGesture` / `endGesture`).
 */
import {
  addEdge as rfAddEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
} from '@xyflow/react';
import dagre from '@dagrejs/dagre';
import { temporal } from 'zundo';
import { create } from 'zustand';
import { checkGraph, type GraphReport, type CheckGraph } from '../../shared/graph/check';
import { type WeightEntry, weightsFit } from '../../shared/graph/weights';
import type { Project, ParamValue, GraphNode } from '../../shared/ir/schema';
import type { DataSummary } from '../../shared/ipc/contract';
import { emptyProject } from '../../shared/ir/project';
import { isLayerKind, type LayerKind, layerSpec } from '../../shared/layers/index';
import { defaultParams, resolveParams } from '../../shared/layers/params';

export interface LayerData extends Record<string, unknown> {
  kind: LayerKind;
  params: Record<string, ParamValue>;
  name?: string;
}
export type LayerNodeT = Node<LayerData, 'layer'>;

export interface DocState {
  docId: string | null;
  path: string | null;
  /** The project's name, format and training config (user edits, undoable). */
  meta: Omit<Project, 'graph' | 'data' | 'runs'>;
  /** The data spec and past runs: set by loading data and by training, not undoable edits. */
  data: Project['data'];
  runs: Project['runs'];
  /** `saveVersion` of the last save; the document is dirty when they differ. */
  savedVersion: number;
  editVersion: number;
  hasWeights: boolean;
  /** Names and shapes of the trained weights (null without any): tell when an edit makes them stale. */
  weightSpecs: WeightEntry[] | null;
  /** The run whose weights the document has (null: none, or not known). */
  currentRunId: string | null;
}

export interface EditorState extends DocState {
  nodes: LayerNodeT[];
  edges: Edge[];
  /** A short message for the status bar (refused connection, saved...). */
  notice: { text: string; tone: 'info' | 'warn' | 'error'; at: number } | null;
  /**
   * True while the graph trains: every edit of the graph or its training settings is refused (with a
   * notice) until the run ends, so the run's results and weights belong to the graph as it is.
   */
  locked: boolean;
  setLocked(locked: boolean): void;

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
  loadDocument(doc: {
    docId: string;
    path: string | null;
    project: Project;
    hasWeights: boolean;
    weightSpecs: WeightEntry[] | null;
  }): void;
  markSaved(path: string): void;
  setProjectName(name: string): void;
  toProject(): Project;
  setTraining(training: Project['training']): void;
  setData(data: Project['data']): void;
  /**
   * A finished run joins the project; `weightSpecs` are the document's weights after it, and
   * `replaced` says whether they are this run's (a diverged run may keep the older ones).
   */
  addRun(run: Project['runs'][number], weightSpecs: WeightEntry[] | null, replaced: boolean): void;
  setWeightSpecs(weightSpecs: WeightEntry[] | null, currentRunId?: string | null): void;
  /** Sets the single Input and Output node to the data's shapes (one undo step). */
  fitToData(summary: DataSummary): void;
  notify(text: string, tone?: 'info' | 'warn' | 'error'): void;
}

const NODE_W = 220;
const NODE_H = 96;

function nextId(kind: string, nodes: readonly { id: string }[]): string {
  const base = kind.toLowerCase();
  const used = new Set(nodes.map((n) => n.id));
  let i = 1;
  while (used.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}

export function toGraph(nodes: readonly LayerNodeT[], edges: readonly Edge[]): Project['graph'] {
  return {
    nodes: nodes.map((n) => {
      const g: GraphNode = {
        id: n.id,
        kind: n.data.kind,
        params: n.data.params,
        position: { x: Math.round(n.position.x * 100) / 100, y: Math.round(n.position.y * 100) / 100 },
      };
      if (n.data.name) g.name = n.data.name;
      return g;
    }),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      targetPort: e.targetHandle ?? 'in',
    })),
  };
}

export function fromGraph(graph: Project['graph']): { nodes: LayerNodeT[]; edges: Edge[] } {
  return {
    nodes: graph.nodes
      .filter((n) => isLayerKind(n.kind))
      .map((n) => ({
        id: n.id,
        type: 'layer' as const,
        position: { ...n.position },
        data: { kind: n.kind as LayerKind, params: { ...n.params }, ...(n.name ? { name: n.name } : {}) },
      })),
    edges: graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: e.targetPort,
      type: 'shape',
    })),
  };
}

/** Would an edge source -> target close a cycle? */
function reaches(edges: readonly Edge[], from: string, to: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(e.target);
  const stack = [from];
  const seen = new Set<string>();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(out.get(n) ?? []));
  }
  return false;
}

/** Why a connection cannot work, or null when it can. Shape problems are allowed (the checker shows them). */
export function connectionProblem(
  nodes: readonly LayerNodeT[],
  edges: readonly Edge[],
  c: { source: string | null; target: string | null; targetHandle?: string | null },
): string | null {
  if (!c.source || !c.target) return 'Drop the connection on an input port.';
  if (c.source === c.target) return 'A layer cannot take its own output as input.';
  const src = nodes.find((n) => n.id === c.source);
  const dst = nodes.find((n) => n.id === c.target);
  if (!src || !dst) return 'That node no longer exists.';
  if (src.data.kind === 'Output') return 'An Output ends the network; it has no outgoing tensor.';
  if (dst.data.kind === 'Input') return 'An Input has no input port: data enters the network there.';
  const port = c.targetHandle ?? 'in';
  if (edges.some((e) => e.target === c.target && (e.targetHandle ?? 'in') === port))
    return `Port ${port} of ${c.target} is already connected. Delete that edge first, or use an Add or Concatenate to combine tensors.`;
  if (edges.some((e) => e.source === c.source && e.target === c.target && (e.targetHandle ?? 'in') === port))
    return 'These two ports are already connected.';
  if (reaches(edges, c.target, c.source))
    return `Connecting ${c.source} → ${c.target} would make a cycle: ${c.target} already feeds ${c.source}. For memory over time use an LSTM, GRU or SimpleRNN.`;
  return null;
}

const initialMeta = (): Omit<Project, 'graph' | 'data' | 'runs'> => {
  const { graph: _g, data: _d, runs: _r, ...meta } = emptyProject();
  return meta;
};

type Tracked = Pick<EditorState, 'nodes' | 'edges' | 'meta'>;

/** Compares what undo cares about: ids, positions, data and wiring; not selection or measurements. */
function sameTracked(a: Tracked, b: Tracked): boolean {
  if (a.meta !== b.meta || a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length)
    return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x.id !== y.id || x.data !== y.data || x.position.x !== y.position.x || x.position.y !== y.position.y)
      return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i]!;
    const y = b.edges[i]!;
    if (x.id !== y.id || x.source !== y.source || x.target !== y.target || x.targetHandle !== y.targetHandle)
      return false;
  }
  return true;
}

let clipboardFallback: string | null = null;
export const CLIPBOARD_MIME = 'application/x-netloom-nodes+json';

export const useEditor = create<EditorState>()(
  temporal(
    (set, get) => {
      const edited = (patch: Partial<EditorState>) =>
        set((s) => ({ ...patch, editVersion: s.editVersion + 1 }));
      /** True (and a notice) when the graph is read-only because it trains. */
      const refused = (): boolean => {
        if (!get().locked) return false;
        get().notify(LOCKED_NOTICE, 'error');
        return true;
      };
      return {
        docId: null,
        path: null,
        meta: initialMeta(),
        data: null,
        runs: [],
        savedVersion: 0,
        editVersion: 0,
        hasWeights: false,
        weightSpecs: null,
        currentRunId: null,
        nodes: [],
        edges: [],
        notice: null,
        locked: false,
        setLocked: (locked) =>
          set((s) => ({
            locked,
            // The refusal notice ends with the run.
            notice: !locked && s.notice?.text === LOCKED_NOTICE ? null : s.notice,
          })),

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
          if (problem) {
            get().notify(problem, 'error');
            return false;
          }
          let n = edges.length + 1;
          while (edges.some((e) => e.id === `e${n}`)) n++;
          edited({
            edges: rfAddEdge(
              { ...c, id: `e${n}`, sourceHandle: 'out', targetHandle: c.targetHandle ?? 'in', type: 'shape' },
              edges,
            ),
          });
          return true;
        },
        addNode: (kind, position, params = {}) => {
          if (refused()) return '';
          const id = nextId(kind, get().nodes);
          const spec = layerSpec(kind);
          const node: LayerNodeT = {
            id,
            type: 'layer',
            position,
            selected: true,
            data: { kind, params: { ...defaultParams(spec), ...params } as Record<string, ParamValue> },
          };
          edited({ nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
          return id;
        },
        setParams: (id, params) => {
          if (refused()) return;
          const nodes = get().nodes;
          const node = nodes.find((n) => n.id === id);
          if (!node) return;
          const res = resolveParams(layerSpec(node.data.kind), params);
          if (!res.ok) return;
          // Ports may change (Add's number of inputs): drop edges into ports that no longer exist.
          const ports = new Set(
            layerSpec(node.data.kind)
              .ports(res.config)
              .map((p) => p.name),
          );
          edited({
            nodes: nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, params } } : n)),
            edges: get().edges.filter((e) => e.target !== id || ports.has(e.targetHandle ?? 'in')),
          });
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
          if ((nodes.some((n) => n.selected) || edges.some((e) => e.selected)) && refused()) return;
          const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
          const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
          if (gone.size === 0 && keptEdges.length === edges.length) return;
          edited({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: keptEdges });
        },
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
          const { nodes, edges } = get();
          const picked = nodes.filter((n) => n.selected);
          if (picked.length === 0) return null;
          const ids = new Set(picked.map((n) => n.id));
          const graph = toGraph(
            picked,
            edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
          );
          const text = JSON.stringify({ netloom: 'nodes', version: 1, ...graph });
          clipboardFallback = text;
          return text;
        },
        paste: (text, at) => {
          if (refused()) return false;
          let data: { netloom?: unknown; nodes?: unknown; edges?: unknown };
          try {
            data = JSON.parse(text) as typeof data;
          } catch {
            return false;
          }
          if (data.netloom !== 'nodes' || !Array.isArray(data.nodes) || !Array.isArray(data.edges))
            return false;
          const incoming = fromGraph({
            nodes: (data.nodes as GraphNode[]).filter(
              (n) => n && typeof n.id === 'string' && isLayerKind(n.kind) && n.params && n.position,
            ),
            edges: (data.edges as Project['graph']['edges']).filter((e) => e && typeof e.source === 'string'),
          });
          if (incoming.nodes.length === 0) return false;
          const existing = get().nodes;
          const rename = new Map<string, string>();
          const all = [...existing];
          for (const n of incoming.nodes) {
            const id = nextId(n.data.kind, all);
            rename.set(n.id, id);
            all.push({ ...n, id });
          }
          const minX = Math.min(...incoming.nodes.map((n) => n.position.x));
          const minY = Math.min(...incoming.nodes.map((n) => n.position.y));
          const dx = at ? at.x - minX : 40;
          const dy = at ? at.y - minY : 40;
          const newNodes = incoming.nodes.map((n) => ({
            ...n,
            id: rename.get(n.id)!,
            selected: true,
            position: { x: n.position.x + dx, y: n.position.y + dy },
          }));
          const edges = get().edges;
          let k = edges.length + 1;
          const newEdges: Edge[] = [];
          for (const e of incoming.edges) {
            const s = rename.get(e.source);
            const t = rename.get(e.target);
            if (!s || !t) continue;
            while (edges.some((x) => x.id === `e${k}`) || newEdges.some((x) => x.id === `e${k}`)) k++;
            newEdges.push({ ...e, id: `e${k}`, source: s, target: t });
          }
          edited({
            nodes: [...existing.map((n) => (n.selected ? { ...n, selected: false } : n)), ...newNodes],
            edges: [...edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...newEdges],
          });
          return true;
        },
        insertBefore: (nodeId, port, kind, params) => {
          if (refused()) return;
          const { nodes, edges } = get();
          const target = nodes.find((n) => n.id === nodeId);
          if (!target) return;
          const incomingEdge = edges.find((e) => e.target === nodeId && (e.targetHandle ?? 'in') === port);
          const id = nextId(kind, nodes);
          const spec = layerSpec(kind);
          const source = incomingEdge ? nodes.find((n) => n.id === incomingEdge.source) : undefined;
          const position = source
            ? {
                x: (source.position.x + target.position.x) / 2,
                y: (source.position.y + target.position.y) / 2,
              }
            : { x: target.position.x, y: target.position.y - NODE_H - 20 };
          // Make room: push the target and everything below it down.
          const shift = NODE_H + 30;
          const moved = nodes.map((n) =>
            n.position.y >= target.position.y
              ? { ...n, position: { ...n.position, y: n.position.y + shift / 2 } }
              : n,
          );
          const node: LayerNodeT = {
            id,
            type: 'layer',
            position,
            data: { kind, params: { ...defaultParams(spec), ...params } as Record<string, ParamValue> },
          };
          let k = edges.length + 1;
          const fresh = () => {
            while (edges.some((x) => x.id === `e${k}`)) k++;
            return `e${k++}`;
          };
          const rest = edges.filter((e) => e !== incomingEdge);
          const added: Edge[] = [
            {
              id: fresh(),
              source: id,
              target: nodeId,
              sourceHandle: 'out',
              targetHandle: port,
              type: 'shape',
            },
          ];
          if (incomingEdge)
            added.push({ ...incomingEdge, id: fresh(), target: id, targetHandle: 'in', selected: false });
          edited({ nodes: [...moved, node], edges: [...rest, ...added] });
        },
        autoLayout: () => {
          if (refused()) return;
          const { nodes, edges } = get();
          const g = new dagre.graphlib.Graph();
          g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 50 });
          g.setDefaultEdgeLabel(() => ({}));
          for (const n of nodes)
            g.setNode(n.id, { width: n.measured?.width ?? NODE_W, height: n.measured?.height ?? NODE_H });
          for (const e of edges) g.setEdge(e.source, e.target);
          dagre.layout(g);
          edited({
            nodes: nodes.map((n) => {
              const p = g.node(n.id);
              const w = n.measured?.width ?? NODE_W;
              const h = n.measured?.height ?? NODE_H;
              return p ? { ...n, position: { x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) } } : n;
            }),
          });
        },
        loadDocument: ({ docId, path, project, hasWeights, weightSpecs }) => {
          const { graph, data, runs, ...meta } = project;
          const { nodes, edges } = fromGraph(graph);
          set({
            docId,
            path,
            meta,
            data,
            runs,
            nodes,
            edges,
            hasWeights,
            weightSpecs,
            // The last finished run made the weights a file has (as far as the file says).
            currentRunId: hasWeights
              ? ([...runs].reverse().find((r) => r.status === 'done')?.id ?? null)
              : null,
            locked: false,
            savedVersion: 0,
            editVersion: 0,
            notice: null,
          });
          useEditor.temporal.getState().clear();
        },
        markSaved: (path) => set((s) => ({ path, savedVersion: s.editVersion })),
        setProjectName: (name) => edited({ meta: { ...get().meta, name } }),
        toProject: () => ({
          ...get().meta,
          data: get().data,
          runs: get().runs,
          graph: toGraph(get().nodes, get().edges),
        }),
        setTraining: (training) => !refused() && edited({ meta: { ...get().meta, training } }),
        setData: (data) => set((s) => ({ data, editVersion: s.editVersion + 1 })),
        addRun: (run, weightSpecs, replaced) =>
          set((s) => ({
            runs: [...s.runs, run],
            hasWeights: weightSpecs !== null,
            weightSpecs,
            currentRunId: replaced ? run.id : s.currentRunId,
            editVersion: s.editVersion + 1,
          })),
        setWeightSpecs: (weightSpecs, currentRunId) =>
          set((s) => ({
            weightSpecs,
            hasWeights: weightSpecs !== null,
            currentRunId: currentRunId === undefined ? s.currentRunId : currentRunId,
          })),
        fitToData: (summary) => {
          if (get().locked) return;
          const { nodes } = get();
          const inputs = nodes.filter((n) => n.data.kind === 'Input');
          const outputs = nodes.filter((n) => n.data.kind === 'Output');
          if (inputs.length !== 1 || outputs.length !== 1) {
            if (nodes.length)
              get().notify(
                `The data has samples of shape [${summary.suggested.inputShape.join(', ')}] and targets of [${summary.suggested.targetShape.join(', ')}]; set the Input and Output nodes to match (this graph has ${inputs.length} Input and ${outputs.length} Output nodes).`,
                'error',
              );
            return;
          }
          const [inp] = inputs;
          const [out] = outputs;
          const changes = new Map<string, Record<string, ParamValue>>();
          changes.set(inp!.id, {
            ...inp!.data.params,
            shape: summary.suggested.inputShape,
            dtype: summary.suggested.inputDtype,
          });
          changes.set(out!.id, { ...out!.data.params, targetShape: summary.suggested.targetShape });
          // The head: the Dense that feeds the Output (through activations / dropout) gets one unit per
          // target value, and the final activation fits the task (sigmoid for yes/no, softmax for
          // classes, linear for numbers).
          const units = summary.suggested.targetShape.reduce((a, d) => a * d, 1);
          const finalAct = summary.task === 'regression' ? 'linear' : units === 1 ? 'sigmoid' : 'softmax';
          const { edges } = get();
          let cur: string | undefined = edges.find((e) => e.target === out!.id)?.source;
          let activationNode: LayerNodeT | undefined;
          for (let guard = 0; cur !== undefined && guard < 16; guard++) {
            const node = nodes.find((n) => n.id === cur);
            if (!node) break;
            if (node.data.kind === 'Activation' && !activationNode) activationNode = node;
            if (node.data.kind === 'Dense') {
              const act = activationNode ? node.data.params.activation : finalAct;
              changes.set(node.id, { ...node.data.params, units, activation: act ?? 'linear' });
              break;
            }
            if (node.data.kind !== 'Activation' && node.data.kind !== 'Dropout') break;
            cur = edges.find((e) => e.target === node.id)?.source;
          }
          if (
            activationNode &&
            ['softmax', 'sigmoid', 'linear'].includes(String(activationNode.data.params.fn))
          )
            changes.set(activationNode.id, { ...activationNode.data.params, fn: finalAct });
          const changed = [...changes].filter(
            ([id, params]) =>
              JSON.stringify(params) !== JSON.stringify(nodes.find((n) => n.id === id)!.data.params),
          );
          if (changed.length === 0) return;
          const next = new Map(changed);
          edited({
            nodes: nodes.map((n) =>
              next.has(n.id) ? { ...n, data: { ...n.data, params: next.get(n.id)! } } : n,
            ),
          });
          get().notify(
            `Input set to [${summary.suggested.inputShape.join(', ')}] and Output to [${summary.suggested.targetShape.join(', ')}] to match ${summary.name}.`,
          );
        },
        notify: (text, tone = 'info') => set({ notice: { text, tone, at: Date.now() } }),
      };
    },
    {
      partialize: (s): Tracked => ({ nodes: s.nodes, edges: s.edges, meta: s.meta }),
      equality: sameTracked,
      limit: 200,
    },
  ),
);

export const LOCKED_NOTICE =
  'The graph is read-only while it trains: stop the run (or let it finish) to edit it.';

/** Undo/redo keep the user's selection out of history and count as edits (dirty marker). */
export function undo(): void {
  const t = useEditor.temporal.getState();
  if (t.pastStates.length === 0) return;
  if (useEditor.getState().locked) return useEditor.getState().notify(LOCKED_NOTICE, 'error');
  t.undo();
  useEditor.setState((s) => ({ editVersion: s.editVersion + 1 }));
}
export function redo(): void {
  const t = useEditor.temporal.getState();
  if (t.futureStates.length === 0) return;
  if (useEditor.getState().locked) return useEditor.getState().notify(LOCKED_NOTICE, 'error');
  t.redo();
  useEditor.setState((s) => ({ editVersion: s.editVersion + 1 }));
}

let gestureStart: Tracked | null = null;
/** Starts a gesture (a drag): intermediate states are not recorded. */
export function beginGesture(): void {
  if (gestureStart) return;
  const s = useEditor.getState();
  gestureStart = { nodes: s.nodes, edges: s.edges, meta: s.meta };
  useEditor.temporal.getState().pause();
}
/** Ends a gesture: records one undo step from its start to now, if anything changed. */
export function endGesture(): void {
  if (!gestureStart) return;
  const start = gestureStart;
  gestureStart = null;
  const t = useEditor.temporal;
  t.getState().resume();
  const s = useEditor.getState();
  if (!sameTracked(start, { nodes: s.nodes, edges: s.edges, meta: s.meta }))
    t.setState((h) => ({ pastStates: [...h.pastStates, start].slice(-200), futureStates: [] }));
}

export const getClipboardFallback = () => clipboardFallback;

// ---------------------------------------------------------------------------------------------
// The checker, memoised on what it reads (kinds, params, wiring), not on positions or selection.
// ---------------------------------------------------------------------------------------------

let lastKey: { nodes: LayerNodeT[]; edges: Edge[] } | null = null;
let lastInput: CheckGraph | null = null;
let lastReport: GraphReport | null = null;

function sameForChecker(
  a: { nodes: LayerNodeT[]; edges: Edge[] },
  b: { nodes: LayerNodeT[]; edges: Edge[] },
) {
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++)
    if (a.nodes[i]!.id !== b.nodes[i]!.id || a.nodes[i]!.data !== b.nodes[i]!.data) return false;
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i]!;
    const y = b.edges[i]!;
    if (x.id !== y.id || x.source !== y.source || x.target !== y.target || x.targetHandle !== y.targetHandle)
      return false;
  }
  return true;
}

export function selectReport(s: { nodes: LayerNodeT[]; edges: Edge[] }): GraphReport {
  if (
    lastReport &&
    lastKey &&
    ((lastKey.nodes === s.nodes && lastKey.edges === s.edges) || sameForChecker(lastKey, s))
  ) {
    lastKey = { nodes: s.nodes, edges: s.edges };
    return lastReport;
  }
  lastInput = {
    nodes: s.nodes.map((n) => ({ id: n.id, kind: n.data.kind, params: n.data.params })),
    edges: s.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      targetPort: e.targetHandle ?? 'in',
    })),
  };
  lastReport = checkGraph(lastInput);
  lastKey = { nodes: s.nodes, edges: s.edges };
  return lastReport;
}

export const useReport = () => useEditor(selectReport);

export type WeightsView =
  | { state: 'none' }
  | { state: 'fit' }
  /** `reason`: what differs, in words; `where`: the nodes whose weights no longer fit. */
  | { state: 'stale'; reason: string };

let lastWeights: { report: GraphReport; specs: WeightEntry[] | null; view: WeightsView } | null = null;

/** Whether the trained weights still fit the graph as it is now (memoised on the report). */
export function selectWeights(s: Pick<EditorState, 'nodes' | 'edges' | 'weightSpecs'>): WeightsView {
  const report = selectReport(s);
  if (lastWeights && lastWeights.report === report && lastWeights.specs === s.weightSpecs)
    return lastWeights.view;
  let view: WeightsView;
  if (!s.weightSpecs) view = { state: 'none' };
  else {
    const fit = weightsFit(lastInput!, s.weightSpecs, report, 4);
    view = fit.fits
      ? { state: 'fit' }
      : {
          state: 'stale',
          reason: `The trained weights no longer fit the graph: ${fit.problems.join('; ')}.`,
        };
  }
  lastWeights = { report, specs: s.weightSpecs, view };
  return view;
}
export const useWeights = () => useEditor(selectWeights);
export const useDirty = () => useEditor((s) => s.editVersion !== s.savedVersion);
