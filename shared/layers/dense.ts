import { activationFlops, defineLayer, fail, FUSED_ACTIVATIONS, only, p, singlePort } from './define';
import { formatShape, last } from './shape';

export const dense = defineLayer({
  kind: 'Dense',
  tokenIds: 'cast',
  category: 'core',
  label: 'Dense',
  doc: 'Fully connected: each output is activation(w·x + b).',
  explain:
    'Each of the units is a perceptron: it multiplies every input by its own weight, adds them up with ' +
    'a bias, and passes the sum through the activation. With n inputs and u units that is n × u ' +
    "weights plus u biases, which is where most of a network's parameters live. On a sequence or an " +
    'image it acts on the last axis only, the same way at every position.',
  params: {
    units: p.int({ default: 32, min: 1, max: 1_000_000, help: 'Number of neurons (outputs).' }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'linear',
      help: 'Applied to each output; linear means none.',
    }),
    useBias: p.bool({ default: true, help: 'Add a learned bias to each output.' }),
  },
  keyParams: ['units', 'activation'],
  example: { inputs: [[16]], params: { units: 8, activation: 'relu' } },
  ports: singlePort,
  outputShape: (inputs, c) => {
    const x = only(inputs);
    if (x.length < 2)
      fail(`Dense needs an input with at least one feature axis; got ${formatShape(x)}.`, { port: 'in' });
    if (typeof last(x) !== 'number')
      fail(`Dense needs a fixed number of features on the last axis; got ${formatShape(x)}.`, { port: 'in' });
    return [...x.slice(0, -1), c.units];
  },
  weights: (inputs, c) => {
    const n = last(only(inputs)) as number;
    const w: Record<string, number[]> = { kernel: [n, c.units] };
    if (c.useBias) w.bias = [c.units];
    return w;
  },
  flops: (inputs, out, c) => {
    const x = only(inputs);
    const positions = x.slice(1, -1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
    const n = last(x) as number;
    return positions * c.units * (2 * n + (c.useBias ? 1 : 0) + activationFlops(c.activation));
  },
  keras: (c) => ({
    class_name: 'Dense',
    config: { units: c.units, activation: c.activation, use_bias: c.useBias },
  }),
});
