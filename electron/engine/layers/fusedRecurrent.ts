/**
 * A fused sequence op for tfjs-layers' LSTM: the same maths, run as a handful of kernels instead of
 * ~100 per time step.
 *
 * tfjs-layers runs an LSTM as a loop of its cell: per step a matrix product for the input, one for
 * the state, a bias add, a split, four activations, the cell update, each op with its gradient on the
 * tape. Measured on the wasm backend (LSTM 64 over 100 steps, batch 64): ~9,800 kernel calls per
 * training step, 70% of them on [64, 64] tensors, so the step is dominated by per-op dispatch
 * (issue 7). Here the whole sequence is one op with its own gradient:
 *
 *   forward:  XW = x·W + b for all steps in one product; then per step the product h·R, the four
 *             gates and the cell (all saved for backward);
 *   backward: per step the gate gradients and one product dz·Rᵀ; then dW = Xᵀ·dZ, dR = Hₜ₋₁ᵀ·dZ,
 *             db = Σ dZ and dx = dZ·Wᵀ as four products over all steps.
 *
 * On the wasm backend the two recurrences are Netloom's SIMD kernels (kernels.wat lstm_forward and
 * lstm_backward, on tensors in the backend's memory: one call each), which also do the products
 * with x·W (forward) and dz·Wᵀ (backward) per step, while that step's rows are in cache; elsewhere
 * they are host loops (a product and a sigmoid kernel per step, the cell in JS).
 *
 * Keras's LSTM (gates i, f, c, o; c = f·c + i·act(z_c); h = o·act(c)), with recurrent activation
 * sigmoid and activation tanh, no mask, no initial state, not stateful, and no dropout while
 * training. Any other configuration runs tfjs-layers' own loop, unchanged. Tested against it (values
 * and every gradient) in test/unit/engine/fusedRecurrent.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { inHeap } from '../kernels/simd/index';
import { previousHiddenProduct, wasmRecurrence } from './recurrentWasm';

let enabled = true;

/** Turns the fused path on or off (tests compare the two; the engine always leaves it on). */
export function setFusedRecurrent(on: boolean): void {
  enabled = on;
}

/** Whether the fused recurrent ops are on (the LSTM's here, the GRU's in fusedGru.ts). */
export const fusedRecurrentEnabled = (): boolean => enabled;

/** Values a tensor holds, as a float32 copy on the host. */
const host = (t: tf.Tensor): Float32Array => {
  const v = t.dataSync();
  return v instanceof Float32Array ? v : Float32Array.from(v);
};

/**
 * The LSTM over a whole sequence. x [batch, time, features], W [features, 4u], R [u, 4u], b [4u].
 * Returns the hidden states [batch, time, u], or the last one [batch, u].
 */
export function lstmSequence(
  x: tf.Tensor,
  W: tf.Tensor,
  R: tf.Tensor,
  b: tf.Tensor,
  returnSequences: boolean,
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, Ws, Rs, bs, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    const backend = tf.backend();
    if (tf.getBackend() === 'wasm' && Rs.shape[0] >= 4 && xs.size > 0 && inHeap(backend, xs, Ws, Rs, bs))
      return wasmLstm(backend, xs, Ws, Rs, bs, save, returnSequences);
    return hostLstm(xs, Ws, Rs, bs, save, returnSequences);
  });
  return op(x, W, R, b);
}

/** The hidden state of the step before each step, rows (batch, time) [B·T, U], zeros at t = 0, from
 * the hidden states [B, T, U] (host values, row-major). */
export function previousHiddenHost(hidden: Float32Array, B: number, T: number, U: number): Float32Array {
  const prev = new Float32Array(B * T * U);
  for (let n = 0; n < B; n++) prev.set(hidden.subarray(n * T * U, (n * T + T - 1) * U), (n * T + 1) * U);
  return prev;
}

/**
 * Rows of dZ that rnn_weight_grads packs at a time: a panel (16 columns × 64 rows, 4 KB) and the
 * rows of x or h read against it (8-16 KB) stay in L1 cache together (batch 128: 64 rows 3-4% faster
 * a layer step than 128, 256 slower still).
 */
const WEIGHT_GRAD_ROWS = 64;

type LstmOp = {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[];
};

