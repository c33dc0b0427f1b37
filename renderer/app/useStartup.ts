/**
 * Start-up: serve or desktop mode, recoverable work, recent files, then the file given on the
 * command line or a new empty project with the template gallery open; and, while the editor lives, the services' events (training,
 * a file opened from the system, a native menu command).
 */
import { useEffect, useRef } from 'react';
import { runCommand, type CommandContext } from '../commands/commands';
import { api } from '../ipc/client';
import { bindTrainingEvents, useAppStore } from '../store/store';
import { guardUnsaved, openPath, showDocument, showError } from './files';

async function start(ctx: CommandContext): Promise<void> {
  const s = useAppStore.getState();
  try {
    const info = await api.request('app.info', {});
    s.setUi({ mode: info.mode });
    s.setUi({ pending: await api.request('autosave.pending', {}) });
    s.setUi({ recent: await api.request('recent.list', {}) });
    void s.loadDatasets();
    if (info.initialFile) await openPath(info.initialFile, ctx.view);
    else if (!useAppStore.getState().docId) {
      showDocument(await api.request('project.new', { template: null }), ctx.view);
      // No file to open: start from the gallery (unless there is work to recover first).
      if (useAppStore.getState().pending.length === 0) s.openDialog({ kind: 'gallery' });
    }
  } catch (err) {
    showError('Cannot reach the Netloom services', err);
  }
}

export function useStartup(ctx: CommandContext): void {
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  useEffect(() => {
    void start(ctxRef.current);
    const offTraining = bindTrainingEvents();
    const offOpen = api.on('app.openFile', ({ path }) =>
      guardUnsaved(() => void openPath(path, ctxRef.current.view)),
    );
    const offCmd = api.on('app.command', ({ command }) => runCommand(command, ctxRef.current));
    return () => {
      offTraining();
      offOpen();
      offCmd();
    };
  }, []);
}
