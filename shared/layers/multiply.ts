import { defineLayer } from './define';
import { elementsPerSample, identicalShapes, inputsParam, mergePorts } from './merge';

export const multiply = defineLayer({
  kind: 'Multiply',
  category: 'merge',
  label: 'Multiply',
  doc: 'Multiplies its inputs element by element; they must have the same shape.',
  explain:
    'Multiply takes tensors of the same shape and multiplies them value by value. It is how a network ' +
    'gates information: if one branch ends in a sigmoid (values between 0 and 1), multiplying lets it ' +
    'decide how much of the other branch passes through, like the gates inside an LSTM or the ' +
    'squeeze-and-excitation blocks of image models. The shapes must match exactly.',
  params: { inputs: inputsParam },
  keyParams: ['inputs'],
  example: { inputs: [[16], [16]] },
  ports: mergePorts,
  outputShape: (inputs) => identicalShapes(inputs, 'Multiply'),
  weights: () => ({}),
  flops: (inputs, out) => (inputs.length - 1) * elementsPerSample(out),
  keras: () => ({ class_name: 'Multiply', config: {} }),
});
