/**
 * Kernels the wasm backend of tfjs 4.22 lacks. `registerWasmKernels` registers the ones Netloom
 * provides (none yet); `WASM_MISSING_KERNELS` lists the layer kinds that therefore cannot train on
 * wasm, with the reason, so the engine can say so and tests can skip them honestly.
 */
let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}

const CONV = 'wasm has no Conv2DBackpropFilter kernel (the gradient of a convolution kernel)';
const GATHER = 'wasm has no UnsortedSegmentSum kernel (the gradient of an embedding lookup)';

/** Layer kind -> why it cannot train on the wasm backend (empty once the kernels are registered). */
export const WASM_MISSING_KERNELS: Readonly<Record<string, string>> = {
  Conv1D: CONV,
  Conv2D: CONV,
  Conv2DTranspose: CONV,
  Embedding: GATHER,
  PositionalEmbedding: GATHER,
};
