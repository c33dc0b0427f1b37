/**
 * Shared logic of the attention layers (MultiHeadAttention, TransformerEncoderBlock). Not a layer
 * kind itself. Weight names are the Keras 3 MultiHeadAttention variables flattened with `_`
 * (`query/kernel` → `query_kernel`).
 */
import type { InputShapes, WeightShapes } from './define';
import { fail } from './define';
import { sequenceInput } from './recurrent';
import { formatShape, type Dim } from './shape';

export interface AttentionSizes {
  numHeads: number;
  keyDim: number;
  valueDim: number;
  useBias: boolean;
}

export interface AttentionInputs {
  batch: Dim;
  tq: Dim;
  tk: Dim;
  dq: number;
  dk: number;
  dv: number;
}

const TOKENS = 'an Embedding or a PositionalEmbedding';

/** Reads query/key/value (key falls back to query, value to key) and checks they fit together. */
export function attentionInputs(inputs: InputShapes, layer: string): AttentionInputs {
  const q = inputs[0];
  if (!q) throw new Error(`${layer} called without its query`);
  const k = inputs[1] ?? q;
  const v = inputs[2] ?? k;
  const qi = sequenceInput(q, layer, 'query', TOKENS);
  const ki = sequenceInput(k, layer, 'key', TOKENS);
  const vi = sequenceInput(v, layer, 'value', TOKENS);
  if (typeof ki.time === 'number' && typeof vi.time === 'number' && ki.time !== vi.time)
    fail(
      `${layer}: key and value must have the same number of time steps (one value per key); key is ` +
        `${formatShape(k)}, value is ${formatShape(v)}.`,
      { port: 'value' },
    );
  return { batch: q[0] as Dim, tq: qi.time, tk: ki.time, dq: qi.features, dk: ki.features, dv: vi.features };
}

export function attentionWeights(
  a: Pick<AttentionInputs, 'dq' | 'dk' | 'dv'>,
  s: AttentionSizes,
): WeightShapes {
  const h = s.numHeads;
  const k = s.keyDim;
  const v = s.valueDim;
  const w: Record<string, readonly number[]> = {};
  w.query_kernel = [a.dq, h, k];
  if (s.useBias) w.query_bias = [h, k];
  w.key_kernel = [a.dk, h, k];
  if (s.useBias) w.key_bias = [h, k];
  w.value_kernel = [a.dv, h, v];
  if (s.useBias) w.value_bias = [h, v];
  w.attention_output_kernel = [h, v, a.dq];
  if (s.useBias) w.attention_output_bias = [a.dq];
  return w;
}

const steps = (d: Dim): number => (typeof d === 'number' ? d : 1);

/**
 * FLOPs of multi-head attention for one sample: the four projections, plus the Tq × Tk terms (scores
 * q·k, softmax, weighted sum of values) that grow with the square of the sequence length. A variable
 * length counts as 1.
 */
export function attentionFlops(a: AttentionInputs, s: AttentionSizes): number {
  const tq = steps(a.tq);
  const tk = steps(a.tk);
  const h = s.numHeads;
  const b = s.useBias ? 1 : 0;
  const proj =
    tq * h * s.keyDim * (2 * a.dq + b) + // query projection
    tk * h * s.keyDim * (2 * a.dk + b) + // key projection
    tk * h * s.valueDim * (2 * a.dv + b) + // value projection
    tq * a.dq * (2 * h * s.valueDim + b); // output projection
  const scale = tq * h * s.keyDim; // query × 1/√keyDim
  const scores = 2 * h * tq * tk * s.keyDim;
  const softmax = 5 * h * tq * tk;
  const weighted = 2 * h * tq * tk * s.valueDim;
  return proj + scale + scores + softmax + weighted;
}
