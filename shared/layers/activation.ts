import {
  ACTIVATIONS,
  activationFlops,
  defineLayer,
  type KerasLayer,
  only,
  p,
  sampleSize,
  singlePort,
} from './define';

export const activation = defineLayer({
  kind: 'Activation',
  category: 'activation',
  label: 'Activation',
  doc: 'Applies a non-linear function to every value.',
  explain:
    'Without a non-linearity, stacked layers collapse into one linear map. ReLU keeps positives and ' +
    'zeroes negatives (fast, the default for hidden layers). Sigmoid squashes to 0..1 (a probability ' +
    'for yes/no); tanh to -1..1. Softmax turns a vector into probabilities that sum to 1 (the last ' +
    'layer of a classifier). GELU and swish are smooth ReLUs used in Transformers; ELU, SELU and leaky ' +
    'ReLU let a little signal through below zero so neurons do not "die".',
  params: {
    fn: p.enum(ACTIVATIONS, {
      default: 'relu',
      label: 'Function',
      help: 'The function applied element-wise.',
    }),
    alpha: p.float({
      default: 0.2,
      min: 0,
      max: 10,
      help: 'Slope below zero for leaky ReLU (ignored by the other functions).',
    }),
  },
  keyParams: ['fn'],
  example: { inputs: [[16]], params: { fn: 'relu' } },
  ports: singlePort,
  outputShape: (inputs) => only(inputs),
  weights: () => ({}),
  flops: (_inputs, out, c) => (sampleSize(out) ?? 0) * activationFlops(c.fn),
  keras: (c): KerasLayer =>
    c.fn === 'leakyRelu'
      ? { class_name: 'LeakyReLU', config: { alpha: c.alpha } }
      : { class_name: 'Activation', config: { activation: c.fn } },
});
