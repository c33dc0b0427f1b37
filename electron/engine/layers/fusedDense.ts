/**
 * tfjs-layers' Dense as one op (kernels/dense.ts) where that computes the same thing: a rank-2
 * input on the wasm backend with no activation or ReLU. Anything else runs the layer's own code.
 */
import * as tf from '@tensorflow/tfjs';
import { denseOp } from '../kernels/dense';

let enabled = true;

/** Turns the fused path on or off (tests compare the two; the engine always leaves it on). */
export function setFusedDense(on: boolean): void {
  enabled = on;
}

/** The parts of tfjs-layers' Dense read here (not in its public types). */
interface DenseLike {
  kernel: { read(): tf.Tensor } | null;
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: object): void;
}

const ACTIVATIONS: Readonly<Record<string, boolean>> = { linear: false, relu: true };

let installed = false;

export function installFusedDense(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.dense({ units: 1 })) as {
    call(this: DenseLike, inputs: tf.Tensor | tf.Tensor[], kwargs: object): tf.Tensor | tf.Tensor[];
  };
  const own = proto.call;
  proto.call = function (this: DenseLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
    const relu = ACTIVATIONS[this.activation.getClassName()];
    if (!enabled || !input || relu === undefined || !this.kernel) return own.call(this, inputs, kwargs);
    const kernel = this.kernel;
    const out = tf.tidy(() => denseOp(input, kernel.read(), this.bias?.read(), relu));
    if (!out) return own.call(this, inputs, kwargs);
    this.invokeCallHook(inputs, kwargs);
    return out;
  };
}
