/**
 * Reading an ONNX model for import: decoded by ONNX's own schema (`onnx-proto`), never by hand, with
 * every size checked before anything is allocated. Initializers and Constant nodes become constants
 * (float32 weights; int64/int32 shapes, axes and indices); data kept outside the file is refused.
 * Nothing the model holds is executed.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { IMPORT_LIMITS, ImportError } from './types';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** A constant: float32 values (weights) or integers (shapes, axes, indices), with its dims. */
export interface Const {
  dims: number[];
  float?: Float32Array;
  ints?: number[];
}

export interface OnnxNode {
  /** The node's name, or `<op>_<index>` when it has none. */
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxTypes.IAttributeProto>;
  index: number;
}

export interface GraphInput {
  name: string;
  elemType: number;
  /** Dims as declared: a size, or null for a symbolic or unknown one. */
  dims: (number | null)[];
}

export interface OnnxGraph {
  name?: string;
  /** The default domain's opset version (operators' defaults changed over versions). */
  opset: number;
  nodes: OnnxNode[];
  consts: Map<string, Const>;
  inputs: GraphInput[];
  outputs: string[];
}

/** A protobuf int64 (a number, or a Long from protobufjs) as a number; NaN when it is not one. */
export function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    const high = l.unsigned ? l.high >>> 0 : l.high;
    return high * 2 ** 32 + (l.low >>> 0);
  }
  return Number.NaN;
}

const { maxRank, maxTensorElements, maxNodes, maxFileBytes } = IMPORT_LIMITS;

/** Checks a tensor's dims (rank, non-negative whole sizes, element count) before anything is allocated. */
function checkDims(raw: readonly unknown[], where: string): { dims: number[]; size: number } {
  if (raw.length > maxRank)
    throw new ImportError(`${where}: rank ${raw.length} is more than Netloom reads (${maxRank}).`);
  const dims = raw.map(toNum);
  let size = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new ImportError(`${where}: the dimension ${String(d)} is not a size.`);
    size *= d;
    if (size > maxTensorElements) throw new ImportError(`${where}: more than ${maxTensorElements} elements.`);
  }
  return { dims, size };
}

const aligned = (raw: Uint8Array) => Uint8Array.from(raw).buffer;

/** Integers; beyond ±2⁵³ they are clamped (ONNX writes INT64_MAX for "to the end"). */
function ints(values: readonly unknown[], where: string): number[] {
  return values.map((v) => {
    const n = toNum(v);
    if (Number.isNaN(n)) throw new ImportError(`${where}: ${String(v)} is not an integer.`);
    return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
  });
}

/** A TensorProto as a constant, refused (located) unless it is self-contained and its data fits its dims. */
export function readTensor(t: OnnxTypes.ITensorProto, where: string): Const {
  const name = t.name ? `the tensor ${t.name}` : 'a tensor';
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0)
    throw new ImportError(
      `${where}: ${name} keeps its data in an external file; Netloom imports self-contained .onnx files only.`,
    );
  if (t.segment)
    throw new ImportError(`${where}: ${name} is split into segments, which Netloom does not read.`);
  const { dims, size } = checkDims(t.dims ?? [], `${where}: ${name}`);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const wrong = (got: number, unit: string) =>
    new ImportError(`${where}: ${name} has ${got} ${unit} for dims [${dims.join(', ')}] (${size} values).`);
  switch (t.dataType) {
    case T.FLOAT: {
      if (raw) {
        if (raw.length !== size * 4) throw wrong(raw.length, 'bytes');
        return { dims, float: new Float32Array(aligned(raw)) };
      }
      const data = t.floatData ?? [];
      if (data.length !== size) throw wrong(data.length, 'floats');
      return { dims, float: Float32Array.from(data) };
    }
    case T.INT64: {
      if (raw) {
        if (raw.length !== size * 8) throw wrong(raw.length, 'bytes');
        return { dims, ints: ints([...new BigInt64Array(aligned(raw))], where) };
      }
      const data = t.int64Data ?? [];
      if (data.length !== size) throw wrong(data.length, 'integers');
      return { dims, ints: ints(data, where) };
    }
    case T.INT32: {
      if (raw) {
        if (raw.length !== size * 4) throw wrong(raw.length, 'bytes');
        return { dims, ints: [...new Int32Array(aligned(raw))] };
      }
      const data = t.int32Data ?? [];
      if (data.length !== size) throw wrong(data.length, 'integers');
      return { dims, ints: ints(data, where) };
    }
    default:
      throw new ImportError(
        `${where}: ${name} has data type ${String(t.dataType)}; Netloom imports float32 weights and int64/int32 constants only.`,
      );
  }
}

