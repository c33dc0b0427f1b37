import { attentionFlops, attentionInputs, attentionWeights } from './attention';
import { activationFlops, defineLayer, only, p, singlePort } from './define';

/** FLOPs per element of a LayerNormalization (mean, variance, normalize, scale and shift), roughly. */
const LAYER_NORM_FLOPS = 8;

export const transformerEncoderBlock = defineLayer({
  kind: 'TransformerEncoderBlock',
  category: 'attention',
  label: 'Transformer encoder block',
  doc: 'Self-attention then a position-wise feed-forward network, each with a residual connection and LayerNorm.',
  explain:
    'The building block of Transformers such as BERT. First, self-attention: every token looks at every ' +
    'other token and gathers what it needs (cost grows with the square of the sequence length). Then a ' +
    'small two-layer network (the feed-forward part, usually about 4× wider than the model) processes ' +
    'each position on its own. Around each part a residual connection adds the input back to the output, ' +
    'so information and gradients can skip the part, and LayerNorm keeps the values in a steady range. ' +
    'The output has the same shape as the input, so blocks stack. Pre-norm (normalize before each part, ' +
    'as GPT-2 and ViT do) trains more easily; post-norm (after the residual add) is the original ' +
    '"Attention is all you need" layout.',
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
      help: 'Size of each head’s query, key and value vectors (often the model width ÷ heads).',
    }),
    ffDim: p.int({
      default: 64,
      min: 1,
      max: 65536,
      label: 'Feed-forward size',
      help: 'Width of the hidden layer of the feed-forward network (often 4 × the model width).',
    }),
    dropout: p.float({
      default: 0.1,
      min: 0,
      max: 1,
      exclusiveMax: true,
      help: 'Dropout on the attention weights and on each part’s output during training.',
    }),
    norm: p.enum(['pre', 'post'], {
      default: 'pre',
      label: 'LayerNorm position',
      help: 'pre: normalize before attention and feed-forward (stable); post: after each residual add (original).',
    }),
    activation: p.enum(['relu', 'gelu'], {
      default: 'relu',
      help: 'Activation inside the feed-forward network.',
    }),
  },
  keyParams: ['numHeads', 'keyDim', 'ffDim'],
  example: { inputs: [[10, 16]], params: { numHeads: 2, keyDim: 8, ffDim: 32 } },
  ports: singlePort,
  outputShape: (inputs) => {
    attentionInputs(inputs, 'TransformerEncoderBlock');
    return only(inputs);
  },
  weights: (inputs, c) => {
    const a = attentionInputs(inputs, 'TransformerEncoderBlock');
    const d = a.dq;
    return {
      ...attentionWeights(a, { numHeads: c.numHeads, keyDim: c.keyDim, valueDim: c.keyDim, useBias: true }),
      norm1_gamma: [d],
      norm1_beta: [d],
      ffn1_kernel: [d, c.ffDim],
      ffn1_bias: [c.ffDim],
      ffn2_kernel: [c.ffDim, d],
      ffn2_bias: [d],
      norm2_gamma: [d],
      norm2_beta: [d],
    };
  },
  flops: (inputs, _out, c) => {
    const a = attentionInputs(inputs, 'TransformerEncoderBlock');
    const t = typeof a.tq === 'number' ? a.tq : 1;
    const d = a.dq;
    const attention = attentionFlops(a, {
      numHeads: c.numHeads,
      keyDim: c.keyDim,
      valueDim: c.keyDim,
      useBias: true,
    });
    const ffn = t * (c.ffDim * (2 * d + 1 + activationFlops(c.activation)) + d * (2 * c.ffDim + 1));
    const norms = 2 * t * d * LAYER_NORM_FLOPS;
    const residuals = 2 * t * d;
    return attention + ffn + norms + residuals;
  },
  keras: (c) => ({
    class_name: 'NetloomTransformerEncoderBlock',
    config: {
      num_heads: c.numHeads,
      key_dim: c.keyDim,
      ff_dim: c.ffDim,
      dropout: c.dropout,
      normalize_first: c.norm === 'pre',
      activation: c.activation,
    },
  }),
});
