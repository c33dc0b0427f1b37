/**
 * "Find" beside the learning-rate field: runs the range test on the project's data (a copy of the
 * weights; nothing changes), draws loss against rate and offers the suggested rate in one click.
 */
import { useState } from 'react';
import type { LrFindResult } from '../../shared/training/lrFind';
import { api } from '../ipc/client';
import { errorText } from '../store/curves';
import { useReport } from '../store/hooks';
import { useAppStore } from '../store/store';
import { LrFindChart } from '../training/LrFindChart';

export function LrFinder() {
  const docId = useAppStore((s) => s.docId);
  const hasData = useAppStore((s) => s.data !== null && s.summary !== null);
  const running = useAppStore((s) => s.status === 'running');
  const valid = useReport().valid;
  const [state, setState] = useState<{ busy: boolean; result?: LrFindResult; error?: string }>({
    busy: false,
  });
  const find = async () => {
    if (!docId) return;
    setState({ busy: true });
    try {
      const result = await api.request('training.lrFind', {
        docId,
        project: useAppStore.getState().toProject(),
      });
      setState({ busy: false, result });
    } catch (err) {
      setState({ busy: false, error: errorText(err) });
    }
  };
  const r = state.result;
  const use = (lr: number) => {
    const s = useAppStore.getState();
    s.setTraining({ ...s.meta.training, learningRate: lr });
  };
  return (
    <div className="lr-finder" data-testid="lr-finder">
      <button
        type="button"
        onClick={() => void find()}
        disabled={!hasData || !valid || running || state.busy}
        data-testid="lr-find"
        title="Train briefly on a copy of the weights while the rate grows from 1e-7 to 10, and suggest a rate"
      >
        {state.busy ? 'Trying rates…' : 'Find a learning rate'}
      </button>
      {state.error && <p className="alert-error small">{state.error}</p>}
      {r && (
        <div className="lr-find-result">
          <LrFindChart points={r.points} suggested={r.suggested} />
          {r.suggested !== null ? (
            <p className="small">
              Suggested <span className="mono">{r.suggested}</span>{' '}
              <span className="muted">
                (
                {r.rule === 'before-rise'
                  ? 'the loss stayed flat: a tenth of the rate past which it rises'
                  : 'a tenth of the rate at the lowest loss'}
                )
              </span>{' '}
              <button type="button" onClick={() => use(r.suggested!)} data-testid="lr-find-apply">
                Use {r.suggested}
              </button>
            </p>
          ) : (
            <p className="small muted">No suggestion: the loss never fell over {r.points.length} batches.</p>
          )}
        </div>
      )}
    </div>
  );
}
