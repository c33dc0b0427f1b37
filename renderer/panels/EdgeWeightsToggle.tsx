/**
 * The canvas switch that draws small Dense layers' weight matrices on their input edges (offered
 * when the graph has a Dense layer of at most 64 inputs × 64 units).
 */
import { edgeWeightNodes, EDGE_WEIGHTS_MAX } from '../store/slices/trainingProbe';
import { useAppStore } from '../store/store';

export function EdgeWeightsToggle() {
  const count = useAppStore((s) => edgeWeightNodes(() => s).length);
  const on = useAppStore((s) => s.showEdgeWeights);
  if (count === 0) return null;
  return (
    <label
      className="edge-weights-toggle"
      title={`Draw each Dense layer of at most ${EDGE_WEIGHTS_MAX} × ${EDGE_WEIGHTS_MAX} units as its weights: blue positive, orange negative, thicker = larger`}
    >
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => void useAppStore.getState().setEdgeWeights(e.target.checked)}
        data-testid="edge-weights-toggle"
      />{' '}
      Weights on edges
    </label>
  );
}
