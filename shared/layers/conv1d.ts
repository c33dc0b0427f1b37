import {
  activationFlops,
  defineLayer,
  fixedDim,
  FUSED_ACTIVATIONS,
  only,
  p,
  PADDINGS,
  singlePort,
} from './define';
import { BATCH } from './shape';
import { fixedProduct, requireSpatialRank, stridesWithDilation, windowDims } from './spatial';

export const conv1d = defineLayer({
  kind: 'Conv1D',
  category: 'convolution',
  label: 'Conv 1D',
  doc: 'Slides small learned filters along a sequence; each filter makes one output channel.',
  explain:
    'A filter of, say, 3 steps slides along the sequence and, at every position, takes a weighted sum ' +
    'of those 3 steps (across all channels) plus a bias. It responds where the signal contains the ' +
    'short pattern it has learned: a rise in a sensor reading, a phrase in a sentence of word ' +
    'vectors. The same weights are used at every position, so it finds the pattern wherever it occurs ' +
    'and is much cheaper than a recurrent layer.',
  params: {
    filters: p.int({
      default: 32,
      min: 1,
      max: 4096,
      help: 'Number of filters; each learns one pattern and produces one output channel.',
    }),
    kernelSize: p.ints({ length: 1, default: [3], min: 1, help: 'Length of each filter, in steps.' }),
    strides: p.ints({
      length: 1,
      default: [1],
      min: 1,
      help: 'Step between filter positions; 2 halves the length.',
    }),
    padding: p.enum(PADDINGS, {
      default: 'valid',
      help: 'valid: only where the filter fits (the sequence shrinks); same: pad with zeros to keep it.',
    }),
    dilationRate: p.ints({
      length: 1,
      default: [1],
      min: 1,
      help: 'Gap between filter taps; 2 makes a 3-step filter cover 5 steps with the same weights.',
    }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'relu',
      help: 'Applied to each output; relu is the usual choice, linear means none.',
    }),
    useBias: p.bool({ default: true, help: "Add a learned bias to each filter's output." }),
  },
  keyParams: ['filters', 'kernelSize', 'strides', 'activation'],
  example: { inputs: [[20, 8]], params: { filters: 4 } },
  ports: singlePort,
  check: (c) => stridesWithDilation(c.strides, c.dilationRate),
  outputShape: (inputs, c) => {
    const x = only(inputs);
    requireSpatialRank('Conv1D', x, 1, 'Conv2D');
    fixedDim(x[2], "The channels axis (last) of Conv1D's input");
    const [steps] = windowDims('Conv1D', x, 1, {
      kernel: c.kernelSize,
      strides: c.strides,
      padding: c.padding,
      dilation: c.dilationRate,
      noun: 'kernel',
    });
    return [BATCH, steps ?? 1, c.filters];
  },
  weights: (inputs, c) => {
    const channels = only(inputs)[2] as number;
    const kernel = [c.kernelSize[0] ?? 1, channels, c.filters];
    return { kernel, ...(c.useBias ? { bias: [c.filters] } : {}) };
  },
  flops: (inputs, out, c) => {
    const channels = only(inputs)[2] as number;
    const taps = (c.kernelSize[0] ?? 1) * channels;
    return (
      fixedProduct(out.slice(1, 2)) *
      c.filters *
      (2 * taps + (c.useBias ? 1 : 0) + activationFlops(c.activation))
    );
  },
  keras: (c) => ({
    class_name: 'Conv1D',
    config: {
      filters: c.filters,
      kernel_size: [...c.kernelSize],
      strides: [...c.strides],
      padding: c.padding,
      dilation_rate: [...c.dilationRate],
      activation: c.activation,
      use_bias: c.useBias,
    },
  }),
});
