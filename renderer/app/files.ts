/**
 * The document workflows: new, open, save, save as, recover, export. They talk to the services,
 * hand what comes back to the store (one action each) and show errors and questions as dialogs.
 */
import type { ExportFormat } from '../../shared/export/formats';
import type { OpenResult } from '../../shared/ipc/contract';
import { type TemplateId, TEMPLATES } from '../../shared/templates/index';
import { recommendTraining } from '../../shared/training/recommend';
import { api, RequestError } from '../ipc/client';
import { wholeGraph } from '../store/graph';
import { selectReport } from '../store/selectors';
import { useAppStore } from '../store/store';
import type { CanvasView } from './view';

const store = () => useAppStore.getState();
const fileName = (p: string) => p.split(/[\\/]/).pop();
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function showError(title: string, err: unknown): void {
  const where = err instanceof RequestError ? err.where : undefined;
  store().openDialog({ kind: 'error', title, message: errorText(err), where });
}

export function refreshRecent(): void {
  void api
    .request('recent.list', {})
    .then((recent) => store().setUi({ recent }))
    .catch(() => undefined);
}

/** Shows an opened, new or recovered document, fitted in view. */
export function showDocument(res: OpenResult, view: CanvasView, options?: { unsaved?: boolean }): void {
  store().loadDocument(res, options);
  if (res.project.graph.nodes.length > 0) requestAnimationFrame(() => view.fit());
  else view.reset();
  refreshRecent();
}

/**
 * Runs `action` now, or after the user agrees to drop unsaved changes; `cancel` when they do not
 * (or Save did not save).
 */
export function guardUnsaved(action: () => void, cancel?: () => void): void {
  const s = store();
  if (!s.nodes.length || s.editVersion === s.savedVersion) return action();
  s.openDialog({
    kind: 'confirm',
    title: 'Unsaved changes',
    message: `“${s.meta.name}” has changes that are not saved. Save them first, or discard them?`,
    confirm: 'Discard changes',
    onConfirm: () => {
      const id = store().docId;
      if (id) void api.request('autosave.clear', { docId: id }).catch(() => undefined);
      store().closeDialog();
      action();
    },
    // Save, then go on once the document is saved. A document never saved gets Save As's dialog;
    // the action waits for the user to run it again.
    primary: {
      label: 'Save',
      run: () => {
        store().closeDialog();
        void save().then(() => {
          const t = store();
          if (t.editVersion === t.savedVersion) action();
          else cancel?.();
        });
      },
    },
    ...(cancel ? { onCancel: cancel } : {}),
  });
}

/**
 * Opens a project, or a model (.onnx, a TF.js model.json) as a new unsaved document made from it
 * (the service answers it without a path: Save asks where).
 */
export async function openPath(p: string, view: CanvasView): Promise<void> {
  store().closeDialog();
  try {
    const res = await api.request('project.open', { path: p });
    showDocument(res, view, { unsaved: res.path === null });
    store().notify(`Opened ${p}`);
  } catch (err) {
    showError(`Cannot open ${fileName(p)}`, err);
  }
}

/**
 * Files dropped on the window (names and bytes in base64), opened as a new unsaved document. They
 * are read first: a drop that cannot be opened leaves the open document as it is, unasked.
 */
export async function openDropped(files: { name: string; data: string }[], view: CanvasView): Promise<void> {
  const names = files.map((f) => f.name).join(', ');
  let res: OpenResult;
  try {
    res = await api.request('project.importFiles', { files });
  } catch (err) {
    return showError(`Cannot open the dropped ${files.length > 1 ? 'files' : 'file'}`, err);
  }
  guardUnsaved(
    () => {
      showDocument(res, view, { unsaved: true });
      store().notify(`Opened the dropped ${names}`);
    },
    () => void api.request('project.close', { docId: res.docId }).catch(() => undefined),
  );
}

export async function newProject(
  template: TemplateId | null,
  view: CanvasView,
  dataset?: string,
): Promise<void> {
  store().closeDialog();
  try {
    showDocument(await api.request('project.new', { template, ...(dataset ? { dataset } : {}) }), view);
    if (template && dataset) await fitProjectToDataset(dataset, view, TEMPLATES[template].targets);
  } catch (err) {
    showError('Cannot create the project', err);
  }
}

/**
 * A new project for a built-in dataset, ready to train: the data loaded (the Input and Output take
 * its shapes), the fixes the checker offers for what that breaks applied (an image under an MLP gets
 * its Flatten), the recommended training settings, and the Train view.
 */
