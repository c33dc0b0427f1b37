import { defineLayer, only, singlePort } from './define';
import { globalPoolFlops, globalPoolShape } from './pooling';

export const globalMaxPool2d = defineLayer({
  kind: 'GlobalMaxPool2D',
  category: 'pooling',
  label: 'Global max pool 2D',
  doc: 'Keeps the largest value of each channel over the whole image: -> [batch, channels].',
  explain:
    'Global max pooling keeps, for each channel of the feature map, its largest value anywhere in the ' +
    'image: a 7×7×64 map becomes 64 numbers saying how strongly each learned pattern appears at its ' +
    'best spot. Like global average pooling it replaces Flatten before the classifier and has no ' +
    'weights.',
  params: {},
  keyParams: [],
  example: { inputs: [[8, 8, 3]] },
  ports: singlePort,
  outputShape: (inputs) => globalPoolShape('GlobalMaxPool2D', 'GlobalMaxPool1D', 2, only(inputs)),
  weights: () => ({}),
  flops: (inputs) => globalPoolFlops(only(inputs)),
  keras: () => ({ class_name: 'GlobalMaxPooling2D', config: {} }),
});
