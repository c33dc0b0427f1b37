/**
 * What Netloom's kernels need from `@tensorflow/tfjs-backend-wasm`'s `BackendWasm`: every tensor
 * lives in the wasm heap (`dataIdMap` records its offset), `makeOutput` allocates a new one there and
 * `typedArrayFromHeap` gives a zero-copy view of it. Views are taken only after the last allocation
 * of a kernel: an allocation can grow the heap, which detaches every earlier view.
 */
import * as tf from '@tensorflow/tfjs';

type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): HeapArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  incRef(dataId: tf.DataId): void;
}

export function asWasm(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (!b || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function')
    throw new Error('Netloom wasm kernel called with a backend that is not tfjs-backend-wasm');
  return b as WasmBackend;
}

/** A float32 view of a tensor's data in the wasm heap. */
export function f32(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** An int32 view of an int32 tensor (or a float32 one, read as whole numbers into a copy). */
export function i32(backend: WasmBackend, t: tf.TensorInfo): Int32Array {
  const v = backend.typedArrayFromHeap(t);
  return v instanceof Int32Array ? v : Int32Array.from(v);
}

/** Runs another kernel of the wasm backend directly (no tape, no engine bookkeeping). */
export function runWasmKernel(
  backend: WasmBackend,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const out = tf.getKernel(kernelName, 'wasm').kernelFunc({ inputs, attrs, backend: backend as never });
  if (Array.isArray(out)) throw new Error(`kernel ${kernelName} returned several outputs`);
  return out;
}

/** A tensor's data seen under another shape (shares the data: dispose it like any intermediate). */
export function reshaped(backend: WasmBackend, t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return runWasmKernel(backend, 'Reshape', { x: t }, { shape });
}

export function dispose(backend: WasmBackend, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** NCHW -> NHWC (or back with `perm` [0, 3, 1, 2]) as a new wasm tensor. */
export function transpose(backend: WasmBackend, t: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x: t }, { perm });
}

const wasmBackend = (): WasmBackend | undefined =>
  tf.getBackend() === 'wasm' ? asWasm(tf.backend()) : undefined;

/**
 * A float32 tensor's values without a copy on the wasm backend (a view of the heap: use it before
 * anything else allocates a tensor, which may grow the heap and detach it); `dataSync()` elsewhere.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  const wasm = wasmBackend();
  if (!wasm || t.dtype !== 'float32' || t.size === 0) return t.dataSync() as Float32Array;
  return f32(wasm, t);
}

/**
 * A new tensor whose values `fill` writes in place: straight into the wasm heap on that backend (no
 * host array to allocate, zero and copy again), into a host array uploaded after elsewhere.
 */
export function filledTensor<D extends 'float32' | 'int32'>(
  shape: number[],
  dtype: D,
  fill: (values: D extends 'int32' ? Int32Array : Float32Array) => void,
): tf.Tensor {
  type Values = D extends 'int32' ? Int32Array : Float32Array;
  const size = tf.util.sizeFromShape(shape);
  const wasm = size > 0 ? wasmBackend() : undefined;
  if (!wasm) {
    const values = (dtype === 'int32' ? new Int32Array(size) : new Float32Array(size)) as Values;
    fill(values);
    return tf.tensor(values, shape, dtype);
  }
  const info = wasm.makeOutput(shape, dtype);
  // The view is taken after the allocation (which may grow the heap).
  fill(wasm.typedArrayFromHeap(info) as Values);
  return tf.engine().makeTensorFromTensorInfo(info);
}
