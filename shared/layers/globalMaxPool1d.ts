import { defineLayer, only, singlePort } from './define';
import { globalPoolFlops, globalPoolShape } from './pooling';

export const globalMaxPool1d = defineLayer({
  kind: 'GlobalMaxPool1D',
  category: 'pooling',
  label: 'Global max pool 1D',
  doc: 'Keeps the largest value of each channel over the whole sequence: -> [batch, channels].',
  explain:
    'Global max pooling keeps, for each channel, the largest value anywhere in the sequence: did this ' +
    'feature fire anywhere, and how strongly? The result is one vector per sample whatever the ' +
    'length, ready for a Dense classifier (for example spotting a key phrase in a text). It has no ' +
    'weights.',
  params: {},
  keyParams: [],
  example: { inputs: [[10, 8]] },
  ports: singlePort,
  outputShape: (inputs) => globalPoolShape('GlobalMaxPool1D', 'GlobalMaxPool2D', 1, only(inputs)),
  weights: () => ({}),
  flops: (inputs) => globalPoolFlops(only(inputs)),
  keras: () => ({ class_name: 'GlobalMaxPooling1D', config: {} }),
});
