/**
 * Project files on disk: open (read into memory, checked, never extracted) and atomic save
 * (temp file in the same folder, fsync, previous version kept as `.bak`, rename, fsync the folder).
 * A failed save leaves the previous file untouched; a failed open writes nothing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../shared/ir/container';
import { ProjectFileError } from '../../shared/ir/errors';
import { type ProjectBundle, readProjectFile, writeProjectFile } from '../../shared/ir/project';
import { NotRegularFileError, openRegularFile } from './regularFile';

export const PROJECT_EXTENSION = '.nnproj';

export async function openProject(file: string): Promise<ProjectBundle> {
  let handle: fs.FileHandle;
  try {
    // Only a regular file: a FIFO or a device would block the open (and a libuv thread) forever.
    handle = await openRegularFile(file);
  } catch (err) {
    if (err instanceof NotRegularFileError)
      throw new ProjectFileError(
        'NOT_A_ZIP',
        `Cannot open ${file}: it is ${err.what}${err.what === 'a folder' ? '' : ', not a regular file'}.`,
      );
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (err as Error).message;
    throw new ProjectFileError('MISSING_ENTRY', `Cannot open ${file}: ${why}.`);
  }
  try {
    const stat = await handle.stat();
    if (stat.size > DEFAULT_LIMITS.maxArchiveBytes)
      throw new ProjectFileError(
        'FILE_TOO_LARGE',
        `${file} is ${(stat.size / 2 ** 20).toFixed(0)} MiB; a project may be at most ${DEFAULT_LIMITS.maxArchiveBytes / 2 ** 20} MiB.`,
      );
    const bytes = await handle.readFile();
    return readProjectFile(bytes);
  } finally {
    await handle.close();
  }
}

/**
 * Saves atomically. Writes `<file>.<random>.tmp` beside the target, flushes it to disk, copies the
 * current file (if any) to `<file>.bak`, renames the temp file over the target, then flushes the
 * folder so the rename itself survives a crash.
 */
export async function saveProject(file: string, bundle: ProjectBundle): Promise<void> {
  const bytes = writeProjectFile(bundle);
  // Prove the bytes read back before they replace anything.
  readProjectFile(bytes);
  await writeFileAtomic(file, bytes, { keepBackup: true });
}

/** Saves to one path run one at a time, so two saves cannot interleave their temp, backup and rename steps. */
const queues = new Map<string, Promise<unknown>>();

export function writeFileAtomic(
  file: string,
  bytes: Uint8Array,
  options: { keepBackup?: boolean } = {},
): Promise<void> {
  const key = path.resolve(file);
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => writeOnce(key, bytes, options));
  queues.set(key, next);
  void next
    .finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    })
    .catch(() => undefined);
  return next;
}

function tempName(file: string, tag: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.${tag}`,
  );
}

/** Is the process with this id still running (a save of its own may be under way)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that an interrupted save of `file` left behind (`.<name>.<pid>.<random>.tmp` or
 * `.bak`, our own naming only), when the process that wrote them is gone. Best effort: a file that
 * cannot be removed is left.
 */
export async function cleanStaleTemps(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return removed;
  }
  const prefix = `.${base}.`;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d{1,10})\.([a-z0-9]{1,16})\.(tmp|bak)$/.exec(n.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const full = path.join(dir, n);
    const st = await fs.lstat(full).catch(() => null);
    if (!st?.isFile()) continue;
    await fs
      .rm(full, { force: true })
      .then(() => removed.push(n))
      .catch(() => undefined);
  }
  return removed;
}

async function writeOnce(
  file: string,
  bytes: Uint8Array,
  { keepBackup = false }: { keepBackup?: boolean },
): Promise<void> {
  const dir = path.dirname(file);
  await cleanStaleTemps(file);
  const tmp = tempName(file, 'tmp');
  const h = await fs.open(tmp, 'wx', 0o644);
  try {
    await h.writeFile(bytes);
    await h.sync();
  } catch (err) {
    await h.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await h.close();
  try {
    if (keepBackup) await backup(file);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a folder for fsync; the rename is still atomic there.
  }
}

/** Keeps the current file as `<file>.bak`, atomically: a hard link (or a copy) renamed into place. */
async function backup(file: string): Promise<void> {
  const tmp = tempName(file, 'bak');
  try {
    await fs.link(file, tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // nothing to back up yet
    try {
      await fs.copyFile(file, tmp);
    } catch (copyErr) {
      await fs.rm(tmp, { force: true });
      if ((copyErr as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw copyErr;
    }
  }
  try {
    await fs.rename(tmp, `${file}.bak`);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
