/**
 * Writes the hostile `.nnproj` corpus to `test/fixtures/hostile/` (or the folder given as the first
 * argument): `npx tsx scripts/make-hostile-fixtures.ts [out-dir]`.
 *
 * Every file is built byte by byte with the small zip writer below (fflate only deflates), so the
 * corpus does not depend on the project's own writer and each attack is exactly what it says. The
 * output is deterministic: `test/unit/hostile.test.ts` re-runs this into a temporary folder and
 * compares the bytes with the committed files.
 */
import { deflateSync } from 'fflate';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------

const enc = new TextEncoder();
const utf8 = (s: string): Uint8Array => enc.encode(s);

function concat(parts: readonly Uint8Array[]): Uint8Array {
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
class Bytes {
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

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array | readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const data of parts instanceof Uint8Array ? [parts] : parts)
    for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const deflate = (data: Uint8Array): Uint8Array => deflateSync(data, { level: 9 });

// ---------------------------------------------------------------------------------------------
// A minimal zip writer: every field can be set to a lie.
// ---------------------------------------------------------------------------------------------

const SIG_LFH = 0x04034b50;
const SIG_CDH = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_Z64_EOCD = 0x06064b50;
const SIG_Z64_LOCATOR = 0x07064b50;
/** 1980-01-01 00:00, the zip epoch: fixed so the output is deterministic. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION = 20;
const HOST_UNIX = 3;

interface HeaderFields {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  extra?: Uint8Array | undefined;
}

function localHeader(h: HeaderFields): Uint8Array {
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

function centralHeader(
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

interface EocdFields {
  entries: number;
  cdSize: number;
  cdOffset: number;
  disk?: number;
  entriesOnDisk?: number;
}

function endRecord(e: EocdFields): Uint8Array {
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
function zip64End(at: number, entries: number, cdSize: number, cdOffset: number): Uint8Array {
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
interface Entry {
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

interface ArchiveOptions {
  eocd?: Partial<EocdFields>;
}

function zip(entries: readonly Entry[], opts: ArchiveOptions = {}): Uint8Array {
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

// ---------------------------------------------------------------------------------------------
// Contents
// ---------------------------------------------------------------------------------------------

const TRAINING = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  epochs: 20,
  validationSplit: 0.2,
  shuffle: true,
  seed: 42,
  loss: 'auto',
  earlyStopping: null,
};

const node = (id: string, kind: string, params: Record<string, unknown>, y: number) => ({
  id,
  kind,
  params,
  position: { x: 0, y },
});
const edge = (id: string, source: string, target: string, targetPort = 'in') => ({
  id,
  source,
  target,
  targetPort,
});

/** A small valid project (a perceptron) that each attack starts from. */
function baseProject(): Record<string, unknown> {
  return {
    format: 'netloom-project',
    formatVersion: 1,
    name: 'Hostile fixture',
    graph: {
      nodes: [
        node('input_1', 'Input', { shape: [2], dtype: 'float32' }, 0),
        node('dense_1', 'Dense', { units: 1, activation: 'sigmoid', useBias: true }, 110),
        node('output_1', 'Output', { targetShape: [1], loss: 'auto' }, 220),
      ],
      edges: [edge('e1', 'input_1', 'dense_1'), edge('e2', 'dense_1', 'output_1')],
    },
    data: null,
    training: { ...TRAINING },
    runs: [],
  };
}

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v, null, 2) + '\n');
const PROJECT = json(baseProject());
const project = (content: Uint8Array = PROJECT, more: Partial<Entry> = {}): Entry => ({
  name: 'project.json',
  content,
  ...more,
});

/** The base project as a valid archive (exported so the tests can show it opens). */
export function validArchive(): Uint8Array {
  return zip([project()]);
}

/** Valid JSON text of `bytes` length: the base project with whitespace after its first `{`. */
function paddedProject(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes).fill(0x20);
  out[0] = 0x7b; // {
  const rest = PROJECT.subarray(1);
  out.set(rest, bytes - rest.length);
  return out;
}

// A PNG signature and IHDR chunk of a 1×1 image (plus IEND), for "not a zip".
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
  0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
]);

