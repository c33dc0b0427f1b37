/**
 * The inspector's "Learned weights" section for the selected node: its weights fetched from the
 * services (the document's, or the scrubbed epoch's snapshot) whenever the node, the weights or the
 * scrubbed epoch change, drawn by WeightsView. Nothing while the weights do not fit the graph.
 */
import { useEffect, useState } from 'react';
import type { NodeWeights } from '../../shared/inspect/weights';
import { WeightsView } from '../inspect/WeightsView';
import { api } from '../ipc/client';
import { errorText } from '../store/curves';
import { selectWeights } from '../store/selectors';
import { useAppStore } from '../store/store';

/** The model's input when it is an image ([h, w, channels]): a Dense layer reading it flattened shows templates. */
function useImageInput(): number[] | undefined {
  const shape = useAppStore((s) => s.nodes.find((n) => n.data.kind === 'Input')?.data.params.shape);
  return Array.isArray(shape) && shape.length === 3 && shape.every((d) => typeof d === 'number')
    ? (shape as number[])
    : undefined;
}

export function WeightsSection({ id, hasParams }: { id: string; hasParams: boolean }) {
  const docId = useAppStore((s) => s.docId);
  const fit = useAppStore((s) => selectWeights(s).state === 'fit');
  const specs = useAppStore((s) => s.weightSpecs);
  const checkpoint = useAppStore((s) => s.checkpoint);
  const image = useImageInput();
  const [state, setState] = useState<{ weights: NodeWeights | null; error: string | null }>({
    weights: null,
    error: null,
  });
  useEffect(() => {
    if (!docId || !fit || !hasParams) return setState({ weights: null, error: null });
    let live = true;
    api
      .request('model.weights', {
        docId,
        project: useAppStore.getState().toProject(),
        node: id,
        ...(checkpoint !== null ? { checkpoint } : {}),
      })
      .then(
        (weights) => live && setState({ weights, error: null }),
        (err: unknown) => live && setState({ weights: null, error: errorText(err) }),
      );
    return () => {
      live = false;
    };
  }, [docId, fit, specs, checkpoint, id, hasParams]);
  if (!fit || !hasParams || (!state.weights && !state.error)) return null;
  return (
    <section className="weights-section" data-testid={`weights-${id}`}>
      <h3>Learned weights{checkpoint !== null ? ` (epoch ${checkpoint})` : ''}</h3>
      {state.error && <p className="alert-error">{state.error}</p>}
      {state.weights?.id === id && <WeightsView weights={state.weights} image={image} />}
    </section>
  );
}