/** A Constant node's value (`value`, `value_float(s)`, `value_int(s)`). */
function constantValue(n: OnnxNode): Const {
  const where = `${n.name} (Constant)`;
  const [attr] = [...n.attrs.values()];
  if (n.attrs.size !== 1 || !attr) throw new ImportError(`${where}: a Constant needs exactly one value.`);
  switch (attr.name) {
    case 'value':
      return readTensor(attr.t ?? {}, where);
    case 'value_float':
      return { dims: [], float: Float32Array.of(attr.f ?? 0) };
    case 'value_floats':
      return { dims: [attr.floats?.length ?? 0], float: Float32Array.from(attr.floats ?? []) };
    case 'value_int':
      return { dims: [], ints: ints([attr.i ?? 0], where) };
    case 'value_ints':
      return { dims: [attr.ints?.length ?? 0], ints: ints(attr.ints ?? [], where) };
    default:
      throw new ImportError(`${where}: the constant form ${String(attr.name)} is not supported.`);
  }
}

function graphInput(v: OnnxTypes.IValueInfoProto): GraphInput {
  const name = v.name ?? '';
  const tensor = v.type?.tensorType;
  if (!tensor)
    throw new ImportError(`The input ${name} is not a tensor; Netloom imports tensor inputs only.`);
  const dim = tensor.shape?.dim ?? [];
  if (dim.length > maxRank) throw new ImportError(`The input ${name} has rank ${dim.length}.`);
  const dims = dim.map((d) => {
    const n = d.dimValue === undefined || d.dimValue === null ? Number.NaN : toNum(d.dimValue);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  });
  if (dims.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1) > maxTensorElements)
    throw new ImportError(`The input ${name} has more than ${maxTensorElements} values per sample.`);
  return { name, elemType: tensor.elemType ?? 0, dims };
}

function decode(bytes: Uint8Array, file: string): OnnxTypes.ModelProto {
  if (bytes.byteLength > maxFileBytes)
    throw new ImportError(
      `${file} is ${bytes.byteLength} bytes; Netloom imports models up to ${maxFileBytes}.`,
    );
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ImportError(`${file} is not a readable ONNX model (${(e as Error).message}).`);
  }
}

function readNode(p: OnnxTypes.INodeProto, index: number): OnnxNode {
  const domain = p.domain && p.domain !== 'ai.onnx' ? `${p.domain}:` : '';
  const op = `${domain}${p.opType ?? ''}` || 'unnamed op';
  const attrs = new Map<string, OnnxTypes.IAttributeProto>();
  let subgraph = false;
  for (const a of p.attribute ?? []) {
    if (a.type === A.GRAPH || a.type === A.GRAPHS || a.g || (a.graphs?.length ?? 0) > 0) subgraph = true;
    attrs.set(a.name ?? '', a);
  }
  return {
    name: (p.name ?? '').slice(0, 200) || `${op}_${index}`,
    // A subgraph is never read: the node is reported as its op, unsupported.
    op: subgraph && !['If', 'Loop', 'Scan'].includes(op) ? `${op} (with a subgraph)` : op,
    inputs: [...(p.input ?? [])],
    outputs: [...(p.output ?? [])],
    attrs,
    index,
  };
}

/** The model's graph: nodes in order, constants, inputs (initializers excluded) and output names. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  const model = decode(bytes, file);
  const g = model.graph;
  if (!g) throw new ImportError(`${file} has no graph.`);
  if ((g.sparseInitializer?.length ?? 0) > 0)
    throw new ImportError(`${file}: sparse initializers are not supported.`);
  if ((g.node?.length ?? 0) > maxNodes)
    throw new ImportError(`${file} has ${g.node?.length} nodes; Netloom imports up to ${maxNodes}.`);
  const consts = new Map<string, Const>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new ImportError(`${file}: an initializer has no name.`);
    consts.set(name, readTensor(t, `initializer ${name.slice(0, 200)}`));
  }
  const nodes: OnnxNode[] = [];
  (g.node ?? []).forEach((p, i) => {
    const n = readNode(p, i);
    if (n.op === 'Constant' && n.outputs.length === 1) consts.set(n.outputs[0]!, constantValue(n));
    else nodes.push(n);
  });
  const main = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    ...(g.name ? { name: g.name } : {}),
    opset: main ? toNum(main.version ?? 0) : 0,
    nodes,
    consts,
    inputs: (g.input ?? []).filter((v) => !consts.has(v.name ?? '')).map(graphInput),
    outputs: (g.output ?? []).map((v) => v.name ?? ''),
  };
}

/** An attribute's value, by kind; undefined when the node does not set it. */
export const attr = {
  int: (n: OnnxNode, name: string): number | undefined => {
    const a = n.attrs.get(name);
    return a ? toNum(a.i ?? 0) : undefined;
  },
  float: (n: OnnxNode, name: string): number | undefined => {
    const a = n.attrs.get(name);
    return a ? (a.f ?? 0) : undefined;
  },
  ints: (n: OnnxNode, name: string): number[] | undefined => {
    const a = n.attrs.get(name);
    return a ? (a.ints ?? []).map(toNum) : undefined;
  },
  str: (n: OnnxNode, name: string): string | undefined => {
    const a = n.attrs.get(name);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : undefined;
  },
  strs: (n: OnnxNode, name: string): string[] | undefined => {
    const a = n.attrs.get(name);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  },
};
