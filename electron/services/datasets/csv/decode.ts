/**
 * Bytes to text. The file is read as raw bytes and decoded here, so that its encoding is checked
 * rather than assumed: UTF-8 (a byte-order mark dropped), UTF-16 with a byte-order mark, or, when the
 * bytes are not UTF-8, Windows-1252 with a warning.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { DatasetError } from '../errors';

const READ_CHUNK = 1 << 20;

/**
 * Windows-1252's characters for the bytes 0x80–0x9F (the WHATWG index; the five bytes it leaves
 * undefined map to the C1 controls, as in browsers). Every other byte is its Latin-1 character.
 * Node's TextDecoder('windows-1252') decodes these bytes as Latin-1 (since Node 20.18.3 and 22.13.0,
 * nodejs/node#60888), so the table is here.
 */
const WINDOWS_1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(b: Buffer): string {
  return b.toString('latin1').replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_80_9F[c.charCodeAt(0) - 0x80]!);
}

/** The length of `b` without a multi-byte UTF-8 sequence cut off at its end (kept for the next read). */
function completeUtf8Length(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k]!;
    if (c < 0x80) return n;
    if (c >= 0xc0) return k < (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) ? n - k : n;
  }
  return n;
}

/** Index of the first byte of `b` that does not begin a valid UTF-8 sequence (-1 when none). */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let extra: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f; // nothing beyond U+10FFFF
    } else return i;
    if (i + extra >= b.length) return i;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= extra; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}

function firstNonAscii(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return i;
  return -1;
}

