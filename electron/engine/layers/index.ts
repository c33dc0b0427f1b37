/** Netloom's custom tfjs layers, registered for (de)serialisation when this module loads. */
import * as tf from '@tensorflow/tfjs';
import { CUSTOM_LAYER_CLASSES } from './classes';
import { dropout, installFastDropout } from './dropout';
import { installFusedDense } from './fusedDense';
import { installFusedGru } from './fusedGru';
import { installFusedRecurrent } from './fusedRecurrent';
import { useDropout } from './ops';

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
// tfjs-layers' GRU (reset before) and NetloomGRU (reset after) likewise (see fusedGru.ts).
installFusedGru();

// tfjs-layers' Dense as one op with one gradient where that computes the same (see fusedDense.ts).
installFusedDense();

// tfjs-layers' Dropout, and the custom layers' (plain tf.dropout in classes.ts, so in the TF.js
// export), with the same random numbers, drawn without tfjs's per-element overhead.
installFastDropout();
useDropout(dropout);
