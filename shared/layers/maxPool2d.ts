import { defineLayer, only, singlePort } from './define';
import { POOL_2D_PARAMS, poolFlops, poolKeras, poolShape } from './pooling';

export const maxPool2d = defineLayer({
  kind: 'MaxPool2D',
  category: 'pooling',
  label: 'Max pool 2D',
  doc: 'Keeps the largest value in each window of the image, shrinking its height and width.',
  explain:
    'A 2×2 window moves over each channel of the image in steps of 2 and keeps only the largest of ' +
    'its 4 values, so a 28×28 feature map becomes 14×14. The network keeps the strongest evidence of ' +
    'each feature while losing exact positions, which makes it tolerant to small shifts and cheaper ' +
    'for the layers that follow. The classic CNN repeats convolution, then pooling. It has no ' +
    'weights.',
  params: POOL_2D_PARAMS,
  keyParams: ['poolSize'],
  example: { inputs: [[8, 8, 3]] },
  ports: singlePort,
  outputShape: (inputs, c) => poolShape('MaxPool2D', 'MaxPool1D', 2, only(inputs), c),
  weights: () => ({}),
  flops: (_inputs, out, c) => poolFlops(out, c),
  keras: (c) => poolKeras('MaxPooling2D', c),
});