/**
 * On the wasm backend: both recurrences in kernels.wat (lstm_forward, lstm_backward), straight on
 * tensors in the backend's memory: per step the products x·W and h·R and the cell (forward), the
 * gate gradients and the products with Rᵀ and Wᵀ (backward); no tensor made or read back, and no
 * [B·T, 4U] tensor of input projections (made, biased and streamed through, it cost a fifth of a
 * batch-128 step). Then db = Σ dZ, dW = Xᵀ·dZ and dR in one pass over dZ (rnn_weight_grads, when
 * 4U is a multiple of 16; else a product each). The last step's state is copied out of the saved
 * ones (recurrentWasm.ts lastStep: wasm's Slice copies the whole [B, T, U] out of its heap first).
 */
function wasmLstm(
  backend: tf.KernelBackend,
  xs: tf.Tensor3D,
  Ws: tf.Tensor2D,
  Rs: tf.Tensor2D,
  bs: tf.Tensor1D,
  save: tf.GradSaveFunc,
  returnSequences: boolean,
): LstmOp {
  const [B, T, D] = xs.shape;
  const U = Rs.shape[0];
  const G = 4 * U;
  const w = wasmRecurrence(backend);
  const { empty, at, simd } = w;
  const gates = empty([B * T, G]);
  const cell = empty([B * T, U]);
  const tanhCell = empty([B * T, U]);
  const hidden = empty([B, T, U]);
  const [xw, hr, pack] = [empty([B, G]), empty([B, G]), empty([(D + U) * G])];
  simd.lstm_forward(
    at(xs),
    at(Ws),
    at(bs),
    at(Rs),
    at(xw),
    at(hr),
    at(pack),
    at(gates),
    at(cell),
    at(tanhCell),
    at(hidden),
    B,
    T,
    D,
    U,
  );
  tf.dispose([xw, hr, pack]);
  // Saved with the engine (kept only while a gradient is being recorded).
  save([xs, Ws, Rs, gates, cell, tanhCell, hidden]);
  const value = returnSequences ? hidden : w.lastStep(hidden, B, T, U);
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
    const [x0, W0, R0, gates0, cell0, tanh0, hidden0] = saved as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor3D,
    ];
    return tf.tidy(() => {
      const dOut = (Array.isArray(dy) ? dy[0]! : dy).toFloat();
      const Rt = tf.transpose(R0);
      const Wt = tf.transpose(W0);
      const dZ = empty([B * T, G]);
      const dx = empty([B, T, D]);
      const [dh, dc0, dc1, dxt] = [empty([B, U]), empty([B, U]), empty([B, U]), empty([B, D])];
      const pack = empty([(D + U) * G]);
      simd.lstm_backward(
        at(dOut),
        at(gates0),
        at(cell0),
        at(tanh0),
        at(Rt),
        at(dZ),
        at(dh),
        at(dc0),
        at(dc1),
        at(Wt),
        at(dxt),
        at(dx),
        at(pack),
        B,
        T,
        D,
        U,
        returnSequences ? 1 : 0,
      );
      if (G % 16 === 0) {
        // db, dW and dR in one pass over dZ (kernels.wat rnn_weight_grads): the same sums.
        const [dW, dR, db] = [empty([D, G]), empty([U, G]), empty([G])];
        const kc = Math.min(B * T, WEIGHT_GRAD_ROWS);
        const scratch = empty([kc * G + 1]);
        simd.rnn_weight_grads(
          at(x0),
          at(hidden0),
          at(dZ),
          at(dW),
          at(dR),
          at(db),
          at(scratch),
          kc,
          B,
          T,
          D,
          U,
          G,
        );
        scratch.dispose();
        return [dx, dW, dR, db];
      }
      // dZ rows are time-major (row t·B + n); the products take them batch-major.
      const dZb = tf.reshape(tf.transpose(tf.reshape(dZ, [T, B, G]), [1, 0, 2]), [B * T, G]);
      const dW = tf.matMul(tf.reshape(x0, [B * T, D]), dZb, true, false);
      const db = tf.sum(dZb, 0);
      return [dx, dW, previousHiddenProduct(w, hidden0, dZb, B, T, U, G), db];
    });
  };
  return { value, gradFunc };
}

