/**
 * The editor window: toolbar, recovery banner, the Design view (palette, canvas, sidebar) or the
 * Train view, status bar and dialogs. What each does lives with it: commands in commands/ (one
 * table read by the toolbar, keyboard, command menu and native menu), document workflows and
 * start-up in app/, state in store/ (one store of slices).
 */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import { FileDrop } from './app/FileDrop';
import { useAutosave } from './app/useAutosave';
import { useStartup } from './app/useStartup';
import { useCanvasView } from './app/view';
import { Canvas } from './canvas/Canvas';
import type { CommandContext } from './commands/commands';
import { useShortcuts } from './commands/shortcuts';
import { DialogHost } from './dialogs/DialogHost';
import { Palette } from './palette/Palette';
import { RecoverBanner } from './panels/RecoverBanner';
import { Sidebar } from './panels/Sidebar';
import { StatusBar } from './panels/StatusBar';
import { Toolbar } from './panels/Toolbar';
import { TrainView } from './panels/TrainView';
import { useDirty } from './store/hooks';
import { applyTheme } from './store/slices/ui';
import { useAppStore } from './store/store';

/** The theme on <html>; the document's name (● when unsaved) as the window title. */
function useWindowChrome(): void {
  const theme = useAppStore((s) => s.theme);
  const dirty = useDirty();
  const name = useAppStore((s) => (s.path ? s.path.split(/[\\/]/).pop() : s.meta.name));
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    document.title = `${dirty ? '● ' : ''}${name} — Netloom`;
  }, [dirty, name]);
}

function Editor() {
  const canvas = useRef<HTMLDivElement>(null);
  const view = useCanvasView(canvas);
  const ctx: CommandContext = useMemo(() => ({ view }), [view]);
  const shown = useAppStore((s) => s.view);
  useWindowChrome();
  useStartup(ctx);
  useShortcuts(ctx);
  useAutosave();
  return (
    <div className="app">
      <Toolbar ctx={ctx} />
      <RecoverBanner view={view} />
      {shown === 'train' && <TrainView />}
      <main className="workspace" hidden={shown !== 'design'}>
        <Palette
          onAdd={(kind) => view.reveal(useAppStore.getState().addNode(kind, view.centre()))}
          onAddBlock={(block) => useAppStore.getState().addBlock(block, view.centre())}
          onAddEntry={(entry) => useAppStore.getState().addFromLibrary(entry, view.centre())}
        />
        <Canvas ref={canvas} />
        <Sidebar />
      </main>
      <StatusBar />
      <DialogHost ctx={ctx} />
      <FileDrop view={view} />
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
