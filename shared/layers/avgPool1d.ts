import { defineLayer, only, singlePort } from './define';
import { POOL_1D_PARAMS, poolFlops, poolKeras, poolShape } from './pooling';

export const avgPool1d = defineLayer({
  kind: 'AvgPool1D',
  category: 'pooling',
  label: 'Average pool 1D',
  doc: 'Averages each window along the sequence, shrinking its length.',
  explain:
    'Average pooling replaces each short window of the sequence (2 steps by default) with the average ' +
    'of each channel over that window. The sequence gets shorter and smoother: a gentler summary than ' +
    'max pooling, which keeps only the peak. It has no weights.',
  params: POOL_1D_PARAMS,
  keyParams: ['poolSize'],
  example: { inputs: [[20, 4]] },
  ports: singlePort,
  outputShape: (inputs, c) => poolShape('AvgPool1D', 'AvgPool2D', 1, only(inputs), c),
  weights: () => ({}),
  flops: (_inputs, out, c) => poolFlops(out, c),
  keras: (c) => poolKeras('AveragePooling1D', c),
});