/** On any other backend: the recurrences in plain loops on the host, a product per step. */
function hostLstm(
  xs: tf.Tensor3D,
  Ws: tf.Tensor2D,
  Rs: tf.Tensor2D,
  bs: tf.Tensor1D,
  save: tf.GradSaveFunc,
  returnSequences: boolean,
): LstmOp {
  // The tensors the gradient needs are saved with the engine (x may be an intermediate, like the
  // reversed input of a backwards layer, that its scope disposes before the backward pass).
  save([xs, Ws, Rs]);
  const [B, T, D] = xs.shape;
  const U = Rs.shape[0];
  const G = 4 * U;
  // Input projections of every step at once, rows (batch, time).
  const xw = host(tf.tidy(() => tf.add(tf.matMul(tf.reshape(xs, [B * T, D]), Ws), bs)));
  // Saved per (batch, time): the activated gates i, f, g, o; the cell c; tanh(c); the output h.
  const gates = new Float32Array(B * T * G);
  const cell = new Float32Array(B * T * U);
  const tanhCell = new Float32Array(B * T * U);
  const hidden = new Float32Array(B * T * U);
  const h = new Float32Array(B * U);
  const c = new Float32Array(B * U);
  const z = new Float32Array(B * G);
  for (let t = 0; t < T; t++) {
    // z = x·W + b + h·R for this step; the four gates in one sigmoid kernel (V8's Math.exp and the
    // wasm backend's tanh kernel are several times slower than its sigmoid), the candidate's tanh as
    // tanh(z) = 2σ(2z) - 1 from the same kernel.
    const hr = t === 0 ? undefined : host(tf.tidy(() => tf.matMul(tf.tensor2d(h, [B, U]), Rs)));
    for (let n = 0; n < B; n++) {
      const row = (n * T + t) * G;
      for (let q = 0; q < G; q++) {
        const v = xw[row + q]! + (hr ? hr[n * G + q]! : 0);
        z[n * G + q] = q >= 2 * U && q < 3 * U ? 2 * v : v;
      }
    }
    const sg = host(tf.tidy(() => tf.sigmoid(tf.tensor2d(z, [B, G]))));
    // h·R is computed: this step's output can overwrite h in place.
    for (let n = 0; n < B; n++) {
      const row = (n * T + t) * G;
      const r = n * G;
      for (let j = 0; j < U; j++) {
        const i = sg[r + j]!;
        const f = sg[r + U + j]!;
        const g = Math.fround(2 * sg[r + 2 * U + j]! - 1);
        const o = sg[r + 3 * U + j]!;
        gates[row + j] = i;
        gates[row + U + j] = f;
        gates[row + 2 * U + j] = g;
        gates[row + 3 * U + j] = o;
        const k = n * U + j;
        const cn = Math.fround(f * c[k]! + i * g);
        c[k] = cn;
        const tc = Math.tanh(cn);
        const s = (n * T + t) * U + j;
        cell[s] = cn;
        tanhCell[s] = tc;
        h[k] = o * tc;
        hidden[s] = h[k]!;
      }
    }
  }
  const value = returnSequences ? tf.tensor3d(hidden, [B, T, U]) : tf.tensor2d(h, [B, U]);
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x0, W0, R0] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
    const dOut = host(Array.isArray(dy) ? dy[0]! : dy);
    // dZ: the gradient of the pre-activation gates, rows (batch, time) like xw.
    const dz = new Float32Array(B * T * G);
    let dh: Float32Array = new Float32Array(B * U);
    const dc = new Float32Array(B * U);
    const Rt = tf.transpose(R0);
    const dzt = new Float32Array(B * G);
    try {
      for (let t = T - 1; t >= 0; t--) {
        for (let n = 0; n < B; n++) {
          const row = (n * T + t) * G;
          for (let j = 0; j < U; j++) {
            const k = n * U + j;
            const s = (n * T + t) * U + j;
            const out = returnSequences ? dOut[s]! : t === T - 1 ? dOut[k]! : 0;
            const dhk = dh[k]! + out;
            const i = gates[row + j]!;
            const f = gates[row + U + j]!;
            const g = gates[row + 2 * U + j]!;
            const o = gates[row + 3 * U + j]!;
            const tc = tanhCell[s]!;
            const dck = dc[k]! + dhk * o * (1 - tc * tc);
            const cPrev = t === 0 ? 0 : cell[s - U]!;
            dz[row + j] = dck * g * i * (1 - i);
            dz[row + U + j] = dck * cPrev * f * (1 - f);
            dz[row + 2 * U + j] = dck * i * (1 - g * g);
            dz[row + 3 * U + j] = dhk * tc * o * (1 - o);
            dc[k] = dck * f;
          }
        }
        if (t === 0) break;
        // dh for step t-1: this step's dz times Rᵀ (Rᵀ made once, so its packed form is reused).
        for (let n = 0; n < B; n++) dzt.set(dz.subarray((n * T + t) * G, (n * T + t + 1) * G), n * G);
        dh = host(tf.tidy(() => tf.matMul(tf.tensor2d(dzt, [B, G]), Rt)));
      }
    } finally {
      Rt.dispose();
    }
    return tf.tidy(() => {
      const dZ = tf.tensor2d(dz, [B * T, G]);
      const prev = previousHiddenHost(hidden, B, T, U);
      const x2 = tf.reshape(x0, [B * T, D]);
      return [
        tf.reshape(tf.matMul(dZ, W0, false, true), [B, T, D]),
        tf.matMul(x2, dZ, true, false),
        tf.matMul(tf.tensor2d(prev, [B * T, U]), dZ, true, false),
        tf.sum(dZ, 0),
      ];
    });
  };
  return { value, gradFunc };
}

