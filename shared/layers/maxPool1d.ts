import { defineLayer, only, singlePort } from './define';
import { POOL_1D_PARAMS, poolFlops, poolKeras, poolShape } from './pooling';

export const maxPool1d = defineLayer({
  kind: 'MaxPool1D',
  category: 'pooling',
  label: 'Max pool 1D',
  doc: 'Keeps the largest value in each window along the sequence, shrinking its length.',
  explain:
    'Max pooling looks at short windows of the sequence (2 steps by default) and keeps only the ' +
    'largest value of each channel. The sequence gets shorter and cheaper to process, and a feature ' +
    'that a convolution detected still counts even if it shifts by a step. It has no weights.',
  params: POOL_1D_PARAMS,
  keyParams: ['poolSize'],
  example: { inputs: [[20, 4]] },
  ports: singlePort,
  outputShape: (inputs, c) => poolShape('MaxPool1D', 'MaxPool2D', 1, only(inputs), c),
  weights: () => ({}),
  flops: (_inputs, out, c) => poolFlops(out, c),
  keras: (c) => poolKeras('MaxPooling1D', c),
});
