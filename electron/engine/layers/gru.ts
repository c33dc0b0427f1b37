/**
 * `NetloomGRU`: the GRU with the reset gate applied after the recurrent product (Keras's
 * reset_after=True, Keras 3's default; PyTorch's nn.GRU; ONNX's GRU with linear_before_reset=1),
 * which tfjs-layers 4.22's GRU refuses. Per step, with the kernels' gate blocks z, r, h:
 *
 *   x·W + b_x = [x_z, x_r, x_h]        h·R + b_h = [h_z, h_r, h_h]
 *   z = σ(x_z + h_z)   r = σ(x_r + h_r)   h̃ = act(x_h + r ⊙ h_h)   h = z ⊙ h + (1 − z) ⊙ h̃
 *
 * σ is the recurrent activation: the sigmoid, or TF.js's hard sigmoid clip(0.2·x + 0.5, 0, 1).
 *
 * Weights (catalog names, `shared/layers/gru.ts`): kernel [in, 3u], recurrent_kernel [u, 3u] and
 * bias [2, 3u] (row 0 b_x, row 1 b_h); a bidirectional layer has a forward_ and a backward_ copy and
 * concatenates the two outputs (the backward one aligned with the forward steps), as Keras's
 * Bidirectional with merge_mode concat. Dropout while training as tfjs-layers' GRU and Keras's: one
 * input mask and one recurrent mask per sequence, the recurrent one on the state entering each step
 * (its product and its carry, z ⊙ h). Plain tf ops over the time steps; the gradient is tfjs's
 * autodiff of them. The engine replaces the loop with its fused op where that computes the same
 * (useFusedGru: electron/engine/layers/fusedGru.ts; the TF.js export keeps the loop).
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutIf, gelu } from './ops';

type Kwargs = Record<string, unknown>;
type Var = ReturnType<tf.layers.Layer['addWeight']>;

export interface GruArgs {
  name?: string;
  trainable?: boolean;
  units: number;
  activation?: string;
  /** The gates' activation: 'sigmoid' (default) or 'hardSigmoid' (tfjs's name; 'hard_sigmoid' accepted). */
  recurrentActivation?: string;
  returnSequences?: boolean;
  bidirectional?: boolean;
  dropout?: number;
  recurrentDropout?: number;
  /**
   * Initialisers as a Keras config names them. Only `{ className: 'Zeros' }` is read (a model built
   * to receive trained weights: the orthogonal one is a QR decomposition); otherwise Keras's.
   */
  kernelInitializer?: unknown;
  recurrentInitializer?: unknown;
}

const namesZeros = (init: unknown): boolean =>
  typeof init === 'object' && init !== null && (init as { className?: unknown }).className === 'Zeros';

/** The candidate's activations (the catalog's, with tfjs's meaning of each). */
const ACTIVATIONS: Readonly<Record<string, (x: tf.Tensor) => tf.Tensor>> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x, -1),
  gelu,
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** The gates' activations (tfjs's meaning: its hardSigmoid is clip(0.2·x + 0.5, 0, 1)). */
const GATE_ACTIVATIONS: Readonly<Record<string, (x: tf.Tensor) => tf.Tensor>> = {
  sigmoid: (x) => tf.sigmoid(x),
  hardSigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
};

/** A gate activation's name as tfjs's class name ('hard_sigmoid', Keras's, is 'hardSigmoid'). */
const gateActivationName = (name: string | undefined): string =>
  name === undefined ? 'sigmoid' : name === 'hard_sigmoid' ? 'hardSigmoid' : name;

export interface GruDirection {
  kernel: tf.Tensor; // [in, 3u]
  recurrentKernel: tf.Tensor; // [u, 3u]
  bias: tf.Tensor; // [2, 3u]
}

export interface GruOptions {
  units: number;
  activation: string;
  /** The gates' activation (default sigmoid); the fused op computes only the sigmoid. */
  recurrentActivation?: string;
  returnSequences: boolean;
  /** Read the sequence from its end (the backward copy); a returned sequence is put back in order. */
  goBackwards: boolean;
  dropout: number;
  recurrentDropout: number;
  training: boolean;
}

/** A fused form of gruResetAfter: its result, or null where it does not compute the same. */
type FusedGru = (x: tf.Tensor, w: GruDirection, o: GruOptions) => tf.Tensor | null;

let fused: FusedGru | null = null;

/** Runs gruResetAfter through `fn` wherever it returns a result (the engine's fused op). */
export function useFusedGru(fn: FusedGru | null): void {
  fused = fn;
}

