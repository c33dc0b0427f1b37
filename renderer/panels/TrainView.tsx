/**
 * The Train view: data, training settings and live curves, the evaluation (see each panel).
 *
 * The folder's rule: panels/ holds the components wired to the store (and, through it, the
 * services): they select what they show and call its actions. The pictures and forms they feed are
 * in renderer/training/, which knows nothing of the store: props in, callbacks out.
 */
import { useEffect } from 'react';
import { useAppStore } from '../store/store';
import { DataPanel } from './DataPanel';
import { EvaluationPanel } from './EvaluationPanel';
import { RunPanel } from './RunPanel';

export function TrainView() {
  const noData = useAppStore((s) => s.data === null);
  // Reopened projects: load their data and show the last run and evaluation without retraining.
  useEffect(() => useAppStore.getState().showSavedResults(), [noData]);
  return (
    <div className="train-view" data-testid="train-view">
      <DataPanel />
      <RunPanel />
      <EvaluationPanel />
    </div>
  );
}
