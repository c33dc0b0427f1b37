/**
 * The `.nnproj` container: a zip read into memory, never extracted.
 *
 * fflate does the (de)compression. The zip *structure* is checked here before a byte is inflated,
 * because fflate's `unzipSync` trusts the archive: the central directory is parsed and every entry
 * checked against a fixed allowlist of names, the entry-count, size and ratio limits, duplicates,
 * symlinks, overlapping entries (the "overlapping-file" zip bomb) and encryption. Entries are then
 * inflated in small chunks with a hard cap (so a lying size field cannot blow memory) and their CRC
 * verified. Every refusal is a `ProjectFileError` naming the entry.
 */
import { Inflate, zipSync } from 'fflate';
import { ProjectFileError } from './errors';

export interface ArchiveLimits {
  maxArchiveBytes: number;
  maxEntries: number;
  maxTotalBytes: number;
  /** Largest allowed inflated/compressed ratio for entries bigger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 1024 * 1024 * 1024,
  maxEntries: 1000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

const MiB = 1024 * 1024;

/** The entries a project may contain, with the largest inflated size each may have. */
export const ENTRY_RULES: readonly { pattern: RegExp; maxBytes: number; what: string }[] = [
  { pattern: /^project\.json$/, maxBytes: 16 * MiB, what: 'project.json' },
  { pattern: /^weights\/model\.json$/, maxBytes: 16 * MiB, what: 'weights/model.json' },
  { pattern: /^weights\/evaluation\.json$/, maxBytes: 16 * MiB, what: 'weights/evaluation.json' },
  { pattern: /^weights\/weights\.bin$/, maxBytes: 512 * MiB, what: 'weights/weights.bin' },
  { pattern: /^runs\/[A-Za-z0-9_-]{1,64}\.jsonl$/, maxBytes: 64 * MiB, what: 'runs/<id>.jsonl' },
  { pattern: /^runs\/[A-Za-z0-9_-]{1,64}\/model\.json$/, maxBytes: 16 * MiB, what: 'runs/<id>/model.json' },
  {
    pattern: /^runs\/[A-Za-z0-9_-]{1,64}\/weights\.bin$/,
    maxBytes: 512 * MiB,
    what: 'runs/<id>/weights.bin',
  },
  { pattern: /^data\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\.csv$/, maxBytes: 256 * MiB, what: 'data/<name>.csv' },
];

export function entryRule(name: string): (typeof ENTRY_RULES)[number] | undefined {
  return ENTRY_RULES.find((r) => r.pattern.test(name));
}

/** Why a name is unsafe (zip-slip, absolute, drive letter...), or undefined. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.includes('\0')) return 'a NUL character in the name';
  if (name.includes('\\')) return 'a backslash in the name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive-letter path';
  if (name.split('/').some((seg) => seg === '..')) return 'a ".." path segment (zip-slip)';
  if (name.split('/').some((seg) => seg === '.')) return 'a "." path segment';
  return undefined;
}

const SIG_EOCD = 0x06054b50;
const SIG_CDH = 0x02014b50;
const SIG_LFH = 0x04034b50;

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataStart: number;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function findEocd(b: Uint8Array): number {
  const min = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= min; i--) if (u32(b, i) === SIG_EOCD) return i;
  return -1;
}

const SIG_Z64_LOCATOR = 0x07064b50;
const SIG_Z64_EOCD = 0x06064b50;

function zip64EntryCount(b: Uint8Array, eocd: number): number | undefined {
  const loc = eocd - 20;
  if (loc < 0 || u32(b, loc) !== SIG_Z64_LOCATOR) return undefined;
  const off = u32(b, loc + 8) + u32(b, loc + 12) * 2 ** 32;
  if (off + 56 > b.length || u32(b, off) !== SIG_Z64_EOCD) return undefined;
  return u32(b, off + 32) + u32(b, off + 36) * 2 ** 32;
}

/** Where the central directory is, from the end-of-archive record. */
interface Directory {
  eocd: number;
  total: number;
  cdSize: number;
  cdOffset: number;
}

/** Refuses an archive over the size limit. */
function checkArchiveSize(b: Uint8Array, limits: ArchiveLimits): void {
  if (b.length > limits.maxArchiveBytes)
    throw new ProjectFileError(
      'FILE_TOO_LARGE',
      `The file is ${(b.length / MiB).toFixed(0)} MiB; a project may be at most ${(limits.maxArchiveBytes / MiB).toFixed(0)} MiB.`,
    );
}

const tooManyEntries = (count: number, limits: ArchiveLimits) =>
  new ProjectFileError(
    'TOO_MANY_ENTRIES',
    `The archive has ${count.toLocaleString('en-US')} entries; a project has at most ${limits.maxEntries}.`,
  );

/** Finds and reads the end-of-archive record: one disk, no ZIP64, within the entry limit. */
function locateDirectory(b: Uint8Array, limits: ArchiveLimits): Directory {
  const startsLikeZip = b.length >= 4 && (u32(b, 0) === SIG_LFH || u32(b, 0) === SIG_EOCD);
  const eocd = b.length >= 22 ? findEocd(b) : -1;
  if (eocd < 0) {
    if (!startsLikeZip)
      throw new ProjectFileError(
        'NOT_A_ZIP',
        'This is not a Netloom project: a .nnproj file is a zip archive.',
      );
    throw new ProjectFileError(
      'TRUNCATED',
      'The archive is truncated or damaged: its end-of-archive record is missing. It may not have finished downloading or saving; try the .bak copy beside it.',
    );
  }
  const diskNo = u16(b, eocd + 4);
  const cdDisk = u16(b, eocd + 6);
  const entriesOnDisk = u16(b, eocd + 8);
  const total = u16(b, eocd + 10);
  const cdSize = u32(b, eocd + 12);
  const cdOffset = u32(b, eocd + 16);
  if (diskNo !== 0 || cdDisk !== 0 || entriesOnDisk !== total)
    throw new ProjectFileError('UNSUPPORTED_ZIP', 'Multi-part (spanned) archives are not supported.');
  if (total === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    // ZIP64: read the real entry count only to say clearly why it is refused.
    const count = zip64EntryCount(b, eocd);
    if (count !== undefined && count > limits.maxEntries) throw tooManyEntries(count, limits);
    throw new ProjectFileError(
      'UNSUPPORTED_ZIP',
      'ZIP64 archives are not supported (projects are smaller than 4 GiB).',
    );
  }
  if (total > limits.maxEntries) throw tooManyEntries(total, limits);
  if (cdOffset + cdSize > eocd)
    throw new ProjectFileError(
      'TRUNCATED',
      'The archive is truncated or damaged: its directory points past its end.',
    );
  return { eocd, total, cdSize, cdOffset };
}

/** One central-directory record as read, before any check of what it says. */
interface DirectoryRecord {
  name: string;
  madeBy: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  external: number;
  localOffset: number;
  /** Where the next record starts. */
  next: number;
}

/** Reads the i-th central-directory record, at offset p. */
function readRecord(b: Uint8Array, p: number, i: number, dir: Directory): DirectoryRecord {
  const damaged = () =>
    new ProjectFileError('TRUNCATED', `The archive directory is damaged at entry ${i + 1} of ${dir.total}.`);
  if (p + 46 > dir.eocd || u32(b, p) !== SIG_CDH) throw damaged();
  const flags = u16(b, p + 8);
  const nameLen = u16(b, p + 28);
  if (p + 46 + nameLen > dir.eocd) throw damaged();
  return {
    name: decodeName(b.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0),
    madeBy: u16(b, p + 4),
    flags,
    method: u16(b, p + 10),
    crc: u32(b, p + 16),
    compressedSize: u32(b, p + 20),
    size: u32(b, p + 24),
    external: u32(b, p + 38),
    localOffset: u32(b, p + 42),
    next: p + 46 + nameLen + u16(b, p + 30) + u16(b, p + 32),
  };
}

/** The entry's name (safe, new, on the allowlist), kind, encryption, method, sizes and ratio. */
function checkRecord(r: DirectoryRecord, seen: Set<string>, limits: ArchiveLimits): void {
  const { name, flags, method, size, compressedSize } = r;
  const unsafe = unsafeNameReason(name);
  if (unsafe)
    throw new ProjectFileError('BAD_ENTRY_NAME', `Refused entry ${JSON.stringify(name)}: ${unsafe}.`, name);
  if (seen.has(name))
    throw new ProjectFileError(
      'DUPLICATE_ENTRY',
      `The archive contains ${JSON.stringify(name)} twice.`,
      name,
    );
  seen.add(name);
  const host = r.madeBy >> 8;
  const mode = (r.external >>> 16) & 0o170000;
  if (host === 3 && mode === 0o120000)
    throw new ProjectFileError(
      'SYMLINK_ENTRY',
      `Refused entry ${JSON.stringify(name)}: it is a symbolic link.`,
      name,
    );
  const rule = entryRule(name);
  if (!rule)
    throw new ProjectFileError(
      'ENTRY_NOT_ALLOWED',
      `Unexpected entry ${JSON.stringify(name)}. A project holds only project.json, weights/model.json, weights/weights.bin, weights/evaluation.json, runs/<id>.jsonl, runs/<id>/model.json, runs/<id>/weights.bin and data/<name>.csv.`,
      name,
    );
  if (flags & 0x1)
    throw new ProjectFileError('UNSUPPORTED_ZIP', `Entry ${JSON.stringify(name)} is encrypted.`, name);
  if (method !== 0 && method !== 8)
    throw new ProjectFileError(
      'UNSUPPORTED_ZIP',
      `Entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflate are supported.`,
      name,
    );
  if (size > rule.maxBytes)
    throw new ProjectFileError(
      'ENTRY_TOO_LARGE',
      `${name} would be ${(size / MiB).toFixed(1)} MiB; at most ${(rule.maxBytes / MiB).toFixed(0)} MiB is allowed.`,
      name,
    );
  if (method === 0 && size !== compressedSize)
    throw new ProjectFileError(
      'CORRUPT_ENTRY',
      `${name} is stored uncompressed but its two sizes differ.`,
      name,
    );
  if (size > limits.ratioFloorBytes && size / Math.max(1, compressedSize) > limits.maxRatio)
    throw new ProjectFileError(
      'COMPRESSION_RATIO',
      `${name} expands ${Math.round(size / Math.max(1, compressedSize))}× when decompressed (at most ${limits.maxRatio}× is allowed): this looks like a zip bomb.`,
      name,
    );
}

/** The local header: name must agree, data must lie before the directory. Returns where the data starts. */
function localDataStart(b: Uint8Array, r: DirectoryRecord, cdOffset: number): number {
  const { name, localOffset } = r;
  if (localOffset + 30 > cdOffset || u32(b, localOffset) !== SIG_LFH)
    throw new ProjectFileError('CORRUPT_ENTRY', `The local header of ${name} is missing or damaged.`, name);
  const lNameLen = u16(b, localOffset + 26);
  const lExtraLen = u16(b, localOffset + 28);
  const lName = decodeName(
    b.subarray(localOffset + 30, localOffset + 30 + lNameLen),
    (u16(b, localOffset + 6) & 0x800) !== 0,
  );
  if (lName !== name)
    throw new ProjectFileError(
      'CORRUPT_ENTRY',
      `The local header of ${JSON.stringify(name)} names ${JSON.stringify(lName)} instead.`,
      name,
    );
  const dataStart = localOffset + 30 + lNameLen + lExtraLen;
  if (dataStart + r.compressedSize > cdOffset)
    throw new ProjectFileError(
      'TRUNCATED',
      `The data of ${name} runs past the end of the archive data.`,
      name,
    );
  return dataStart;
}

/** Overlapping entries: each entry's bytes must be its own. */
function checkOverlaps(entries: readonly CentralEntry[]): void {
  const sorted = [...entries].sort((a, c) => a.localOffset - c.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.localOffset < prev.dataStart + prev.compressedSize)
      throw new ProjectFileError(
        'OVERLAPPING_ENTRIES',
        `Entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} share bytes in the archive (an overlapping-entry zip bomb).`,
        cur.name,
      );
  }
}