/** One direction of the GRU over x [batch, time, features]: [batch, time, u], or the last state [batch, u]. */
export function gruResetAfter(x: tf.Tensor, w: GruDirection, o: GruOptions): tf.Tensor {
  const act = ACTIVATIONS[o.activation];
  if (!act) throw new Error(`NetloomGRU: unknown activation ${o.activation}`);
  const gate = GATE_ACTIVATIONS[gateActivationName(o.recurrentActivation)];
  if (!gate) throw new Error(`NetloomGRU: unknown recurrent activation ${o.recurrentActivation}`);
  const y = fused?.(x, w, o);
  if (y) return y;
  return tf.tidy(() => {
    const [batch, time, features] = x.shape as [number, number, number];
    const u = o.units;
    if (time === 0) return tf.zeros(o.returnSequences ? [batch, 0, u] : [batch, u]);
    const training = o.training;
    const xs =
      o.dropout > 0 && training ? tf.mul(x, dropoutIf(tf.ones([batch, 1, features]), o.dropout, true)) : x;
    const [bx, bh] = tf.unstack(w.bias, 0) as [tf.Tensor, tf.Tensor];
    // The input part of every step in one product: [batch, time, 3u].
    const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(xs, [batch * time, features]), w.kernel), bx), [
      batch,
      time,
      3 * u,
    ]);
    // A copy: tfjs's tape keeps unstack's own array as the op's outputs, so reversing that one in
    // place reversed the gradient's steps (the backward direction's dx and dW were wrong).
    const steps = tf.unstack(xw, 1).slice();
    if (o.goBackwards) steps.reverse();
    const recurrentMask =
      o.recurrentDropout > 0 && training ? dropoutIf(tf.ones([batch, u]), o.recurrentDropout, true) : null;
    let h: tf.Tensor = tf.zeros([batch, u]);
    const outputs: tf.Tensor[] = [];
    for (const step of steps) {
      const [xz, xr, xh] = tf.split(step, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const prev = recurrentMask ? tf.mul(h, recurrentMask) : h;
      const [hz, hr, hh] = tf.split(tf.add(tf.matMul(prev, w.recurrentKernel), bh), 3, 1) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      const z = gate(tf.add(xz, hz));
      const r = gate(tf.add(xr, hr));
      const candidate = act(tf.add(xh, tf.mul(r, hh)));
      h = tf.add(tf.mul(z, prev), tf.mul(tf.sub(1, z), candidate));
      outputs.push(h);
    }
    if (!o.returnSequences) return h;
    if (o.goBackwards) outputs.reverse();
    return tf.stack(outputs, 1);
  });
}

export class NetloomGRU extends tf.layers.Layer {
  static readonly className = 'NetloomGRU';
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly returnSequences: boolean;
  readonly bidirectional: boolean;
  readonly rate: number;
  readonly recurrentRate: number;
  private w: Record<string, Var> = {};
  private readonly zeroKernels: [kernel: boolean, recurrent: boolean];

  constructor(args: GruArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    if (!Object.hasOwn(ACTIVATIONS, this.activation))
      throw new Error(`NetloomGRU: unknown activation ${this.activation}`);
    this.recurrentActivation = gateActivationName(args.recurrentActivation);
    if (!Object.hasOwn(GATE_ACTIVATIONS, this.recurrentActivation))
      throw new Error(`NetloomGRU: unknown recurrent activation ${this.recurrentActivation}`);
    this.returnSequences = args.returnSequences ?? false;
    this.bidirectional = args.bidirectional ?? false;
    this.rate = args.dropout ?? 0;
    this.recurrentRate = args.recurrentDropout ?? 0;
    this.zeroKernels = [namesZeros(args.kernelInitializer), namesZeros(args.recurrentInitializer)];
  }

  private prefixes(): string[] {
    return this.bidirectional ? ['forward_', 'backward_'] : [''];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = s[s.length - 1] as number;
    const g = 3 * this.units;
    // Keras's initialisers: glorot uniform kernel, orthogonal recurrent kernel, zero biases.
    const [zeroKernel, zeroRecurrent] = this.zeroKernels;
    for (const p of this.prefixes()) {
      this.w[`${p}kernel`] = this.addWeight(
        `${p}kernel`,
        [features, g],
        'float32',
        zeroKernel ? tf.initializers.zeros() : tf.initializers.glorotUniform({}),
      );
      this.w[`${p}recurrent_kernel`] = this.addWeight(
        `${p}recurrent_kernel`,
        [this.units, g],
        'float32',
        zeroRecurrent ? tf.initializers.zeros() : tf.initializers.orthogonal({ gain: 1 }),
      );
      this.w[`${p}bias`] = this.addWeight(`${p}bias`, [2, g], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = this.bidirectional ? 2 * this.units : this.units;
    return this.returnSequences ? [s[0] ?? null, s[1] ?? null, width] : [s[0] ?? null, width];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const outs = this.prefixes().map((p, i) =>
        gruResetAfter(
          x,
          {
            kernel: this.w[`${p}kernel`]!.read(),
            recurrentKernel: this.w[`${p}recurrent_kernel`]!.read(),
            bias: this.w[`${p}bias`]!.read(),
          },
          {
            units: this.units,
            activation: this.activation,
            recurrentActivation: this.recurrentActivation,
            returnSequences: this.returnSequences,
            goBackwards: i === 1,
            dropout: this.rate,
            recurrentDropout: this.recurrentRate,
            training: kwargs.training === true,
          },
        ),
      );
      return outs.length === 1 ? outs[0]! : tf.concat(outs, -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      recurrentActivation: this.recurrentActivation,
      returnSequences: this.returnSequences,
      bidirectional: this.bidirectional,
      dropout: this.rate,
      recurrentDropout: this.recurrentRate,
    };
  }
}
