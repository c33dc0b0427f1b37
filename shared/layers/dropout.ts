import { defineLayer, only, p, singlePort } from './define';

export const dropout = defineLayer({
  kind: 'Dropout',
  category: 'regularization',
  label: 'Dropout',
  doc: 'During training, zeroes a random fraction of values; does nothing at prediction time.',
  explain:
    'Dropout randomly switches off a fraction of the values on every training step, so the network ' +
    'cannot rely on any single neuron. It fights overfitting (training accuracy far above validation ' +
    'accuracy). At prediction time it passes everything through unchanged.',
  params: {
    rate: p.float({
      default: 0.5,
      min: 0,
      max: 1,
      exclusiveMax: true,
      help: 'Fraction of values dropped on each training step (0 to <1).',
    }),
  },
  keyParams: ['rate'],
  example: { inputs: [[16]], params: { rate: 0.25 } },
  ports: singlePort,
  outputShape: (inputs) => only(inputs),
  weights: () => ({}),
  flops: () => 0,
  keras: (c) => ({ class_name: 'Dropout', config: { rate: c.rate } }),
});
