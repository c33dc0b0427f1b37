import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ProjectFileError } from '../../shared/ir/errors';
import type { ProjectBundle } from '../../shared/ir/project';
import { openProject } from '../services/projectFiles';
import { InvalidInputError, UsageError } from './errors';

/** Opens the project FILE of a command: a missing file is bad usage, a malformed one invalid input. */
export async function load(file: string): Promise<ProjectBundle> {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file.`);
  try {
    return await openProject(file);
  } catch (err) {
    if (err instanceof ProjectFileError) throw new InvalidInputError(`${file}: ${err.describe()}`);
    throw err;
  }
}

/** A file a command will write (`--out`): its folder must exist (bad usage otherwise, said at once). */
export function requireFolderFor(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir)
    throw new UsageError(`${file}: the folder ${path.dirname(file)} does not exist; create it first.`);
}
