/**
 * Requests about data and training: datasets, loading and uploading data, starting and stopping runs, evaluating and predicting with the document's weights (only when they fit the graph), past runs.
 */
import { ServiceError } from './core';
import type { Project } from '../../../shared/ir/schema';
import type { AppCore, HandlerGroup } from './core';

export type DataRequests =
  | 'datasets.list'
  | 'data.load'
  | 'data.upload'
  | 'data.cancel'
  | 'training.start'
  | 'training.probe'
  | 'training.lrFind'
  | 'data.encodeText'
  | 'training.cancel'
  | 'model.evaluate'
  | 'model.predict'
  | 'model.predictGrid'
  | 'model.inspect'
  | 'model.unitGrids'
  | 'model.weights'
  | 'runs.restore'
  | 'runs.history';

export function dataHandlers(app: AppCore): HandlerGroup<DataRequests> {
  return {
    'datasets.list': async () => app.training.datasets(),

    'data.load': async ({ docId, data, training }) => {
      if (app.training.runningGraph(docId))
        throw new ServiceError('TRAINING_LOCKED', 'Stop the run before changing the data it trains on.');
      return app.training.load(docId, app.doc(docId), data, training);
    },

    'data.upload': async ({ docId, name, text }) => {
      const d = app.doc(docId);
      const data = new Map(d.extras.data ?? []);
      data.set(name, new TextEncoder().encode(text));
      d.extras = { ...d.extras, data };
      return { file: `data/${name}` };
    },

    'data.cancel': async ({ docId }) => {
      app.training.cancelLoad(docId);
      return {};
    },

    'training.probe': async ({ docId, project, sample, input }) =>
      app.views.probeLive(docId, app.doc(docId), project, { sample, input }),

    'data.encodeText': async ({ docId, project, text }) =>
      app.views.encodeText(docId, app.doc(docId), project, text),

    'training.lrFind': async ({ docId, project }) => app.views.lrFind(docId, app.doc(docId), project),

    'training.start': async ({ docId, project, grid }) =>
      app.training.start(docId, app.doc(docId), project, grid),

    'training.cancel': async ({ runId }) => {
      app.training.cancel(runId);
      return {};
    },

    'model.evaluate': async ({ docId, project }) =>
      app.training.evaluate(docId, trainedDoc(app, docId, project), project),

    'model.predict': async ({ docId, project, input }) =>
      app.views.predict(trainedDoc(app, docId, project), project, input),

    'model.predictGrid': async ({ docId, project, grid, checkpoint }) =>
      app.views.predictGrid(
        app.views.atCheckpoint(docId, trainedDoc(app, docId, project), checkpoint),
        project,
        grid,
      ),

    'model.inspect': async ({ docId, project, sample, input, checkpoint }) =>
      app.views.inspect(
        docId,
        app.views.atCheckpoint(docId, trainedDoc(app, docId, project), checkpoint),
        project,
        { sample, input },
      ),

    'model.unitGrids': async ({ docId, project, grid, checkpoint }) =>
      app.views.unitGrids(
        app.views.atCheckpoint(docId, trainedDoc(app, docId, project), checkpoint),
        project,
        grid,
      ),

    'model.weights': async ({ docId, project, node, checkpoint }) =>
      app.views.weights(
        docId,
        app.views.atCheckpoint(docId, trainedDoc(app, docId, project), checkpoint),
        project,
        node,
      ),

    'runs.restore': async ({ docId, runId, project }) => {
      app.guardRun(docId, project);
      return { weightSpecs: app.training.restore(app.doc(docId), runId, project.graph) ?? [] };
    },

    'runs.history': async ({ docId, runIds }) => app.training.history(app.doc(docId), runIds),
  };
}

/**
 * The document, for a request that uses its weights with `project`'s graph: not while a changed graph
 * trains, not without weights, and not with weights an edit made stale.
 */
function trainedDoc(app: AppCore, docId: string, project: Project) {
  const d = app.doc(docId);
  app.guardRun(docId, project);
  if (!d.extras.weights) throw new ServiceError('NOT_TRAINED', 'Train the network first.');
  app.requireFit(d, project);
  return d;
}
