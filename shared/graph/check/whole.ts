/**
 * Phase 5, whole-graph checks: each Output's loss against the activation that feeds it (the rules of
 * shared/graph/head.ts), an Input and an Output somewhere, and no node whose output goes nowhere.
 */
import { finalActivation, headIssue } from '../head';
import { describeNode } from './format';
import type { GraphCheck } from './state';

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