/** Parses and checks the zip structure; inflates nothing. */
function readDirectory(b: Uint8Array, limits: ArchiveLimits): CentralEntry[] {
  checkArchiveSize(b, limits);
  const dir = locateDirectory(b, limits);
  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  let p = dir.cdOffset;
  for (let i = 0; i < dir.total; i++) {
    const r = readRecord(b, p, i, dir);
    p = r.next;
    checkRecord(r, seen, limits);
    declaredTotal += r.size;
    if (declaredTotal > limits.maxTotalBytes)
      throw new ProjectFileError(
        'TOTAL_TOO_LARGE',
        `The archive would decompress to more than ${(limits.maxTotalBytes / MiB).toFixed(0)} MiB.`,
        r.name,
      );
    const dataStart = localDataStart(b, r, dir.cdOffset);
    const { name, method, flags, crc, compressedSize, size, localOffset } = r;
    entries.push({ name, method, flags, crc, compressedSize, size, localOffset, dataStart });
  }
  checkOverlaps(entries);
  // Many small entries can each stay under the per-entry ratio floor; check the archive as a whole.
  if (declaredTotal > limits.ratioFloorBytes && declaredTotal / Math.max(1, b.length) > limits.maxRatio)
    throw new ProjectFileError(
      'COMPRESSION_RATIO',
      `The archive expands ${Math.round(declaredTotal / Math.max(1, b.length))}× when decompressed (at most ${limits.maxRatio}× is allowed): this looks like a zip bomb.`,
    );
  return entries;
}

