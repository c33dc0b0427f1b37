import { defineLayer, fail, only, p, sampleSize, singlePort } from './define';
import { BATCH, formatShape } from './shape';

export const reshape = defineLayer({
  kind: 'Reshape',
  tokenIds: 'pass',
  category: 'reshape',
  label: 'Reshape',
  doc: 'Rearranges each sample into a new shape with the same number of values.',
  explain:
    'Reshape changes how the numbers of one sample are arranged without changing them: 784 pixels ' +
    'become a 28×28×1 image so a convolution can see neighbourhoods. The number of values must stay ' +
    'the same; write -1 once to let Netloom work out that size.',
  params: {
    targetShape: p.shape({
      default: [28, 28, 1],
      minRank: 1,
      maxRank: 4,
      allowInfer: true,
      help: 'New shape of one sample, without the batch axis; one entry may be -1 (inferred).',
    }),
  },
  keyParams: ['targetShape'],
  example: { inputs: [[12]], params: { targetShape: [3, 4] } },
  ports: singlePort,
  check: (c) => {
    const inferred = c.targetShape.filter((d) => d === -1).length;
    if (inferred > 1) return { param: 'targetShape', message: 'Only one size can be -1 (inferred).' };
    if (c.targetShape.some((d) => d === null || d === 0 || (d !== null && d < -1)))
      return { param: 'targetShape', message: 'Sizes must be positive integers (or -1 once).' };
    return undefined;
  },
  outputShape: (inputs, c) => {
    const x = only(inputs);
    const n = sampleSize(x);
    if (n === undefined)
      fail(`Reshape needs fixed sizes on every axis of its input; got ${formatShape(x)}.`, { port: 'in' });
    const known = c.targetShape.reduce<number>((a, d) => (d === -1 || d === null ? a : a * d), 1);
    const dims = c.targetShape.map((d) => {
      if (d !== -1) return d ?? 1;
      if (n % known !== 0)
        fail(`Cannot infer the -1 size: ${n} values do not divide into parts of ${known}.`, { port: 'in' });
      return n / known;
    });
    const total = dims.reduce((a, d) => a * d, 1);
    if (total !== n)
      fail(
        `Reshape to ${formatShape(dims)} needs ${total.toLocaleString('en-US')} values per sample; the input ` +
          `${formatShape(x)} has ${n.toLocaleString('en-US')}.`,
        { port: 'in' },
      );
    return [BATCH, ...dims];
  },
  weights: () => ({}),
  flops: () => 0,
  // The -1 is resolved here: tfjs leaves an inferred size unknown in the static shape, which the
  // layers after it (a convolution's channels) cannot take.
  keras: (c, inputs) => {
    const x = inputs[0];
    const n = x ? sampleSize(x) : undefined;
    const known = c.targetShape.reduce<number>((a, d) => (d === -1 || d === null ? a : a * d), 1);
    const dims = c.targetShape.map((d) => (d === -1 && n !== undefined ? n / known : d));
    return { class_name: 'Reshape', config: { target_shape: dims } };
  },
});
