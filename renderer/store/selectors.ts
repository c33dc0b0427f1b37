/**
 * Derived state: the checker's report and whether the trained weights still fit, memoised on what
 * they read (kinds, params, wiring; not positions or selection), so a drag step costs no check.
 */
import type { Edge } from '@xyflow/react';
import { checkGraph, type CheckGraph, type GraphReport } from '../../shared/graph/check';
import { diffGraphs, type GraphDiff } from '../../shared/graph/diff';
import type { BlockDef, Graph } from '../../shared/ir/schema';
import { type WeightEntry, weightsFit } from '../../shared/graph/weights';
import { blockView } from './blockView';
import { type LayerNodeT, sameWiring, type Scope, wholeGraph } from './graph';

interface GraphKey {
  nodes: LayerNodeT[];
  edges: Edge[];
  blocks: BlockDef[];
  scope: Scope | null;
}

let lastKey: GraphKey | null = null;
let lastInput: CheckGraph | null = null;
let lastReport: GraphReport | null = null;

function sameForChecker(a: GraphKey, b: GraphKey) {
  if (a.blocks !== b.blocks || a.scope !== b.scope) return false;
  if (a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++)
    if (a.nodes[i]!.id !== b.nodes[i]!.id || a.nodes[i]!.data !== b.nodes[i]!.data) return false;
  return sameWiring(a.edges, b.edges);
}

export function selectReport(s: GraphKey): GraphReport {
  if (
    lastReport &&
    lastKey &&
    ((lastKey.nodes === s.nodes &&
      lastKey.edges === s.edges &&
      lastKey.blocks === s.blocks &&
      lastKey.scope === s.scope) ||
      sameForChecker(lastKey, s))
  ) {
    lastKey = { nodes: s.nodes, edges: s.edges, blocks: s.blocks, scope: s.scope };
    return lastReport;
  }
  lastInput = wholeGraph(s);
  lastReport = checkGraph(lastInput);
  lastKey = { nodes: s.nodes, edges: s.edges, blocks: s.blocks, scope: s.scope };
  return lastReport;
}

let lastView: { report: GraphReport; scope: Scope | null; view: GraphReport } | null = null;

/**
 * The report the canvas draws: the graph's, or inside an open block, its first use's (the layers'
 * shapes and issues under their ids in the definition; a port shows the shape it passes on).
 */
export function selectCanvasReport(s: GraphKey): GraphReport {
  const report = selectReport(s);
  if (!s.scope) return report;
  if (lastView && lastView.report === report && lastView.scope === s.scope) return lastView.view;
  const view = blockView(lastInput!, report, s.scope.block);
  lastView = { report, scope: s.scope, view };
  return view;
}

export type WeightsView =
  | { state: 'none' }
  | { state: 'fit' }
  /** `reason`: what differs, in words. */
  | { state: 'stale'; reason: string };

let lastWeights: { report: GraphReport; specs: WeightEntry[] | null; view: WeightsView } | null = null;

/** Whether the trained weights still fit the graph as it is now (memoised on the report). */
export function selectWeights(s: GraphKey & { weightSpecs: WeightEntry[] | null }): WeightsView {
  const report = selectReport(s);
  if (lastWeights && lastWeights.report === report && lastWeights.specs === s.weightSpecs)
    return lastWeights.view;
  let view: WeightsView;
  if (!s.weightSpecs) view = { state: 'none' };
  else {
    const fit = weightsFit(lastInput!, s.weightSpecs, report, 4);
    view = fit.fits
      ? { state: 'fit' }
      : {
          state: 'stale',
          reason: `The trained weights no longer fit the graph: ${fit.problems.join('; ')}.`,
        };
  }
  lastWeights = { report, specs: s.weightSpecs, view };
  return view;
}

let lastDiff: { report: GraphReport; base: Graph; diff: GraphDiff } | null = null;

/**
 * The diff from the diff view's other network to the open graph (null when none is chosen),
 * memoised on the checker's input, so it follows every edit but not a drag.
 */
export function selectDiff(s: GraphKey & { diffBase: { graph: Graph } | null }): GraphDiff | null {
  if (!s.diffBase) return null;
  const report = selectReport(s);
  if (lastDiff && lastDiff.report === report && lastDiff.base === s.diffBase.graph) return lastDiff.diff;
  const diff = diffGraphs(s.diffBase.graph, lastInput!);
  lastDiff = { report, base: s.diffBase.graph, diff };
  return diff;
}

/** How a node of the open graph differs from the diff view's other network, if it does. */
export function diffStatusOf(diff: GraphDiff | null, id: string): 'added' | 'changed' | undefined {
  if (!diff) return undefined;
  if (diff.added.includes(id)) return 'added';
  return diff.changed.some((c) => c.id === id) ? 'changed' : undefined;
}
