/**
 * Trained weights as tfjs layers-format artifacts (`weights/model.json` + `weights/weights.bin`), the
 * form the project file stores, and back: a trained model is always rebuilt from the graph and its
 * weights set by name. The custom layers are registered on import so a model that uses them loads.
 */
import * as tf from '@tensorflow/tfjs';
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import {
  canonicalWeightName,
  describeMisfit,
  readWeightsManifest,
  type WeightEntry,
  weightsFit,
} from '../../shared/graph/weights';
import { type KerasModelJson, toKerasModel } from '../../shared/keras/index';
import type { JsonValue } from '../../shared/layers/define';
import type { WeightArtifacts } from '../../shared/training/protocol';
import './layers/index';

export const WEIGHTS_FILE = 'weights.bin';

/** `model.save` through an in-memory IOHandler. */
export async function saveModelArtifacts(model: tf.LayersModel): Promise<WeightArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('model.save produced no artifacts');
  const data = captured.weightData;
  const bytes =
    data === undefined
      ? new Uint8Array(0)
      : new Uint8Array(Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: captured.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: captured.weightSpecs ?? [] }],
  });
  return { modelJson, weightsBin: bytes };
}

/**
 * Repeated snapshots of one model's weights (the checkpoint scrubber's, one per epoch): the first is
 * `saveModelArtifacts`; the next ones reuse its model.json (topology and manifest do not change
 * during a run) and only copy the weights, in the manifest's order. Same bytes as a full save.
 */
export class WeightSnapshots {
  private modelJson: string | undefined;
  private order: tf.Variable[] | undefined;
  constructor(private readonly model: tf.LayersModel) {}

  async take(): Promise<WeightArtifacts> {
    if (this.modelJson === undefined || this.order === undefined) {
      const first = await saveModelArtifacts(this.model);
      const specs = readWeightsManifest(first.modelJson, first.weightsBin.byteLength);
      const byName = new Map(this.model.weights.map((w) => [w.originalName, w.read() as tf.Variable]));
      const order = specs.ok ? specs.entries.map((e) => byName.get(e.name)) : [];
      if (!specs.ok || order.some((v) => v === undefined)) return first;
      this.modelJson = first.modelJson;
      this.order = order as tf.Variable[];
      return first;
    }
    const bytes = new Uint8Array(this.order.reduce((n, v) => n + v.size * 4, 0));
    const view = new Float32Array(bytes.buffer);
    let at = 0;
    for (const v of this.order) {
      view.set(v.dataSync() as Float32Array, at);
      at += v.size;
    }
    return { modelJson: this.modelJson, weightsBin: bytes };
  }
}

/** Weights that cannot be used with the graph (a misfit, a corrupt manifest): the message says why. */
export class WeightsMisfitError extends Error {
  override readonly name = 'WeightsMisfitError';
}

/** The values of each manifest entry, as views into one aligned copy of weights.bin. */
function manifestValues(entries: readonly WeightEntry[], bin: Uint8Array): Float32Array[] {
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const n = e.shape.reduce((a, d) => a * d, 1);
    out.push(all.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}

/**
 * Sets every weight of `model` from manifest entries (matched by canonical name) and the bytes of
 * weights.bin. The entries must already fit the model's graph (`weightsFit`).
 */
export function setWeightsByName(
  model: tf.LayersModel,
  entries: readonly WeightEntry[],
  bin: Uint8Array,
): void {
  const values = manifestValues(entries, bin);
  const byName = new Map(entries.map((e, i) => [canonicalWeightName(e.name), i]));
  const tensors = model.weights.map((w) => {
    const i = byName.get(canonicalWeightName(w.originalName));
    if (i === undefined) throw new WeightsMisfitError(`The trained weights have no ${w.originalName}.`);
    return tf.tensor(values[i]!, w.shape as number[], 'float32');
  });
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Every initialiser a TF.js layer's config can name (a layer ignores the keys it does not have). */
const INITIALISER_KEYS = [
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'embeddings_initializer',
  'depthwise_initializer',
  'pointwise_initializer',
  'gamma_initializer',
  'beta_initializer',
  'moving_mean_initializer',
  'moving_variance_initializer',
  'alpha_initializer',
] as const;

const ZEROS: JsonValue = { class_name: 'Zeros', config: {} };

type LayerJson = { class_name: string; config: Record<string, JsonValue> };

function isLayerJson(v: JsonValue | undefined): v is LayerJson {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, JsonValue>;
  return typeof o.class_name === 'string' && o.config !== null && typeof o.config === 'object';
}

function zeroed<L extends LayerJson>(layer: L): L {
  const config: Record<string, JsonValue> = { ...layer.config };
  for (const k of INITIALISER_KEYS) config[k] = ZEROS;
  if (isLayerJson(config.layer)) config.layer = zeroed(config.layer);
  return { ...layer, config };
}

/**
 * The model's JSON with every layer's initialisers (and a wrapped layer's, as Bidirectional's) set to
 * zeros: for a model built only to receive trained weights, which replace every value. The defaults
 * cost real work for nothing: an LSTM's or GRU's orthogonal recurrent kernel is a QR decomposition
 * (~100–200 ms for the templates', with a console warning from TF.js on every load).
 */
function withZeroInitialisers(model: KerasModelJson): KerasModelJson {
  return { ...model, config: { ...model.config, layers: model.config.layers.map(zeroed) } };
}

/**
 * The graph's model (built from the graph, never from the topology stored beside the weights) with
 * the trained weights set by name. Refuses weights that do not fit the graph (`weightsFit`), so a
 * prediction is never made with weights trained for another graph.
 */
export async function loadTrainedModel(graph: CheckGraph, a: WeightArtifacts): Promise<tf.LayersModel> {
  const manifest = readWeightsManifest(a.modelJson, a.weightsBin.byteLength);
  if (!manifest.ok)
    throw new WeightsMisfitError(
      `The trained weights are damaged (${manifest.problem.entry}${manifest.problem.path ? `: ${manifest.problem.path}` : ''}: ${manifest.problem.message})`,
    );
  const report = checkGraph(graph);
  const fit = weightsFit(graph, manifest.entries, report);
  if (!fit.fits) throw new WeightsMisfitError(describeMisfit(fit.problems));
  const model = await tf.models.modelFromJSON(
    withZeroInitialisers(toKerasModel(graph).model) as unknown as Parameters<
      typeof tf.models.modelFromJSON
    >[0],
  );
  try {
    setWeightsByName(model, manifest.entries, a.weightsBin);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
