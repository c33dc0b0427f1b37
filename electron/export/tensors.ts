/**
 * Weights as plain arrays: reading the tfjs layers-format artifacts a project stores, the few layout
 * changes the exporters need (transpose, permute, reorder gate blocks), and a writer for the
 * safetensors format (an 8-byte header length, a JSON header, raw little-endian data), which is
 * trivial to produce here and to read in Python with `struct` alone.
 */
import type { ExportPlan, PlanNode } from './plan';
import { ExportError } from './plan';

export interface HostTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype?: string;
}

/** Every weight in tfjs artifacts, by its tfjs name (`dense_1/kernel`), in manifest order. */
export function readTfjsWeights(modelJson: string, weightsBin: Uint8Array): Map<string, HostTensor> {
  let json: { weightsManifest?: { weights: ManifestEntry[] }[] };
  try {
    json = JSON.parse(modelJson) as typeof json;
  } catch (e) {
    throw new ExportError(`The trained weights' model.json is not valid JSON (${(e as Error).message}).`);
  }
  const entries = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  const out = new Map<string, HostTensor>();
  const bytes = new Uint8Array(weightsBin); // copy: aligned for Float32Array
  let offset = 0;
  for (const e of entries) {
    const dtype = e.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'int32')
      throw new ExportError(`Weight ${e.name} has dtype ${dtype}; only float32 and int32 are supported.`);
    const n = size(e.shape);
    const end = offset + n * 4;
    if (end > bytes.byteLength)
      throw new ExportError(`The trained weights are truncated: weights.bin ends inside ${e.name}.`);
    const slice = bytes.slice(offset, end).buffer;
    out.set(e.name, {
      shape: [...e.shape],
      data: dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice),
    });
    offset = end;
  }
  if (offset !== bytes.byteLength)
    throw new ExportError(
      `weights.bin has ${bytes.byteLength - offset} bytes the manifest does not describe.`,
    );
  return out;
}

/**
 * The weights of one node by catalog name (`kernel`, `forward_kernel`...). tfjs names them
 * `<node>/<name>`, and a Bidirectional wrapper `<node>/forward_<inner>/<name>`.
 */
export function nodeWeights(all: Map<string, HostTensor>, node: PlanNode): (name: string) => HostTensor {
  return (name: string) => {
    const direct = all.get(`${node.id}/${name}`);
    if (direct) return direct;
    const m = /^(forward|backward)_(.+)$/.exec(name);
    if (m) {
      for (const [k, v] of all) if (k.startsWith(`${node.id}/${m[1]}_`) && k.endsWith(`/${m[2]}`)) return v;
    }
    throw new ExportError(
      `The trained weights have no ${name} for ${node.id} (${node.kind}); retrain the model after changing the graph.`,
    );
  };
}

/** Transpose with an arbitrary permutation (`out.shape[i] = t.shape[perm[i]]`). */
export function permute(t: HostTensor, perm: readonly number[]): HostTensor {
  const r = t.shape.length;
  if (perm.length !== r) throw new Error(`permute: rank ${r} vs ${perm.length}`);
  const outShape = perm.map((p) => t.shape[p]!);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= t.shape[i]!;
  }
  const strides = perm.map((p) => inStrides[p]!);
  const out = t.data instanceof Int32Array ? new Int32Array(t.data.length) : new Float32Array(t.data.length);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = t.data[src]!;
    for (let a = r - 1; a >= 0; a--) {
      idx[a]!++;
      src += strides[a]!;
      if (idx[a]! < outShape[a]!) break;
      src -= strides[a]! * outShape[a]!;
      idx[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}

export const transpose2d = (t: HostTensor): HostTensor => permute(t, [1, 0]);

export function reshape(t: HostTensor, shape: number[]): HostTensor {
  if (size(shape) !== t.data.length) throw new Error(`reshape: ${t.shape} -> ${shape}`);
  return { shape, data: t.data };
}

/** Reorders `gates` equal blocks along axis 0 (`order[i]` = source block of block i). */
export function reorderBlocks(t: HostTensor, gates: number, order: readonly number[]): HostTensor {
  const block = t.data.length / gates;
  const out = t.data instanceof Int32Array ? new Int32Array(t.data.length) : new Float32Array(t.data.length);
  order.forEach((src, i) => out.set(t.data.subarray(src * block, (src + 1) * block), i * block));
  return { shape: t.shape, data: out };
}

/** The rows of a matrix [r, n], each [n] (a GRU with reset after: its input and recurrent biases). */
export function rows(t: HostTensor): HostTensor[] {
  const [r = 0, n = 0] = t.shape;
  return Array.from({ length: r }, (_, i) => ({ shape: [n], data: t.data.slice(i * n, (i + 1) * n) }));
}

export function zeros(shape: number[]): HostTensor {
  return { shape, data: new Float32Array(size(shape)) };
}

/** A safetensors file: tensors in the given order, optional string metadata. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = {
      dtype: t.data instanceof Int32Array ? 'I32' : 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned (the header is padded with spaces, as the format allows).
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let pos = 8 + head.byteLength;
  for (const t of tensors.values()) {
    // Typed arrays are little-endian on every platform Node supports.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** All trained weights of a plan, per node (used by exporters that convert them). */
export function planWeights(plan: ExportPlan, weights: { modelJson: string; weightsBin: Uint8Array }) {
  const all = readTfjsWeights(weights.modelJson, weights.weightsBin);
  return (node: PlanNode) => nodeWeights(all, node);
}
