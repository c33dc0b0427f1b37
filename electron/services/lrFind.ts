/**
 * The learning-rate range test on a project (engine/lrFind.ts): its data, its training settings,
 * and a copy of its weights when they fit the graph. Used by `netloom lr-find` and the app's "Find"
 * button beside the learning-rate field. The project is not changed.
 */
import { checkGraph, formatIssue } from '../../shared/graph/check';
import { weightsState } from '../../shared/graph/weights';
import type { ProjectBundle } from '../../shared/ir/project';
import type { BackendName } from '../../shared/training/protocol';
import { BackendError } from '../engine/backend';
import { EngineError } from '../engine/compile';
import { fromArrayDataset } from '../engine/data';
import type { LrFindResult } from '../../shared/training/lrFind';
import { findLearningRate } from '../engine/lrFind';
import { DataError, type LoadContext, type LoadedData, loadProjectData } from './training';

export async function lrFindProject(
  bundle: ProjectBundle,
  ctx: LoadContext,
  opts: {
    preloaded?: LoadedData | undefined;
    backend?: BackendName | undefined;
    steps?: number | undefined;
    yieldBetweenBatches?: () => Promise<void>;
  } = {},
): Promise<LrFindResult> {
  const { project } = bundle;
  const report = checkGraph(project.graph);
  if (!report.valid) {
    const first = report.issues.find((i) => i.severity === 'error');
    throw new DataError(`The graph has errors: ${first ? formatIssue(first) : ''}`);
  }
  const loaded = opts.preloaded ?? (await loadProjectData(project, ctx));
  const weights =
    weightsState(project.graph, bundle.weights, report).state === 'fit' ? bundle.weights : undefined;
  try {
    return await findLearningRate({
      graph: project.graph,
      data: fromArrayDataset(loaded.dataset, report.inputs.length),
      config: project.training,
      weights,
      backend: opts.backend,
      ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
      ...(opts.yieldBetweenBatches ? { yieldBetweenBatches: opts.yieldBetweenBatches } : {}),
    });
  } catch (err) {
    // Data that does not fit the network, a backend that will not load: said as `train` says them.
    if (err instanceof EngineError || err instanceof BackendError) throw new DataError(err.message);
    throw err;
  }
}