/**
 * David Fifield's overlapping-file zip bomb ("A better zip bomb", 2019): one highly compressed
 * kernel shared by every entry; each entry's deflate stream starts with a non-final stored block that
 * quotes the next entry's local header, then runs on into that entry's data. Every entry inflates to
 * the kernel plus the headers after it; an extractor that trusts the directory inflates the kernel
 * once per entry. Each entry stays under 1 MiB so only the overlap check can catch it.
 */
function fifieldBomb(count: number, kernelBytes: number): Uint8Array {
  const names = [
    'project.json',
    ...Array.from({ length: count - 1 }, (_, i) => `data/bomb${String(i + 1).padStart(2, '0')}.csv`),
  ].map(utf8);
  const kernelPlain = new Uint8Array(kernelBytes).fill(0x41);
  const kernel = deflate(kernelPlain);
  const lens = names.map((n) => 30 + n.length);
  // Layout: LFH0 S0 LFH1 S1 ... LFH(n-1) kernel, where Si is a 5-byte stored-block header quoting
  // LFH(i+1). Entry i's data is everything from Si to the end of the kernel.
  const fields: HeaderFields[] = new Array<HeaderFields>(count);
  const headers: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = count - 1; i >= 0; i--) {
    const after = headers.slice(i + 1);
    fields[i] = {
      name: names[i]!,
      flags: 0,
      method: 8,
      crc: crc32([...after, kernelPlain]),
      compressedSize: kernel.length + after.reduce((a, h) => a + 5 + h.length, 0),
      size: kernelBytes + after.reduce((a, h) => a + h.length, 0),
    };
    headers[i] = localHeader(fields[i]!);
  }
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    centrals.push(
      centralHeader({
        ...fields[i]!,
        madeBy: (HOST_UNIX << 8) | VERSION,
        external: (0o100644 << 16) >>> 0,
        localOffset: offset,
      }),
    );
    parts.push(headers[i]!);
    offset += lens[i]!;
    if (i < count - 1) {
      const next = lens[i + 1]!;
      // Non-final stored block: BFINAL 0, BTYPE 00 (rest of the byte is padding), LEN, NLEN.
      parts.push(
        new Bytes()
          .u8(0)
          .u16(next)
          .u16(~next & 0xffff)
          .done(),
      );
      offset += 5;
    }
  }
  parts.push(kernel);
  offset += kernel.length;
  const cd = concat(centrals);
  return concat([...parts, cd, endRecord({ entries: count, cdSize: cd.length, cdOffset: offset })]);
}

/** Two central entries whose data is the same bytes: entry B's local header hides in A's extra field. */
function sharedDataOverlap(): Uint8Array {
  const content = utf8('a,b\n1,2\n');
  const raw = deflate(content);
  const common = { madeBy: (HOST_UNIX << 8) | VERSION, external: (0o100644 << 16) >>> 0 };
  const csv = (name: string): HeaderFields => ({
    name: utf8(name),
    flags: 0,
    method: 8,
    crc: crc32(content),
    compressedSize: raw.length,
    size: content.length,
  });
  const pj: HeaderFields = {
    name: utf8('project.json'),
    flags: 0,
    method: 0,
    crc: crc32(PROJECT),
    compressedSize: PROJECT.length,
    size: PROJECT.length,
  };
  const pjLfh = localHeader(pj);
  const inner = localHeader(csv('data/b.csv'));
  const outer = localHeader({ ...csv('data/a.csv'), extra: inner });
  const aAt = pjLfh.length + PROJECT.length;
  const cd = concat([
    centralHeader({ ...pj, ...common, localOffset: 0 }),
    centralHeader({ ...csv('data/a.csv'), ...common, localOffset: aAt }),
    centralHeader({ ...csv('data/b.csv'), ...common, localOffset: aAt + outer.length - inner.length }),
  ]);
  const cdOffset = aAt + outer.length + raw.length;
  return concat([pjLfh, PROJECT, outer, raw, cd, endRecord({ entries: 3, cdSize: cd.length, cdOffset })]);
}

