import { defineLayer, only, singlePort } from './define';
import { POOL_2D_PARAMS, poolFlops, poolKeras, poolShape } from './pooling';

export const avgPool2d = defineLayer({
  kind: 'AvgPool2D',
  category: 'pooling',
  label: 'Average pool 2D',
  doc: 'Averages each window of the image, shrinking its height and width.',
  explain:
    'A 2×2 window moves over each channel of the image in steps of 2 and replaces its 4 values with ' +
    'their average, so a 28×28 feature map becomes 14×14: a blurred, smaller copy. Compared with max ' +
    'pooling it keeps how much of a feature is present rather than only its strongest spot. It has no ' +
    'weights.',
  params: POOL_2D_PARAMS,
  keyParams: ['poolSize'],
  example: { inputs: [[8, 8, 3]] },
  ports: singlePort,
  outputShape: (inputs, c) => poolShape('AvgPool2D', 'AvgPool1D', 2, only(inputs), c),
  weights: () => ({}),
  flops: (_inputs, out, c) => poolFlops(out, c),
  keras: (c) => poolKeras('AveragePooling2D', c),
});
