import { defineLayer, fail, fixedDim, only, p, sampleSize, singlePort } from './define';
import { formatShape, last } from './shape';

export const batchNormalization = defineLayer({
  kind: 'BatchNormalization',
  category: 'normalization',
  label: 'Batch normalization',
  doc: 'Normalises each channel to mean 0 and variance 1 over the batch, then scales and shifts it.',
  explain:
    'During training, batch normalization takes each channel (the last axis), subtracts its average ' +
    'over the current batch and divides by its spread, so the next layer always sees values of a ' +
    'similar size; a learned scale (gamma) and shift (beta) then restore whatever range works best. ' +
    'It also keeps running averages of the mean and variance, which it uses at prediction time. ' +
    'Deep CNNs train faster and more reliably with it, and tolerate higher learning rates.',
  params: {
    momentum: p.float({
      default: 0.99,
      min: 0,
      max: 1,
      help: 'How slowly the running mean and variance follow each batch (0.99 keeps 99% of the old value).',
    }),
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
  example: { inputs: [[8, 8, 4]] },
  ports: singlePort,
  outputShape: (inputs) => {
    const x = only(inputs);
    if (x.length < 2)
      fail(`BatchNormalization needs at least one axis after the batch; got ${formatShape(x)}.`, {
        port: 'in',
      });
    fixedDim(last(x), "The channels axis (last) of BatchNormalization's input");
    return x;
  },
  weights: (inputs, c) => {
    const n = last(only(inputs)) as number;
    return {
      ...(c.scale ? { gamma: [n] } : {}),
      ...(c.center ? { beta: [n] } : {}),
      moving_mean: { shape: [n], trainable: false },
      moving_variance: { shape: [n], trainable: false },
    };
  },
  // At prediction time it is one multiply-add per value (the statistics fold into a scale and a shift).
  flops: (_inputs, out) => 2 * (sampleSize(out.map((d) => (typeof d === 'number' ? d : 1))) ?? 0),
  keras: (c) => ({
    class_name: 'BatchNormalization',
    config: { axis: -1, momentum: c.momentum, epsilon: c.epsilon, center: c.center, scale: c.scale },
  }),
});
