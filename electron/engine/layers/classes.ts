/**
 * Netloom's custom layer classes, with nothing else of the engine: the one source of both the
 * engine's layers (index.ts registers them) and the TF.js export's netloom-layers.js, which
 * scripts/write-tfjs-layers.ts bundles from this module for a `tf` passed in. Everything reachable
 * from here must use plain tfjs only (no SIMD kernels, no seedrandom): the generator refuses any
 * other import.
 */
import { NetloomGRU } from './gru';
import { NetloomMultiHeadAttention } from './multiHeadAttention';
import { NetloomPositionalEmbedding } from './positionalEmbedding';
import { NetloomTransformerEncoderBlock } from './transformerEncoderBlock';

export { NetloomGRU, NetloomMultiHeadAttention, NetloomPositionalEmbedding, NetloomTransformerEncoderBlock };

export const CUSTOM_LAYER_CLASSES = [
  NetloomMultiHeadAttention,
  NetloomTransformerEncoderBlock,
  NetloomPositionalEmbedding,
  NetloomGRU,
] as const;

/** The class names a layers model (and the Keras JSON of the custom kinds) refers to them by. */
export type CustomLayerClassName = (typeof CUSTOM_LAYER_CLASSES)[number]['className'];
