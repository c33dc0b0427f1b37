import { defineLayer, fail, only, sampleSize, singlePort } from './define';
import { BATCH, formatShape } from './shape';

export const flatten = defineLayer({
  kind: 'Flatten',
  tokenIds: 'pass',
  category: 'reshape',
  label: 'Flatten',
  doc: 'Unrolls each sample into one long vector.',
  explain:
    'Flatten lays all the values of one sample out in a single row: a 7×7×16 feature map becomes 784 ' +
    "numbers. It is the bridge from convolution layers (which keep the picture's layout) to Dense " +
    'layers (which want a vector). It has no parameters and changes no values.',
  params: {},
  keyParams: [],
  example: { inputs: [[4, 4, 3]] },
  ports: singlePort,
  outputShape: (inputs) => {
    const x = only(inputs);
    const n = sampleSize(x);
    if (x.length < 3)
      fail(
        `Flatten needs at least two axes after the batch (an image or a sequence); ${formatShape(x)} is already flat. Remove the Flatten.`,
        { port: 'in' },
      );
    if (n === undefined)
      fail(
        `Flatten needs fixed sizes on every axis; got ${formatShape(x)}. Use a global pooling layer instead.`,
        {
          port: 'in',
          fix: x.length === 3 ? { kind: 'GlobalAvgPool1D', params: {} } : undefined,
        },
      );
    return [BATCH, n];
  },
  weights: () => ({}),
  flops: () => 0,
  keras: () => ({ class_name: 'Flatten', config: {} }),
});
