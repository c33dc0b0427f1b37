/**
 * Phase 5, whole-graph checks: each Output's loss against the activation that feeds it (the rules of
 * shared/graph/head.ts), an Input and an Output somewhere, and no node whose output goes nowhere.
 */
import { finalActivation, headIssue } from '../head';
import { describeNode } from './format';
import type { GraphCheck } from './state';

/** Why a graph without trainable weights cannot train (the checker's warning, the engine's refusal). */
export const NOTHING_TO_LEARN =
  'Nothing on the way to this Output has weights to learn, so training could not change anything. Add a layer that learns (Dense, Conv 2D, LSTM, Embedding…) between the Input and the Output.';

/** Loss sanity: softmax over one unit, or a loss that does not fit the activation. */
export function checkHeads(c: GraphCheck): void {
  const { list, configs } = c;
  const nodeAt = (j: number) => ({ kind: list[j]!.kind, config: configs[j] });
  const sourceOf = (j: number) => c.sourceOf(j, 'in');
  for (let i = 0; i < c.size; i++) {
    const n = list[i]!;
    if (n.kind !== 'Output') continue;
    const cfg = configs[i];
    const src = c.sourceOf(i, 'in');
    if (!cfg || src === undefined) continue;
    const act = finalActivation(src, nodeAt, sourceOf);
    const issue = headIssue(cfg.loss as string, act, cfg.targetShape as readonly (number | null)[]);
    if (issue)
      c.add({ severity: issue.severity, code: 'loss', nodeId: n.id, kind: n.kind, message: issue.message });
  }
}

/**
 * A graph with nothing to learn: no layer with trainable weights on any path to an Output (Input →
 * Activation → Output). It still checks (an imported preprocessing model exports and predicts), but
 * training could change nothing: a warning here, and the engine refuses to train it with the same
 * reason. Said only when nothing else is wrong (an unfinished graph has its own errors to show).
 */
export function checkSomethingToLearn(c: GraphCheck, outputs: readonly number[], alive: Uint8Array): void {
  if (outputs.length === 0 || c.issues.some((i) => i.severity === 'error')) return;
  for (let i = 0; i < c.size; i++) if (alive[i] === 1 && (c.reps[i]?.params?.trainable ?? 0) > 0) return;
  const out = c.list[outputs[0]!]!;
  c.add({
    severity: 'warning',
    code: 'nothing-to-learn',
    nodeId: out.id,
    kind: out.kind,
    message: NOTHING_TO_LEARN,
  });
}

/** The graph's Inputs and Outputs (node indices); says when either is missing, and which nodes are unused. */
export function checkWholeGraph(c: GraphCheck): { inputs: number[]; outputs: number[] } {
  const { list } = c;
  const N = c.size;
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (let i = 0; i < N; i++) {
    const kind = list[i]!.kind;
    if (kind === 'Input') inputs.push(i);
    else if (kind === 'Output') outputs.push(i);
  }
  if (N > 0 && inputs.length === 0)
    c.add({
      severity: 'error',
      code: 'no-input',
      message: 'The graph has no Input node. Add one from the palette (Input & output).',
    });
  if (N > 0 && outputs.length === 0)
    c.add({
      severity: 'error',
      code: 'no-output',
      message:
        'The graph has no Output node. Add one after the last layer so training knows what to predict.',
    });
  for (let i = 0; i < N; i++) {
    const n = list[i]!;
    if (n.kind === 'Output' || !c.specs[i]) continue;
    if (c.outCount[i] === 0)
      c.add({
        severity: 'warning',
        code: 'unused',
        nodeId: n.id,
        kind: n.kind,
        message: `The output of ${describeNode(n)} is not used: it is left out of training and exports. Connect it onward or delete it.`,
      });
  }
  return { inputs, outputs };
}
