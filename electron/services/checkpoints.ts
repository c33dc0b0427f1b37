/**
 * The weight snapshots of each document's last run (the checkpoint scrubber): the engine sends one
 * in an epochEnd event when the run keeps them (every `checkpointStride` epochs, within
 * MAX_CHECKPOINTS and MAX_CHECKPOINT_BYTES); they live here, in memory, until the next run of the
 * document or until it closes. They are not saved in the project.
 */
import type { WeightArtifacts } from '../../shared/training/protocol';

interface RunSnapshots {
  runId: string;
  epochs: Map<number, WeightArtifacts>;
}

export class RunCheckpoints {
  private readonly docs = new Map<string, RunSnapshots>();

  /** A new run of the document: the previous run's snapshots go. */
  begin(docId: string, runId: string): void {
    this.docs.set(docId, { runId, epochs: new Map() });
  }

  add(docId: string, runId: string, epoch: number, weights: WeightArtifacts): void {
    const run = this.docs.get(docId);
    if (run?.runId === runId) run.epochs.set(epoch, weights);
  }

  /** The snapshot of `epoch` of the document's last run, if one was kept. */
  get(docId: string, epoch: number): WeightArtifacts | undefined {
    return this.docs.get(docId)?.epochs.get(epoch);
  }

  forget(docId: string): void {
    this.docs.delete(docId);
  }
}
