/**
 * A fused sequence op for the GRU, in both of its forms: the same maths as the step loops, run as a
 * few kernels per step instead of ~40 ops (and their gradients on the tape).
 *
 *   reset before (Keras's reset_after=False, tfjs-layers' GRU; gates z, r, h in the kernels' blocks):
 *     z = σ(x_z + h·R_z)   r = σ(x_r + h·R_r)   h̃ = act(x_h + (r ⊙ h)·R_h)
 *   reset after (NetloomGRU, electron/engine/layers/gru.ts; PyTorch's nn.GRU):
 *     [h_z, h_r, h_h] = h·R + b_h   z = σ(x_z + h_z)   r = σ(x_r + h_r)   h̃ = act(x_h + r ⊙ h_h)
 *   both:  x_· = x·W + b (b_x)   h = z ⊙ h + (1 − z) ⊙ h̃
 *
 *   forward:  x·W + b for all steps in one product; then per step the products with R (two in the
 *             reset-before form, one in the reset-after form) and the gates (all saved);
 *   backward: per step the gate gradients and the products with Rᵀ; then dW = Xᵀ·dZ, dR, db and
 *             dx = dZ·Wᵀ as products over all steps.
 *
 * On the wasm backend with activation tanh and at least 4 units, the two recurrences are Netloom's
 * SIMD kernels (fusedGruWasm.ts: kernels.wat gru_forward, gru_backward); elsewhere host loops (a
 * product per step as a tf kernel, the gates in JS).
 *
 * Used where it computes exactly what the loops do: recurrent activation sigmoid, a candidate
 * activation in ACTS, a bias, no mask, no initial state, not stateful, no dropout while training.
 * Anything else runs the loops unchanged. Tested against them (values and every gradient) in
 * test/unit/engine/fusedRecurrent.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { inHeap } from '../kernels/simd/index';
import {
  fusableRecurrent,
  fusedRecurrentEnabled,
  previousHiddenHost,
  type RecurrentKwargs,
  type RecurrentLayerLike,
} from './fusedRecurrent';
import { wasmGru } from './fusedGruWasm';
import { useFusedGru, type GruDirection, type GruOptions } from './gru';

/** A candidate activation: its value, and its derivative from its value (as tfjs's gradient). */
interface Act {
  f: (a: number) => number;
  d: (y: number) => number;
}

const ACTS: Readonly<Record<string, Act>> = {
  tanh: { f: Math.tanh, d: (y) => 1 - y * y },
  sigmoid: { f: (a) => 1 / (1 + Math.exp(-a)), d: (y) => y * (1 - y) },
  linear: { f: (a) => a, d: () => 1 },
  // tfjs's relu gradient is step(a): 1 where a > 0 (exactly where the output is > 0).
  relu: { f: (a) => (a > 0 ? a : 0), d: (y) => (y > 0 ? 1 : 0) },
};

/** Whether the fused GRU computes the candidate activation `name` (tfjs's class or Netloom's name). */
export const fusedGruActivation = (name: string): boolean => Object.hasOwn(ACTS, name);

export interface GruSequenceOptions {
  /** The reset gate after the recurrent product (bias [2, 3u]); else before it (bias [3u]). */
  resetAfter: boolean;
  activation: string;
  returnSequences: boolean;
}

/** Values a tensor holds, as a float32 copy on the host. */
const host = (t: tf.Tensor): Float32Array => {
  const v = t.dataSync();
  return v instanceof Float32Array ? v : Float32Array.from(v);
};

/** a [rows, cols] (host) · m, as a new array on the host. */
function product(a: Float32Array, rows: number, cols: number, m: tf.Tensor): Float32Array {
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(a, [rows, cols]), m));
  const v = new Float32Array(y.dataSync());
  y.dispose();
  return v;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * The GRU over a whole sequence. x [batch, time, features], W [features, 3u], R [u, 3u], b [3u]
 * (reset before) or [2, 3u] (reset after). Returns the hidden states [batch, time, u], or the last.
 */
