/**
 * `exportProject`: a project to code and artefacts other engines run as they are: a PyTorch package
 * (with DDP), a Keras script, a TF.js layers model, or a diagram (SVG, PNG).
 *
 * The export is written atomically: every file goes into a fresh folder beside the destination,
 * flushed to disk, and that folder is renamed into place, so the destination never holds a
 * half-written export. A non-empty destination is refused unless `force` is set (it is then replaced
 * as a whole). An invalid graph is refused with every error, located.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectBundle } from '../../shared/ir/project';
import { exportDiagram } from './diagram';
import { exportKeras } from './keras';
import { ExportError } from './plan';
import { exportPytorch } from './pytorch';
import { exportTfjs } from './tfjs';
import { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './types';

export { ExportError } from './plan';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './types';

type Files = Map<string, Uint8Array | string>;

const EXPORTERS: {
  readonly [F in ExportFormat]: (b: ProjectBundle, o: ExportOptions, v: string) => Promise<Files>;
} = {
  pytorch: exportPytorch,
  keras: exportKeras,
  tfjs: exportTfjs,
  svg: (b, o) => exportDiagram(b, 'svg', o),
  png: (b, o) => exportDiagram(b, 'png', o),
};

export function isExportFormat(f: unknown): f is ExportFormat {
  return typeof f === 'string' && (EXPORT_FORMATS as readonly string[]).includes(f);
}

/**
 * Exports `bundle` in `format` to the folder `outDir` (created if missing). Resolves with the paths
 * written, relative to `outDir`, sorted. Throws `ExportError` for an invalid graph, missing
 * requirements or a non-empty folder without `force`.
 */
export async function exportProject(
  bundle: ProjectBundle,
  format: ExportFormat,
  outDir: string,
  options: ExportOptions = {},
): Promise<{ files: string[] }> {
  if (!isExportFormat(format))
    throw new ExportError(
      `Unknown export format ${JSON.stringify(format)}; use one of ${EXPORT_FORMATS.join(', ')}.`,
    );
  const target = path.resolve(outDir);
  const existing = await listDir(target);
  if (existing === 'file') throw new ExportError(`${outDir} is a file; exports go into a folder.`);
  if (existing && existing.length > 0 && !options.force)
    throw new ExportError(
      `${outDir} is not empty (${existing.length} entr${existing.length === 1 ? 'y' : 'ies'}); choose an empty folder or pass force to replace it.`,
    );
  // Everything is generated in memory first: a refusal leaves the disk untouched.
  const files = await EXPORTERS[format](bundle, options, options.version ?? 'dev');
  await writeFolderAtomic(target, files, existing !== null);
  return { files: [...files.keys()].sort() };
}

async function listDir(dir: string): Promise<string[] | 'file' | null> {
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) return 'file';
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const tag = () => `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;

async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic there.
  }
}

/** Writes `files` into a staging folder beside `target`, then renames it into place. */
async function writeFolderAtomic(target: string, files: Files, exists: boolean): Promise<void> {
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(target)}.export-${tag()}`);
  await fs.mkdir(staging);
  try {
    const dirs = new Set<string>();
    for (const [rel, content] of files) {
      if (rel.split('/').some((p) => p === '..' || p === '') || path.isAbsolute(rel))
        throw new Error(`refusing to write ${rel}`);
      const file = path.join(staging, rel);
      const dir = path.dirname(file);
      if (!dirs.has(dir)) {
        await fs.mkdir(dir, { recursive: true });
        dirs.add(dir);
      }
      const h = await fs.open(file, 'wx', 0o644);
      try {
        await h.writeFile(content);
        await h.sync();
      } finally {
        await h.close();
      }
    }
    for (const d of dirs) await syncDir(d);
    await syncDir(staging);
    if (exists) {
      // Replace the old folder as a whole: move it aside, move the new one in, then delete the old.
      const old = path.join(parent, `.${path.basename(target)}.old-${tag()}`);
      await fs.rename(target, old);
      try {
        await fs.rename(staging, target);
      } catch (e) {
        await fs.rename(old, target).catch(() => undefined);
        throw e;
      }
      await fs.rm(old, { recursive: true, force: true });
    } else {
      await fs.rename(staging, target);
    }
    await syncDir(parent);
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}
