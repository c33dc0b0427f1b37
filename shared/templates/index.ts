/**
 * Template projects, as code. Input shape and number of outputs are parameters, so `netloom new
 * --template mlp --input-shape 784 --outputs 10` and the template gallery build the same graphs.
 * `npm run templates` writes them (with default parameters) to `assets/templates/*.nnproj`; a test
 * keeps those files in sync with this code.
 */
import { defaultParams } from '../layers/params';
import { isLayerKind, type LayerKind, layerSpec } from '../layers/index';
import { emptyProject } from '../ir/project';
import type { BlockDef, GraphEdge, GraphNode, Project } from '../ir/schema';
import { flatGraph } from '../graph/blocks';
import { groupIntoBlock } from '../graph/grouping';

export interface TemplateOptions {
  /** Shape of one sample without the batch axis; `null` = variable length. */
  inputShape?: readonly (number | null)[];
  /** Number of classes (1 = a yes/no or a single regression value). */
  outputs?: number;
  /** Vocabulary size for the token-sequence templates. */
  vocabSize?: number;
  /** `regression` uses a linear output and mean squared error. */
  task?: 'classification' | 'regression';
}

export interface TemplateInfo {
  id: TemplateId;
  label: string;
  description: string;
  /** What the guide teaches with it. */
  teaches: string;
  defaults: Required<Pick<TemplateOptions, 'inputShape' | 'outputs'>> & { vocabSize?: number };
  /** Built-in datasets it is made for (the gallery offers them; the first is its natural one). */
  datasets: readonly string[];
  /** What it learns to output from that data: `inputs` for an autoencoder (default: the labels). */
  targets?: 'inputs';
}