export function gruSequence(
  x: tf.Tensor,
  W: tf.Tensor,
  R: tf.Tensor,
  b: tf.Tensor,
  o: GruSequenceOptions,
): tf.Tensor {
  const act = ACTS[o.activation];
  if (!act) throw new Error(`fused GRU: unsupported activation ${o.activation}`);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, Ws, Rs, bs, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor,
      tf.GradSaveFunc,
    ];
    const backend = tf.backend();
    if (
      tf.getBackend() === 'wasm' &&
      o.activation === 'tanh' &&
      Rs.shape[0] >= 4 &&
      xs.size > 0 &&
      inHeap(backend, xs, Ws, Rs, bs)
    )
      return wasmGru(backend, xs, Ws, Rs, bs, save, o.resetAfter, o.returnSequences);
    // Saved with the engine (x may be an intermediate, like a backwards layer's reversed input).
    save([xs, Ws, Rs]);
    const s = forward(xs, Ws, Rs, bs, o.resetAfter, act);
    const [B, T] = xs.shape;
    const U = Rs.shape[0];
    const value = o.returnSequences ? tf.tensor3d(s.hidden, [B, T, U]) : tf.tensor2d(s.last, [B, U]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const [x0, W0, R0] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const dOut = host(Array.isArray(dy) ? dy[0]! : dy);
      const g = backward(s, dOut, R0, o.resetAfter, o.returnSequences, act);
      return products(s, g, x0, W0, o.resetAfter);
    };
    return { value, gradFunc };
  });
  return op(x, W, R, b);
}

/** What the forward pass keeps for the backward one, all rows (batch, time). */
interface Saved {
  B: number;
  T: number;
  U: number;
  /** z, r (after σ) and h̃ (after act): [B·T, 3u]. */
  gates: Float32Array;
  /** Reset before: r ⊙ h of the step before; reset after: h_h (the recurrent candidate, with b_h). */
  aux: Float32Array;
  /** The outputs h: [B·T, u]. */
  hidden: Float32Array;
  /** The last h: [B, u]. */
  last: Float32Array;
}

function forward(
  xs: tf.Tensor3D,
  Ws: tf.Tensor2D,
  Rs: tf.Tensor2D,
  bs: tf.Tensor,
  after: boolean,
  act: Act,
): Saved {
  const [B, T, D] = xs.shape;
  const U = Rs.shape[0];
  const G = 3 * U;
  // Input projections of every step at once, rows (batch, time); the recurrent bias (reset after).
  const xw = host(
    tf.tidy(() => {
      const bx = after ? tf.reshape(tf.slice(bs, [0, 0], [1, G]), [G]) : bs;
      return tf.add(tf.matMul(tf.reshape(xs, [B * T, D]), Ws), bx);
    }),
  );
  const bh = after ? host(tf.tidy(() => tf.slice(bs, [1, 0], [1, G]))) : new Float32Array(G);
  // Reset before: R's z and r blocks, and its h block (for r ⊙ h).
  const Rzr = after ? null : tf.slice(Rs, [0, 0], [U, 2 * U]);
  const Rh = after ? null : tf.slice(Rs, [0, 2 * U], [U, U]);
  const gates = new Float32Array(B * T * G);
  const aux = new Float32Array(B * T * U);
  const hidden = new Float32Array(B * T * U);
  const h = new Float32Array(B * U);
  const rh = new Float32Array(B * U);
  try {
    for (let t = 0; t < T; t++) {
      // Reset after: h·R for all three blocks; reset before: h·R_z, h·R_r (zero at t = 0: h is 0).
      const hr = t === 0 ? null : after ? product(h, B, U, Rs) : product(h, B, U, Rzr!);
      const hrW = after ? G : 2 * U;
      for (let n = 0; n < B; n++) {
        const row = (n * T + t) * G;
        for (let j = 0; j < 2 * U; j++) {
          const v = xw[row + j]! + (hr ? hr[n * hrW + j]! : 0) + bh[j]!;
          gates[row + j] = sigmoid(v);
        }
        for (let j = 0; j < U; j++) {
          const k = n * U + j;
          const s = (n * T + t) * U + j;
          if (after) aux[s] = (hr ? hr[n * G + 2 * U + j]! : 0) + bh[2 * U + j]!;
          else aux[s] = rh[k] = gates[row + U + j]! * h[k]!;
        }
      }
      // Reset before: the candidate's recurrent part (r ⊙ h)·R_h, once r is known.
      const rhh = !after && t > 0 ? product(rh, B, U, Rh!) : null;
      for (let n = 0; n < B; n++) {
        const row = (n * T + t) * G;
        for (let j = 0; j < U; j++) {
          const k = n * U + j;
          const s = (n * T + t) * U + j;
          const rec = after ? gates[row + U + j]! * aux[s]! : rhh ? rhh[k]! : 0;
          const c = Math.fround(act.f(xw[row + 2 * U + j]! + rec));
          const z = gates[row + j]!;
          gates[row + 2 * U + j] = c;
          h[k] = z * h[k]! + (1 - z) * c;
          hidden[s] = h[k]!;
        }
      }
    }
  } finally {
    Rzr?.dispose();
    Rh?.dispose();
  }
  return { B, T, U, gates, aux, hidden, last: h };
}

