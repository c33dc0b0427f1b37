/**
 * The document slice: which project is open, its settings, data spec, runs and weights, whether it
 * is saved, the status bar's notice, and the read-only lock while it trains. Loading a document is
 * one action: it also stops and resets the training slice and clears undo history.
 */
import type { WeightEntry } from '../../../shared/graph/weights';
import type { OpenResult } from '../../../shared/ipc/contract';
import { emptyProject } from '../../../shared/ir/project';
import { appendRun, type Project } from '../../../shared/ir/schema';
import { api } from '../../ipc/client';
import { fromGraph, type ProjectMeta, wholeGraph } from '../graph';
import type { SliceCreator } from '../state';
import { editing, LOCKED_NOTICE } from './edits';

export type Notice = { text: string; tone: 'info' | 'warn' | 'error'; at: number };

export interface DocumentSlice {
  docId: string | null;
  path: string | null;
  /** The project's name, format and training config (user edits, undoable). */
  meta: ProjectMeta;
  /** The data spec and past runs: set by loading data and by training, not undoable edits. */
  data: Project['data'];
  runs: Project['runs'];
  /** `editVersion` at the last save; the document is dirty when they differ. */
  savedVersion: number;
  editVersion: number;
  hasWeights: boolean;
  /** Names and shapes of the trained weights (null without any): tell when an edit makes them stale. */
  weightSpecs: WeightEntry[] | null;
  /** The run whose weights the document has (null: none, or not known). */
  currentRunId: string | null;
  /** A short message for the status bar (refused connection, saved...). */
  notice: Notice | null;
  /**
   * True while the graph trains: every edit of the graph or its training settings is refused (with a
   * notice) until the run ends, so the run's results and weights belong to the graph as it is.
   */
  locked: boolean;
  setLocked(locked: boolean): void;
  /**
   * Shows an opened, new or recovered project: the training slice starts over (a running run is
   * stopped), the saved evaluation is shown, undo history is cleared and the previous document is
   * closed. `unsaved`: the document starts dirty (recovered work).
   */
  loadDocument(doc: OpenResult, options?: { unsaved?: boolean }): void;
  markSaved(path: string): void;
  /** Counts a change of the document that is not an edit of the graph (dirty marker). */
  markEdited(): void;
  setProjectName(name: string): void;
  toProject(): Project;
  setTraining(training: Project['training']): void;
  setDataSpec(data: Project['data']): void;
  /**
   * A finished run joins the project; `weightSpecs` are the document's weights after it, and
   * `replaced` says whether they are this run's (a diverged run may keep the older ones).
   */
  addRun(run: Project['runs'][number], weightSpecs: WeightEntry[] | null, replaced: boolean): void;
  setWeightSpecs(weightSpecs: WeightEntry[] | null, currentRunId?: string | null): void;
  notify(text: string, tone?: Notice['tone']): void;
}

const initialMeta = (): ProjectMeta => {
  const { graph: _g, data: _d, runs: _r, ...meta } = emptyProject();
  return meta;
};

export const createDocumentSlice: SliceCreator<DocumentSlice> = (set, get, store) => {
  const { edited, refused } = editing(set, get);
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
    notice: null,
    locked: false,
    setLocked: (locked) =>
      set((s) => ({
        locked,
        // The refusal notice ends with the run.
        notice: !locked && s.notice?.text === LOCKED_NOTICE ? null : s.notice,
      })),
    loadDocument: (doc, options) => {
      const previous = get().docId;
      if (get().status === 'running') void get().stopTraining();
      get().resetTraining();
      const { graph, data, runs, ...meta } = doc.project;
      set({
        ...fromGraph(graph),
        blocks: graph.blocks ?? [],
        scope: null,
        docId: doc.docId,
        path: doc.path,
        meta,
        data,
        runs,
        hasWeights: doc.hasWeights,
        weightSpecs: doc.weightSpecs,
        // The last finished run made the weights a file has (as far as the file says).
        currentRunId: doc.hasWeights
          ? ([...runs].reverse().find((r) => r.status === 'done')?.id ?? null)
          : null,
        locked: false,
        savedVersion: 0,
        editVersion: options?.unsaved ? 1 : 0,
        notice: null,
        evaluation: doc.evaluation,
      });
      store.temporal.getState().clear();
      if (previous && previous !== doc.docId)
        void api.request('project.close', { docId: previous }).catch(() => undefined);
    },
    markSaved: (path) => set((s) => ({ path, savedVersion: s.editVersion })),
    markEdited: () => set((s) => ({ editVersion: s.editVersion + 1 })),
    setProjectName: (name) => edited({ meta: { ...get().meta, name } }),
    toProject: () => ({
      ...get().meta,
      data: get().data,
      runs: get().runs,
      graph: wholeGraph(get()),
    }),
    setTraining: (training) => !refused() && edited({ meta: { ...get().meta, training } }),
    // Loading the project's own data again (opening the Train view) is no edit.
    setDataSpec: (data) =>
      JSON.stringify(data) === JSON.stringify(get().data) ? undefined : edited({ data }),
    addRun: (run, weightSpecs, replaced) =>
      edited({
        runs: appendRun(get().runs, run),
        hasWeights: weightSpecs !== null,
        weightSpecs,
        currentRunId: replaced ? run.id : get().currentRunId,
      }),
    setWeightSpecs: (weightSpecs, currentRunId) =>
      set((s) => ({
        weightSpecs,
        hasWeights: weightSpecs !== null,
        currentRunId: currentRunId === undefined ? s.currentRunId : currentRunId,
      })),
    notify: (text, tone = 'info') => set({ notice: { text, tone, at: Date.now() } }),
  };
};
