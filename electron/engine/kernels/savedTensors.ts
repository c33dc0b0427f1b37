/**
 * Tensors saved for a gradient share their data without a kernel. While a gradient is recorded,
 * TensorFlow.js's engine clones every tensor a kernel saves for its backward pass (and those a
 * custom gradient saves) through `Engine.clone`: an Identity kernel call (which on wasm and cpu
 * shares the data and counts a reference: kernels/identity.ts) plus a tape node of its own whose
 * gradient would only matter for a gradient of a gradient, which Netloom never takes. On those two
 * backends the clone is made here directly: the same shared data and reference count, no kernel,
 * no tape node (the MLP's training step: 22 kernel calls and tape nodes fewer, the LSTM's and the
 * Transformer's more). Other backends (tfjs-node) keep the engine's own clone.
 */
import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  state: { tensorInfo: { get(dataId: tf.DataId): { backend: tf.KernelBackend } | undefined } };
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
}

let installed = false;

/** Installs the direct clone on the engine (idempotent). */
export function shareSavedTensors(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  if (typeof engine.clone !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function') return;
  const own = engine.clone.bind(engine);
  engine.clone = (x: tf.Tensor): tf.Tensor => {
    const backend = engine.state.tensorInfo.get(x.dataId)?.backend;
    const sharing = backend && (backend === tf.findBackend('wasm') || backend === tf.findBackend('cpu'));
    if (!backend || !sharing || x.dtype === 'string') return own(x);
    backend.incRef(x.dataId);
    return engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, backend);
  };
}