/** Newlines in `b[0, end)`, bytes or characters. */
function newlines(b: Uint8Array | string, end: number): number {
  let count = 0;
  if (typeof b === 'string')
    for (let i = b.indexOf('\n'); i >= 0 && i < end; i = b.indexOf('\n', i + 1)) count++;
  else for (let i = b.indexOf(0x0a); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) count++;
  return count;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Thrown by the decoder when bytes that are not UTF-8 come after text that was valid, non-ASCII UTF-8:
 * that text would read differently as Windows-1252, so the import starts again from the first byte.
 */
export class RestartAsWindows1252 extends Error {
  constructor(
    /** Line and value of the first byte that is not UTF-8. */
    readonly line: number,
    readonly byte: number,
    /** Line of the first non-ASCII character read as UTF-8. */
    readonly utf8Line: number,
  ) {
    super('not UTF-8: read again as Windows-1252');
  }
}

/**
 * Raw bytes → text, chunk by chunk. The first bytes choose the encoding: a UTF-16 byte-order mark →
 * UTF-16 (little- or big-endian); a UTF-32 one → refused; otherwise UTF-8 (its byte-order mark
 * dropped), validated as it goes. At the first byte that is not UTF-8 the file is taken to be
 * Windows-1252 (the usual encoding of a CSV saved by Excel on Western-European Windows; Latin-1's
 * letters are the same bytes) and a warning says so: if everything before that byte was ASCII (read
 * the same in both), decoding simply switches there; otherwise `RestartAsWindows1252` is thrown and
 * the import reads the file again from the start, so a file with its first accent late in a large
 * file costs a second read of that much. A NUL character (a binary file; UTF-16 without a mark) is
 * refused with its line.
 */
export class CsvDecoder {
  private mode: 'start' | 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be' = 'start';
  private carry: Buffer | undefined;
  /** The line the next decoded character is on. */
  private line = 1;
  /** The line of the first non-ASCII character decoded as UTF-8. */
  private utf8Line: number | undefined;
  /** Bytes read so far. */
  bytes = 0;

  constructor(
    private readonly name: string,
    private readonly warnings: string[],
    private readonly restarted?: RestartAsWindows1252,
  ) {}

  decode(chunk: Buffer, final = false): string {
    this.bytes += chunk.length;
    let b = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    if (this.mode === 'start') {
      if (b.length < 4 && !final) {
        this.carry = b;
        return '';
      }
      b = this.start(b);
    }
    const text =
      this.mode === 'utf-8'
        ? this.utf8(b, final)
        : this.mode === 'windows-1252'
          ? decodeWindows1252(b)
          : this.utf16(b, final);
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      const line = this.line + newlines(text, nul);
      throw new DatasetError(
        'encoding',
        `line ${line}: a NUL byte, which a text CSV file never has: ${this.name} is a binary file, or UTF-16 or UTF-32 text without a byte-order mark. Save it as CSV UTF-8 and import it again.`,
        line,
      );
    }
    this.line += newlines(text, text.length);
    return text;
  }

  /** What is left at the end of the file. */
  end(): string {
    return this.decode(Buffer.alloc(0), true);
  }

  private start(b: Buffer): Buffer {
    const [b0, b1, b2, b3] = b;
    if (
      (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
      (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
    )
      throw new DatasetError(
        'encoding',
        `${this.name} is UTF-32 text (it starts with a UTF-32 byte-order mark), which is not read. Save it as CSV UTF-8 and import it again.`,
        1,
      );
    if (b0 === 0xff && b1 === 0xfe) {
      this.mode = 'utf-16le';
      return b.subarray(2);
    }
    if (b0 === 0xfe && b1 === 0xff) {
      this.mode = 'utf-16be';
      return b.subarray(2);
    }
    if (this.restarted) {
      const r = this.restarted;
      this.mode = 'windows-1252';
      this.warnings.push(
        `${this.notUtf8(r.line, r.byte)} Lines before it already had characters that are valid UTF-8 (from line ${r.utf8Line}); the whole file was read as Windows-1252, so if it mixes the two encodings, those characters look wrong.`,
      );
    } else this.mode = 'utf-8';
    return b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? b.subarray(3) : b;
  }

  private notUtf8(line: number, byte: number): string {
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    return `${this.name} is not valid UTF-8: line ${line} has the byte 0x${hex}, which cannot start or continue a UTF-8 character. It was read as Windows-1252 (Western European, which includes Latin-1). If letters or symbols look wrong, save the file as CSV UTF-8 and import it again.`;
  }

  private utf8(b: Buffer, final: boolean): string {
    const cut = final ? b.length : completeUtf8Length(b);
    const body = b.subarray(0, cut);
    if (cut < b.length) this.carry = Buffer.from(b.subarray(cut));
    if (isUtf8(body)) {
      const text = body.toString('utf8');
      if (this.utf8Line === undefined && text.length !== body.length)
        this.utf8Line = this.line + newlines(body, firstNonAscii(body));
      return text;
    }
    const bad = firstInvalidUtf8(body);
    const line = this.line + newlines(body, bad);
    const high = firstNonAscii(body);
    if (this.utf8Line === undefined && high < bad) this.utf8Line = this.line + newlines(body, high);
    if (this.utf8Line !== undefined) throw new RestartAsWindows1252(line, body[bad]!, this.utf8Line);
    // All ASCII so far: reads the same as Windows-1252, which takes over from here.
    this.warnings.push(this.notUtf8(line, body[bad]!));
    this.mode = 'windows-1252';
    const rest = this.carry ? Buffer.concat([body, this.carry]) : body;
    this.carry = undefined;
    return decodeWindows1252(rest);
  }

  private utf16(b: Buffer, final: boolean): string {
    const le = this.mode === 'utf-16le';
    let end = b.length - (b.length % 2);
    if (end < b.length && final) {
      const line = this.line;
      throw new DatasetError(
        'encoding',
        `line ${line}: ${this.name} ends in the middle of a UTF-16 character (an odd number of bytes); the file is cut short or damaged.`,
        line,
      );
    }
    if (!final && end >= 2) {
      const unit = le ? b.readUInt16LE(end - 2) : b.readUInt16BE(end - 2);
      if (unit >= 0xd800 && unit <= 0xdbff) end -= 2; // the first half of a pair: wait for the second
    }
    if (end < b.length) this.carry = Buffer.from(b.subarray(end));
    const body = b.subarray(0, end);
    const text = le ? body.toString('utf16le') : Buffer.from(body).swap16().toString('utf16le');
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      const line = this.line + newlines(text, lone.index);
      throw new DatasetError(
        'encoding',
        `line ${line}: ${this.name} is not valid UTF-16 (a lone surrogate, U+${text.charCodeAt(lone.index).toString(16).toUpperCase()}); the file is damaged. Save it as CSV UTF-8 and import it again.`,
        line,
      );
    }
    return text;
  }
}

/** The file's text, chunk by chunk, read from `handle` from its first byte. */
export async function* readText(handle: FileHandle, decoder: CsvDecoder): AsyncGenerator<string> {
  for (let position = 0; ;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = decoder.decode(buffer.subarray(0, bytesRead));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
