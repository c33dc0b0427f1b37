import { activationFlops, defineLayer, FUSED_ACTIVATIONS, p, singlePort } from './define';
import {
  gateFlops,
  recurrentFlops,
  recurrentKeras,
  recurrentOutputShape,
  recurrentParams,
  recurrentWeights,
} from './recurrent';

export const simpleRnn = defineLayer({
  kind: 'SimpleRNN',
  category: 'recurrent',
  label: 'Simple RNN',
  doc: 'Reads a sequence step by step, updating a hidden state h = activation(W·x + U·h + b).',
  explain:
    'A recurrent layer reads a sequence one step at a time and carries a hidden state: a small memory ' +
    'of what it has seen so far. At each step the new state mixes the current input with the previous ' +
    'state, using the same weights at every step, so it works for any sequence length. The simple RNN ' +
    'forgets quickly: over long sequences its gradients fade, which is why LSTM and GRU add gates. ' +
    'Turn on return sequences to get the state at every step (needed to stack another recurrent layer), ' +
    'and bidirectional to also read the sequence backwards.',
  params: {
    units: p.int({ default: 32, min: 1, max: 4096, help: 'Size of the hidden state (the memory).' }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'tanh',
      help: 'Applied to the new hidden state; tanh is usual.',
    }),
    ...recurrentParams,
  },
  keyParams: ['units', 'returnSequences', 'bidirectional'],
  example: { inputs: [[10, 8]], params: { units: 16 } },
  ports: singlePort,
  outputShape: (inputs, c) => recurrentOutputShape(inputs, c, 'SimpleRNN'),
  weights: (inputs, c) => recurrentWeights(inputs, c, 1),
  flops: (inputs, _out, c) =>
    recurrentFlops(inputs, c, (n, u) => gateFlops(n, u, 1) + u * activationFlops(c.activation)),
  keras: (c) => recurrentKeras('SimpleRNN', c),
});
