/** The training slice's data actions: the list of datasets, loading and importing the project's data. */
import type { DataSpec } from '../../../shared/ir/schema';
import { api } from '../../ipc/client';
import { errorText, gridFor } from '../curves';
import type { GetState, SetState } from '../state';

export async function loadDatasets(set: SetState, get: GetState): Promise<void> {
  if (get().datasets.length) return;
  set({ datasets: await api.request('datasets.list', {}) });
}

export async function loadData(set: SetState, get: GetState, spec: DataSpec | null): Promise<void> {
  const { docId, data: before, meta } = get();
  if (!docId) return;
  if (spec === null) {
    get().setDataSpec(null);
    set({ summary: null, dataError: null, grid: null, boundary: null, evaluation: null });
    return;
  }
  set({ dataError: null, dataLoading: { bytesRead: 0, totalBytes: 0, rows: 0 } });
  try {
    const { summary, data } = await api.request('data.load', { docId, data: spec, training: meta.training });
    get().setDataSpec(data);
    get().fitToData(summary);
    const grid = summary.preview.kind === 'scatter' ? gridFor(summary.preview.points) : null;
    // A different dataset makes the evaluation stale; reloading the same one (or a first load) keeps it.
    const same = before === null || JSON.stringify(before) === JSON.stringify(spec);
    set({ summary, grid, boundary: null, dataLoading: null, ...(same ? {} : { evaluation: null }) });
  } catch (err) {
    set({ dataError: errorText(err), dataLoading: null });
  }
}

export async function importCsv(set: SetState, get: GetState, file: File): Promise<void> {
  const { docId } = get();
  if (!docId) return;
  try {
    const name = file.name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9_]/, '_');
    const safe = name.toLowerCase().endsWith('.csv') ? name : `${name}.csv`;
    const { file: stored } = await api.request('data.upload', { docId, name: safe, text: await file.text() });
    await get().loadData({ source: 'csv', file: stored, embedded: true, target: '', columns: [] });
  } catch (err) {
    set({ dataError: errorText(err) });
  }
}

export function cancelDataLoad(get: GetState): void {
  const { docId } = get();
  if (docId) void api.request('data.cancel', { docId });
}

export function showSavedResults(get: GetState): void {
  const { data, summary, dataLoading, hasWeights, runs } = get();
  if (!data || summary || dataLoading) return;
  void get()
    .loadData(data)
    .then(() => {
      // A saved evaluation is shown as it is; only a trained project without one is evaluated.
      if (hasWeights && !get().evaluation) void get().evaluate();
      if (hasWeights) void get().refreshBoundary();
      const last = runs[runs.length - 1];
      if (last) void get().showRun(last.id);
    });
}
