/**
 * Pacing of the live views during a run (the probed sample's activations, the decision boundary,
 * the per-unit maps). A view refreshes at most every LIVE_PROBE_MS, and only while everything the
 * run does to be looked at — these views, the layer statistics, the checkpoints — has cost at most
 * VIEW_SHARE of the run's time so far: however short the epochs and however slow the machine, the
 * views cannot slow training by more than that share (issue 16's goal is ≤ 10%). The statistics and
 * checkpoints are due every epoch and never held back, so with very short epochs they take the share
 * and the views refresh less often. A refresh the user asked for (a new sample) and the views after
 * the run's last batch are never held back either; their time counts all the same.
 */
import { performance } from 'node:perf_hooks';

export const LIVE_PROBE_MS = 250;
export const VIEW_SHARE = 0.06;

export type View = 'sample' | 'boundary' | 'units' | 'stats' | 'checkpoint';

export class ViewBudget {
  private spent = 0;
  private readonly last = new Map<View, number>();

  private readonly t0: number;

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.t0 = clock();
  }

  /** Whether a paced refresh of `view` may run now. */
  due(view: View): boolean {
    const now = this.clock();
    return (
      now - (this.last.get(view) ?? -Infinity) >= LIVE_PROBE_MS && this.spent <= VIEW_SHARE * (now - this.t0)
    );
  }

  /** Runs one refresh of `view` (or the statistics, a checkpoint), timed against the budget. */
  run<T>(view: View, refresh: () => T): T {
    const start = this.clock();
    try {
      return refresh();
    } finally {
      this.spent += this.clock() - start;
      this.last.set(view, start);
    }
  }

  /** `run` for work that awaits (a checkpoint's weights). */
  async runAsync<T>(view: View, refresh: () => Promise<T>): Promise<T> {
    const start = this.clock();
    try {
      return await refresh();
    } finally {
      this.spent += this.clock() - start;
      this.last.set(view, start);
    }
  }

  /** Time spent so far on the views, statistics and checkpoints. */
  get spentMs(): number {
    return this.spent;
  }

  /** The views' share of the run so far (0–1). */
  share(): number {
    const now = this.clock();
    return now > this.t0 ? this.spent / (now - this.t0) : 0;
  }
}