export const TEMPLATE_IDS = [
  'perceptron',
  'mlp',
  'cnn',
  'lstm',
  'gru',
  'transformer',
  'autoencoder',
  'resnet',
  'encoder',
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export class TemplateOptionError extends Error {
  override readonly name = 'TemplateOptionError';
}

/** Builds a graph node by node, wiring each to the previous one. */
class Chain {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private counts = new Map<string, number>();
  private y = 0;

  add(
    kind: LayerKind,
    params: Record<string, unknown> = {},
    from?: string | string[],
    ports?: string[],
  ): string {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    const id = `${kind.toLowerCase()}_${n}`;
    const spec = layerSpec(kind);
    const full: Record<string, unknown> = { ...defaultParams(spec), ...params };
    this.nodes.push({ id, kind, params: full as GraphNode['params'], position: { x: 0, y: this.y } });
    this.y += 130;
    const sources = from === undefined ? (this.last ? [this.last] : []) : Array.isArray(from) ? from : [from];
    const portNames = ports ?? spec.ports(full as never).map((p) => p.name);
    sources.forEach((s, i) => {
      this.edges.push({
        id: `e${this.edges.length + 1}`,
        source: s,
        target: id,
        targetPort: portNames[i] ?? 'in',
      });
    });
    this.last = id;
    return id;
  }
  last: string | undefined;
  blocks: BlockDef[] = [];

  /** Groups the nodes `ids` into a block named `name`, used ×`repeat`; the chain goes on from it. */
  group(ids: string[], name: string, repeat = 1): string {
    const r = groupIntoBlock({ nodes: this.nodes, edges: this.edges, blocks: this.blocks }, ids, name);
    if (!r.ok) throw new Error(`template block ${name}: ${r.reason}`);
    this.nodes.splice(
      0,
      this.nodes.length,
      ...r.graph.nodes.map((n) => (n.id === r.id ? { ...n, params: { ...n.params, repeat } } : n)),
    );
    this.edges.splice(0, this.edges.length, ...r.graph.edges);
    this.blocks = r.graph.blocks ?? [];
    this.last = r.id;
    return r.id;
  }
}

function classifierHead(
  c: Chain,
  outputs: number,
  task: 'classification' | 'regression',
  hiddenFrom?: string,
) {
  if (task === 'regression') {
    c.add('Dense', { units: outputs, activation: 'linear' }, hiddenFrom);
    c.add('Output', { targetShape: [outputs], loss: 'meanSquaredError' });
  } else if (outputs === 1) {
    c.add('Dense', { units: 1, activation: 'sigmoid' }, hiddenFrom);
    c.add('Output', { targetShape: [1], loss: 'auto' });
  } else {
    c.add('Dense', { units: outputs }, hiddenFrom);
    c.add('Activation', { fn: 'softmax' });
    c.add('Output', { targetShape: [outputs], loss: 'auto' });
  }
}

function checkOptions(id: TemplateId, shape: readonly (number | null)[], outputs: number) {
  if (!Number.isInteger(outputs) || outputs < 1 || outputs > 100_000)
    throw new TemplateOptionError(`--outputs must be a whole number from 1 to 100000; got ${outputs}.`);
  if (shape.length < 1 || shape.length > 3)
    throw new TemplateOptionError(`The input shape must have 1 to 3 sizes; got ${shape.length}.`);
  for (const d of shape)
    if (d !== null && (!Number.isInteger(d) || d < 1))
      throw new TemplateOptionError(`Input sizes must be positive whole numbers; got ${d}.`);
  if (
    id !== 'lstm' &&
    id !== 'gru' &&
    id !== 'transformer' &&
    id !== 'encoder' &&
    shape.some((d) => d === null)
  )
    throw new TemplateOptionError(`The ${id} template needs a fixed input shape.`);
}

/** The number of values in one sample. */
const size = (shape: readonly (number | null)[]) => shape.reduce<number>((a, d) => a * (d ?? 1), 1);

/** An image-like 3-D shape for a flat or 2-D input (784 -> 28×28×1). */
function asImage(shape: readonly (number | null)[]): [number, number, number] | undefined {
  if (shape.length === 3) return shape as [number, number, number];
  if (shape.length === 2) return [shape[0]!, shape[1]!, 1];
  const n = shape[0]!;
  for (const ch of [1, 3]) {
    const side = Math.round(Math.sqrt(n / ch));
    if (side * side * ch === n) return [side, side, ch];
  }
  return undefined;
}

/** A chain starting with an image input (a flat or 2-D one reshaped to height, width, channels). */
function imageInput(
  id: TemplateId,
  inputShape: readonly (number | null)[],
): { c: Chain; img: [number, number, number] } {
  const img = asImage(inputShape);
  if (!img)
    throw new TemplateOptionError(
      `The ${id} template needs an image: an input shape of height, width, channels (e.g. 28,28,1), or a square number of pixels; got ${inputShape.join(',')}.`,
    );
  const c = new Chain();
  c.add('Input', { shape: [...inputShape] });
  if (inputShape.length !== 3) c.add('Reshape', { targetShape: img });
  return { c, img };
}

const BUILDERS: Record<TemplateId, (o: Required<TemplateOptions>) => Chain> = {
  perceptron: ({ inputShape, outputs, task }) => {
    const c = new Chain();
    c.add('Input', { shape: [...inputShape] });
    if (inputShape.length > 1) c.add('Flatten');
    classifierHead(c, outputs, task);
    return c;
  },
  mlp: ({ inputShape, outputs, task }) => {
    const c = new Chain();
    c.add('Input', { shape: [...inputShape] });
    if (inputShape.length > 1) c.add('Flatten');
    c.add('Dense', { units: 128, activation: 'relu' });
    c.add('Dense', { units: 128, activation: 'relu' });
    classifierHead(c, outputs, task);
    return c;
  },
  cnn: ({ inputShape, outputs, task }) => {
    const { c, img } = imageInput('cnn', inputShape);
    // LeNet-5: 5×5 convolutions on images of 20 pixels or more, 3×3 with 'same' padding on small ones.
    const big = Math.min(img[0], img[1]) >= 20;
    const k = big ? 5 : 3;
    c.add('Conv2D', { filters: 6, kernelSize: [k, k], padding: 'same', activation: 'relu' });
    c.add('MaxPool2D', { poolSize: [2, 2], strides: [2, 2] });
    c.add('Conv2D', { filters: 16, kernelSize: [k, k], padding: big ? 'valid' : 'same', activation: 'relu' });
    c.add('MaxPool2D', { poolSize: [2, 2], strides: [2, 2] });
    c.add('Flatten');
    c.add('Dense', { units: 120, activation: 'relu' });
    c.add('Dense', { units: 84, activation: 'relu' });
    classifierHead(c, outputs, task);
    return c;
  },
  lstm: (o) => recurrent('LSTM', o),
  gru: (o) => recurrent('GRU', o),
  transformer: ({ inputShape, outputs, task, vocabSize }) => {
    if (inputShape.length !== 1)
      throw new TemplateOptionError(
        `The transformer template reads token ids: an input shape of one size (the sequence length); got ${inputShape.join(',')}.`,
      );
    const seqLen = inputShape[0] ?? 128;
    const c = new Chain();
    c.add('Input', { shape: [...inputShape], dtype: 'int32' });
    c.add('PositionalEmbedding', { vocabSize, maxLength: seqLen, embedDim: 32 });
    c.add('TransformerEncoderBlock', { numHeads: 2, keyDim: 16, ffDim: 64, dropout: 0.1 });
    c.add('TransformerEncoderBlock', { numHeads: 2, keyDim: 16, ffDim: 64, dropout: 0.1 });
    c.add('GlobalAvgPool1D');
    c.add('Dropout', { rate: 0.1 });
    classifierHead(c, outputs, task);
    return c;
  },
  resnet: ({ inputShape, outputs, task }) => {
    const { c } = imageInput('resnet', inputShape);
    c.add('Conv2D', { filters: 16, kernelSize: [3, 3], padding: 'same', activation: 'relu' });
    const into = c.add('MaxPool2D', { poolSize: [2, 2], strides: [2, 2] });
    // The residual block: two convolutions and a skip connection added back, defined once, used ×3.
    const a = c.add('Conv2D', { filters: 16, kernelSize: [3, 3], padding: 'same', activation: 'relu' });
    const b = c.add('Conv2D', { filters: 16, kernelSize: [3, 3], padding: 'same', activation: 'linear' });
    const sum = c.add('Add', { inputs: 2 }, [b, into], ['in1', 'in2']);
    const act = c.add('Activation', { fn: 'relu' });
    c.group([a, b, sum, act], 'Residual', 3);
    c.add('GlobalAvgPool2D');
    classifierHead(c, outputs, task);
    return c;
  },
  encoder: ({ inputShape, outputs, task, vocabSize }) => {
    if (inputShape.length !== 1)
      throw new TemplateOptionError(
        `The encoder template reads token ids: an input shape of one size (the sequence length); got ${inputShape.join(',')}.`,
      );
    const c = new Chain();
    c.add('Input', { shape: [...inputShape], dtype: 'int32' });
    const x = c.add('PositionalEmbedding', { vocabSize, maxLength: inputShape[0] ?? 128, embedDim: 32 });
    // A Transformer encoder block spelled out: attention, add & norm, feed-forward, add & norm.
    const att = c.add('MultiHeadAttention', { numHeads: 2, keyDim: 16 }, [x], ['query']);
    const add1 = c.add('Add', { inputs: 2 }, [x, att], ['in1', 'in2']);
    const norm1 = c.add('LayerNormalization');
    const ff1 = c.add('Dense', { units: 64, activation: 'relu' });
    const ff2 = c.add('Dense', { units: 32, activation: 'linear' });
    const drop = c.add('Dropout', { rate: 0.1 });
    const add2 = c.add('Add', { inputs: 2 }, [norm1, drop], ['in1', 'in2']);
    const norm2 = c.add('LayerNormalization');
    c.group([att, add1, norm1, ff1, ff2, drop, add2, norm2], 'Encoder block', 2);
    c.add('GlobalAvgPool1D');
    c.add('Dropout', { rate: 0.1 });
    classifierHead(c, outputs, task);
    return c;
  },
  autoencoder: ({ inputShape }) => {
    const n = size(inputShape);
    const c = new Chain();
    c.add('Input', { shape: [...inputShape] });
    if (inputShape.length > 1) c.add('Flatten');
    c.add('Dense', { units: Math.min(128, Math.max(4, Math.round(n / 4))), activation: 'relu' });
    c.add('Dense', { units: Math.min(32, Math.max(2, Math.round(n / 16))), activation: 'relu' });
    c.add('Dense', { units: Math.min(128, Math.max(4, Math.round(n / 4))), activation: 'relu' });
    c.add('Dense', { units: n, activation: 'sigmoid' });
    if (inputShape.length > 1) c.add('Reshape', { targetShape: [...inputShape] });
    c.add('Output', { targetShape: [...inputShape], loss: 'meanSquaredError' });
    return c;
  },
};

function recurrent(
  kind: 'LSTM' | 'GRU',
  { inputShape, outputs, task, vocabSize }: Required<TemplateOptions>,
): Chain {
  const c = new Chain();
  if (inputShape.length === 1) {
    // Token ids: embed each token, then read the sequence.
    c.add('Input', { shape: [...inputShape], dtype: 'int32' });
    c.add('Embedding', { inputDim: vocabSize, outputDim: 32 });
  } else if (inputShape.length === 2) {
    // A numeric sequence: [time, features].
    c.add('Input', { shape: [...inputShape] });
  } else {
    throw new TemplateOptionError(
      `The ${kind.toLowerCase()} template reads a sequence: token ids (one size, the length) or time, features (two sizes); got ${inputShape.join(',')}.`,
    );
  }
  c.add(kind, { units: 64 });
  classifierHead(c, outputs, task);
  return c;
}

export const TEMPLATES: Record<TemplateId, TemplateInfo> = {
  perceptron: {
    id: 'perceptron',
    label: 'Perceptron',
    description: 'One layer: a weighted sum plus a bias, then an activation.',
    teaches: 'The perceptron: weights, bias and activation. It can only draw straight boundaries.',
    defaults: { inputShape: [2], outputs: 1 },
    datasets: ['blobs', 'xor'],
  },
  mlp: {
    id: 'mlp',
    label: 'Multi-layer perceptron',
    description: 'Two hidden Dense layers of 128 ReLU units and a softmax output.',
    teaches: 'Stacking layers: hidden layers learn curved boundaries; where the parameters live.',
    defaults: { inputShape: [784], outputs: 10 },
    datasets: ['spirals', 'mnist'],
  },
  cnn: {
    id: 'cnn',
    label: 'Convolutional network (LeNet)',
    description: 'Two convolution + pooling stages, then fully connected layers.',
    teaches: 'Convolution, pooling and fully connected layers; features from edges up to shapes.',
    defaults: { inputShape: [28, 28, 1], outputs: 10 },
    datasets: ['mnist', 'digits'],
  },
  lstm: {
    id: 'lstm',
    label: 'LSTM sequence classifier',
    description: 'Token embedding, an LSTM of 64 units, and a classifier.',
    teaches: 'Recurrence: a hidden state carried along the sequence, with gates that decide what to forget.',
    defaults: { inputShape: [100], outputs: 2, vocabSize: 10000 },
    datasets: ['spamassassin'],
  },
  gru: {
    id: 'gru',
    label: 'GRU sequence classifier',
    description: 'Token embedding, a GRU of 64 units, and a classifier.',
    teaches: 'The GRU: an LSTM with fewer gates and parameters, often just as good.',
    defaults: { inputShape: [100], outputs: 2, vocabSize: 10000 },
    datasets: ['spamassassin'],
  },
  transformer: {
    id: 'transformer',
    label: 'Small Transformer',
    description: 'Token + position embedding, two encoder blocks, pooling and a softmax.',
    teaches:
      'Self-attention: every token attends to every other; memory grows with the square of the length.',
    defaults: { inputShape: [100], outputs: 2, vocabSize: 10000 },
    datasets: ['spamassassin'],
  },
  autoencoder: {
    id: 'autoencoder',
    label: 'Autoencoder',
    description: 'Squeezes the input through a small bottleneck and rebuilds it.',
    teaches: 'Representation learning: the network must keep only what matters to rebuild its input.',
    defaults: { inputShape: [784], outputs: 784 },
    datasets: ['mnist', 'digits'],
    targets: 'inputs',
  },
  resnet: {
    id: 'resnet',
    label: 'Small ResNet (residual blocks)',
    description: 'A convolution stem, then one residual block used three times, pooling and a softmax.',
    teaches:
      'Blocks and skip connections: a block defined once and repeated; adding the input back lets deep stacks train.',
    defaults: { inputShape: [28, 28, 1], outputs: 10 },
    datasets: ['mnist', 'digits'],
  },
  encoder: {
    id: 'encoder',
    label: 'Transformer from your own encoder block',
    description:
      'Attention, add & norm and a feed-forward net built from layers, grouped into a block used twice.',
    teaches:
      'What is inside a Transformer encoder block: open the block and change it; both uses follow the one definition.',
    defaults: { inputShape: [100], outputs: 2, vocabSize: 10000 },
    datasets: ['spamassassin'],
  },
};

export function isTemplateId(id: string): id is TemplateId {
  return (TEMPLATE_IDS as readonly string[]).includes(id);
}

/** Builds a template project. Throws `TemplateOptionError` for options the template cannot take. */
export function buildTemplate(id: TemplateId, options: TemplateOptions = {}): Project {
  const info = TEMPLATES[id];
  const inputShape = options.inputShape ?? info.defaults.inputShape;
  const outputs = options.outputs ?? info.defaults.outputs;
  checkOptions(id, inputShape, outputs);
  const vocabSize = options.vocabSize ?? info.defaults.vocabSize ?? 10000;
  if (!Number.isInteger(vocabSize) || vocabSize < 2)
    throw new TemplateOptionError(
      `The vocabulary size must be a whole number of at least 2; got ${vocabSize}.`,
    );
  const chain = BUILDERS[id]({ inputShape, outputs, vocabSize, task: options.task ?? 'classification' });
  const project = emptyProject(info.label);
  project.graph = {
    nodes: chain.nodes,
    edges: chain.edges,
    ...(chain.blocks.length ? { blocks: chain.blocks } : {}),
  };
  for (const n of flatGraph(project.graph).nodes)
    if (!isLayerKind(n.kind)) throw new Error(`template uses unknown kind ${n.kind}`);
  return project;
}

/** What a template needs to know of a dataset to fit it (a built-in dataset's descriptor has it). */
export interface DataFacts {
  task: 'classification' | 'regression';
  sampleShape: readonly number[];
  /** Number of classes (classification). */
  classes?: number;
  /** Token-id data: the vocabulary size. */
  vocabSize?: number;
}

/**
 * The options that build `id` for this data: its sample shape, one output per class (one for two
 * classes: a sigmoid), its vocabulary; a template that rebuilds its inputs outputs every value.
 */
export function optionsForData(id: TemplateId, d: DataFacts): TemplateOptions {
  const inputShape = [...d.sampleShape];
  if (TEMPLATES[id].targets === 'inputs')
    return { inputShape, outputs: inputShape.reduce((a, n) => a * n, 1), task: 'regression' };
  const outputs = d.task === 'classification' ? (d.classes === 2 ? 1 : (d.classes ?? 2)) : 1;
  return { inputShape, outputs, task: d.task, ...(d.vocabSize ? { vocabSize: d.vocabSize } : {}) };
}
