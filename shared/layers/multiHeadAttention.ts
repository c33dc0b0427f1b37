import { defineLayer, p } from './define';
import { attentionFlops, attentionInputs, attentionWeights } from './attention';

export const multiHeadAttention = defineLayer({
  kind: 'MultiHeadAttention',
  category: 'attention',
  label: 'Multi-head attention',
  doc: 'Each query position takes a learned, weighted mix of the values, weighted by how well its query matches each key.',
  explain:
    'Attention lets every position of a sequence look at every other position and decide which ones ' +
    'matter. Each token makes a query ("what am I looking for?"); every token offers a key ("what do I ' +
    'contain?") and a value (what it passes on). Query-key similarity scores, turned into weights by a ' +
    'softmax, mix the values. Connect one tensor to query only for self-attention (key and value default ' +
    'to it). Several heads attend in parallel to different things. Every token is compared with every ' +
    'other, so the scores take memory and time that grow with the square of the sequence length: twice ' +
    'as long costs four times as much. Causal masking stops a token from seeing later ones, as in a text ' +
    'generator.',
  custom: true,
  params: {
    numHeads: p.int({
      default: 2,
      min: 1,
      max: 64,
      help: 'Number of attention heads that attend in parallel.',
    }),
    keyDim: p.int({
      default: 16,
      min: 1,
      max: 1024,
      help: 'Size of each head’s query and key vectors (often the model width ÷ heads).',
    }),
    valueDim: p.int({
      default: 0,
      min: 0,
      max: 1024,
      help: 'Size of each head’s value vectors; 0 means the same as key dim.',
    }),
    dropout: p.float({
      default: 0,
      min: 0,
      max: 1,
      exclusiveMax: true,
      help: 'Fraction of attention weights dropped during training (0 = none).',
    }),
    useBias: p.bool({
      default: true,
      help: 'Add learned biases to the query, key, value and output projections.',
    }),
    causal: p.bool({
      default: false,
      help: 'Mask the future: position t only attends to positions up to t (for generating sequences).',
    }),
  },
  keyParams: ['numHeads', 'keyDim', 'causal'],
  example: { inputs: [[10, 16]], params: { numHeads: 2, keyDim: 8 } },
  ports: () => [
    { name: 'query', label: 'query: the sequence that asks (and the output’s shape)' },
    { name: 'key', label: 'key: what is matched against (default: query)', fallback: 'query' },
    { name: 'value', label: 'value: what is mixed (default: key)', fallback: 'key' },
  ],
  outputShape: (inputs, _c) => {
    const a = attentionInputs(inputs, 'MultiHeadAttention');
    return [a.batch, a.tq, a.dq];
  },
  weights: (inputs, c) =>
    attentionWeights(attentionInputs(inputs, 'MultiHeadAttention'), {
      numHeads: c.numHeads,
      keyDim: c.keyDim,
      valueDim: c.valueDim || c.keyDim,
      useBias: c.useBias,
    }),
  flops: (inputs, _out, c) =>
    attentionFlops(attentionInputs(inputs, 'MultiHeadAttention'), {
      numHeads: c.numHeads,
      keyDim: c.keyDim,
      valueDim: c.valueDim || c.keyDim,
      useBias: c.useBias,
    }),
  keras: (c) => ({
    class_name: 'NetloomMultiHeadAttention',
    config: {
      num_heads: c.numHeads,
      key_dim: c.keyDim,
      value_dim: c.valueDim || c.keyDim,
      dropout: c.dropout,
      use_bias: c.useBias,
      causal: c.causal,
    },
  }),
});
