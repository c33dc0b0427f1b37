import { defineLayer, only, singlePort } from './define';
import { globalPoolFlops, globalPoolShape } from './pooling';

export const globalAvgPool1d = defineLayer({
  kind: 'GlobalAvgPool1D',
  category: 'pooling',
  label: 'Global average pool 1D',
  doc: 'Averages over the whole sequence: [batch, steps, channels] -> [batch, channels].',
  explain:
    'Global average pooling replaces the whole sequence with the average of each channel, giving one ' +
    'vector per sample however long the sequence is. It is the usual way to go from a sequence of ' +
    "features (after Conv1D, an RNN or attention) to a classifier's Dense layer, and it works with " +
    'variable-length input, where Flatten cannot. It has no weights.',
  params: {},
  keyParams: [],
  example: { inputs: [[10, 8]] },
  ports: singlePort,
  outputShape: (inputs) => globalPoolShape('GlobalAvgPool1D', 'GlobalAvgPool2D', 1, only(inputs)),
  weights: () => ({}),
  flops: (inputs) => globalPoolFlops(only(inputs)),
  keras: () => ({ class_name: 'GlobalAveragePooling1D', config: {} }),
});