async function fitProjectToDataset(
  dataset: string,
  view: CanvasView,
  targets: 'inputs' | undefined,
): Promise<void> {
  const s = store();
  await s.loadData({ source: 'builtin', dataset, options: {}, ...(targets ? { targets } : {}) });
  for (let i = 0; i < 4; i++) {
    const fix = selectReport(store()).issues.find((x) => x.severity === 'error' && x.fix)?.fix;
    if (!fix) break;
    store().insertBefore(fix.before.nodeId, fix.before.port, fix.insert.kind, fix.insert.params);
  }
  store().autoLayout();
  const summary = store().summary;
  if (summary) {
    const { config } = recommendTraining(summary, wholeGraph(store()), store().meta.training);
    store().setTraining(config);
  }
  requestAnimationFrame(() => view.fit());
  store().setUi({ view: 'train' });
}

/** The open dialog of the platform: the system's (desktop) or the served folder's (serve mode). */
export function openProject(view: CanvasView): void {
  guardUnsaved(() => {
    if (store().mode === 'electron')
      void api.request('dialog.openProject', { models: true }).then(({ path }) => {
        if (path) void openPath(path, view);
      });
    else store().openDialog({ kind: 'browse', mode: 'open' });
  });
}

/** Saves to `p`, or to the document's own path when null. */
export async function saveTo(p: string | null): Promise<void> {
  store().closeDialog();
  const s = store();
  if (!s.docId) return;
  try {
    const res = await api.request('project.save', { docId: s.docId, path: p, project: s.toProject() });
    if (res.data) s.setDataSpec(res.data);
    s.markSaved(res.path);
    if (res.note) s.notify(`Saved ${res.path}. ${res.note}`, 'warn');
    else s.notify(`Saved ${res.path}`);
    refreshRecent();
  } catch (err) {
    showError('Cannot save the project', err);
  }
}

export async function saveAs(): Promise<void> {
  if (store().mode === 'electron') {
    const { path } = await api.request('dialog.saveProject', {
      suggestedName: `${store().meta.name}.nnproj`,
    });
    if (path) await saveTo(path);
  } else store().openDialog({ kind: 'browse', mode: 'save' });
}

export async function save(): Promise<void> {
  if (store().path) await saveTo(null);
  else await saveAs();
}

/** Opens the first of the recoverable documents, unsaved. */
export function recoverFirst(view: CanvasView): void {
  guardUnsaved(() => {
    const p = store().pending[0];
    if (!p) return;
    void api
      .request('autosave.recover', { docId: p.docId })
      .then((r) => {
        showDocument(r, view, { unsaved: true });
        store().setUi({ pending: store().pending.slice(1) });
      })
      .catch((err) => showError('Cannot recover', err));
  });
}

export function discardRecovery(): void {
  for (const p of store().pending) void api.request('autosave.clear', { docId: p.docId });
  store().setUi({ pending: [] });
}

/** Exports the document; the error message, or null once it is done (the dialog then closes). */
export async function exportProject(
  format: ExportFormat,
  dir: string,
  force: boolean,
): Promise<string | null> {
  const s = store();
  if (!s.docId) return 'No project is open.';
  try {
    const res = await api.request('project.export', {
      docId: s.docId,
      project: s.toProject(),
      format,
      dir,
      force,
    });
    s.closeDialog();
    const done = `Exported ${format} to ${res.dir} (${res.files.length} files)`;
    if (res.note) s.notify(`${done}. ${res.note}`, 'warn');
    else s.notify(done);
    return null;
  } catch (err) {
    return errorText(err);
  }
}

/**
 * Shows the diff from another project's network (a path) or from the document's last saved
 * version (null) to the open graph.
 */
export async function compareWith(p: string | null): Promise<void> {
  store().closeDialog();
  const docId = store().docId;
  if (!docId) return;
  try {
    const other = await api.request('project.read', { docId, path: p });
    store().setDiffBase({ label: p === null ? 'the last saved version' : other.path, graph: other.graph });
  } catch (err) {
    showError(p === null ? 'Cannot read the saved version' : `Cannot read ${fileName(p)}`, err);
  }
}

/** Picks a project to compare with: the system's dialog (desktop) or the served folder's. */
export function pickComparison(): void {
  if (store().mode === 'electron')
    void api.request('dialog.openProject', {}).then(({ path }) => {
      if (path) void compareWith(path);
    });
  else store().openDialog({ kind: 'browse', mode: 'compare' });
}
