import { defineLayer, only, singlePort } from './define';
import { globalPoolFlops, globalPoolShape } from './pooling';

export const globalAvgPool2d = defineLayer({
  kind: 'GlobalAvgPool2D',
  category: 'pooling',
  label: 'Global average pool 2D',
  doc: 'Averages each channel over the whole image: [batch, h, w, channels] -> [batch, channels].',
  explain:
    'Global average pooling replaces each channel of the feature map with its average over all ' +
    'positions: a 7×7×64 map becomes 64 numbers, one per learned feature (“how much of this pattern ' +
    'is in the image”). Modern CNNs use it instead of Flatten before the classifier: it has no ' +
    'weights, needs far fewer parameters in the next Dense layer, and ignores where things are.',
  params: {},
  keyParams: [],
  example: { inputs: [[8, 8, 3]] },
  ports: singlePort,
  outputShape: (inputs) => globalPoolShape('GlobalAvgPool2D', 'GlobalAvgPool1D', 2, only(inputs)),
  weights: () => ({}),
  flops: (inputs) => globalPoolFlops(only(inputs)),
  keras: () => ({ class_name: 'GlobalAveragePooling2D', config: {} }),
});
