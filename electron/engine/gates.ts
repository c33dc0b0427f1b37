/**
 * The gates of an LSTM or GRU over time for one sample, for the probe views: recomputed step by step
 * from the layer's input and weights with Keras's equations (the ones tfjs-layers and the fused op
 * compute), then checked against the layer's own output. If the recomputed hidden state differs from
 * what the layer computed, nothing is returned: a view never shows gates that did not produce the
 * layer's output.
 *
 *   LSTM (kernel columns i, f, c, o): i, f, o = σ(x·W + h·R + b); c = f·c + i·act(z_c); h = o·act(c)
 *   GRU (z, r, h; reset_after off):   z, r = σ(x·W + h·R + b); ĥ = act(x·W_h + (r·h)·R_h + b_h);
 *                                     h = z·h + (1 − z)·ĥ
 *   GRU, reset after (bias rows b_x, b_h): z, r = σ(x·W + b_x + h·R + b_h);
 *                                     ĥ = act(x·W_h + b_x,h + r·(h·R_h + b_h,h)); h as above
 *
 * σ is the layer's recurrent activation: the sigmoid, or TF.js's hard sigmoid clip(0.2·x + 0.5, 0, 1).
 */

/** Activations the recomputation knows (the others show no gates). */
const ACT: Record<string, (v: number) => number> = {
  tanh: Math.tanh,
  relu: (v) => Math.max(0, v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  linear: (v) => v,
};

/** Gate activations by tfjs's name. */
const GATE: Record<string, (v: number) => number> = {
  sigmoid: ACT.sigmoid!,
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
};

export interface RecurrentTrace {
  /** Per gate, its values [time][unit]. */
  gates: { name: string; values: number[][] }[];
  /** The hidden state [time][unit]. */
  hidden: number[][];
}

export interface RecurrentInputs {
  kind: 'LSTM' | 'GRU';
  /** A GRU with reset after: its bias is [2, 3u] (input row, recurrent row). */
  resetAfter?: boolean;
  units: number;
  activation: string;
  /** The gates' activation by tfjs's name: sigmoid (default) or hardSigmoid. */
  recurrentActivation?: string;
  /** The layer's input for the sample, [time, features] row-major. */
  x: Float32Array;
  steps: number;
  kernel: Float32Array;
  recurrent: Float32Array;
  bias: Float32Array;
}

/** x·W for one row (`cols` of W's columns from `col0`, W's rows `stride` long) plus the bias. */
function rowTimes(
  x: Float32Array | Float64Array,
  at: number,
  n: number,
  w: Float32Array,
  cols: number,
  bias: Float32Array | Float64Array,
  stride = cols,
  col0 = 0,
): Float64Array {
  const out = Float64Array.from(bias);
  for (let k = 0; k < n; k++) {
    const v = x[at + k]!;
    if (v === 0) continue;
    // Locals and one row offset: this loop is the trace's whole cost (2.5M products for an LSTM of
    // 64 units over 100 steps).
    const row = k * stride + col0;
    for (let j = 0; j < cols; j++) out[j] = out[j]! + v * w[row + j]!;
  }
  return out;
}

export function traceRecurrent(p: RecurrentInputs): RecurrentTrace | null {
  const act = Object.hasOwn(ACT, p.activation) ? ACT[p.activation] : undefined;
  const gateName = p.recurrentActivation ?? 'sigmoid';
  const sigmoid = Object.hasOwn(GATE, gateName) ? GATE[gateName] : undefined;
  if (!act || !sigmoid) return null;
  const u = p.units;
  const g = p.kind === 'LSTM' ? 4 : 3;
  const cols = g * u;
  const features = p.x.length / p.steps;
  const names = p.kind === 'LSTM' ? ['input', 'forget', 'output'] : ['update', 'reset'];
  const gates = names.map((name) => ({ name, values: [] as number[][] }));
  const hidden: number[][] = [];
  let h = new Float64Array(u);
  let c = new Float64Array(u);
  for (let t = 0; t < p.steps; t++) {
    const z = rowTimes(p.x, t * features, features, p.kernel, cols, p.bias.subarray(0, cols));
    if (p.kind === 'LSTM') {
      const hr = rowTimes(h, 0, u, p.recurrent, cols, z);
      z.set(hr);
      const i = new Float64Array(u);
      const f = new Float64Array(u);
      const o = new Float64Array(u);
      const nc = new Float64Array(u);
      const nh = new Float64Array(u);
      for (let k = 0; k < u; k++) {
        i[k] = sigmoid(z[k]!);
        f[k] = sigmoid(z[u + k]!);
        o[k] = sigmoid(z[3 * u + k]!);
        nc[k] = f[k]! * c[k]! + i[k]! * act(z[2 * u + k]!);
        nh[k] = o[k]! * act(nc[k]!);
      }
      [i, f, o].forEach((v, n) => gates[n]!.values.push(Array.from(v)));
      c = nc;
      h = nh;
    } else if (p.resetAfter) {
      // h·R + b_h for all three blocks; the candidate takes r times its last block.
      const hr = rowTimes(h, 0, u, p.recurrent, cols, p.bias.subarray(cols, 2 * cols));
      const zg = new Float64Array(u);
      const rg = new Float64Array(u);
      const nh = new Float64Array(u);
      for (let k = 0; k < u; k++) {
        zg[k] = sigmoid(z[k]! + hr[k]!);
        rg[k] = sigmoid(z[u + k]! + hr[u + k]!);
        nh[k] = zg[k]! * h[k]! + (1 - zg[k]!) * act(z[2 * u + k]! + rg[k]! * hr[2 * u + k]!);
      }
      gates[0]!.values.push(Array.from(zg));
      gates[1]!.values.push(Array.from(rg));
      h = nh;
    } else {
      // The update and reset gates use h·R for their columns; the candidate uses (r·h)·R_h.
      const rz = rowTimes(h, 0, u, p.recurrent, 2 * u, new Float64Array(2 * u), cols);
      const zg = new Float64Array(u);
      const rg = new Float64Array(u);
      for (let k = 0; k < u; k++) {
        zg[k] = sigmoid(z[k]! + rz[k]!);
        rg[k] = sigmoid(z[u + k]! + rz[u + k]!);
      }
      // (r·h)·R_h, summed over k in order for each candidate unit as before.
      const rh = new Float64Array(u);
      for (let k = 0; k < u; k++) rh[k] = rg[k]! * h[k]!;
      const cand = rowTimes(rh, 0, u, p.recurrent, u, z.subarray(2 * u, 3 * u), cols, 2 * u);
      for (let j = 0; j < u; j++) cand[j] = act(cand[j]!);
      const nh = new Float64Array(u);
      for (let k = 0; k < u; k++) nh[k] = zg[k]! * h[k]! + (1 - zg[k]!) * cand[k]!;
      gates[0]!.values.push(Array.from(zg));
      gates[1]!.values.push(Array.from(rg));
      h = nh;
    }
    hidden.push(Array.from(h));
  }
  return { gates, hidden };
}

/**
 * True when the recomputed hidden states are the layer's output (`output`: the last state, or every
 * state when it returns sequences), within float32 rounding.
 */
export function traceMatches(trace: RecurrentTrace, output: ArrayLike<number>): boolean {
  const states = output.length === trace.hidden[0]!.length ? [trace.hidden.at(-1)!] : trace.hidden;
  const flat = states.flat();
  if (flat.length !== output.length) return false;
  return flat.every((v, i) => Math.abs(v - output[i]!) <= 1e-4 * Math.max(1, Math.abs(v)));
}