/** Central entries that all point at one local header (offset 0). */
function manyPointers(names: readonly string[], opts: { zip64: boolean }): Uint8Array {
  const content = utf8('x\n');
  const first = utf8(names[0]!);
  const fields = (name: Uint8Array): HeaderFields => ({
    name,
    flags: 0,
    method: 0,
    crc: crc32(content),
    compressedSize: content.length,
    size: content.length,
  });
  const lfh = localHeader(fields(first));
  const common = { madeBy: (HOST_UNIX << 8) | VERSION, external: (0o100644 << 16) >>> 0, localOffset: 0 };
  const cd = concat(names.map((n) => centralHeader({ ...fields(utf8(n)), ...common })));
  const cdOffset = lfh.length + content.length;
  if (!opts.zip64)
    return concat([lfh, content, cd, endRecord({ entries: names.length, cdSize: cd.length, cdOffset })]);
  const z64At = cdOffset + cd.length;
  return concat([
    lfh,
    content,
    cd,
    zip64End(z64At, names.length, cd.length, cdOffset),
    endRecord({ entries: 0xffff, cdSize: cd.length, cdOffset }),
  ]);
}

/** `data/AAA.csv`, `data/AAB.csv`, ...: distinct names on the allowlist. */
function dataNames(count: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    let k = i;
    for (let d = 0; d < 3; d++) {
      s = alphabet[k % alphabet.length]! + s;
      k = Math.floor(k / alphabet.length);
    }
    out.push(`data/${s}.csv`);
  }
  return out;
}

function withProject(mutate: (p: Record<string, unknown>) => void): Uint8Array {
  const p = baseProject();
  mutate(p);
  return json(p);
}

function withProjectText(edit: (text: string) => string): Uint8Array {
  return utf8(edit(new TextDecoder().decode(PROJECT)));
}

function graphOf(p: Record<string, unknown>): {
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
} {
  return p.graph as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
}

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

export interface Fixture {
  file: string;
  /** What the file attacks (for the README). */
  attack: string;
  /** The `ProjectFileError` code a reader must refuse it with. */
  code: string;
  bytes: () => Uint8Array;
}

const MiB = 1024 * 1024;

