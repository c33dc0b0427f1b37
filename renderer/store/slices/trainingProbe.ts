/**
 * The training slice's probe actions: run the document's trained network on one sample (a row of
 * the data by index, or values drawn or typed) and keep every node's activation for the probe views
 * on the canvas and in the inspector. The probe follows the weights: it is run again when a run
 * ends or a past run's weights are restored, and shows nothing while the weights do not fit.
 */
import { api } from '../../ipc/client';
import { errorText } from '../curves';
import { selectWeights } from '../selectors';
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
  await Promise.all([refreshProbe(set, get), get().refreshBoundary()]);
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
