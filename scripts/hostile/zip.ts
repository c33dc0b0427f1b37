/**
 * The hostile corpus's own zip writer (fflate only deflates): every header written byte by byte,
 * so each attack on the container is exactly what it says.
 */
import { deflateSync } from 'fflate';

// ---------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------

export const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Little-endian field writer. */
export class Bytes {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 0x10000) & 0xffff);
  }
  u64(v: number): this {
    return this.u32(v % 2 ** 32).u32(Math.floor(v / 2 ** 32));
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(parts: Uint8Array | readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const data of parts instanceof Uint8Array ? [parts] : parts)
    for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const deflate = (data: Uint8Array): Uint8Array => deflateSync(data, { level: 9 });

// ---------------------------------------------------------------------------------------------
// A minimal zip writer: every field can be set to a lie.
// ---------------------------------------------------------------------------------------------

export const SIG_LFH = 0x04034b50;
export const SIG_CDH = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_Z64_EOCD = 0x06064b50;
export const SIG_Z64_LOCATOR = 0x07064b50;
/** 1980-01-01 00:00, the zip epoch: fixed so the output is deterministic. */
export const DOS_TIME = 0;
export const DOS_DATE = (0 << 9) | (1 << 5) | 1;
export const VERSION = 20;
export const HOST_UNIX = 3;

export interface HeaderFields {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  extra?: Uint8Array | undefined;
}

export function localHeader(h: HeaderFields): Uint8Array {
  const extra = h.extra ?? new Uint8Array(0);
  return new Bytes()
    .u32(SIG_LFH)
    .u16(VERSION)
    .u16(h.flags)
    .u16(h.method)
    .u16(DOS_TIME)
    .u16(DOS_DATE)
    .u32(h.crc)
    .u32(h.compressedSize)
    .u32(h.size)
    .u16(h.name.length)
    .u16(extra.length)
    .bytes(h.name)
    .bytes(extra)
    .done();
}

export function centralHeader(
  h: HeaderFields & { madeBy: number; external: number; localOffset: number },
): Uint8Array {
  return new Bytes()
    .u32(SIG_CDH)
    .u16(h.madeBy)
    .u16(VERSION)
    .u16(h.flags)
    .u16(h.method)
    .u16(DOS_TIME)
    .u16(DOS_DATE)
    .u32(h.crc)
    .u32(h.compressedSize)
    .u32(h.size)
    .u16(h.name.length)
    .u16(0) // extra
    .u16(0) // comment
    .u16(0) // disk number start
    .u16(0) // internal attributes
    .u32(h.external)
    .u32(h.localOffset)
    .bytes(h.name)
    .done();
}

export interface EocdFields {
  entries: number;
  cdSize: number;
  cdOffset: number;
  disk?: number;
  entriesOnDisk?: number;
}

export function endRecord(e: EocdFields): Uint8Array {
  return new Bytes()
    .u32(SIG_EOCD)
    .u16(e.disk ?? 0)
    .u16(e.disk ?? 0) // disk with the central directory
    .u16(e.entriesOnDisk ?? e.entries)
    .u16(e.entries)
    .u32(e.cdSize)
    .u32(e.cdOffset)
    .u16(0) // comment length
    .done();
}

/** ZIP64 end-of-central-directory record + locator, to sit right before a classic EOCD. */
export function zip64End(at: number, entries: number, cdSize: number, cdOffset: number): Uint8Array {
  const record = new Bytes()
    .u32(SIG_Z64_EOCD)
    .u64(44) // size of the rest of this record
    .u16((HOST_UNIX << 8) | 45)
    .u16(45)
    .u32(0) // this disk
    .u32(0) // disk with the central directory
    .u64(entries) // entries on this disk
    .u64(entries) // entries in total
    .u64(cdSize)
    .u64(cdOffset)
    .done();
  const locator = new Bytes().u32(SIG_Z64_LOCATOR).u32(0).u64(at).u32(1).done();
  return concat([record, locator]);
}

/** One entry of a simple archive; every header field may be overridden. */
export interface Entry {
  name: string | Uint8Array;
  content: Uint8Array;
  /** 8 (deflate, default) or 0 (stored), or anything else to lie. */
  method?: number;
  /** The bytes to store; default: `content` deflated (method 8) or as is. */
  raw?: Uint8Array;
  crc?: number;
  size?: number;
  compressedSize?: number;
  flags?: number;
  madeBy?: number;
  external?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
}

export interface ArchiveOptions {
  eocd?: Partial<EocdFields>;
}

export function zip(entries: readonly Entry[], opts: ArchiveOptions = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const raw = e.raw ?? (method === 8 ? deflate(e.content) : e.content);
    const name = typeof e.name === 'string' ? utf8(e.name) : e.name;
    const fields: HeaderFields = {
      name,
      flags: e.flags ?? 0,
      method,
      crc: e.crc ?? crc32(e.content),
      compressedSize: e.compressedSize ?? raw.length,
      size: e.size ?? e.content.length,
    };
    const lfh = localHeader({ ...fields, name: e.localName === undefined ? name : utf8(e.localName) });
    centrals.push(
      centralHeader({
        ...fields,
        madeBy: e.madeBy ?? (HOST_UNIX << 8) | VERSION,
        external: e.external ?? (0o100644 << 16) >>> 0,
        localOffset: offset,
      }),
    );
    locals.push(lfh, raw);
    offset += lfh.length + raw.length;
  }
  const cd = concat(centrals);
  const end = endRecord({ entries: entries.length, cdSize: cd.length, cdOffset: offset, ...opts.eocd });
  return concat([...locals, cd, end]);
}
