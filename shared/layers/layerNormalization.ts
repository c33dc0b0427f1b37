import { defineLayer, fail, fixedDim, only, p, sampleSize, singlePort } from './define';
import { formatShape, last } from './shape';

export const layerNormalization = defineLayer({
  kind: 'LayerNormalization',
  category: 'normalization',
  label: 'Layer normalization',
  doc: "Normalises each position's features to mean 0 and variance 1, then scales and shifts them.",
  explain:
    'Layer normalization takes the feature vector at each position (the last axis) on its own, ' +
    'subtracts its average and divides by its spread, then applies a learned scale (gamma) and shift ' +
    '(beta). Unlike batch normalization it does not look at the other samples in the batch, so it ' +
    'behaves the same in training and prediction and works with any batch size or sequence length. ' +
    'Transformers and RNNs use it to keep values in a healthy range from layer to layer.',
  params: {
    epsilon: p.float({
      default: 0.001,
      min: 0,
      max: 1,
      exclusiveMin: true,
      help: 'Small number added to the variance so it is never divided by zero.',
    }),
    center: p.bool({ default: true, help: 'Learn a shift (beta) added after normalising.' }),
    scale: p.bool({ default: true, help: 'Learn a scale (gamma) applied after normalising.' }),
  },
  keyParams: [],
  example: { inputs: [[10, 16]] },
  ports: singlePort,
  outputShape: (inputs) => {
    const x = only(inputs);
    if (x.length < 2)
      fail(`LayerNormalization needs at least one axis after the batch; got ${formatShape(x)}.`, {
        port: 'in',
      });
    fixedDim(last(x), "The features axis (last) of LayerNormalization's input");
    return x;
  },
  weights: (inputs, c) => {
    const n = last(only(inputs)) as number;
    return { ...(c.scale ? { gamma: [n] } : {}), ...(c.center ? { beta: [n] } : {}) };
  },
  // Mean, variance, normalise, scale and shift: about 8 operations per value.
  flops: (_inputs, out) => 8 * (sampleSize(out.map((d) => (typeof d === 'number' ? d : 1))) ?? 0),
  keras: (c) => ({
    class_name: 'LayerNormalization',
    config: { epsilon: c.epsilon, center: c.center, scale: c.scale },
  }),
});
