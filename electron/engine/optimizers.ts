/**
 * The optimizers a training config names. Adam and AdamW update each variable with ONE fused kernel
 * (kernels/adam.ts) where the backend has it (wasm, cpu), bit-identical to tfjs's Adam; elsewhere
 * (native TensorFlow) tfjs's own update runs.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAMW_WEIGHT_DECAY, type TrainingConfig, weightDecayOf } from '../../shared/training/config';
import { FUSED_ADAM, type FusedAdamAttrs, hasFusedAdam, registerFusedAdam } from './kernels/adam';

registerFusedAdam();

export { ADAMW_WEIGHT_DECAY };

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** tfjs's AdamOptimizer state (private there; this class keeps it exactly as tfjs does). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * tfjs's Adam with its per-variable update as one kernel. Same state (moments, accumulated betas,
 * iterations), same getWeights/setWeights, same numbers; `decoupledDecay` > 0 makes it AdamW.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  protected decoupledDecay = 0;

  override applyGradients(variableGradients: VariableGradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.name)
      : Object.keys(variableGradients);
    if (!hasFusedAdam()) {
      if (this.decoupledDecay > 0) this.decay(names);
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const accBeta1 = state.accBeta1.dataSync()[0]!;
    const accBeta2 = state.accBeta2.dataSync()[0]!;
    const attrs: FusedAdamAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      oneMinusBeta1: 1 - this.beta1,
      oneMinusBeta2: 1 - this.beta2,
      // tfjs: sub(1, accBeta) in float32.
      oneMinusAccBeta1: Math.fround(1 - accBeta1),
      oneMinusAccBeta2: Math.fround(1 - accBeta2),
      epsilon: this.epsilon,
      negLr: -this.learningRate,
      decay: 1 - this.learningRate * this.decoupledDecay,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        const m = (state.accumulatedFirstMoment[i] ??= moment('m')).variable;
        const v = (state.accumulatedSecondMoment[i] ??= moment('v')).variable;
        const g = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (g === undefined || g === null) {
          if (this.decoupledDecay > 0 && value.trainable) value.assign(value.mul(attrs.decay));
          return;
        }
        const [x1, m1, v1] = tf.engine().runKernel(
          FUSED_ADAM,
          { x: value, m, v, g },
          {
            ...attrs,
          },
        ) as tf.Tensor[];
        value.assign(x1!);
        m.assign(m1!);
        v.assign(v1!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /** AdamW's w <- w·(1 − lr·wd), before the Adam step (the unfused path). */
  private decay(names: string[]): void {
    const decay = 1 - this.learningRate * this.decoupledDecay;
    tf.tidy(() => {
      for (const name of names) {
        const v = tf.engine().registeredVariables[name];
        if (v && v.trainable) v.assign(v.mul(decay));
      }
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam plus decoupled weight decay, w <- w - lr·wd·w before each Adam
 * step, as Keras 3 and PyTorch do. tfjs 4.22 has no AdamW, so it is built on its Adam.
 */
export class AdamWOptimizer extends FusedAdamOptimizer {
  static override get className() {
    return 'NetloomAdamW';
  }
  constructor(
    learningRate: number,
    readonly weightDecay = ADAMW_WEIGHT_DECAY,
  ) {
    super(learningRate, 0.9, 0.999, 1e-7);
    this.decoupledDecay = weightDecay;
  }
}

export function makeOptimizer(
  config: Pick<TrainingConfig, 'optimizer' | 'learningRate'> & Partial<Pick<TrainingConfig, 'weightDecay'>>,
): tf.Optimizer {
  const lr = config.learningRate;
  switch (config.optimizer) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, 0.9);
    case 'adam':
      // tf.train.adam's defaults (epsilon: the backend's, 1e-7 in float32).
      return new FusedAdamOptimizer(lr, 0.9, 0.999);
    case 'adamw':
      return new AdamWOptimizer(
        lr,
        weightDecayOf({ optimizer: 'adamw', weightDecay: config.weightDecay ?? null }),
      );
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
  }
}

/**
 * Changes an optimizer's learning rate between steps (the learning-rate finder grows it every
 * batch). SGD and momentum keep it as a tensor (their own setter); the others read the field at each
 * step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** PyTorch's clip_grad_norm_: the scale is min(1, maxNorm / (norm + 1e-6)). */
const CLIP_EPSILON = 1e-6;

/**
 * What the config does to a step's gradients before the optimizer applies them, in PyTorch's order:
 * clipping to a global L2 norm (torch.nn.utils.clip_grad_norm_, computed without a read to the host),
 * then L2 weight decay, weightDecay·w added to each gradient (torch.optim's `weight_decay`) — except
 * under AdamW, whose decay is decoupled (the optimizer does it). Returns `grads` itself when nothing
 * applies, else a new map (the caller disposes both).
 */
export function regularise(
  grads: tf.NamedTensorMap,
  config: Pick<TrainingConfig, 'optimizer' | 'weightDecay' | 'clipNorm'>,
): tf.NamedTensorMap {
  const decay = config.optimizer === 'adamw' ? 0 : weightDecayOf(config);
  const clip = config.clipNorm;
  if (decay === 0 && clip === null) return grads;
  return tf.tidy(() => {
    const names = Object.keys(grads);
    let scale: tf.Scalar | undefined;
    if (clip !== null) {
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
      scale = tf.minimum(1, tf.div(clip, tf.add(norm, CLIP_EPSILON))) as tf.Scalar;
    }
    const out: tf.NamedTensorMap = {};
    for (const n of names) {
      let g = grads[n]!;
      if (scale) g = tf.mul(g, scale);
      const w = tf.engine().registeredVariables[n];
      if (decay > 0 && w) g = tf.add(g, tf.mul(w, decay));
      out[n] = g;
    }
    return out;
  });
}
