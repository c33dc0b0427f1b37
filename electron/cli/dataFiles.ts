/**
 * Where a project's data lives when the CLI writes the project: a project never names a file
 * outside its own folder, so a CSV outside it is copied into the project (`data/<name>.csv`).
 */
import path from 'node:path';
import type { ProjectBundle } from '../../shared/ir/project';
import type { Project } from '../../shared/ir/schema';
import { DataPathError, relativeInside, resolveDataPath } from '../services/dataPaths';
import { readRegularFile } from '../services/regularFile';
import { InvalidInputError, UsageError } from './errors';

/**
 * The bundle as it will be written to `toFile` instead of `fromFile`: a CSV beside the project
 * becomes relative to the new folder when it is inside it and is copied into the project otherwise;
 * an image folder outside the new folder is refused (images cannot be copied into a project).
 */
export async function rebaseData(
  bundle: ProjectBundle,
  fromFile: string,
  toFile: string,
): Promise<{ bundle: ProjectBundle; note?: string | undefined }> {
  const spec = bundle.project.data;
  if (!spec || spec.source === 'builtin' || (spec.source === 'csv' && spec.embedded)) return { bundle };
  const rel = spec.source === 'csv' ? spec.file : spec.directory;
  let abs: string;
  try {
    abs = await resolveDataPath(path.dirname(fromFile), rel);
  } catch (err) {
    if (err instanceof DataPathError) throw new InvalidInputError(`${fromFile}: data: ${err.message}`);
    throw err;
  }
  const inside = await relativeInside(path.dirname(toFile), abs);
  const project = (data: NonNullable<Project['data']>) => ({
    ...bundle,
    project: { ...bundle.project, data },
  });
  if (inside !== null)
    return {
      bundle: project(spec.source === 'csv' ? { ...spec, file: inside } : { ...spec, directory: inside }),
    };
  if (spec.source === 'images')
    throw new UsageError(
      `${toFile} would be outside the folder that holds the project's images (${rel}); write it in that folder or one above it.`,
    );
  const name = embeddedName(path.posix.basename(spec.file));
  const bytes = new Uint8Array(await readRegularFile(abs, 256 * 2 ** 20));
  return {
    bundle: {
      ...project({ ...spec, file: `data/${name}`, embedded: true }),
      data: new Map([...(bundle.data ?? []), [name, bytes]]),
    },
    note: `the CSV ${rel} is not inside the folder of ${toFile}, so it was copied into the project.`,
  };
}

/** A name for `data/<name>.csv` inside a project (the archive's allowlist). */
export function embeddedName(file: string): string {
  let name = file.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9_]/, '_');
  if (!name.toLowerCase().endsWith('.csv')) name += '.csv';
  return name.length > 132 ? `${name.slice(0, 124)}.csv` : name;
}
