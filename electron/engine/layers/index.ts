/** Netloom's custom tfjs layers, registered for (de)serialisation when this module loads. */
import * as tf from '@tensorflow/tfjs';
import { NetloomMultiHeadAttention } from './multiHeadAttention';
import { NetloomPositionalEmbedding } from './positionalEmbedding';
import { NetloomTransformerEncoderBlock } from './transformerEncoderBlock';
import { installFastDropout } from './dropout';
import { installFusedRecurrent } from './fusedRecurrent';

export { NetloomMultiHeadAttention, NetloomPositionalEmbedding, NetloomTransformerEncoderBlock };

export const CUSTOM_LAYER_CLASSES = [
  NetloomMultiHeadAttention,
  NetloomTransformerEncoderBlock,
  NetloomPositionalEmbedding,
] as const;

let registered = false;

/** Registers the custom layers with tfjs (idempotent; also done on import). */
export function registerCustomLayers(): void {
  if (registered) return;
  registered = true;
  for (const cls of CUSTOM_LAYER_CLASSES) tf.serialization.registerClass(cls);
}

registerCustomLayers();

// tfjs-layers' LSTM as one fused op wherever that computes the same thing (see fusedRecurrent.ts).
installFusedRecurrent();

// tfjs-layers' Dropout with the same random numbers, drawn without tfjs's per-element overhead.
installFastDropout();
