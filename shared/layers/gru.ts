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

export const gru = defineLayer({
  kind: 'GRU',
  category: 'recurrent',
  label: 'GRU',
  doc: 'Gated recurrent unit: a lighter LSTM with an update gate and a reset gate.',
  explain:
    'A GRU reads a sequence step by step and keeps a hidden state as its memory, like an LSTM but with ' +
    'two gates instead of three and no separate cell: the update gate decides how much of the old ' +
    'memory to keep versus replace, and the reset gate how much of it to use when proposing the new ' +
    'content. It usually learns about as well as an LSTM with three quarters of the parameters.',
  params: {
    units: p.int({ default: 32, min: 1, max: 4096, help: 'Size of the hidden state (the memory).' }),
    activation: p.enum(FUSED_ACTIVATIONS, {
      default: 'tanh',
      help: 'Applied to the proposed new memory; tanh is usual.',
    }),
    recurrentActivation: recurrentActivationParam,
    ...recurrentParams,
    resetAfter: p.bool({
      default: false,
      help:
        'Apply the reset gate after the recurrent product, with separate input and recurrent biases: ' +
        'PyTorch’s and Keras 3’s GRU. Needed to match a model from PyTorch.',
    }),
  },
  keyParams: ['units', 'returnSequences', 'bidirectional'],
  example: { inputs: [[10, 8]], params: { units: 16 } },
  ports: singlePort,
  outputShape: (inputs, c) => recurrentOutputShape(inputs, c, 'GRU'),
  // tfjs 4.22's GRU has no reset_after (it throws if set): off, one bias of 3 × units, as in Keras
  // with reset_after=False. On, Keras 3's default form: bias [2, 3u] (input row, recurrent row), run
  // by Netloom's own layer (electron/engine/layers/gru.ts).
  weights: (inputs, c) => recurrentWeights(inputs, c, 3, c.resetAfter),
  flops: (inputs, _out, c) =>
    recurrentFlops(
      inputs,
      c,
      // gates (and the second bias); 2 gate activations; activation on the candidate; r·h (or r·(h·R_h)),
      // and h = z·h + (1 − z)·h̃
      (n, u) =>
        gateFlops(n, u, 3) +
        (c.resetAfter ? 3 * u : 0) +
        2 * u * gateActivationFlops(c.recurrentActivation) +
        u * activationFlops(c.activation) +
        4 * u,
    ),
  keras: (c) =>
    c.resetAfter
      ? {
          class_name: 'NetloomGRU',
          config: {
            units: c.units,
            activation: c.activation,
            recurrent_activation: kerasRecurrentActivation(c.recurrentActivation),
            return_sequences: c.returnSequences,
            bidirectional: c.bidirectional,
            dropout: c.dropout,
            recurrent_dropout: c.recurrentDropout,
          },
        }
      : recurrentKeras('GRU', c, {
          recurrent_activation: kerasRecurrentActivation(c.recurrentActivation),
          reset_after: false,
        }),
});
