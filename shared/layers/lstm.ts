import { activationFlops, defineLayer, FUSED_ACTIVATIONS, p, singlePort } from './define';
import {
  gateActivationFlops,
  gateFlops,
  kerasRecurrentActivation,
  recurrentActivationParam,
  recurrentFlops,
  recurrentKeras,
  recurrentOutputShape,
  recurrentParams,
  recurrentWeights,
} from './recurrent';

export const lstm = defineLayer({
  kind: 'LSTM',
  category: 'recurrent',
  label: 'LSTM',
  doc: 'Long short-term memory: a recurrent layer whose gates decide what to forget, store and output.',
  explain:
    'An LSTM reads a sequence step by step like a simple RNN, but keeps a separate cell state, a ' +
    'long-term memory, and three gates that are learned: the forget gate decides what to erase from ' +
    'memory, the input gate what new information to write, and the output gate what to reveal as the ' +
    'hidden state. Because the memory is only changed where the gates allow, information and gradients ' +
    'survive over long sequences. It has four sets of weights (the three gates and the candidate), so ' +
    'four times the parameters of a simple RNN with the same units.',
  params: {
    units: p.int({
      default: 32,
      min: 1,
      max: 4096,
      help: 'Size of the hidden state and of the cell (memory).',
    }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'tanh',
      help: 'Applied to the candidate memory and to the cell before output; tanh is usual.',
    }),
    recurrentActivation: recurrentActivationParam,
    ...recurrentParams,
  },
  keyParams: ['units', 'returnSequences', 'bidirectional'],
  example: { inputs: [[10, 8]], params: { units: 16 } },
  ports: singlePort,
  outputShape: (inputs, c) => recurrentOutputShape(inputs, c, 'LSTM'),
  weights: (inputs, c) => recurrentWeights(inputs, c, 4),
  flops: (inputs, _out, c) =>
    recurrentFlops(
      inputs,
      c,
      // gates; 3 gate activations; activation on candidate and cell; c = f·c + i·g and h = o·act(c)
      (n, u) =>
        gateFlops(n, u, 4) +
        3 * u * gateActivationFlops(c.recurrentActivation) +
        2 * u * activationFlops(c.activation) +
        4 * u,
    ),
  // Keras 3 defaults to sigmoid for the gates, tfjs to hardSigmoid: always say which.
  keras: (c) =>
    recurrentKeras('LSTM', c, {
      recurrent_activation: kerasRecurrentActivation(c.recurrentActivation),
      unit_forget_bias: true,
    }),
});
