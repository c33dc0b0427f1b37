import { defineLayer } from './define';
import { elementsPerSample, identicalShapes, inputsParam, mergePorts } from './merge';

export const add = defineLayer({
  kind: 'Add',
  category: 'merge',
  label: 'Add',
  doc: 'Adds its inputs element by element; they must have the same shape.',
  explain:
    'Add sums tensors of the same shape, value by value. Its main use is the residual (skip) ' +
    'connection: adding a block’s input to its output, so the block only has to learn a correction and ' +
    'gradients can flow straight through the shortcut. This is what lets ResNets and Transformers be ' +
    'very deep. The shapes must match exactly; if the widths differ, put a Dense (or a 1×1 convolution) ' +
    'on the shortcut.',
  params: { inputs: inputsParam },
  keyParams: ['inputs'],
  example: { inputs: [[16], [16]] },
  ports: mergePorts,
  outputShape: (inputs) => identicalShapes(inputs, 'Add'),
  weights: () => ({}),
  flops: (inputs, out) => (inputs.length - 1) * elementsPerSample(out),
  keras: () => ({ class_name: 'Add', config: {} }),
});
