/**
 * Opening only regular files. A FIFO, a socket or a device opened for reading blocks (a FIFO until a
 * writer appears) and ties up one of libuv's four file-system threads, so four such opens stall every
 * file operation of the process. Every file Netloom reads because a user or a project named it goes
 * through here: opened non-blocking, checked with fstat, refused at once with a located message when
 * it is not a regular file.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';

export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(`${file} is ${what}, not a regular file; Netloom only reads regular files.`);
  }
}

/** What kind of thing a stat describes, in words, for messages. */
export function describeKind(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

// O_NONBLOCK makes open() of a FIFO return at once (Linux, macOS); Windows has no FIFOs to fear.
const NONBLOCK = (fsConstants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0;

/**
 * Opens `file` for reading if, and only if, it is a regular file (symlinks followed). Throws
 * `NotRegularFileError` for anything else, and the usual `ErrnoException` (ENOENT, EACCES...) when it
 * cannot be opened at all. The caller closes the handle.
 */
export async function openRegularFile(file: string): Promise<fs.FileHandle> {
  const handle = await fs.open(file, fsConstants.O_RDONLY | NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new NotRegularFileError(file, describeKind(st));
    return handle;
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/** Reads a whole regular file (see `openRegularFile`), refusing one over `maxBytes`. */
export async function readRegularFile(file: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
  const h = await openRegularFile(file);
  try {
    const st = await h.stat();
    if (st.size > maxBytes)
      throw new RangeError(
        `${file} is ${(st.size / 2 ** 20).toFixed(1)} MiB; at most ${(maxBytes / 2 ** 20).toFixed(0)} MiB is read.`,
      );
    return await h.readFile();
  } finally {
    await h.close();
  }
}
