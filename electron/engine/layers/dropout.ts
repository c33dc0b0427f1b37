/**
 * Dropout as tfjs computes it, bit for bit, without its per-element overhead.
 *
 * tf.dropout draws its keep mask with `randomUniform`, a JS loop calling seedrandom's alea generator
 * through two method calls per element and writing a TensorBuffer: 15 ms for the transformer
 * template's attention weights [64, 2, 100, 100] (1.28M values, two per training step: ~30% of its
 * step on the wasm backend). Here the same generator, seeded the same way (seedrandom's own alea
 * gives the starting state), runs as a plain loop that writes the multiplier directly:
 *
 *   u = float32(alea());  multiplier = float32(floor(float32(u + keep)) / keep),  keep = float32(1 − rate)
 *
 * which is exactly tf.dropout's add, floor and div in float32, then the same Multiply. Same seed,
 * same numbers (tested), so a run's results do not change. alea is one long chain of dependent
 * double operations (~10 ns a value in JS, no faster than tfjs's loop); on the wasm backend it
 * runs in integers instead (kernels.wat `alea_dropout`, exact: see there), 17 -> 2.4 ms for
 * that tensor.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { heapOffset, simdKernels } from '../kernels/simd/index';
import { asWasm } from '../kernels/wasm';

/** alea's state (seedrandom's `state()` for the alea generator). */
interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/**
 * x with each element dropped at `rate` and the rest scaled by 1 / (1 − rate): tf.dropout(x, rate,
 * undefined, seed) exactly (the seed drawn from Math.random when not given, as tfjs does).
 */
export function dropout(x: tf.Tensor, rate: number, seed?: number | string): tf.Tensor {
  if (x.dtype !== 'float32' || x.size === 0 || !(rate > 0 && rate < 1))
    return tf.dropout(x, rate, undefined, seed);
  const s = seed ?? Math.random();
  const prng = seedrandom.alea(typeof s === 'number' ? s.toString() : s, { state: true });
  let { c, s0, s1, s2 } = prng.state() as AleaState;
  const keep = Math.fround(1 - rate);
  const backend = tf.backend();
  if (tf.getBackend() === 'wasm') {
    // kernels.wat `alea_dropout`: the same generator in integers (alea's values are multiples of
    // 2^-32, and every step of it is exact in doubles), writing straight into a wasm tensor.
    const info = asWasm(backend).makeOutput(x.shape, 'float32');
    const big = (v: number) => BigInt(v * 4294967296);
    simdKernels(backend).alea_dropout(
      heapOffset(backend, info),
      x.size,
      big(s0),
      big(s1),
      big(s2),
      BigInt(c),
      keep,
    );
    const m = tf.engine().makeTensorFromTensorInfo(info, backend);
    return tf.tidy(() => tf.mul(x, m));
  }
  const m = new Float32Array(x.size);
  for (let i = 0; i < m.length; i++) {
    // alea's next(), as seedrandom writes it.
    const t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    m[i] = Math.fround(Math.floor(Math.fround(Math.fround(s2) + keep)) / keep);
  }
  return tf.tidy(() => tf.mul(x, tf.tensor(m, x.shape, 'float32')));
}

interface DropoutLayerLike {
  rate: number;
  noiseShape: unknown;
  seed: number | undefined;
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): void;
}

let installed = false;

/** Routes tfjs-layers' Dropout layer through `dropout` while training (idempotent). */
export function installFastDropout(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })) as {
    call(
      this: DropoutLayerLike,
      inputs: tf.Tensor | tf.Tensor[],
      kwargs: { training?: boolean },
    ): tf.Tensor | tf.Tensor[];
  };
  const own = proto.call;
  proto.call = function (this: DropoutLayerLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
    if (
      !input ||
      kwargs?.training !== true ||
      (this.noiseShape !== null && this.noiseShape !== undefined) ||
      !(this.rate > 0 && this.rate < 1)
    )
      return own.call(this, inputs, kwargs);
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      return dropout(input, this.rate, this.seed);
    });
  };
}
