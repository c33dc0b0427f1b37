import { defineLayer, p } from './define';
import { concatShape, inputsParam, mergePorts } from './merge';

export const concatenate = defineLayer({
  kind: 'Concatenate',
  category: 'merge',
  label: 'Concatenate',
  doc: 'Joins its inputs side by side along one axis (by default the features).',
  explain:
    'Concatenate puts tensors next to each other: 16 features and 8 features become 24. Nothing is ' +
    'added or lost, so the next layer sees both branches at once and learns how to combine them. Use it ' +
    'to merge different views of the data (two inputs, or branches with different filters, as in ' +
    'Inception and U-Net). Every axis except the joined one must have the same size.',
  params: {
    inputs: inputsParam,
    axis: p.int({
      default: -1,
      min: -4,
      max: 4,
      help: 'Axis to join along: -1 is the last (features); 1 is the first after the batch. 0 (batch) is not allowed.',
    }),
  },
  keyParams: ['inputs', 'axis'],
  example: { inputs: [[16], [8]] },
  ports: mergePorts,
  check: (c) =>
    c.axis === 0
      ? { param: 'axis', message: 'Axis 0 is the batch axis; samples cannot be joined.' }
      : undefined,
  outputShape: (inputs, c) => concatShape(inputs, c.axis),
  weights: () => ({}),
  flops: () => 0,
  keras: (c) => ({ class_name: 'Concatenate', config: { axis: c.axis } }),
});