export const FIXTURES: readonly Fixture[] = [
  // --- names ---
  {
    file: 'zip-slip-parent.nnproj',
    attack: 'Zip-slip: an entry named `../evil.json` escapes the extraction folder.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '../evil.json', content: utf8('{"pwned":true}\n') }]),
  },
  {
    file: 'zip-slip-weights.nnproj',
    attack: 'Zip-slip hidden behind an allowed prefix: `weights/../../x`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'weights/../../x', content: utf8('pwned\n') }]),
  },
  {
    file: 'absolute-path.nnproj',
    attack: 'An absolute path, `/etc/passwd`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '/etc/passwd', content: utf8('root::0:0:root:/root:/bin/sh\n') }]),
  },
  {
    file: 'drive-letter-backslash.nnproj',
    attack: 'A Windows drive path with a backslash, `C:\\evil`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'C:\\evil', content: utf8('pwned\n') }]),
  },
  {
    file: 'drive-letter.nnproj',
    attack: 'A Windows drive path with forward slashes, `C:/Windows/evil.dll`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'C:/Windows/evil.dll', content: utf8('MZ') }]),
  },
  {
    file: 'backslash-name.nnproj',
    attack: 'Zip-slip with Windows separators, `..\\..\\evil.json` (one name on Unix, a climb on Windows).',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '..\\..\\evil.json', content: utf8('{}\n') }]),
  },
  {
    file: 'nul-in-name.nnproj',
    attack: 'A NUL byte in a name (`project.json\\0.exe`): C-string APIs see `project.json`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([{ name: 'project.json\0.exe', content: PROJECT }]),
  },
  {
    file: 'empty-name.nnproj',
    attack: 'An entry with an empty name.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '', content: utf8('x') }]),
  },
  // --- structure ---
  {
    file: 'duplicate-project-json.nnproj',
    attack: 'Two `project.json` entries: readers that take the first and the last see different projects.',
    code: 'DUPLICATE_ENTRY',
    bytes: () => zip([project(), project(withProject((p) => (p.name = 'Shadow project')))]),
  },
  {
    file: 'symlink.nnproj',
    attack:
      'A symbolic-link entry (`data/passwd.csv` -> `/etc/passwd`; Unix mode 0o120777 in the external attributes, made-by host 3).',
    code: 'SYMLINK_ENTRY',
    bytes: () =>
      zip([
        project(),
        {
          name: 'data/passwd.csv',
          content: utf8('/etc/passwd'),
          method: 0,
          madeBy: (HOST_UNIX << 8) | VERSION,
          external: (0o120777 << 16) >>> 0,
        },
      ]),
  },
  {
    file: 'overlap-fifield.nnproj',
    attack:
      "David Fifield's overlapping-entry zip bomb: 20 entries share one deflate kernel by quoting each other's local headers; ~18 MB from ~5 KB, each entry under the ratio floor.",
    code: 'OVERLAPPING_ENTRIES',
    bytes: () => fifieldBomb(20, 900_000),
  },
  {
    file: 'overlap-shared-data.nnproj',
    attack:
      "Two directory entries whose data is the same bytes (the second local header hides in the first's extra field).",
    code: 'OVERLAPPING_ENTRIES',
    bytes: sharedDataOverlap,
  },
  {
    file: 'overlap-same-header.nnproj',
    attack: 'Several directory entries pointing at the same local header and data.',
    code: 'CORRUPT_ENTRY',
    bytes: () => manyPointers(['project.json', 'data/a.csv', 'data/b.csv', 'data/c.csv'], { zip64: false }),
  },
  {
    file: 'entries-100k-zip64.nnproj',
    attack:
      'A 100,000-entry archive (ZIP64 end record + locator; every directory entry points at one local header).',
    code: 'TOO_MANY_ENTRIES',
    bytes: () => manyPointers(dataNames(100_000), { zip64: true }),
  },
  {
    file: 'entries-1001.nnproj',
    attack: 'One entry more than the limit of 1,000, without ZIP64.',
    code: 'TOO_MANY_ENTRIES',
    bytes: () => manyPointers(dataNames(1001), { zip64: false }),
  },
  {
    file: 'zip64-small.nnproj',
    attack: 'A ZIP64 archive with a single entry (ZIP64 is not supported at all).',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => manyPointers(['project.json'], { zip64: true }),
  },
  {
    file: 'spanned.nnproj',
    attack: 'A multi-part (spanned) archive: the end record says disk 1.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project()], { eocd: { disk: 1 } }),
  },
  {
    file: 'encrypted.nnproj',
    attack: 'An entry with the encrypted flag (general-purpose bit 0) set.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project(PROJECT, { flags: 0x1, method: 0 })]),
  },
  {
    file: 'unknown-method.nnproj',
    attack: 'An entry compressed with method 12 (bzip2), which fflate cannot read.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project(PROJECT, { method: 12, raw: utf8('BZh91AY&SY') })]),
  },
  {
    file: 'entry-not-allowed.nnproj',
    attack: 'An entry that is not on the allowlist, `evil.exe`.',
    code: 'ENTRY_NOT_ALLOWED',
    bytes: () =>
      zip([
        project(),
        { name: 'evil.exe', content: utf8('MZ\x90\x00This program cannot be run in DOS mode.') },
      ]),
  },
  {
    file: 'local-name-mismatch.nnproj',
    attack:
      'The directory says `project.json`, the local header says `evil.exe` (readers disagree on which to trust).',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { localName: 'evil.exe' })]),
  },
  {
    file: 'missing-project-json.nnproj',
    attack: 'A well-formed archive without `project.json`.',
    code: 'MISSING_ENTRY',
    bytes: () => zip([{ name: 'data/x.csv', content: utf8('a,b\n1,2\n') }]),
  },
  {
    file: 'half-weights.nnproj',
    attack: '`weights/model.json` without `weights/weights.bin`.',
    code: 'MISSING_ENTRY',
    bytes: () => zip([project(), { name: 'weights/model.json', content: utf8('{"modelTopology":{}}\n') }]),
  },
  {
    file: 'orphan-run.nnproj',
    attack: 'A `runs/<id>.jsonl` entry for a run that project.json does not list.',
    code: 'ENTRY_NOT_ALLOWED',
    bytes: () => zip([project(), { name: 'runs/ghost.jsonl', content: utf8('{"epoch":1,"loss":0.5}\n') }]),
  },
  // --- sizes ---
  {
    file: 'lying-size-small.nnproj',
    attack: 'project.json declares 512 bytes but its deflate stream inflates to 10 MiB.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(paddedProject(10 * MiB), { size: 512 })]),
  },
  {
    file: 'lying-size-short.nnproj',
    attack: 'project.json declares 1,000,000 bytes but inflates to a few hundred.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { size: 1_000_000 })]),
  },
  {
    file: 'lying-size-huge.nnproj',
    attack: 'project.json declares almost 4 GiB (a reader that preallocates would run out of memory).',
    code: 'ENTRY_TOO_LARGE',
    bytes: () => zip([project(PROJECT, { size: 0xfffffff0 })]),
  },
  {
    file: 'lying-size-ratio.nnproj',
    attack: 'project.json declares 15 MiB from a few hundred compressed bytes.',
    code: 'COMPRESSION_RATIO',
    bytes: () => zip([project(PROJECT, { size: 15 * MiB })]),
  },
  {
    file: 'stored-size-mismatch.nnproj',
    attack: 'A stored (uncompressed) entry whose two size fields differ.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { method: 0, size: PROJECT.length - 10 })]),
  },
  {
    file: 'data-past-directory.nnproj',
    attack: "An entry's compressed size runs past the start of the central directory.",
    code: 'TRUNCATED',
    bytes: () => zip([project(PROJECT, { compressedSize: 100_000 })]),
  },
  {
    file: 'project-json-50mb.nnproj',
    attack: 'A 50 MiB project.json (valid JSON padded with whitespace) deflated to ~50 KiB.',
    code: 'ENTRY_TOO_LARGE',
    bytes: () => zip([project(paddedProject(50 * MiB))]),
  },
  {
    file: 'project-json-15mb.nnproj',
    attack:
      'A 15 MiB whitespace-padded project.json with truthful headers: under the size limit, over the ratio limit.',
    code: 'COMPRESSION_RATIO',
    bytes: () => zip([project(paddedProject(15 * MiB))]),
  },
  {
    file: 'many-small-bombs.nnproj',
    attack:
      'A zip bomb made of many entries each just under the 1 MiB ratio floor: 400 CSV files of 1 MiB, each deflated to ~1 KiB (400 MiB from a 0.4 MB file; 999 such entries would fill 1 GiB).',
    code: 'COMPRESSION_RATIO',
    bytes: () => {
      const csv = new Uint8Array(MiB);
      for (let i = 0; i < csv.length; i += 2) csv.set([0x30, 0x0a], i); // "0\n" lines
      const raw = deflate(csv);
      const crc = crc32(csv);
      const names = dataNames(400);
      return zip([project(), ...names.map((name) => ({ name, content: csv, raw, crc }))]);
    },
  },
  // --- damage ---
  {
    file: 'truncated-half.nnproj',
    attack: 'A valid project cut in half (an interrupted download or save).',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return b.slice(0, b.length >> 1);
    },
  },
  {
    file: 'truncated-tail.nnproj',
    attack: 'A valid project missing its last byte.',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return b.slice(0, b.length - 1);
    },
  },
  {
    file: 'truncated-middle.nnproj',
    attack: 'A valid project with 64 bytes cut from its data: the directory points past the end.',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return concat([b.subarray(0, 40), b.subarray(104)]);
    },
  },
  {
    file: 'bad-crc.nnproj',
    attack: 'project.json with a wrong CRC-32.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { crc: (crc32(PROJECT) ^ 0x1) >>> 0 })]),
  },
  {
    file: 'not-a-zip-png.nnproj',
    attack: 'A PNG image renamed to .nnproj.',
    code: 'NOT_A_ZIP',
    bytes: () => PNG,
  },
  {
    file: 'not-a-zip-text.nnproj',
    attack: 'Plain text renamed to .nnproj.',
    code: 'NOT_A_ZIP',
    bytes: () => utf8('This is not a Netloom project, just some text that happens to end in .nnproj.\n'),
  },
  {
    file: 'empty.nnproj',
    attack: 'An empty file.',
    code: 'NOT_A_ZIP',
    bytes: () => new Uint8Array(0),
  },
  // --- project.json content ---
  {
    file: 'invalid-json.nnproj',
    attack: 'project.json that is not JSON.',
    code: 'INVALID_JSON',
    bytes: () => zip([project(utf8('{"format": "netloom-project", "formatVersion": 1, '))]),
  },
  {
    file: 'invalid-utf8.nnproj',
    attack: 'project.json that is not valid UTF-8.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]))]),
  },
  {
    file: 'unknown-format.nnproj',
    attack: 'A JSON file of some other format.',
    code: 'UNKNOWN_FORMAT',
    bytes: () => zip([project(withProject((p) => (p.format = 'evil-project')))]),
  },
  {
    file: 'future-version.nnproj',
    attack: 'formatVersion 999 in an otherwise valid project.json.',
    code: 'FUTURE_VERSION',
    bytes: () => zip([project(withProject((p) => (p.formatVersion = 999)))]),
  },
  {
    file: 'extra-key.nnproj',
    attack: 'An unknown top-level key (`onOpen` with code in it): a project never names code.',
    code: 'SCHEMA',
    bytes: () => zip([project(withProject((p) => (p.onOpen = "require('child_process').exec('rm -rf ~')")))]),
  },
  {
    file: 'proto-key.nnproj',
    attack: 'A top-level `__proto__` key (prototype pollution through a careless merge).',
    code: 'FORBIDDEN_KEY',
    bytes: () =>
      zip([
        project(utf8(`{"__proto__": {"polluted": "yes"}, ${new TextDecoder().decode(PROJECT).slice(1)}`)),
      ]),
  },
  {
    file: 'proto-key-nested.nnproj',
    attack: "A `constructor.prototype` key deep inside a node's params.",
    code: 'FORBIDDEN_KEY',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            graphOf(p).nodes[1]!.params = JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}');
          }),
        ),
      ]),
  },
  {
    file: 'unknown-layer.nnproj',
    attack: 'A node of a layer kind that does not exist (`EvalLayer`).',
    code: 'UNKNOWN_LAYER',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            const n = graphOf(p).nodes[1]!;
            n.kind = 'EvalLayer';
            n.params = {};
          }),
        ),
      ]),
  },
  {
    file: 'cycle.nnproj',
    attack: 'A graph with a cycle (add_1 -> dense_1 -> add_1).',
    code: 'GRAPH',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            const g = graphOf(p);
            g.nodes = [
              node('input_1', 'Input', { shape: [4], dtype: 'float32' }, 0),
              node('add_1', 'Add', { inputs: 2 }, 110),
              node('dense_1', 'Dense', { units: 4, activation: 'relu', useBias: true }, 220),
              node('output_1', 'Output', { targetShape: [4], loss: 'meanSquaredError' }, 330),
            ];
            g.edges = [
              edge('e1', 'input_1', 'add_1', 'in1'),
              edge('e2', 'dense_1', 'add_1', 'in2'),
              edge('e3', 'add_1', 'dense_1'),
              edge('e4', 'dense_1', 'output_1'),
            ];
          }),
        ),
      ]),
  },
  {
    file: 'deep-nesting.nnproj',
    attack: 'A 100,000-deep nested array in project.json (200 KB): the checks must stay linear in the depth.',
    code: 'SCHEMA',
    bytes: () =>
      zip([
        project(
          withProjectText((t) =>
            t.replace('"name": "Hostile fixture"', `"name": ${'['.repeat(100_000)}${']'.repeat(100_000)}`),
          ),
        ),
      ]),
  },
];

