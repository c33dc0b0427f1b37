import { existsSync } from 'node:fs';
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
