/**
 * The training settings recommended for the loaded data and the network (shared/training/
 * recommend.ts): a line that says what they are and why, with a button that applies them, or a
 * short "recommended" mark when the settings are those.
 */
import { useMemo } from 'react';
import { isRecommended, recommendTraining } from '../../shared/training/recommend';
import { wholeGraph } from '../store/graph';
import { useAppStore } from '../store/store';

export function Recommended() {
  const summary = useAppStore((s) => s.summary);
  const nodes = useAppStore((s) => s.nodes);
  const edges = useAppStore((s) => s.edges);
  const blocks = useAppStore((s) => s.blocks);
  const scope = useAppStore((s) => s.scope);
  const training = useAppStore((s) => s.meta.training);
  const running = useAppStore((s) => s.status === 'running');
  const r = useMemo(
    () =>
      summary ? recommendTraining(summary, wholeGraph({ nodes, edges, blocks, scope }), training) : null,
    [summary, nodes, edges, blocks, scope, training],
  );
  if (!r) return null;
  if (isRecommended(training, r))
    return (
      <p
        className="recommended ok small"
        data-testid="train-recommended"
        data-state="applied"
        title={r.reason}
      >
        ✓ Recommended settings for this data and network. <span className="muted">{r.reason}</span>
      </p>
    );
  const c = r.config;
  return (
    <div className="recommended" data-testid="train-recommended" data-state="offered">
      <p className="small">
        <strong>Recommended:</strong> Adam · learning rate {c.learningRate}
        {c.schedule?.kind === 'cosine' ? ` (cosine down to ${c.schedule.minLearningRate})` : ''} · batch{' '}
        {c.batchSize} · {c.epochs} epochs · early stopping (patience {c.earlyStopping?.patience}, best epoch
        restored). <span className="muted">{r.reason}</span>
      </p>
      <button
        type="button"
        disabled={running}
        onClick={() => useAppStore.getState().setTraining(c)}
        data-testid="train-recommended-apply"
      >
        Use the recommended settings
      </button>
    </div>
  );
}