function readme(): string {
  const rows = FIXTURES.map((f) => `| \`${f.file}\` | ${f.attack.replace(/\|/g, '\\|')} | \`${f.code}\` |`);
  return [
    '# Hostile project files',
    '',
    'Generated by `npx tsx scripts/make-hostile-fixtures.ts`; do not edit by hand (`test/unit/hostile.test.ts`',
    'checks that these files match the generator byte for byte). Every file is built byte by byte by the',
    "script's own zip writer. Opening any of them must fail with a `ProjectFileError` of the code below,",
    'within 2 seconds, writing nothing and polluting no prototype.',
    '',
    '| File | Attack | Expected error code |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Writes the corpus and its README to `dir`, removing `.nnproj` files that are no longer generated. */
export function writeFixtures(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const wanted = new Set(FIXTURES.map((f) => f.file));
  for (const f of readdirSync(dir)) if (f.endsWith('.nnproj') && !wanted.has(f)) rmSync(path.join(dir, f));
  for (const f of FIXTURES) writeFileSync(path.join(dir, f.file), f.bytes());
  writeFileSync(path.join(dir, 'README.md'), readme());
  return [...wanted, 'README.md'];
}

export const DEFAULT_DIR = fileURLToPath(new URL('../test/fixtures/hostile/', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_DIR);
  const files = writeFixtures(dir);
  console.log(`Wrote ${files.length} files to ${dir}`);
}