/** The gradients of the gates' pre-activations: for x·W + b_x (dx) and for the recurrent side (dh). */
interface GateGrads {
  dx: Float32Array;
  /** Reset after: of h·R + b_h, [B·T, 3u]; reset before: unused (dx serves both). */
  dh: Float32Array;
}

function backward(
  s: Saved,
  dOut: Float32Array,
  R0: tf.Tensor2D,
  after: boolean,
  returnSequences: boolean,
  act: Act,
): GateGrads {
  const { B, T, U, gates, aux, hidden } = s;
  const G = 3 * U;
  const dx = new Float32Array(B * T * G);
  const dhr = after ? new Float32Array(B * T * G) : dx;
  let dh: Float32Array = new Float32Array(B * U);
  // The transposed recurrent kernels, made once (for the products with this step's gradients).
  const Rt = after ? tf.transpose(R0) : null;
  const RzrT = after ? null : tf.tidy(() => tf.transpose(tf.slice(R0, [0, 0], [U, 2 * U])));
  const RhT = after ? null : tf.tidy(() => tf.transpose(tf.slice(R0, [0, 2 * U], [U, U])));
  const carry = new Float32Array(B * U);
  const step = new Float32Array(B * (after ? G : 2 * U));
  const dc = new Float32Array(B * U);
  try {
    for (let t = T - 1; t >= 0; t--) {
      for (let n = 0; n < B; n++) {
        const row = (n * T + t) * G;
        for (let j = 0; j < U; j++) {
          const k = n * U + j;
          const si = (n * T + t) * U + j;
          const out = returnSequences ? dOut[si]! : t === T - 1 ? dOut[k]! : 0;
          const dhk = dh[k]! + out;
          const z = gates[row + j]!;
          const r = gates[row + U + j]!;
          const c = gates[row + 2 * U + j]!;
          const hp = t === 0 ? 0 : hidden[si - U]!;
          const dzp = dhk * (hp - c) * z * (1 - z);
          const dac = dhk * (1 - z) * act.d(c);
          carry[k] = dhk * z;
          dx[row + j] = dzp;
          dx[row + 2 * U + j] = dac;
          dc[k] = dac;
          if (after) {
            const drp = dac * aux[si]! * r * (1 - r);
            dx[row + U + j] = drp;
            dhr[row + j] = dzp;
            dhr[row + U + j] = drp;
            dhr[row + 2 * U + j] = dac * r;
          }
        }
      }
      if (t === 0) break;
      if (after) {
        for (let n = 0; n < B; n++) step.set(dhr.subarray((n * T + t) * G, (n * T + t + 1) * G), n * G);
        dh = product(step, B, G, Rt!);
      } else {
        // d(r ⊙ h) = dh̃·R_hᵀ: into r's gradient and the previous h's; then [dz, dr]·R_zrᵀ.
        const drh = product(dc, B, U, RhT!);
        for (let n = 0; n < B; n++) {
          const row = (n * T + t) * G;
          for (let j = 0; j < U; j++) {
            const k = n * U + j;
            const r = gates[row + U + j]!;
            dx[row + U + j] = drh[k]! * hidden[(n * T + t - 1) * U + j]! * r * (1 - r);
            carry[k] = carry[k]! + drh[k]! * r;
          }
          step.set(dx.subarray(row, row + 2 * U), n * 2 * U);
        }
        dh = product(step, B, 2 * U, RzrT!);
      }
      for (let k = 0; k < B * U; k++) dh[k] = dh[k]! + carry[k]!;
    }
  } finally {
    Rt?.dispose();
    RzrT?.dispose();
    RhT?.dispose();
  }
  return { dx, dh: dhr };
}