function inflateEntry(b: Uint8Array, e: CentralEntry): Uint8Array {
  const raw = b.subarray(e.dataStart, e.dataStart + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) {
    // A copy whatever `b` is: a Node Buffer's slice() is a view, which would tie every entry to the
    // archive's memory (and let a write to one change the other).
    out = new Uint8Array(raw);
  } else {
    out = new Uint8Array(e.size);
    let written = 0;
    let overflow = false;
    const inflater = new Inflate((chunk) => {
      if (written + chunk.length > e.size) {
        overflow = true;
        throw new ProjectFileError(
          'CORRUPT_ENTRY',
          `${e.name} decompresses to more than the ${e.size.toLocaleString('en-US')} bytes its header declares.`,
          e.name,
        );
      }
      out.set(chunk, written);
      written += chunk.length;
    });
    const CHUNK = 16 * 1024;
    try {
      if (raw.length === 0) inflater.push(new Uint8Array(0), true);
      for (let off = 0; off < raw.length; off += CHUNK) {
        inflater.push(raw.subarray(off, off + CHUNK), off + CHUNK >= raw.length);
      }
    } catch (err) {
      if (err instanceof ProjectFileError) throw err;
      throw new ProjectFileError(
        'CORRUPT_ENTRY',
        `${e.name} is damaged and cannot be decompressed (${err instanceof Error ? err.message : String(err)}).`,
        e.name,
      );
    }
    if (overflow || written !== e.size)
      throw new ProjectFileError(
        'CORRUPT_ENTRY',
        `${e.name} decompresses to ${written.toLocaleString('en-US')} bytes, not the ${e.size.toLocaleString('en-US')} its header declares.`,
        e.name,
      );
  }
  if (crc32(out) !== e.crc)
    throw new ProjectFileError('CORRUPT_ENTRY', `${e.name} is damaged: its checksum does not match.`, e.name);
  return out;
}

/** Reads every entry of a project archive into memory, after checking the structure. */
export function readArchive(
  bytes: Uint8Array,
  limits: ArchiveLimits = DEFAULT_LIMITS,
): Map<string, Uint8Array> {
  const entries = readDirectory(bytes, limits);
  const files = new Map<string, Uint8Array>();
  for (const e of entries) files.set(e.name, inflateEntry(bytes, e));
  return files;
}

/** Writes a project archive. Names must be on the allowlist; the output is deterministic. */
export function writeArchive(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const zippable: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = {};
  const mtime = new Date('2020-01-01T00:00:00Z');
  const names = [...files.keys()].sort((a, c) =>
    a === 'project.json' ? -1 : c === 'project.json' ? 1 : a < c ? -1 : 1,
  );
  for (const name of names) {
    if (unsafeNameReason(name) || !entryRule(name))
      throw new ProjectFileError('ENTRY_NOT_ALLOWED', `Cannot write entry ${JSON.stringify(name)}.`, name);
    // Weights barely compress; store them to save time.
    zippable[name] = [files.get(name)!, { level: name.endsWith('.bin') ? 0 : 6, mtime }];
  }
  return zipSync(zippable);
}
