/**
 * A small builder for an ONNX graph, serialised with ONNX's own schema (`onnx-proto`: onnx.proto
 * compiled by protobufjs), never by hand. Values and initializers are named after the Netloom node
 * that makes them (`dense_1`, `dense_1/kernel`); the op that computes a layer's result is named after
 * the node's id, its helper ops `<id>/<Op>_<k>`.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { Shape } from '../../shared/layers/index';
import type { HostTensor } from './tensors';

const { onnx } = onnxProto;

/** The opset the export targets (ONNX 1.12 / onnxruntime ≥ 1.12); IR version 8 goes with it. */
export const OPSET = 17;
const IR_VERSION = 8;

/** An attribute value; numbers are tagged so an int never becomes a float by accident. */
export type Attr =
  | { i: number }
  | { f: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { s: string }
  | { strings: readonly string[] };

export const int = (i: number): Attr => ({ i });
export const float = (f: number): Attr => ({ f });
export const intList = (ints: readonly number[]): Attr => ({ ints });

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

function attribute(name: string, v: Attr): OnnxTypes.IAttributeProto {
  if ('i' in v) return { name, type: A.INT, i: v.i };
  if ('f' in v) return { name, type: A.FLOAT, f: v.f };
  if ('ints' in v) return { name, type: A.INTS, ints: [...v.ints] };
  if ('floats' in v) return { name, type: A.FLOATS, floats: [...v.floats] };
  if ('s' in v) return { name, type: A.STRING, s: new TextEncoder().encode(v.s) };
  return { name, type: A.STRINGS, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
}

const bytes = (a: Float32Array | Int32Array | BigInt64Array) =>
  new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/** A dimension as ONNX describes it: a size, a named symbol (`batch`, `seq`), or unknown. */
function dimension(d: number | string): OnnxTypes.TensorShapeProto.IDimension {
  if (typeof d === 'number') return { dimValue: d };
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(d) ? { dimParam: d } : {};
}

export interface GraphValue {
  name: string;
  dtype: 'float32' | 'int32';
  /** With the batch axis first (a symbol). */
  shape: Shape;
}

function valueInfo(v: GraphValue): OnnxTypes.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.dtype === 'int32' ? T.INT32 : T.FLOAT,
        shape: { dim: v.shape.map(dimension) },
      },
    },
  };
}

export class OnnxBuilder {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly consts = new Map<string, string>();
  private owner = 'graph';
  private count = 0;
  private mainNamed = false;
  private first = 0;

  /** Ops added from now on belong to the Netloom node `id`. */
  begin(id: string): void {
    this.owner = id;
    this.count = 0;
    this.mainNamed = false;
    this.first = this.nodes.length;
  }

  /** Ends a node's ops: when none was marked as its main op, its first op takes the node's id. */
  end(): void {
    const first = this.nodes[this.first];
    if (!this.mainNamed && first) first.name = this.owner;
    this.mainNamed = true;
  }

  /** A value name not used yet, `<owner>/<base>` unless `exact`. */
  fresh(base: string, exact = false): string {
    const root = exact ? base : `${this.owner}/${base}`;
    let name = root;
    for (let i = 2; this.names.has(name); i++) name = `${root}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name (a graph input) so nothing else takes it. */
  reserve(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX export: the value name ${name} is taken twice`);
    this.names.add(name);
  }

  /**
   * Adds an op; returns its outputs' names (`outputs` of them; an empty string skips an optional
   * output). With `main` the op is named after the node (once per node) and, with `out`, writes the
   * value of that name.
   */
  opN(
    type: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    o: { outputs?: number | readonly (string | null)[]; main?: boolean; out?: string } = {},
  ): string[] {
    const spec = o.outputs ?? 1;
    const outs =
      typeof spec === 'number'
        ? Array.from({ length: spec }, (_, i) => (i === 0 && o.out ? o.out : this.fresh(`${type}_out`)))
        : spec.map((s) => (s === null ? '' : this.fresh(s)));
    if (o.out && typeof spec === 'number') this.reserve(o.out);
    const main = o.main === true && !this.mainNamed;
    if (main) this.mainNamed = true;
    this.nodes.push({
      name: main ? this.owner : `${this.owner}/${type}_${++this.count}`,
      opType: type,
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  op(type: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, main = false): string {
    return this.opN(type, inputs, attrs, { main })[0]!;
  }

  /** A float32 or int32 initializer named `<owner>/<name>`. */
  weight(name: string, t: HostTensor): string {
    const full = this.fresh(name);
    this.initializers.push({
      name: full,
      dims: [...t.shape],
      dataType: t.data instanceof Int32Array ? T.INT32 : T.FLOAT,
      rawData: bytes(t.data),
    });
    return full;
  }

  /** A float32 constant (shared between uses of the same values). */
  floats(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const key = `f:${shape.join('x')}:${values.join(',')}`;
    const known = this.consts.get(key);
    if (known) return known;
    const name = this.fresh(`const_${this.consts.size}`, true);
    this.initializers.push({
      name,
      dims: [...shape],
      dataType: T.FLOAT,
      rawData: bytes(Float32Array.from(values)),
    });
    this.consts.set(key, name);
    return name;
  }

  scalar(v: number): string {
    return this.floats([v], []);
  }

  /** An int64 constant (shapes, axes, indices). */
  int64s(values: readonly number[]): string {
    const key = `i:${values.join(',')}`;
    const known = this.consts.get(key);
    if (known) return known;
    const name = this.fresh(`const_${this.consts.size}`, true);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: T.INT64,
      rawData: bytes(BigInt64Array.from(values.map((v) => BigInt(v)))),
    });
    this.consts.set(key, name);
    return name;
  }

  /** The serialised model. */
  encode(
    graphName: string,
    inputs: readonly GraphValue[],
    outputs: readonly GraphValue[],
    meta: { producerVersion: string; doc: string; props: Record<string, string> },
  ): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'Netloom',
      producerVersion: meta.producerVersion,
      docString: meta.doc,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.props).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
