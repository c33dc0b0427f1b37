/**
 * A writer for PyTorch's own file format (what `torch.save(state_dict, 'weights.pt')` writes since
 * PyTorch 1.6), so an export's weights load with a bare `torch.load(path)`, and with
 * `torch.load(path, weights_only=True)`.
 *
 * The format (torch/serialization.py `_save`) is an uncompressed zip whose entries share one folder
 * (`archive/`):
 *   - `archive/data.pkl`: a pickle (protocol 2) of the object, here an `OrderedDict` of tensors, each
 *     rebuilt by `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 *     backward_hooks)`, where the storage is a persistent id
 *     `('storage', torch.FloatStorage, key, 'cpu', numel)` resolved against the record below;
 *   - `archive/data/<key>`: the raw little-endian bytes of that storage;
 *   - `archive/version`: the format version, `3\n`.
 * Like PyTorch's writer, every record's data starts on a 64-byte boundary (padding goes into a local
 * extra field with PyTorch's id `FB`), so readers can map the storages in place.
 */
import { zipSync, type ZipOptions } from 'fflate';

export interface TorchTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The folder every record is in (PyTorch ≥ 2 uses the same one when saving to a file object). */
const ARCHIVE = 'archive';
const ALIGNMENT = 64;
/** PyTorch's padding extra field id: 'F', 'B' read as a little-endian uint16. */
const PAD_FIELD_ID = 0x4246;
/** A fixed timestamp (zip entries need one) so the same weights give the same bytes. */
const MTIME = new Date(2000, 0, 1);

/** Pickle opcodes (Lib/pickle.py), protocol 2 and below. */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63, // c
  EMPTY_TUPLE: 0x29, // )
  REDUCE: 0x52, // R
  MARK: 0x28, // (
  TUPLE: 0x74, // t
  SETITEMS: 0x75, // u
  BINUNICODE: 0x58, // X
  BINPERSID: 0x51, // Q
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  BININT: 0x4a, // J
  LONG1: 0x8a,
  NEWFALSE: 0x89,
  STOP: 0x2e, // .
} as const;

/** A minimal pickle writer: only what a state dict of tensors needs. */
class Pickler {
  private chunks: number[] = [];

  op(code: number): this {
    this.chunks.push(code);
    return this;
  }

  global(module: string, name: string): this {
    this.op(OP.GLOBAL);
    for (const b of Buffer.from(`${module}\n${name}\n`, 'utf8')) this.chunks.push(b);
    return this;
  }

  str(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.op(OP.BINUNICODE).u32(bytes.byteLength);
    for (const b of bytes) this.chunks.push(b);
    return this;
  }

  int(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`torchSave: cannot pickle ${n}`);
    if (n < 0x100) return this.op(OP.BININT1).byte(n);
    if (n < 0x10000)
      return this.op(OP.BININT2)
        .byte(n & 0xff)
        .byte(n >>> 8);
    if (n < 0x80000000) return this.op(OP.BININT).u32(n);
    // LONG1: a little-endian two's-complement integer of n bytes (positive: a clear top bit).
    const bytes: number[] = [];
    for (let v = BigInt(n); v > 0n; v >>= 8n) bytes.push(Number(v & 0xffn));
    if ((bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0);
    this.op(OP.LONG1).byte(bytes.length);
    for (const b of bytes) this.byte(b);
    return this;
  }

  /** A tuple of non-negative integers (MARK ... TUPLE, or `()`). */
  intTuple(values: readonly number[]): this {
    if (values.length === 0) return this.op(OP.EMPTY_TUPLE);
    this.op(OP.MARK);
    for (const v of values) this.int(v);
    return this.op(OP.TUPLE);
  }

