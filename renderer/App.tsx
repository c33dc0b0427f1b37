/**
 * The editor window: toolbar, palette, canvas, inspector / summary / problems, status bar; commands
 * (each one data: id, label, keys, run — Excalidraw style) shared by the toolbar, the keyboard, the
 * command menu and Electron's native menu.
 */
import {
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  type Connection,
  type Edge,
  type FinalConnectionState,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { GraphFix } from '../shared/graph/check';
import type { OpenResult } from '../shared/ipc/contract';
import { type LayerKind, isLayerKind } from '../shared/layers/index';
import { formatCount } from '../shared/layers/shape';
import type { TemplateId } from '../shared/templates/index';
import { DotGrid } from './canvas/DotGrid';
import { FarEdges } from './canvas/FarEdges';
import { FarContext, ReportContext, useFarZoom } from './canvas/context';
import { LayerNode } from './canvas/LayerNode';
import { ShapeEdge } from './canvas/ShapeEdge';
import {
  CommandMenu,
  ConfirmDialog,
  ErrorDialog,
  ExportDialog,
  FileBrowser,
  TemplateGallery,
} from './dialogs/Dialogs';
import { Inspector } from './inspector/Inspector';
import { api, RequestError } from './ipc/client';
import { DND_MIME, Palette } from './palette/Palette';
import { ErrorList } from './panels/ErrorList';
import { Summary } from './panels/Summary';
import { TrainView } from './panels/TrainView';
import { bindTrainingEvents, useTraining } from './store/training';
import {
  beginGesture,
  CLIPBOARD_MIME,
  endGesture,
  getClipboardFallback,
  redo,
  undo,
  useDirty,
  useEditor,
  useReport,
  useWeights,
} from './store/editor';

const nodeTypes = { layer: LayerNode };
/** Zoomed out, React Flow gets no edges: FarEdges draws them as one path (see FarEdges.tsx). */
const NO_EDGES: Edge[] = [];
const edgeTypes = { shape: ShapeEdge };

type DialogState =
  | { kind: 'none' }
  | { kind: 'error'; title: string; message: string; where?: string | undefined }
  | { kind: 'browse'; mode: 'open' | 'save' }
  | { kind: 'gallery' }
  | { kind: 'export' }
  | { kind: 'confirm'; title: string; message: string; confirm: string; onConfirm: () => void }
  | { kind: 'command'; at?: { x: number; y: number } | undefined; connectFrom?: string | undefined };

export interface Command {
  id: string;
  label: string;
  keys?: string;
  run: () => void;
}

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl+';

function Editor() {
  const rf = useReactFlow();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const connect = useEditor((s) => s.connect);
  const notice = useEditor((s) => s.notice);
  const meta = useEditor((s) => s.meta);
  const path = useEditor((s) => s.path);
  const docId = useEditor((s) => s.docId);
  const dirty = useDirty();
  const report = useReport();
  const weights = useWeights();
  const locked = useEditor((s) => s.locked);
  const past = useStore(useEditor.temporal, (t) => t.pastStates.length);
  const future = useStore(useEditor.temporal, (t) => t.futureStates.length);
  const [dialog, setDialog] = useState<DialogState>({ kind: 'none' });
  const [mode, setMode] = useState<'electron' | 'serve'>('serve');
  const [theme, setTheme] = useState<'light' | 'dark'>(
    () => (localStorage.getItem('netloom.theme') as 'light' | 'dark' | null) ?? 'light',
  );
  const [minimap, setMinimap] = useState(true);
  const [recent, setRecent] = useState<string[]>([]);
  const [pending, setPending] = useState<
    { docId: string; path: string | null; name: string; savedAt: string }[]
  >([]);
  const [tab, setTab] = useState<'inspector' | 'summary'>('inspector');
  const [view, setView] = useState<'design' | 'train'>('design');
  const trainStatus = useTraining((s) => s.status);
  const wrapper = useRef<HTMLDivElement>(null);
  const far = useFarZoom();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('netloom.theme', theme);
  }, [theme]);

  useEffect(() => {
    const name = path ? path.split(/[\\/]/).pop() : meta.name;
    document.title = `${dirty ? '● ' : ''}${name} — Netloom`;
  }, [dirty, path, meta.name]);

  const showError = useCallback((title: string, err: unknown) => {
    const e = err instanceof RequestError ? err : null;
    setDialog({
      kind: 'error',
      title,
      message: err instanceof Error ? err.message : String(err),
      where: e?.where,
    });
  }, []);

  const load = useCallback(
    (res: OpenResult) => {
      const prev = useEditor.getState().docId;
      if (useTraining.getState().status === 'running') void useTraining.getState().stop();
      useTraining.getState().reset();
      useEditor.getState().loadDocument(res);
      if (res.evaluation) useTraining.setState({ evaluation: res.evaluation });
      if (prev && prev !== res.docId)
        void api.request('project.close', { docId: prev }).catch(() => undefined);
      if (res.project.graph.nodes.length > 0)
        requestAnimationFrame(() => rf.fitView({ padding: 0.2, maxZoom: 1.2 }));
      else void rf.setViewport({ x: 0, y: 0, zoom: 1 });
      void api
        .request('recent.list', {})
        .then(setRecent)
        .catch(() => undefined);
    },
    [rf],
  );

  /** Runs `action` now, or after the user agrees to drop unsaved changes. */
  const guardUnsaved = useCallback((action: () => void) => {
    if (
      !useEditor.getState().nodes.length ||
      useEditor.getState().editVersion === useEditor.getState().savedVersion
    )
      return action();
    setDialog({
      kind: 'confirm',
      title: 'Unsaved changes',
      message: `“${useEditor.getState().meta.name}” has changes that are not saved. Discard them?`,
      confirm: 'Discard changes',
      onConfirm: () => {
        const id = useEditor.getState().docId;
        if (id) void api.request('autosave.clear', { docId: id }).catch(() => undefined);
        setDialog({ kind: 'none' });
        action();
      },
    });
  }, []);

  const openPath = useCallback(
    async (p: string) => {
      setDialog({ kind: 'none' });
      try {
        load(await api.request('project.open', { path: p }));
        useEditor.getState().notify(`Opened ${p}`);
      } catch (err) {
        showError(`Cannot open ${p.split(/[\\/]/).pop()}`, err);
      }
    },
    [load, showError],
  );

  const newProject = useCallback(
    async (template: TemplateId | null) => {
      setDialog({ kind: 'none' });
      try {
        load(await api.request('project.new', { template }));
      } catch (err) {
        showError('Cannot create the project', err);
      }
    },
    [load, showError],
  );

  const saveTo = useCallback(
    async (p: string | null) => {
      setDialog({ kind: 'none' });
      const s = useEditor.getState();
      if (!s.docId) return;
      try {
        const res = await api.request('project.save', { docId: s.docId, path: p, project: s.toProject() });
        if (res.data) s.setData(res.data);
        s.markSaved(res.path);
        if (res.note) s.notify(`Saved ${res.path}. ${res.note}`, 'warn');
        else s.notify(`Saved ${res.path}`);
        void api
          .request('recent.list', {})
          .then(setRecent)
          .catch(() => undefined);
      } catch (err) {
        showError('Cannot save the project', err);
      }
    },
    [showError],
  );

  const saveAs = useCallback(async () => {
    if (mode === 'electron') {
      const { path: p } = await api.request('dialog.saveProject', {
        suggestedName: `${useEditor.getState().meta.name}.nnproj`,
      });
      if (p) await saveTo(p);
    } else setDialog({ kind: 'browse', mode: 'save' });
  }, [mode, saveTo]);

  const save = useCallback(async () => {
    if (useEditor.getState().path) await saveTo(null);
    else await saveAs();
  }, [saveAs, saveTo]);

  const open = useCallback(() => {
    guardUnsaved(() => {
      if (mode === 'electron')
        void api.request('dialog.openProject', {}).then(({ path: p }) => {
          if (p) void openPath(p);
        });
      else setDialog({ kind: 'browse', mode: 'open' });
    });
  }, [guardUnsaved, mode, openPath]);

  const centre = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    const p = rf.screenToFlowPosition({
      x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2,
      y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2,
    });
    const jitter = (useEditor.getState().nodes.length % 5) * 16;
    return { x: p.x - 110 + jitter, y: p.y - 40 + jitter };
  }, [rf]);

  const addAtCentre = useCallback(
    (kind: LayerKind) => useEditor.getState().addNode(kind, centre()),
    [centre],
  );

  const applyFix = useCallback((fix: GraphFix) => {
    useEditor.getState().insertBefore(fix.before.nodeId, fix.before.port, fix.insert.kind, fix.insert.params);
    useEditor.getState().notify(`Applied: ${fix.label}`);
  }, []);

  const copy = useCallback(async () => {
    const text = useEditor.getState().copySelection();
    if (text) await navigator.clipboard?.writeText(text).catch(() => undefined);
  }, []);
  const paste = useCallback(async () => {
    const text = await (navigator.clipboard?.readText() ?? Promise.resolve(null)).catch(() => null);
    if (!text || !useEditor.getState().paste(text)) {
      const fallback = getClipboardFallback();
      if (fallback) useEditor.getState().paste(fallback);
    }
  }, []);

  const commands: Command[] = useMemo(
    () => [
      {
        id: 'new',
        label: 'New…',
        keys: `${mod}N`,
        run: () => guardUnsaved(() => setDialog({ kind: 'gallery' })),
      },
      { id: 'open', label: 'Open…', keys: `${mod}O`, run: open },
      { id: 'save', label: 'Save', keys: `${mod}S`, run: () => void save() },
      { id: 'saveAs', label: 'Save As…', keys: `${mod}Shift+S`, run: () => void saveAs() },
      { id: 'export', label: 'Export…', keys: `${mod}E`, run: () => setDialog({ kind: 'export' }) },
      { id: 'undo', label: 'Undo', keys: `${mod}Z`, run: undo },
      { id: 'redo', label: 'Redo', keys: isMac ? '⌘Shift+Z' : 'Ctrl+Y', run: redo },
      {
        id: 'cut',
        label: 'Cut',
        keys: `${mod}X`,
        run: () => void copy().then(() => useEditor.getState().deleteSelection()),
      },
      { id: 'copy', label: 'Copy', keys: `${mod}C`, run: () => void copy() },
      { id: 'paste', label: 'Paste', keys: `${mod}V`, run: () => void paste() },
      {
        id: 'duplicate',
        label: 'Duplicate',
        keys: `${mod}D`,
        run: () => useEditor.getState().duplicateSelection(),
      },
      { id: 'delete', label: 'Delete', keys: 'Del', run: () => useEditor.getState().deleteSelection() },
      { id: 'selectAll', label: 'Select all', keys: `${mod}A`, run: () => useEditor.getState().selectAll() },
      {
        id: 'layout',
        label: 'Auto layout',
        keys: `${mod}L`,
        run: () => {
          useEditor.getState().autoLayout();
          requestAnimationFrame(() => rf.fitView({ padding: 0.2, maxZoom: 1.2 }));
        },
      },
      {
        id: 'fit',
        label: 'Fit view',
        keys: 'Shift+1',
        run: () => rf.fitView({ padding: 0.2, maxZoom: 1.2 }),
      },
      { id: 'zoomIn', label: 'Zoom in', keys: `${mod}=`, run: () => rf.zoomIn() },
      { id: 'zoomOut', label: 'Zoom out', keys: `${mod}-`, run: () => rf.zoomOut() },
      { id: 'minimap', label: 'Toggle minimap', run: () => setMinimap((m) => !m) },
      {
        id: 'theme',
        label: 'Toggle dark theme',
        run: () => setTheme((t) => (t === 'dark' ? 'light' : 'dark')),
      },
      { id: 'addLayer', label: 'Add layer…', keys: `${mod}K`, run: () => setDialog({ kind: 'command' }) },
    ],
    [copy, guardUnsaved, open, paste, rf, save, saveAs],
  );
  const commandsRef = useRef(commands);
  commandsRef.current = commands;
  const run = (id: string) => commandsRef.current.find((c) => c.id === id)?.run();

  // Keyboard shortcuts (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing =
        !!t &&
        (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const m = e.metaKey || e.ctrlKey;
      const k = e.key.toLowerCase();
      if (m && k === 's') {
        e.preventDefault();
        return run(e.shiftKey ? 'saveAs' : 'save');
      }
      if (m && k === 'o') {
        e.preventDefault();
        return run('open');
      }
      if (m && k === 'n') {
        e.preventDefault();
        return run('new');
      }
      if (m && k === 'e') {
        e.preventDefault();
        return run('export');
      }
      if (m && k === 'k') {
        e.preventDefault();
        return run('addLayer');
      }
      if (typing) return;
      if (m && k === 'z') {
        e.preventDefault();
        return run(e.shiftKey ? 'redo' : 'undo');
      }
      if (m && k === 'y') {
        e.preventDefault();
        return run('redo');
      }
      if (m && k === 'd') {
        e.preventDefault();
        return run('duplicate');
      }
      if (m && k === 'a') {
        e.preventDefault();
        return run('selectAll');
      }
      if (m && k === 'l') {
        e.preventDefault();
        return run('layout');
      }
      if ((k === 'delete' || k === 'backspace') && !m) {
        e.preventDefault();
        return run('delete');
      }
      if (e.shiftKey && e.key === '!') return run('fit');
    };
    // Copy/cut/paste through the system clipboard events (they work without clipboard permissions).
    const isField = (t: EventTarget | null) =>
      t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    const onCopy = (e: ClipboardEvent) => {
      if (isField(e.target)) return;
      const text = useEditor.getState().copySelection();
      if (!text) return;
      e.preventDefault();
      e.clipboardData?.setData('text/plain', text);
      e.clipboardData?.setData(CLIPBOARD_MIME, text);
      if (e.type === 'cut') useEditor.getState().deleteSelection();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isField(e.target)) return;
      const text =
        e.clipboardData?.getData(CLIPBOARD_MIME) ||
        e.clipboardData?.getData('text/plain') ||
        getClipboardFallback();
      if (text && useEditor.getState().paste(text)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, []);

  // Start-up: mode, a file given on the command line, recovery slots, recent files.
  useEffect(() => {
    void (async () => {
      try {
        const info = await api.request('app.info', {});
        setMode(info.mode);
        setPending(await api.request('autosave.pending', {}));
        setRecent(await api.request('recent.list', {}));
        if (info.initialFile) await openPath(info.initialFile);
        else if (!useEditor.getState().docId) load(await api.request('project.new', { template: null }));
      } catch (err) {
        showError('Cannot reach the Netloom services', err);
      }
    })();
    const offTraining = bindTrainingEvents();
    const offOpen = api.on('app.openFile', ({ path: p }) => guardUnsaved(() => void openPath(p)));
    const offCmd = api.on('app.command', ({ command }) => run(command));
    return () => {
      offTraining();
      offOpen();
      offCmd();
    };
  }, []);

  // Autosave unsaved work to a recovery slot every 30 s.
  useEffect(() => {
    const t = setInterval(() => {
      const s = useEditor.getState();
      if (s.docId && s.editVersion !== s.savedVersion)
        void api
          .request('autosave.write', { docId: s.docId, path: s.path, project: s.toProject() })
          .catch(() => undefined);
    }, 30_000);
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const s = useEditor.getState();
      if (s.editVersion !== s.savedVersion) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      clearInterval(t);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      const kind = e.dataTransfer.getData(DND_MIME);
      if (!isLayerKind(kind)) return;
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      useEditor.getState().addNode(kind, { x: p.x - 110, y: p.y - 30 });
    },
    [rf],
  );

  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode || state.toNode) return;
      const pt = 'changedTouches' in e ? e.changedTouches[0]! : e;
      const at = rf.screenToFlowPosition({ x: pt.clientX, y: pt.clientY });
      setDialog({ kind: 'command', at, connectFrom: state.fromNode.id });
    },
    [rf],
  );

  const pickFromMenu = useCallback(
    (kind: LayerKind) => {
      const d = dialog;
      setDialog({ kind: 'none' });
      const at = d.kind === 'command' && d.at ? { x: d.at.x - 110, y: d.at.y } : centre();
      const id = useEditor.getState().addNode(kind, at);
      if (d.kind === 'command' && d.connectFrom)
        useEditor
          .getState()
          .connect({ source: d.connectFrom, target: id, sourceHandle: 'out', targetHandle: 'in' });
    },
    [centre, dialog],
  );

  const docName = path ? path.split(/[\\/]/).pop() : meta.name;

  return (
    <div className="app">
      <header className="toolbar" role="toolbar">
        <span className="brand">Netloom</span>
        <nav className="views" aria-label="Views">
          <button
            className={view === 'design' ? 'active' : ''}
            data-testid="view-design"
            onClick={() => setView('design')}
          >
            Design
          </button>
          <button
            className={view === 'train' ? 'active' : ''}
            data-testid="view-train"
            onClick={() => setView('train')}
          >
            Train{trainStatus === 'running' ? ' ●' : ''}
          </button>
        </nav>
        <button data-testid="cmd-new" onClick={() => run('new')} title={`New (${mod}N)`}>
          New
        </button>
        <button data-testid="cmd-open" onClick={() => run('open')} title={`Open (${mod}O)`}>
          Open
        </button>
        {recent.length > 0 && (
          <select
            className="recent"
            data-testid="cmd-recent"
            value=""
            onChange={(e) => e.target.value && guardUnsaved(() => void openPath(e.target.value))}
          >
            <option value="">Open recent…</option>
            {recent.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
        <button data-testid="cmd-save" onClick={() => run('save')} title={`Save (${mod}S)`}>
          Save
        </button>
        <button data-testid="cmd-saveas" onClick={() => run('saveAs')}>
          Save As
        </button>
        <button data-testid="cmd-export" onClick={() => run('export')} title={`Export (${mod}E)`}>
          Export
        </button>
        <span className="sep" />
        <button
          data-testid="cmd-undo"
          onClick={() => run('undo')}
          disabled={past === 0}
          title={`Undo (${mod}Z)`}
        >
          Undo
        </button>
        <button data-testid="cmd-redo" onClick={() => run('redo')} disabled={future === 0} title="Redo">
          Redo
        </button>
        <button data-testid="cmd-layout" onClick={() => run('layout')} title={`Auto layout (${mod}L)`}>
          Layout
        </button>
        <button data-testid="cmd-fit" onClick={() => run('fit')}>
          Fit
        </button>
        <button data-testid="cmd-add" onClick={() => run('addLayer')} title={`Add layer (${mod}K)`}>
          + Layer
        </button>
        <span className="spacer" />
        <input
          className="project-name"
          aria-label="Project name"
          data-testid="project-name"
          value={meta.name}
          onChange={(e) => useEditor.getState().setProjectName(e.target.value)}
        />
        <button data-testid="cmd-theme" onClick={() => run('theme')} title="Light / dark theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      {pending.length > 0 && (
        <div className="banner" data-testid="recover-banner">
          Unsaved work from an earlier session: {pending.map((p) => p.path ?? p.name).join(', ')}.
          <button
            onClick={() =>
              guardUnsaved(() => {
                const p = pending[0]!;
                void api
                  .request('autosave.recover', { docId: p.docId })
                  .then((r) => {
                    load(r);
                    useEditor.setState((s) => ({ editVersion: s.editVersion + 1 }));
                    setPending((list) => list.slice(1));
                  })
                  .catch((err) => showError('Cannot recover', err));
              })
            }
          >
            Recover
          </button>
          <button
            onClick={() => {
              for (const p of pending) void api.request('autosave.clear', { docId: p.docId });
              setPending([]);
            }}
          >
            Discard
          </button>
        </div>
      )}
      {view === 'train' && <TrainView />}
      <main className="workspace" hidden={view !== 'design'}>
        <Palette onAdd={addAtCentre} />
        <div
          className="canvas"
          ref={wrapper}
          data-testid="canvas"
          data-ready={docId !== null}
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
                isValidConnection={(c) => c.source !== c.target}
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
                {locked && (
                  <div className="canvas-locked" data-testid="canvas-locked" role="status">
                    Training: the graph is read-only until the run ends.
                  </div>
                )}
                <Controls showInteractive={false} />
                {/* Zoomed out, the canvas is its own overview; the minimap's per-node subscriptions
                    would double the cost of every drag step on a big graph. */}
                {minimap && !far && <MiniMap pannable zoomable nodeStrokeWidth={2} />}
              </ReactFlow>
            </FarContext.Provider>
          </ReportContext.Provider>
        </div>
        <aside className="sidebar">
          <nav className="tabs">
            <button
              className={tab === 'inspector' ? 'active' : ''}
              onClick={() => setTab('inspector')}
              data-testid="tab-inspector"
            >
              Inspector
            </button>
            <button
              className={tab === 'summary' ? 'active' : ''}
              onClick={() => setTab('summary')}
              data-testid="tab-summary"
            >
              Summary
            </button>
          </nav>
          <div className="sidebar-body">{tab === 'inspector' ? <Inspector /> : <Summary />}</div>
          <ErrorList onFix={applyFix} />
        </aside>
      </main>
      <footer className="statusbar">
        <span data-testid="doc-title">
          {dirty ? '● ' : ''}
          {docName}
        </span>
        <span>
          {nodes.length} layers · <span data-testid="total-params">{formatCount(report.totals.params)}</span>{' '}
          parameters
        </span>
        <span className={report.errors ? 'bad' : 'good'}>
          {report.errors ? `${report.errors} error${report.errors > 1 ? 's' : ''}` : 'no errors'}
          {report.warnings ? `, ${report.warnings} warning${report.warnings > 1 ? 's' : ''}` : ''}
        </span>
        {locked ? (
          <span className="warn" data-testid="weights-state" data-state="training">
            training · graph read-only
          </span>
        ) : weights.state === 'stale' ? (
          <span className="bad" data-testid="weights-state" data-state="stale" title={weights.reason}>
            weights stale: undo or train again
          </span>
        ) : weights.state === 'fit' ? (
          <span className="good" data-testid="weights-state" data-state="fit">
            trained
          </span>
        ) : null}
        {notice && (
          <span className={`notice ${notice.tone}`} data-testid="notice" key={notice.at}>
            {notice.text}
          </span>
        )}
        <span className="spacer" />
        <span className="muted">{mode === 'serve' ? 'serve mode' : 'desktop'}</span>
        {docId === null && <span className="muted">connecting…</span>}
      </footer>
      {dialog.kind === 'error' && (
        <ErrorDialog
          title={dialog.title}
          message={dialog.message}
          where={dialog.where}
          onClose={() => setDialog({ kind: 'none' })}
        />
      )}
      {dialog.kind === 'confirm' && (
        <ConfirmDialog
          title={dialog.title}
          message={dialog.message}
          confirm={dialog.confirm}
          onConfirm={dialog.onConfirm}
          onClose={() => setDialog({ kind: 'none' })}
        />
      )}
      {dialog.kind === 'browse' && (
        <FileBrowser
          mode={dialog.mode}
          suggestedName={`${(meta.name || 'untitled').replace(/[^\w.-]+/g, '-')}.nnproj`}
          onPick={(p) => void (dialog.mode === 'open' ? openPath(p) : saveTo(p))}
          onClose={() => setDialog({ kind: 'none' })}
        />
      )}
      {dialog.kind === 'export' && (
        <ExportDialog
          mode={mode}
          baseName={(meta.name || 'netloom').replace(/[^\w.-]+/g, '-').toLowerCase()}
          onClose={() => setDialog({ kind: 'none' })}
          onExport={async (format, dir, force) => {
            const s = useEditor.getState();
            if (!s.docId) return 'No project is open.';
            try {
              const res = await api.request('project.export', {
                docId: s.docId,
                project: s.toProject(),
                format,
                dir,
                force,
              });
              setDialog({ kind: 'none' });
              const done = `Exported ${format} to ${res.dir} (${res.files.length} files)`;
              if (res.note) s.notify(`${done}. ${res.note}`, 'warn');
              else s.notify(done);
              return null;
            } catch (err) {
              return err instanceof Error ? err.message : String(err);
            }
          }}
        />
      )}
      {dialog.kind === 'gallery' && (
        <TemplateGallery onPick={(id) => void newProject(id)} onClose={() => setDialog({ kind: 'none' })} />
      )}
      {dialog.kind === 'command' && (
        <CommandMenu onPick={pickFromMenu} onClose={() => setDialog({ kind: 'none' })} commands={commands} />
      )}
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
