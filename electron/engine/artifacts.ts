/**
 * Trained weights as tfjs layers-format artifacts (`weights/model.json` + `weights/weights.bin`), the
 * form the project file stores, and back. The custom layers are registered on import so a model that
 * uses them loads.
 */
import * as tf from '@tensorflow/tfjs';
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

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads artifacts produced by `saveModelArtifacts` (or read back from a project file). */
export async function loadModelFromArtifacts(a: WeightArtifacts): Promise<tf.LayersModel> {
  const json = JSON.parse(a.modelJson) as ModelJsonFile;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffer = a.weightsBin.buffer.slice(
    a.weightsBin.byteOffset,
    a.weightsBin.byteOffset + a.weightsBin.byteLength,
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: buffer as ArrayBuffer }),
  );
}