  /** `collections.OrderedDict()` left on the stack. */
  emptyOrderedDict(): this {
    return this.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private byte(b: number): this {
    this.chunks.push(b & 0xff);
    return this;
  }

  private u32(n: number): this {
    return this.byte(n)
      .byte(n >>> 8)
      .byte(n >>> 16)
      .byte(n >>> 24);
  }
}

/** Row-major strides, as PyTorch computes them for a contiguous tensor (a 0-size dim counts as 1). */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

function checkTensors(tensors: readonly TorchTensor[]): void {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`torchSave: duplicate tensor name ${JSON.stringify(t.name)}`);
    names.add(t.name);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new Error(`torchSave: ${t.name} has an invalid shape [${t.shape.join(', ')}]`);
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (numel !== t.data.length)
      throw new Error(
        `torchSave: ${t.name} has shape [${t.shape.join(', ')}] (${numel} values) but ${t.data.length} values`,
      );
  }
}

/** `data.pkl`: the OrderedDict of tensors; tensor i's storage is the record `data/<i>`. */
function pickleStateDict(tensors: readonly TorchTensor[]): Uint8Array {
  const p = new Pickler().op(OP.PROTO).op(2).emptyOrderedDict();
  if (tensors.length > 0) {
    p.op(OP.MARK);
    tensors.forEach((t, i) => {
      p.str(t.name);
      p.global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
      // The storage, as a persistent id: ('storage', torch.FloatStorage, key, location, numel).
      p.op(OP.MARK)
        .str('storage')
        .global('torch', 'FloatStorage')
        .str(String(i))
        .str('cpu')
        .int(t.data.length)
        .op(OP.TUPLE)
        .op(OP.BINPERSID);
      p.int(0) // storage offset
        .intTuple(t.shape)
        .intTuple(contiguousStrides(t.shape))
        .op(OP.NEWFALSE) // requires_grad
        .emptyOrderedDict() // backward hooks
        .op(OP.TUPLE)
        .op(OP.REDUCE);
    });
    p.op(OP.SETITEMS);
  }
  return p.op(OP.STOP).bytes();
}

/** A little-endian view of a float32 array's bytes (typed arrays are little-endian wherever Node runs). */
function float32Bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Serializes named float32 tensors as PyTorch does `torch.save(OrderedDict(...), path)`: the result
 * loads with `torch.load(path)` as an `OrderedDict[str, torch.Tensor]` of contiguous float32 CPU
 * tensors, in the given order.
 */
export function torchSave(tensors: readonly TorchTensor[]): Uint8Array {
  checkTensors(tensors);
  const records: [string, Uint8Array][] = [
    [`${ARCHIVE}/data.pkl`, pickleStateDict(tensors)],
    ...tensors.map((t, i): [string, Uint8Array] => [`${ARCHIVE}/data/${i}`, float32Bytes(t.data)]),
    [`${ARCHIVE}/version`, Buffer.from('3\n', 'utf8')],
  ];
  // fflate lays entries out in insertion order, each as a 30-byte local header, the name, the extra
  // fields (4 bytes + data each) and the stored data: pad each header so its data is 64-byte aligned.
  const entries: Record<string, [Uint8Array, ZipOptions]> = {};
  let offset = 0;
  const dataOffsets: number[] = [];
  for (const [name, data] of records) {
    const header = 30 + Buffer.byteLength(name, 'utf8');
    let pad = (ALIGNMENT - ((offset + header + 4) % ALIGNMENT)) % ALIGNMENT;
    const extra = { [PAD_FIELD_ID]: new Uint8Array(pad).fill(0x5a) }; // 'Z', like PyTorch
    pad += 4;
    dataOffsets.push(offset + header + pad);
    entries[name] = [data, { level: 0, mtime: MTIME, extra }];
    offset += header + pad + data.byteLength;
  }
  if (offset >= 0xffffffff) throw new Error('torchSave: the weights exceed 4 GiB (zip64 is not supported)');
  const zip = zipSync(entries);
  // The layout above is fflate's: check it, so a change there cannot silently misalign the data.
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let pos = 0;
  records.forEach(([, data], i) => {
    const start = pos + 30 + view.getUint16(pos + 26, true) + view.getUint16(pos + 28, true);
    if (view.getUint32(pos, true) !== 0x04034b50 || start !== dataOffsets[i] || start % ALIGNMENT !== 0)
      throw new Error('torchSave: unexpected zip layout');
    pos = start + data.byteLength;
  });
  return zip;
}
