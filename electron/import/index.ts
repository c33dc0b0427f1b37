/**
 * `netloom import` and File ▸ Open of a model: reads a model file (an ONNX `.onnx`, or a TF.js layers
 * `model.json` with its weight shards beside it), maps it onto the catalog and returns the project it
 * becomes (no data yet). Keras `.keras`/`.h5` files are refused with what to do instead: no file
 * written by Keras itself can be had here to test an importer against.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectBundle } from '../../shared/ir/project';
import { NotRegularFileError, readRegularFile } from '../services/regularFile';
import { importedProject } from './project';
import { importOnnx } from './onnx';
import { importTfjs } from './tfjs';
import { IMPORT_LIMITS, ImportError, type ImportedModel } from './types';

/** The file kinds an import reads, by how their names end. */
export const IMPORTABLE = ['.onnx', '.json'] as const;

export function isImportable(file: string): boolean {
  const lower = file.toLowerCase();
  return IMPORTABLE.some((ext) => lower.endsWith(ext));
}

async function readFile(file: string, maxBytes: number): Promise<Buffer> {
  try {
    return await readRegularFile(file, maxBytes);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new ImportError(err.message);
    if (err instanceof RangeError) throw new ImportError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImportError(`${file}: no such file.`);
    if (code) throw new ImportError(`${file}: cannot be read (${code}).`);
    throw err;
  }
}

/**
 * A weight shard's real path, refused when it is not inside the model's own folder (a symlink to a
 * file elsewhere would otherwise copy that file into the project).
 */
async function insideFolder(file: string, dir: string): Promise<string> {
  let real: string;
  let realDir: string;
  try {
    [real, realDir] = await Promise.all([fs.realpath(file), fs.realpath(dir)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ImportError(`${file}: no such file.`);
    throw new ImportError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
  }
  if (path.dirname(real) !== realDir)
    throw new ImportError(
      `${file} leads outside the model's folder (a link to ${real}); shards are read only beside model.json.`,
    );
  return real;
}

/**
 * Where a file beside the model (a TF.js weight shard) is really read from: serve mode confines it to
 * the served folder (symlinks included), a drop refuses names that were not dropped. It may throw.
 */
export type ResolvePath = (file: string) => Promise<string>;

/**
 * Reads and maps a model file. Throws `ImportError` (located) or `UnsupportedModelError`, or what
 * `resolve` throws for a file beside the model.
 */
export async function readModel(file: string, resolve?: ResolvePath): Promise<ImportedModel> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.keras') || lower.endsWith('.h5'))
    throw new ImportError(
      `${file}: Keras files are not imported. Convert the model with tensorflowjs_converter ` +
        '(--input_format keras) and import its model.json, or export it to ONNX.',
    );
  if (lower.endsWith('.json')) {
    const text = (await readFile(file, IMPORT_LIMITS.maxJsonBytes)).toString('utf8');
    const dir = path.dirname(file);
    const beside = async (name: string, maxBytes: number) => {
      const p = path.join(dir, name);
      return readFile(resolve ? await resolve(p) : await insideFolder(p, dir), maxBytes);
    };
    return importTfjs(text, beside, file);
  }
  if (lower.endsWith('.onnx'))
    return importOnnx(new Uint8Array(await readFile(file, IMPORT_LIMITS.maxFileBytes)), file);
  throw new ImportError(`${file}: not a model Netloom imports (an .onnx file, or a TF.js model.json).`);
}

/** A model file as a project (no data until one is chosen). */
export async function importModelFile(
  file: string,
  name?: string,
  resolve?: ResolvePath,
): Promise<ProjectBundle> {
  return importedProject(await readModel(file, resolve), file, name);
}
