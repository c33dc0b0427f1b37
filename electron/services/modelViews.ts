/**
 * What the app shows of a trained network (behind shared/ipc): the decision boundary and per-unit
 * maps over a 2-D grid, every node's activation for one sample (also live, while a run trains), a
 * node's learned weights, a prediction from values given; with the document's weights or, for the
 * checkpoint scrubber, a snapshot of its last run. Uses TrainingSessions for the data and the runs.
 */
import { flatGraph } from '../../shared/graph/blocks';
import type { Grid } from '../../shared/ipc/contract';
import type { Project } from '../../shared/ir/schema';
import { type InspectResult, UNIT_GRID_N, type UnitGrid } from '../../shared/inspect/types';
import type { NodeWeights } from '../../shared/inspect/weights';
import { trainedUnitGrids } from '../engine/inspect';
import { type InspectRequest, inspectProject, inspectWeights, liveSample } from './inspect';
import type { LrFindResult } from '../../shared/training/lrFind';
import { tokenize, Tokenizer, UNKNOWN_ID } from './datasets/tokenizer';
import { lrFindProject } from './lrFind';
import { DataError, predictArrays } from './training';
import { type DocHandle, gridProbe, type TrainingSessions, TrainingServiceError } from './trainingSessions';

/** Runs `f`, turning a data error (a bad row, an unknown node) into the service's BAD_INPUT. */
async function badInput<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof DataError) throw new TrainingServiceError('BAD_INPUT', err.message);
    throw err;
  }
}

type SampleRequest = Pick<InspectRequest, 'sample' | 'input'>;

export class ModelViews {
  constructor(private readonly sessions: TrainingSessions) {}

  /** Every node's activation for one sample of the document's data (or values given), with its weights. */
  async inspect(docId: string, doc: DocHandle, project: Project, req: SampleRequest): Promise<InspectResult> {
    if (req.input === undefined && !project.data)
      throw new TrainingServiceError('NO_DATA', 'The project has no data.');
    // Loaded (or cached) also for values given: it names the classes and the words.
    const loaded = await this.sessions.dataFor(docId, doc, project);
    return badInput(() =>
      inspectProject({ project, ...doc.extras }, req, this.sessions.loadContext(doc), loaded),
    );
  }

  /**
   * While a run trains: makes one sample the run's live probe (the run then sends `inspect` events
   * with every node's activation, at most every 250 ms) and returns what the sample is (no nodes yet).
   */
  async probeLive(
    docId: string,
    doc: DocHandle,
    project: Project,
    req: SampleRequest,
  ): Promise<InspectResult> {
    const handle = this.sessions.runningHandle(docId);
    if (!handle) throw new TrainingServiceError('NOT_RUNNING', 'No run is going on for this document.');
    const loaded = await this.sessions.dataFor(docId, doc, project);
    const { x, result } = await badInput(() =>
      liveSample({ project, ...doc.extras }, req, this.sessions.loadContext(doc), loaded),
    );
    try {
      handle.setProbe(x);
    } catch (err) {
      throw new TrainingServiceError('BAD_INPUT', err instanceof Error ? err.message : String(err));
    }
    return result;
  }

  /** Text data: `text` encoded with the project's vocabulary, as training encoded its rows. */
  async encodeText(docId: string, doc: DocHandle, project: Project, text: string) {
    const loaded = await this.sessions.dataFor(docId, doc, project);
    const state = loaded?.dataset.tokenizer;
    if (!state) throw new TrainingServiceError('BAD_INPUT', "The project's data is not text.");
    const tokenizer = new Tokenizer(state);
    const words = tokenize(text);
    const kept = words.slice(0, state.maxLength);
    const ids = Array.from(tokenizer.encode(text));
    return {
      ids,
      tokens: kept.map((w) => (tokenizer.id(w) === UNKNOWN_ID ? '<unk>' : w)),
      unknown: [...new Set(kept.filter((w) => tokenizer.id(w) === UNKNOWN_ID))],
      truncated: words.length > state.maxLength,
    };
  }

  /** The learning-rate range test (a copy of the weights; the document does not change). */
  async lrFind(docId: string, doc: DocHandle, project: Project): Promise<LrFindResult> {
    if (this.sessions.runningGraph(docId))
      throw new TrainingServiceError('TRAINING_LOCKED', 'Wait for the run to end (or stop it) first.');
    if (!project.data) throw new TrainingServiceError('NO_DATA', 'Choose a dataset in the Data panel first.');
    const loaded = await this.sessions.dataFor(docId, doc, project);
    return badInput(() =>
      lrFindProject({ project, ...doc.extras }, this.sessions.loadContext(doc), {
        preloaded: loaded,
        // Between batches the services answer other requests (the test takes a few seconds).
        yieldBetweenBatches: () => new Promise((r) => setImmediate(r)),
      }),
    );
  }

  /** The outputs over a 2-D grid (decision boundary) with the document's weights. */
  async predictGrid(doc: DocHandle, project: Project, grid: Grid): Promise<{ outputs: number[] }> {
    const p = gridProbe(grid);
    const { outputs } = await predictArrays({ project, ...doc.extras }, p.data, [2], 'float32', p.count);
    return { outputs: Array.from(outputs) };
  }

  /**
   * The document as it was at `epoch` of its last run (that epoch's weight snapshot in place of its
   * weights), or as it is when no epoch is asked for. The weights are checked against the graph
   * where they are used, as the document's are.
   */
  atCheckpoint(docId: string, doc: DocHandle, epoch: number | undefined): DocHandle {
    if (epoch === undefined) return doc;
    const weights = this.sessions.checkpoint(docId, epoch);
    if (!weights)
      throw new TrainingServiceError(
        'NO_WEIGHTS',
        `No snapshot of epoch ${epoch} is kept: only the last run's, until the project is closed.`,
      );
    return { ...doc, extras: { ...doc.extras, weights, evaluation: undefined } };
  }

  /** A node's learned weights (with the dataset's words for an Embedding's map). */
  async weights(docId: string, doc: DocHandle, project: Project, id: string): Promise<NodeWeights> {
    const embedding = flatGraph(project.graph).nodes.some((n) => n.id === id && /Embedding$/.test(n.kind));
    const words = embedding
      ? (await this.sessions.dataFor(docId, doc, project))?.dataset.tokenizer?.words
      : undefined;
    return badInput(() => inspectWeights({ project, ...doc.extras }, id, words));
  }

  /** 2-D data: each Dense/Activation unit over the input plane, with the document's weights. */
  async unitGrids(doc: DocHandle, project: Project, grid: Grid): Promise<{ units: UnitGrid[] }> {
    const points = gridProbe({ ...grid, n: UNIT_GRID_N }).data as Float32Array;
    return { units: await trainedUnitGrids(project.graph, doc.extras.weights!, points) };
  }

  async predict(doc: DocHandle, project: Project, input: number[]) {
    const node = project.graph.nodes.find((n) => n.kind === 'Input');
    const shape = (node?.params.shape as (number | null)[] | undefined) ?? [input.length];
    const sampleShape = shape.map((d) => d ?? 1);
    const per = sampleShape.reduce((a, d) => a * d, 1);
    if (input.length !== per)
      throw new TrainingServiceError('BAD_INPUT', `The model takes ${per} values; got ${input.length}.`);
    const dtype = node?.params.dtype === 'int32' ? 'int32' : 'float32';
    const x = dtype === 'int32' ? Int32Array.from(input) : Float32Array.from(input);
    const { outputs } = await predictArrays({ project, ...doc.extras }, x, sampleShape, dtype, 1);
    return { outputs: Array.from(outputs) };
  }
}
