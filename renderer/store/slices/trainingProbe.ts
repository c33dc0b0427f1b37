/**
 * The training slice's probe actions: run the document's trained network on one sample (a row of
 * the data by index, or values drawn or typed) and keep every node's activation for the probe views
 * on the canvas and in the inspector. The probe follows the weights: it is run again when a run
 * ends or a past run's weights are restored, and shows nothing while the weights do not fit.
 */
import { api } from '../../ipc/client';
import { errorText } from '../curves';
import { selectReport, selectWeights } from '../selectors';
import type { EdgeKernel } from './training';
import type { GetState, SetState } from '../state';

/** Probes row `index` of the data (clamped to the data's rows). */
export async function probeAt(set: SetState, get: GetState, index: number): Promise<void> {
  const rows = get().summary?.count;
  const i = Math.max(0, Math.min(Math.floor(index), rows !== undefined ? rows - 1 : index));
  set({ probeSample: i, probeInput: null });
  await refreshProbe(set, get);
}

/** Probes values given in the Input's layout (a drawn digit, typed features). */
export async function probeValues(set: SetState, get: GetState, values: number[]): Promise<void> {
  set({ probeInput: values, probeSample: null });
  await refreshProbe(set, get);
}

/** Runs the probe again with the document's weights (after a run, a restore, an open). */
export async function refreshProbe(set: SetState, get: GetState): Promise<void> {
  const { docId, probeSample, probeInput, checkpoint } = get();
  if (!docId || (probeSample === null && probeInput === null)) return;
  if (get().status === 'running') return probeLive(set, get);
  const w = selectWeights(get());
  if (w.state !== 'fit')
    return set({
      probe: null,
      probeBusy: false,
      probeError:
        w.state === 'none'
          ? 'Train the network to see what each layer computes.'
          : `${w.reason} Undo the change, or train again.`,
    });
  const asked = { probeSample, probeInput, checkpoint };
  set({ probeBusy: true, probeError: null });
  try {
    const result = await api.request('model.inspect', {
      docId,
      project: get().toProject(),
      ...(probeInput ? { input: probeInput } : { sample: probeSample! }),
      ...(checkpoint !== null ? { checkpoint } : {}),
    });
    // A newer request superseded this one: its answer is the one to show.
    const now = get();
    if (
      now.probeSample !== asked.probeSample ||
      now.probeInput !== asked.probeInput ||
      now.checkpoint !== asked.checkpoint
    )
      return;
    set({ probe: result, probeBusy: false });
  } catch (err) {
    set({ probe: null, probeBusy: false, probeError: errorText(err) });
  }
}

/**
 * The checkpoint scrubber: the views as they were at `epoch` of the last run (its weight snapshot),
 * or, with null, as the weights are now. Only epochs with a kept snapshot are offered.
 */
export async function scrubTo(set: SetState, get: GetState, epoch: number | null): Promise<void> {
  if (get().status === 'running' || get().checkpoint === epoch) return;
  set({ checkpoint: epoch });
  await Promise.all([refreshProbe(set, get), get().refreshBoundary(), refreshEdgeWeights(set, get)]);
}

/** While a run trains: the run's live probe takes the sample; its `inspect` events bring the views. */
async function probeLive(set: SetState, get: GetState): Promise<void> {
  const { docId, probeSample, probeInput } = get();
  if (!docId || !get().runId) return;
  set({ probeBusy: true, probeError: null });
  try {
    const about = await api.request('training.probe', {
      docId,
      project: get().toProject(),
      ...(probeInput ? { input: probeInput } : { sample: probeSample! }),
    });
    const now = get();
    if (now.probeSample !== probeSample || now.probeInput !== probeInput || now.status !== 'running') return;
    set({ probe: about });
  } catch (err) {
    set({ probe: null, probeBusy: false, probeError: errorText(err) });
  }
}

/** The largest Dense layer (inputs × units, each side) whose weights are drawn on its input edge. */
export const EDGE_WEIGHTS_MAX = 64;

/** Dense nodes small enough to draw their weight matrix on the canvas. */
export function edgeWeightNodes(get: GetState): string[] {
  const report = selectReport(get());
  return get()
    .nodes.filter((n) => n.data.kind === 'Dense')
    .filter((n) => {
      const kernel = report.nodes.get(n.id)?.params?.weights.find((w) => w.name === 'kernel');
      const [rows, cols] = kernel?.shape ?? [];
      return kernel?.shape.length === 2 && rows! <= EDGE_WEIGHTS_MAX && cols! <= EDGE_WEIGHTS_MAX;
    })
    .map((n) => n.id);
}

export async function setEdgeWeights(set: SetState, get: GetState, on: boolean): Promise<void> {
  set({ showEdgeWeights: on, ...(on ? {} : { edgeWeights: {} }) });
  if (on) await refreshEdgeWeights(set, get);
}

/** Fetches the drawn kernels (the document's weights, or the scrubbed epoch's). */
export async function refreshEdgeWeights(set: SetState, get: GetState): Promise<void> {
  const { docId, showEdgeWeights, checkpoint } = get();
  if (!docId || !showEdgeWeights) return;
  if (selectWeights(get()).state !== 'fit') return set({ edgeWeights: {} });
  const project = get().toProject();
  const out: Record<string, EdgeKernel> = {};
  try {
    for (const id of edgeWeightNodes(get)) {
      const w = await api.request('model.weights', {
        docId,
        project,
        node: id,
        ...(checkpoint !== null ? { checkpoint } : {}),
      });
      const kernel = w.tensors.find((t) => t.name === 'kernel');
      if (kernel?.values && kernel.shape.length === 2)
        out[id] = { rows: kernel.shape[0]!, cols: kernel.shape[1]!, values: kernel.values };
    }
    if (get().showEdgeWeights && get().checkpoint === checkpoint) set({ edgeWeights: out });
  } catch {
    set({ edgeWeights: {} });
  }
}
