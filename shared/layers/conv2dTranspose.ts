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
import { BATCH, transposedLength } from './shape';
import { fixedProduct, requireSpatialRank } from './spatial';

export const conv2dTranspose = defineLayer({
  kind: 'Conv2DTranspose',
  category: 'convolution',
  label: 'Conv 2D transpose',
  doc: 'Learned upsampling: each input pixel paints a filter-sized patch into a larger output.',
  explain:
    'A transposed convolution runs a convolution backwards: instead of summarising a 3×3 patch into ' +
    'one value, every input pixel spreads its value, weighted by a learned 3×3 filter, over a patch ' +
    'of the output. With strides 2 the output is twice as tall and wide. Decoders, autoencoders, ' +
    'segmentation networks and image generators use it to grow small feature maps back into images.',
  params: {
    filters: p.int({
      default: 32,
      min: 1,
      max: 4096,
      help: 'Number of filters; each produces one output channel.',
    }),
    kernelSize: p.ints({
      length: 2,
      default: [3, 3],
      min: 1,
      help: 'Height and width of the patch each input pixel paints.',
    }),
    strides: p.ints({
      length: 2,
      default: [2, 2],
      min: 1,
      help: 'Upsampling factor, down and across; 2 doubles the height and width.',
    }),
    padding: p.enum(PADDINGS, {
      default: 'same',
      help: 'same: output is exactly input × strides; valid: it also grows by the kernel overhang.',
    }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'relu',
      help: 'Applied to each output; linear means none (sigmoid for a final image in 0..1).',
    }),
    useBias: p.bool({ default: true, help: "Add a learned bias to each filter's output." }),
  },
  keyParams: ['filters', 'kernelSize', 'strides', 'activation'],
  example: { inputs: [[4, 4, 8]], params: { filters: 4 } },
  ports: singlePort,
  outputShape: (inputs, c) => {
    const x = only(inputs);
    requireSpatialRank('Conv2DTranspose', x, 2, 'Conv1D');
    fixedDim(x[3], "The channels axis (last) of Conv2DTranspose's input");
    const [kh = 1, kw = 1] = c.kernelSize;
    const [sh = 1, sw = 1] = c.strides;
    return [
      BATCH,
      transposedLength(x[1] ?? 1, kh, sh, c.padding),
      transposedLength(x[2] ?? 1, kw, sw, c.padding),
      c.filters,
    ];
  },
  weights: (inputs, c) => {
    const channels = only(inputs)[3] as number;
    const [kh = 1, kw = 1] = c.kernelSize;
    const kernel = [kh, kw, c.filters, channels];
    return { kernel, ...(c.useBias ? { bias: [c.filters] } : {}) };
  },
  flops: (inputs, out, c) => {
    const x = only(inputs);
    const channels = x[3] as number;
    const spread = fixedProduct(x.slice(1, 3)) * channels * fixedProduct(c.kernelSize) * c.filters * 2;
    return (
      spread +
      fixedProduct(out.slice(1, 3)) * c.filters * ((c.useBias ? 1 : 0) + activationFlops(c.activation))
    );
  },
  keras: (c) => ({
    class_name: 'Conv2DTranspose',
    config: {
      filters: c.filters,
      kernel_size: [...c.kernelSize],
      strides: [...c.strides],
      padding: c.padding,
      activation: c.activation,
      use_bias: c.useBias,
    },
  }),
});
