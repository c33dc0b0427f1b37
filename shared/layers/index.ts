/**
 * The layer catalog: every layer kind Netloom knows, each declared once in its own file.
 *
 * `LAYER_KINDS` is the list of kinds and `LAYERS` maps each to its spec. Both are checked against
 * each other at compile time, and every consumer (palette, inspector, shape inference, compile, code
 * export) is written as a `{ [K in LayerKind]: ... }` map, so a kind that some consumer forgets does
 * not compile.
 */
import { activation } from './activation';
import { add } from './add';
import { avgPool1d } from './avgPool1d';
import { avgPool2d } from './avgPool2d';
import { batchNormalization } from './batchNormalization';
import { concatenate } from './concatenate';
import { conv1d } from './conv1d';
import { conv2d } from './conv2d';
import { conv2dTranspose } from './conv2dTranspose';
import type { AnyLayerSpec, LayerSpec } from './define';
import { dense } from './dense';
import { dropout } from './dropout';
import { embedding } from './embedding';
import { flatten } from './flatten';
import { globalAvgPool1d } from './globalAvgPool1d';
import { globalAvgPool2d } from './globalAvgPool2d';
import { globalMaxPool1d } from './globalMaxPool1d';
import { globalMaxPool2d } from './globalMaxPool2d';
import { gru } from './gru';
import { input } from './input';
import { layerNormalization } from './layerNormalization';
import { lstm } from './lstm';
import { maxPool1d } from './maxPool1d';
import { maxPool2d } from './maxPool2d';
import { multiHeadAttention } from './multiHeadAttention';
import { multiply } from './multiply';
import { output } from './output';
import { positionalEmbedding } from './positionalEmbedding';
import { reshape } from './reshape';
import { simpleRnn } from './simpleRnn';
import { transformerEncoderBlock } from './transformerEncoderBlock';

export const LAYER_KINDS = [
  'Input',
  'Dense',
  'Activation',
  'Dropout',
  'Flatten',
  'Reshape',
  'Embedding',
  'Conv1D',
  'Conv2D',
  'Conv2DTranspose',
  'MaxPool1D',
  'MaxPool2D',
  'AvgPool1D',
  'AvgPool2D',
  'GlobalAvgPool1D',
  'GlobalAvgPool2D',
  'GlobalMaxPool1D',
  'GlobalMaxPool2D',
  'BatchNormalization',
  'LayerNormalization',
  'SimpleRNN',
  'LSTM',
  'GRU',
  'MultiHeadAttention',
  'TransformerEncoderBlock',
  'PositionalEmbedding',
  'Add',
  'Concatenate',
  'Multiply',
  'Output',
] as const;

export type LayerKind = (typeof LAYER_KINDS)[number];

export const LAYERS = {
  Input: input,
  Dense: dense,
  Activation: activation,
  Dropout: dropout,
  Flatten: flatten,
  Reshape: reshape,
  Embedding: embedding,
  Conv1D: conv1d,
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  MaxPool1D: maxPool1d,
  MaxPool2D: maxPool2d,
  AvgPool1D: avgPool1d,
  AvgPool2D: avgPool2d,
  GlobalAvgPool1D: globalAvgPool1d,
  GlobalAvgPool2D: globalAvgPool2d,
  GlobalMaxPool1D: globalMaxPool1d,
  GlobalMaxPool2D: globalMaxPool2d,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  SimpleRNN: simpleRnn,
  LSTM: lstm,
  GRU: gru,
  MultiHeadAttention: multiHeadAttention,
  TransformerEncoderBlock: transformerEncoderBlock,
  PositionalEmbedding: positionalEmbedding,
  Add: add,
  Concatenate: concatenate,
  Multiply: multiply,
  Output: output,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each spec keeps its own parameter types
} as const satisfies { readonly [K in LayerKind]: LayerSpec<K, any> };

/** Every spec, typed loosely for generic consumers (inspector, checker). */
export function layerSpec(kind: LayerKind): AnyLayerSpec {
  return LAYERS[kind] as unknown as AnyLayerSpec;
}

const KIND_SET: ReadonlySet<string> = new Set(LAYER_KINDS);
export function isLayerKind(k: unknown): k is LayerKind {
  return typeof k === 'string' && KIND_SET.has(k);
}

export * from './define';
export * from './shape';
export { LOSSES } from './output';
