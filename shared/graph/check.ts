/**
 * The graph checker: structure (ports, cycles), parameters, shape inference with a symbolic batch
 * axis, parameter counts with their arithmetic, FLOPs and totals. Every issue names the node and
 * port and says what would fix it; where a standard fix exists it comes back as data (`fix`) so the
 * editor can offer it in one click.
 *
 * Pure and synchronous: the editor runs it on every change (memoised), the CLI and the engine run it
 * before anything else. Its phases live in `check/`, one module each, run in the order below.
 */
import { flattenBlocks } from './blocks';
import { checkFanIn, readEdges } from './check/edges';
import { liftReport } from './check/lift';
import { liveSet } from './check/live';
import { indexNodes, resolveNodes } from './check/nodes';
import { orderNodes } from './check/order';
import { inferShapes } from './check/shapes';
import { buildReport } from './check/totals';
import type { CheckGraph, GraphReport } from './check/types';
import { checkHeads, checkSomethingToLearn, checkWholeGraph } from './check/whole';

export { formatIssue, paramCount } from './check/format';
export type { CheckGraph, GraphFix, GraphIssue, GraphReport, IssueCode } from './check/types';

export function checkGraph(graph: CheckGraph): GraphReport {
  // Blocks: check the model they stand for, then report each Block node as one.
  const flat = flattenBlocks(graph);
  return flat ? liftReport(graph, flat, checkFlat(flat.graph)) : checkFlat(graph);
}

function checkFlat(graph: CheckGraph): GraphReport {
  // Nodes and parameters.
  const c = indexNodes(graph.nodes);
  resolveNodes(c);
  // Edges and ports.
  readEdges(c, graph.edges);
  checkFanIn(c);
  // Topological order and cycles.
  orderNodes(c);
  // Shape inference.
  inferShapes(c);
  // Whole-graph checks.
  checkHeads(c);
  const io = checkWholeGraph(c);
  // The model's live set, whether it has anything to learn, then the totals.
  const alive = liveSet(c, io.outputs);
  checkSomethingToLearn(c, io.outputs, alive);
  return buildReport(c, io, alive);
}
