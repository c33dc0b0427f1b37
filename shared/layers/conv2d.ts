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

export const conv2d = defineLayer({
  kind: 'Conv2D',
  category: 'convolution',
  label: 'Conv 2D',
  doc: 'Slides small learned filters over an image; each filter makes one output channel.',
  explain:
    'A 3×3 filter slides over the image and, at every position, takes a weighted sum of the 3×3 patch ' +
    '(across all input channels) plus a bias. Where the patch looks like the pattern the filter has ' +
    'learned (an edge, a corner, a texture), the output is large. The same few weights are reused at ' +
    'every position, so a convolution needs far fewer parameters than a Dense layer and finds a ' +
    'pattern wherever it appears. Stacked convolutions build a hierarchy: edges, then shapes, then objects.',
  params: {
    filters: p.int({
      default: 32,
      min: 1,
      max: 4096,
      help: 'Number of filters; each learns one pattern and produces one output channel.',
    }),
    kernelSize: p.ints({
      length: 2,
      default: [3, 3],
      min: 1,
      help: 'Height and width of each filter, in pixels (3×3 is the usual choice).',
    }),
    strides: p.ints({
      length: 2,
      default: [1, 1],
      min: 1,
      help: 'Step between filter positions, down and across; 2 halves the height and width.',
    }),
    padding: p.enum(PADDINGS, {
      default: 'valid',
      help: 'valid: only where the filter fits (the image shrinks); same: pad with zeros to keep the size.',
    }),
    dilationRate: p.ints({
      length: 2,
      default: [1, 1],
      min: 1,
      help: 'Gaps between filter taps; 2 makes a 3×3 filter cover 5×5 with the same 9 weights.',
    }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'relu',
      help: 'Applied to each output; relu is the usual choice in CNNs, linear means none.',
    }),
    useBias: p.bool({ default: true, help: "Add a learned bias to each filter's output." }),
  },
  keyParams: ['filters', 'kernelSize', 'strides', 'activation'],
  example: { inputs: [[8, 8, 3]], params: { filters: 4 } },
  ports: singlePort,
  check: (c) => stridesWithDilation(c.strides, c.dilationRate),
  outputShape: (inputs, c) => {
    const x = only(inputs);
    requireSpatialRank('Conv2D', x, 2, 'Conv1D');
    fixedDim(x[3], "The channels axis (last) of Conv2D's input");
    const [h, w] = windowDims('Conv2D', x, 2, {
      kernel: c.kernelSize,
      strides: c.strides,
      padding: c.padding,
      dilation: c.dilationRate,
      noun: 'kernel',
    });
    return [BATCH, h ?? 1, w ?? 1, c.filters];
  },
  weights: (inputs, c) => {
    const channels = only(inputs)[3] as number;
    const [kh = 1, kw = 1] = c.kernelSize;
    const kernel = [kh, kw, channels, c.filters];
    return { kernel, ...(c.useBias ? { bias: [c.filters] } : {}) };
  },
  flops: (inputs, out, c) => {
    const channels = only(inputs)[3] as number;
    const taps = fixedProduct(c.kernelSize) * channels;
    return (
      fixedProduct(out.slice(1, 3)) *
      c.filters *
      (2 * taps + (c.useBias ? 1 : 0) + activationFlops(c.activation))
    );
  },
  keras: (c) => ({
    class_name: 'Conv2D',
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