/** The gradients of x, W, R and b from the gates' gradients, as products over all steps. */
function products(s: Saved, g: GateGrads, x0: tf.Tensor3D, W0: tf.Tensor2D, after: boolean): tf.Tensor[] {
  const { B, T, U, hidden, aux } = s;
  const D = x0.shape[2];
  const G = 3 * U;
  return tf.tidy(() => {
    const dX = tf.tensor2d(g.dx, [B * T, G]);
    const hPrev = tf.tensor2d(previousHiddenHost(hidden, B, T, U), [B * T, U]);
    const dx = tf.reshape(tf.matMul(dX, W0, false, true), [B, T, D]);
    const dW = tf.matMul(tf.reshape(x0, [B * T, D]), dX, true, false);
    if (after) {
      const dH = tf.tensor2d(g.dh, [B * T, G]);
      return [dx, dW, tf.matMul(hPrev, dH, true, false), tf.stack([tf.sum(dX, 0), tf.sum(dH, 0)])];
    }
    const dR = tf.concat(
      [
        tf.matMul(hPrev, tf.slice(dX, [0, 0], [B * T, 2 * U]), true, false),
        tf.matMul(tf.tensor2d(aux, [B * T, U]), tf.slice(dX, [0, 2 * U], [B * T, U]), true, false),
      ],
      1,
    );
    return [dx, dW, dR, tf.sum(dX, 0)];
  });
}

/** One direction of NetloomGRU, fused where that computes what gruResetAfter's loop does, else null. */
function fusedResetAfter(x: tf.Tensor, w: GruDirection, o: GruOptions): tf.Tensor | null {
  if (
    !fusedRecurrentEnabled() ||
    !fusedGruActivation(o.activation) ||
    (o.recurrentActivation ?? 'sigmoid') !== 'sigmoid' ||
    x.rank !== 3 ||
    x.dtype !== 'float32' ||
    (x.shape[1] ?? 0) === 0 ||
    (o.training && (o.dropout > 0 || o.recurrentDropout > 0))
  )
    return null;
  return tf.tidy(() => {
    const xs = o.goBackwards ? tf.reverse(x, 1) : x;
    const y = gruSequence(xs, w.kernel, w.recurrentKernel, w.bias, {
      resetAfter: true,
      activation: o.activation,
      returnSequences: o.returnSequences,
    });
    return o.goBackwards && o.returnSequences ? tf.reverse(y, 1) : y;
  });
}

let installed = false;

/** Routes tfjs-layers' GRU and NetloomGRU through gruSequence wherever it computes the same (idempotent). */
export function installFusedGru(): void {
  if (installed) return;
  installed = true;
  useFusedGru(fusedResetAfter);
  const proto = Object.getPrototypeOf(tf.layers.gru({ units: 1 })) as {
    call(
      this: RecurrentLayerLike,
      inputs: tf.Tensor | tf.Tensor[],
      kwargs: RecurrentKwargs,
    ): tf.Tensor | tf.Tensor[];
  };
  const own = proto.call;
  proto.call = function (this: RecurrentLayerLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
    if (!input || !fusableRecurrent(this, input, kwargs, fusedGruActivation))
      return own.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = this.goBackwards ? tf.reverse(input, 1) : input;
      const cell = this.cell;
      return gruSequence(x, cell.kernel.read(), cell.recurrentKernel.read(), cell.bias!.read(), {
        resetAfter: false,
        activation: cell.activation.getClassName(),
        returnSequences: this.returnSequences,
      });
    });
  };
}
