/**
 * The pieces of a training run that are not its loop (train.ts): checking the data against the
 * model, the train/validation split, the seeded shuffle, weight snapshots and the error event.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../shared/training/config';
import type { TerminalEvent } from '../../shared/training/protocol';
import { BackendError } from './backend';
import { type CompiledModel, EngineError } from './compile';
import type { TrainData } from './data';
import { permutation } from './random';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function checkInputs(c: CompiledModel, data: TrainData): void {
  if (data.inputs.length !== c.model.inputs.length)
    throw new EngineError(
      'DATA_MISMATCH',
      `The network has ${c.model.inputs.length} inputs but the data provides ${data.inputs.length}.`,
    );
  c.model.inputs.forEach((input, i) => {
    const want = input.shape.slice(1);
    const got = data.inputs[i]!.sampleShape;
    const fits = want.length === got.length && want.every((d, j) => d === null || d === got[j]);
    if (!fits)
      throw new EngineError(
        'DATA_MISMATCH',
        `Input node "${c.inputs[i]}" expects samples of shape [${want.map((d) => d ?? 'any').join(', ')}] ` +
          `but the data's samples are [${got.join(', ')}]. Set the Input's shape to ${got.join(', ')}.`,
      );
  });
}

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

export function split(data: TrainData, config: TrainingConfig, random: () => number): Split {
  const n = data.count;
  if (data.holdout > 0) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all.slice(0, n - data.holdout), val: all.slice(n - data.holdout) };
  }
  const order = config.shuffle ? permutation(n, random) : Int32Array.from({ length: n }, (_, i) => i);
  const nVal = Math.floor(n * config.validationSplit);
  return { train: order.slice(0, n - nVal), val: order.slice(n - nVal) };
}

export const snapshot = (vars: tf.Variable[]) => vars.map((v) => tf.clone(v));
export function restore(vars: tf.Variable[], values: tf.Tensor[]) {
  vars.forEach((v, i) => v.assign(values[i]!));
}

/** The error event for what a run threw. */
export function errorEvent(runId: string, e: unknown): TerminalEvent {
  if (e instanceof EngineError) return { type: 'error', runId, code: e.code, message: e.message };
  if (e instanceof BackendError) return { type: 'error', runId, code: 'BACKEND', message: e.message };
  const text = message(e);
  const oom = /out of memory|Cannot allocate|Array buffer allocation failed|Invalid typed array length/i.test(
    text,
  );
  return {
    type: 'error',
    runId,
    code: oom ? 'OUT_OF_MEMORY' : 'INTERNAL',
    message: oom ? `Out of memory: ${text}. Try a smaller batch size or model.` : text,
  };
}

/** A seeded shuffle of a subset of indices. */
export function permuteSubset(idx: Int32Array, random: () => number): Int32Array {
  const p = permutation(idx.length, random);
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = idx[p[i]!]!;
  return out;
}
