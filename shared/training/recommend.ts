/**
 * Training settings recommended from the data and the network, with the reason in words: what a
 * practitioner would start from (Adam; a higher rate and many short epochs for small 2-D data, the
 * usual 1e-3 for images and text, a lower one for attention; early stopping that restores the best
 * epoch so a generous epoch count costs nothing). The Train view shows them as "recommended", the
 * gallery applies them to a new project, and the user overrides any of them.
 */
import { flatGraph } from '../graph/blocks';
import type { CheckGraph } from '../graph/check';
import type { TrainingConfig } from './config';

export interface DataShape {
  task: 'classification' | 'regression';
  sampleShape: readonly number[];
  xDtype: 'float32' | 'int32';
  /** Rows the network trains on. */
  trainCount: number;
  /** The targets are the inputs (an autoencoder). */
  reconstruction?: boolean;
}

export interface Recommendation {
  config: TrainingConfig;
  /** Why, in one sentence. */
  reason: string;
}

type Settings = Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'> & {
  patience: number;
  /** A cosine schedule down to a hundredth of the rate (else a constant rate). */
  cosine?: boolean;
};

export function recommendTraining(
  data: DataShape,
  graph: CheckGraph,
  current: TrainingConfig,
): Recommendation {
  const layers = flatGraph(graph).nodes;
  const kinds = new Set(layers.map((n) => n.kind));
  const has = (...k: string[]) => k.some((x) => kinds.has(x));
  const hidden =
    layers.filter((n) => n.kind === 'Dense').length > 1 || has('Conv1D', 'Conv2D', 'LSTM', 'GRU');
  let s: Settings;
  let reason: string;
  if (data.reconstruction) {
    const small = data.trainCount < 3000;
    s = small
      ? { optimizer: 'adam', learningRate: 1e-2, batchSize: 32, epochs: 60, patience: 10 }
      : { optimizer: 'adam', learningRate: 1e-3, batchSize: 32, epochs: 20, patience: 5, cosine: true };
    reason =
      'An autoencoder rebuilding its inputs: Adam on the mean squared error of every value, ' +
      (small
        ? 'at 1e-2 for many epochs on this small set (few steps an epoch), early stopping keeping the best.'
        : 'at 1e-3, the rate gliding down (cosine) over 20 epochs so the last ones settle, early stopping keeping the best.');
  } else if (data.xDtype === 'int32') {
    const attention = has('TransformerEncoderBlock', 'MultiHeadAttention');
    s = { optimizer: 'adam', learningRate: attention ? 5e-4 : 1e-3, batchSize: 32, epochs: 6, patience: 2 };
    reason =
      'Text: token embeddings learn quickly, so a few epochs at Adam’s usual rate' +
      (attention ? ' (lower for attention, which is easily unsettled)' : '') +
      ', stopping when the validation loss turns.';
  } else if (data.sampleShape.length === 3) {
    const conv = has('Conv2D');
    s = conv
      ? { optimizer: 'adam', learningRate: 1e-3, batchSize: 64, epochs: 10, patience: 3 }
      : { optimizer: 'adam', learningRate: 1e-3, batchSize: 32, epochs: 20, patience: 5, cosine: true };
    reason = conv
      ? 'Images: Adam at 1e-3 with batches of 64 is the usual start; a CNN gets most of the way in ten epochs.'
      : 'Images under an MLP: Adam at 1e-3 in batches of 32, the rate gliding down (cosine) over 20 epochs so ' +
        'the last ones settle instead of bouncing, and early stopping keeping the best.';
  } else if (data.sampleShape.length === 1 && data.sampleShape[0]! <= 3 && data.trainCount <= 5000) {
    s = {
      optimizer: 'adam',
      learningRate: hidden ? 0.01 : 0.05,
      batchSize: 32,
      epochs: 60,
      patience: 10,
    };
    reason =
      'Small 2-D data: each epoch is a few dozen steps, so a higher learning rate and many epochs, with ' +
      'early stopping keeping the best one' +
      (hidden ? ' (the boundary has to bend, which takes a while).' : '.');
  } else {
    s = { optimizer: 'adam', learningRate: 3e-3, batchSize: 32, epochs: 100, patience: 10 };
    reason =
      'Tabular data: Adam slightly above its usual rate, many epochs, early stopping restoring the best.';
  }
  const batchSize = Math.max(1, Math.min(s.batchSize, data.trainCount));
  return {
    config: {
      ...current,
      optimizer: s.optimizer,
      learningRate: s.learningRate,
      batchSize,
      epochs: s.epochs,
      earlyStopping: { patience: s.patience, restoreBest: true },
      schedule: s.cosine ? { kind: 'cosine', minLearningRate: s.learningRate / 100 } : null,
    },
    reason,
  };
}

/** Whether the settings are the recommended ones (the fields the recommendation sets). */
export function isRecommended(config: TrainingConfig, r: Recommendation): boolean {
  const a = r.config;
  return (
    config.optimizer === a.optimizer &&
    config.learningRate === a.learningRate &&
    config.batchSize === a.batchSize &&
    config.epochs === a.epochs &&
    config.earlyStopping?.patience === a.earlyStopping?.patience &&
    config.earlyStopping?.restoreBest === a.earlyStopping?.restoreBest &&
    JSON.stringify(config.schedule) === JSON.stringify(a.schedule)
  );
}
