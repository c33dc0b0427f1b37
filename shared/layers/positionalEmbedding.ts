import { defineLayer, fail, only, p, singlePort } from './define';
import { formatShape, type Dim } from './shape';

export const positionalEmbedding = defineLayer({
  kind: 'PositionalEmbedding',
  tokenIds: 'read',
  category: 'attention',
  label: 'Positional embedding',
  doc: 'Turns token ids into vectors and adds a learned vector for each position.',
  explain:
    'A Transformer needs two things from its input: what each token is and where it is. The token ' +
    'embedding is a learned table with one vector per word (or character) id. Attention on its own ' +
    'ignores order ("dog bites man" looks like "man bites dog"), so a second learned table gives each ' +
    'position 0, 1, 2, … its own vector, which is added to the token’s. Sequences longer than the maximum ' +
    'length have no position vector, so they cannot be fed in.',
  custom: true,
  params: {
    vocabSize: p.int({
      default: 1000,
      min: 1,
      max: 10_000_000,
      help: 'Number of distinct token ids; ids must be 0 to vocab size − 1.',
    }),
    maxLength: p.int({
      default: 128,
      min: 1,
      max: 1_000_000,
      help: 'Longest sequence it accepts: one learned position vector per position.',
    }),
    embedDim: p.int({
      default: 32,
      min: 1,
      max: 65536,
      help: 'Length of each token’s vector (the model width).',
    }),
  },
  keyParams: ['vocabSize', 'maxLength', 'embedDim'],
  example: { inputs: [[12]], params: { vocabSize: 100, maxLength: 16, embedDim: 8 } },
  ports: singlePort,
  outputShape: (inputs, c) => {
    const x = only(inputs);
    if (x.length !== 2)
      fail(
        `PositionalEmbedding needs token ids [batch, time]; got ${formatShape(x)}.` +
          (x.length === 3 && x[2] === 1 ? ' Reshape away the last axis of size 1.' : ''),
        {
          port: 'in',
          ...(x.length === 3 && x[2] === 1 && typeof x[1] === 'number'
            ? { fix: { kind: 'Reshape', params: { targetShape: [x[1]] } } }
            : {}),
        },
      );
    const t = x[1] as Dim;
    if (typeof t === 'number' && t > c.maxLength)
      fail(
        `The sequences have ${t} tokens, longer than the maximum length ${c.maxLength}; raise max length to at ` +
          `least ${t}.`,
        { port: 'in' },
      );
    return [x[0] as Dim, t, c.embedDim];
  },
  weights: (_inputs, c) => ({
    token_embeddings: [c.vocabSize, c.embedDim],
    position_embeddings: [c.maxLength, c.embedDim],
  }),
  // Two table look-ups (no arithmetic) and one add per value.
  flops: (inputs, _out, c) => {
    const t = only(inputs)[1];
    return (typeof t === 'number' ? t : 1) * c.embedDim;
  },
  keras: (c) => ({
    class_name: 'NetloomPositionalEmbedding',
    config: { vocab_size: c.vocabSize, max_length: c.maxLength, embed_dim: c.embedDim },
  }),
});