/** What the fused recurrent ops read of a tfjs-layers LSTM or GRU layer. */
export interface RecurrentLayerLike {
  cell: {
    kernel: { read(): tf.Tensor };
    recurrentKernel: { read(): tf.Tensor };
    bias: { read(): tf.Tensor } | null;
    useBias: boolean;
    dropout: number;
    recurrentDropout: number;
    activation: { getClassName(): string };
    recurrentActivation: { getClassName(): string };
  };
  returnSequences: boolean;
  returnState: boolean;
  stateful: boolean;
  goBackwards: boolean;
}

export type RecurrentKwargs = { mask?: unknown; training?: boolean; initialState?: unknown } | undefined;

/**
 * Whether a recurrent `layer` called with `kwargs` computes exactly what a fused sequence op does,
 * given that its candidate activation is one the op has (`activation`): float32 sequences of at least
 * one step, a bias, sigmoid gates, no mask, initial state, state or dropout while training.
 */
export function fusableRecurrent(
  layer: RecurrentLayerLike,
  input: tf.Tensor,
  kwargs: RecurrentKwargs,
  activation: (name: string) => boolean,
): boolean {
  const cell = layer.cell;
  return (
    enabled &&
    input.rank === 3 &&
    input.dtype === 'float32' &&
    (input.shape[1] ?? 0) > 0 &&
    (kwargs?.mask ?? null) === null &&
    (kwargs?.initialState ?? null) === null &&
    !layer.stateful &&
    !layer.returnState &&
    cell.useBias &&
    cell.bias !== null &&
    activation(cell.activation.getClassName()) &&
    cell.recurrentActivation.getClassName() === 'sigmoid' &&
    // Dropout masks only apply while training.
    (kwargs?.training !== true || (cell.dropout === 0 && cell.recurrentDropout === 0))
  );
}

let installed = false;

/** Routes tfjs-layers' LSTM through lstmSequence wherever it computes the same thing (idempotent). */
export function installFusedRecurrent(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.lstm({ units: 1 })) as {
    call(
      this: RecurrentLayerLike,
      inputs: tf.Tensor | tf.Tensor[],
      kwargs: RecurrentKwargs,
    ): tf.Tensor | tf.Tensor[];
  };
  const own = proto.call;
  proto.call = function (this: RecurrentLayerLike, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
    if (!input || !fusableRecurrent(this, input, kwargs, (a) => a === 'tanh'))
      return own.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const x = this.goBackwards ? tf.reverse(input, 1) : input;
      const cell = this.cell;
      return lstmSequence(
        x,
        cell.kernel.read(),
        cell.recurrentKernel.read(),
        cell.bias!.read(),
        this.returnSequences,
      );
    });
  };
}
