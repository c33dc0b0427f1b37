/**
 * A graph with every layer kind the templates do not use (and some settings they do not), with seeded
 * random weights, and the engine's predictions for a few random samples: the same graph the PyTorch
 * export test runs, shared with the ONNX export test.
 */
import * as tf from '@tensorflow/tfjs';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { compileGraph } from '../../../electron/engine/compile';
import { emptyProject } from '../../../shared/ir/project';
import type { GraphEdge, GraphNode, Project } from '../../../shared/ir/schema';
import type { ArrayDataset } from '../../../shared/training/data';
import type { WeightArtifacts } from '../../../shared/training/protocol';

export async function everyKindProject(): Promise<{
  project: Project;
  weights: WeightArtifacts;
  data: ArrayDataset;
  /** Per output, one row per sample. */
  want: number[][][];
}> {
  const node = (id: string, kind: string, params: Record<string, unknown>, y = 0): GraphNode => ({
    id,
    kind,
    params: params as GraphNode['params'],
    position: { x: 0, y },
  });
  const nodes: GraphNode[] = [
    node('img', 'Input', { shape: [9, 9, 2] }),
    node('conv-same', 'Conv2D', {
      filters: 3,
      kernelSize: [3, 2],
      strides: [2, 2],
      padding: 'same',
      activation: 'elu',
    }),
    node('deconv', 'Conv2DTranspose', {
      filters: 2,
      kernelSize: [3, 3],
      strides: [2, 2],
      padding: 'same',
      activation: 'selu',
    }),
    node('deconv2', 'Conv2DTranspose', {
      filters: 2,
      kernelSize: [1, 1],
      strides: [2, 2],
      padding: 'valid',
      activation: 'linear',
    }),
    node('bn', 'BatchNormalization', { momentum: 0.9 }),
    node('avg', 'AvgPool2D', { poolSize: [3, 3], strides: [2, 2], padding: 'same' }),
    node('max', 'MaxPool2D', { poolSize: [2, 2], strides: [1, 1], padding: 'same' }),
    node('gmax', 'GlobalMaxPool2D', {}),
    node('gavg', 'GlobalAvgPool2D', {}),
    node('cat', 'Concatenate', { inputs: 2, axis: -1 }),
    node('seq', 'Reshape', { targetShape: [2, 2] }), // [2, -1] hits a tfjs build error (reported)
    node('conv1', 'Conv1D', { filters: 4, kernelSize: [2], padding: 'same', activation: 'swish' }),
    node('pool1', 'MaxPool1D', { poolSize: [2], strides: [1], padding: 'same' }),
    node('apool1', 'AvgPool1D', { poolSize: [2], strides: [1], padding: 'valid' }),
    node('rnn', 'SimpleRNN', { units: 5, returnSequences: true, bidirectional: true, activation: 'relu' }),
    node('lstm', 'LSTM', { units: 3, returnSequences: true, bidirectional: true }),
    node('gru', 'GRU', { units: 4, returnSequences: true, bidirectional: true }),
    // PyTorch's form: nn.GRU in the PyTorch export, linear_before_reset=1 in ONNX.
    node('gru-ra', 'GRU', { units: 4, returnSequences: true, bidirectional: true, resetAfter: true }),
    node('ln', 'LayerNormalization', { center: false }),
    node('mha', 'MultiHeadAttention', { numHeads: 2, keyDim: 3, valueDim: 2, causal: true }),
    node('teb', 'TransformerEncoderBlock', {
      numHeads: 2,
      keyDim: 4,
      ffDim: 6,
      norm: 'post',
      activation: 'gelu',
    }),
    node('gmax1', 'GlobalMaxPool1D', {}),
    node('gavg1', 'GlobalAvgPool1D', {}),
    node('mul', 'Multiply', { inputs: 2 }),
    node('sum', 'Add', { inputs: 2 }),
    node('drop', 'Dropout', { rate: 0.3 }),
    node('leaky', 'Activation', { fn: 'leakyRelu', alpha: 0.1 }),
    node('dense', 'Dense', { units: 3, activation: 'softplus' }),
    node('out', 'Output', { targetShape: [3], loss: 'meanSquaredError' }),
  ];
  const wires: [string, string, string?][] = [
    ['img', 'conv-same'],
    ['conv-same', 'deconv'],
    ['deconv', 'deconv2'],
    ['deconv2', 'bn'],
    ['bn', 'avg'],
    ['avg', 'max'],
    ['max', 'gmax'],
    ['avg', 'gavg'],
    ['gmax', 'cat', 'in1'],
    ['gavg', 'cat', 'in2'],
    ['cat', 'seq'],
    ['seq', 'conv1'],
    ['conv1', 'pool1'],
    ['pool1', 'apool1'],
    ['seq', 'rnn'],
    ['rnn', 'lstm'],
    ['lstm', 'gru'],
    ['gru', 'gru-ra'],
    ['gru-ra', 'ln'],
    ['ln', 'mha', 'query'],
    ['mha', 'teb'],
    ['teb', 'gmax1'],
    ['teb', 'gavg1'],
    ['gmax1', 'mul', 'in1'],
    ['gavg1', 'mul', 'in2'],
    ['mul', 'sum', 'in1'],
    ['gavg1', 'sum', 'in2'],
    ['sum', 'drop'],
    ['drop', 'leaky'],
    ['leaky', 'dense'], // (Flatten of a rank-2 tensor passes the checker but tfjs refuses it: reported)
    ['dense', 'out'],
  ];
  // The Conv1D branch feeds a second output so every kind is on a path to an Output.
  // On it, a reset-after GRU nn.GRU cannot run (relu; dropout): the PyTorch export's own loop.
  nodes.push(
    node('gru-relu', 'GRU', {
      units: 3,
      activation: 'relu',
      returnSequences: true,
      resetAfter: true,
      dropout: 0.2,
      recurrentDropout: 0.1,
    }),
  );
  // TF.js's hard sigmoid gates: an LSTM, a GRU and a GRU with reset after (none is nn.LSTM / nn.GRU).
  const hard = { recurrentActivation: 'hardSigmoid', returnSequences: true };
  nodes.push(
    node('lstm-hard', 'LSTM', { units: 3, bidirectional: true, ...hard }),
    node('gru-hard', 'GRU', { units: 3, ...hard }),
    node('gru-ra-hard', 'GRU', { units: 4, bidirectional: true, resetAfter: true, ...hard }),
  );
  nodes.push(node('flat1', 'Flatten', {}), node('dense1', 'Dense', { units: 2, useBias: false }));
  nodes.push(node('out1', 'Output', { targetShape: [2], loss: 'meanSquaredError' }));
  wires.push(
    ['apool1', 'lstm-hard'],
    ['lstm-hard', 'gru-hard'],
    ['gru-hard', 'gru-ra-hard'],
    ['gru-ra-hard', 'gru-relu'],
    ['gru-relu', 'flat1'],
    ['flat1', 'dense1'],
    ['dense1', 'out1'],
  );
  const edges: GraphEdge[] = wires.map(([s, t, port], i) => ({
    id: `e${i}`,
    source: s,
    target: t,
    targetPort: port ?? 'in',
  }));
  const project: Project = { ...emptyProject('every kind'), graph: { nodes, edges } };

  const compiled = await compileGraph(project.graph);
  // Seeded random weights everywhere (moving variance positive), so no conversion hides behind zeros.
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  compiled.model.setWeights(
    compiled.model.weights.map((w) => {
      const n = w.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
      const positive = w.name.includes('moving_variance');
      return tf.tensor(
        Float32Array.from({ length: n }, () => (positive ? 0.5 + Math.abs(rand()) : rand() * 0.5)),
        w.shape as number[],
      );
    }),
  );
  const weights = await saveModelArtifacts(compiled.model);
  const count = 6;
  const data: ArrayDataset = {
    id: 'r',
    name: 'r',
    task: 'regression',
    x: Float32Array.from({ length: count * 162 }, () => rand()),
    sampleShape: [9, 9, 2],
    xDtype: 'float32',
    y: new Float32Array(count * 3),
    targetSize: 3,
    count,
  };
  const x = tf.tensor(data.x, [count, 9, 9, 2]);
  const preds = compiled.model.predict(x) as tf.Tensor[];
  const want = preds.map((p) => p.reshape([count, -1]).arraySync() as number[][]);
  tf.dispose([x, ...preds]);
  compiled.model.dispose();
  return { project, weights, data, want };
}
