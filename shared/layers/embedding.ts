import { defineLayer, fail, only, p, sampleSize, singlePort } from './define';
import { formatShape } from './shape';

export const embedding = defineLayer({
  kind: 'Embedding',
  tokenIds: 'read',
  category: 'core',
  label: 'Embedding',
  doc: 'Turns each token id into a learned vector: [batch, seq] -> [batch, seq, outputDim].',
  explain:
    'Words (or characters, or any categories) arrive as whole-number ids: "cat" might be 417. An ' +
    'embedding is a learned table with one row per id; each id is replaced by its row, a vector of ' +
    'outputDim numbers. Training moves related tokens to nearby vectors, so the layers after it see ' +
    'meaning rather than arbitrary numbers. The vocabulary size must be larger than the biggest id.',
  params: {
    inputDim: p.int({
      default: 1000,
      min: 1,
      max: 10_000_000,
      label: 'Vocabulary size',
      help: 'Number of distinct token ids (largest id + 1).',
    }),
    outputDim: p.int({
      default: 32,
      min: 1,
      max: 65_536,
      label: 'Vector size',
      help: 'Length of the vector each token becomes.',
    }),
  },
  keyParams: ['inputDim', 'outputDim'],
  example: { inputs: [[10]], params: { inputDim: 100, outputDim: 8 } },
  ports: singlePort,
  outputShape: (inputs, c) => {
    const x = only(inputs);
    if (x.length !== 2) {
      const flat = x.length > 2 && sampleSize(x) !== undefined;
      fail(
        `Embedding needs a rank-2 input [batch, seq] of token ids; got ${formatShape(x)}. ` +
          (flat
            ? 'Insert a Flatten to make one sequence per sample.'
            : 'Feed it token ids from an int32 Input.'),
        { port: 'in', fix: flat ? { kind: 'Flatten', params: {} } : undefined },
      );
    }
    return [...x, c.outputDim];
  },
  weights: (_inputs, c) => ({ embeddings: [c.inputDim, c.outputDim] }),
  flops: () => 0,
  keras: (c) => ({ class_name: 'Embedding', config: { input_dim: c.inputDim, output_dim: c.outputDim } }),
});
