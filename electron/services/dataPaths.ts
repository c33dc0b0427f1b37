/**
 * Where a project's data may be. A CSV or image folder that a project names is relative to the
 * project's folder and stays inside it: the schema refuses absolute paths and `..`
 * (`dataPathProblem`), and here the path is resolved with its symbolic links and checked again, so
 * a project file can never make Netloom read (or export, or reveal in an error) a file elsewhere.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { dataPathProblem } from '../../shared/ir/schema';

export class DataPathError extends Error {
  override readonly name = 'DataPathError';
}

/**
 * The real path of `rel` (a data path from a project) inside `base` (the project's folder). Throws
 * `DataPathError` when the path is not allowed, does not exist, or leads outside `base` through a
 * symbolic link. The message names the path as the project has it, never what lies outside.
 */
export async function resolveDataPath(base: string, rel: string): Promise<string> {
  const problem = dataPathProblem(rel);
  if (problem) throw new DataPathError(`The data path ${JSON.stringify(rel)} ${problem}.`);
  let realBase: string;
  try {
    realBase = await fs.realpath(base);
  } catch {
    throw new DataPathError(`The project's folder ${base} cannot be read.`);
  }
  let real: string;
  try {
    real = await fs.realpath(path.resolve(realBase, rel));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataPathError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `The data ${JSON.stringify(rel)} is not in the project's folder (${base}).`
        : `The data ${JSON.stringify(rel)} cannot be read (${code ?? 'error'}).`,
    );
  }
  if (!isInside(realBase, real))
    throw new DataPathError(
      `The data ${JSON.stringify(rel)} leads outside the project's folder (a symbolic link); ` +
        "Netloom reads a project's data only inside its folder. Copy the data into that folder.",
    );
  return real;
}

/** True when `p` is `dir` or below it (both absolute, already resolved). */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * `abs` as a data path relative to `baseDir` (forward slashes), or null when it is not inside it
 * (symbolic links resolved on both sides when they exist).
 */
export async function relativeInside(baseDir: string, abs: string): Promise<string | null> {
  const real = async (p: string) => fs.realpath(p).catch(() => path.resolve(p));
  const base = await real(baseDir);
  const target = await real(abs);
  if (!isInside(base, target)) return null;
  const rel = path.relative(base, target).split(path.sep).join('/') || '.';
  return dataPathProblem(rel) === null ? rel : null;
}
