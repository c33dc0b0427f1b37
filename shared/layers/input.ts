import { defineLayer, fail, p } from './define';
import { BATCH, SEQ } from './shape';

export const input = defineLayer({
  kind: 'Input',
  category: 'io',
  label: 'Input',
  doc: 'Where data enters the network: one sample has this shape.',
  explain:
    'The input layer holds one batch of samples. Its shape is the shape of ONE sample (a row of 4 iris ' +
    'measurements is 4; a 28×28 grey image is 28, 28, 1). The batch size is added in front of it as ' +
    '"batch". Leave a size empty to make that axis variable, e.g. sentences of any length.',
  params: {
    shape: p.shape({
      default: [784],
      minRank: 1,
      maxRank: 4,
      allowVariable: true,
      help: 'Shape of one sample, without the batch axis (e.g. 784, or 28, 28, 1). Empty = variable length.',
    }),
    dtype: p.enum(['float32', 'int32'], {
      default: 'float32',
      help: 'float32 for measurements and pixels; int32 for token ids fed to an Embedding.',
    }),
  },
  keyParams: ['shape'],
  example: { inputs: [] },
  ports: () => [],
  outputShape: (_inputs, c) => {
    const dims = c.shape.map((d, i) => {
      if (d === null) return c.shape.length === 1 || i === 0 ? SEQ : `d${i + 1}`;
      if (!Number.isInteger(d) || d < 1)
        return fail(`Input size ${d} on axis ${i + 1} must be a positive integer.`);
      return d;
    });
    return [BATCH, ...dims];
  },
  weights: () => ({}),
  flops: () => 0,
  keras: (c) => ({
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...c.shape], dtype: c.dtype, sparse: false },
  }),
});
