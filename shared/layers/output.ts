import { defineLayer, fail, only, p, singlePort } from './define';
import { formatShape, type Shape } from './shape';

/** Every loss an Output node or the training config can name (`auto`: chosen from the final activation). */
export const LOSSES = [
  'auto',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
] as const;
export type LossName = (typeof LOSSES)[number];

export const output = defineLayer({
  kind: 'Output',
  category: 'io',
  label: 'Output',
  doc: 'Where predictions leave the network and are compared with the targets by the loss.',
  explain:
    'The output node marks what the network predicts. Its target shape is the shape of one correct ' +
    'answer: 10 for ten classes given as probabilities (one-hot), 1 for a yes/no or a single number. ' +
    'The loss measures how far the prediction is from the target; training makes it smaller. ' +
    '"auto" picks cross-entropy for classification and mean squared error for regression.',
  params: {
    targetShape: p.shape({
      default: [10],
      minRank: 1,
      maxRank: 4,
      help: 'Shape of one target without the batch axis: number of classes, or of values to predict.',
    }),
    loss: p.enum(LOSSES, {
      default: 'auto',
      help: 'How wrong a prediction is. auto: cross-entropy for classes, mean squared error for numbers.',
    }),
  },
  keyParams: ['targetShape', 'loss'],
  hasOutput: false,
  example: { inputs: [[10]] },
  ports: singlePort,
  outputShape: (inputs, c) => {
    const x = only(inputs);
    const target: Shape = ['batch', ...c.targetShape.map((d) => d ?? 'seq')];
    const sparse = c.loss === 'sparseCategoricalCrossentropy';
    if (sparse) {
      // Sparse targets are class indices: the prediction has one more axis (the classes).
      if (
        x.length !== target.length + 1 &&
        !(c.targetShape.length === 1 && c.targetShape[0] === 1 && x.length === 2)
      )
        fail(
          `The prediction is ${formatShape(x)}; sparse categorical cross-entropy needs one probability per class ` +
            `for each target index ${formatShape(target)}.`,
          { port: 'in' },
        );
      return x;
    }
    if (x.length !== target.length || x.some((d, i) => i > 0 && d !== target[i]))
      fail(`The output is ${formatShape(x)}, the target is ${formatShape(target)}.`, { port: 'in' });
    return x;
  },
  weights: () => ({}),
  flops: () => 0,
  keras: () => null,
});
