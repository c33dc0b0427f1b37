/**
 * `exportProject`: a project to code and artefacts other engines run as they are: a PyTorch package
 * (with DDP), a Keras script, a TF.js layers model, an ONNX model, or a diagram (SVG, PNG).
 *
 * The export is written atomically: every file goes into a fresh folder beside the destination,
 * flushed to disk, and that folder is renamed into place, so the destination never holds a
 * half-written export. Beside the files goes a manifest, `.netloom-export.json` (format, Netloom
 * version, time, the files written). A new or empty destination is written without asking; a
 * non-empty one is refused unless `force` is set AND the manifest is valid AND the folder holds
 * nothing the manifest does not list: only then is it replaced as a whole, so `force` never loses a
 * file Netloom did not write. The folders in `protectedPaths` (the project's, the served one) and
 * every folder above them are never a destination, and with `confineTo` the destination, its staging
 * folder and the old folder moved aside all stay inside that folder. Real paths are compared, so a
 * symlinked destination is judged (and written) where it really is. An invalid graph is refused with
 * every error, located.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkGraph } from '../../shared/graph/check';
import { weightsState } from '../../shared/graph/weights';
import type { ProjectBundle } from '../../shared/ir/project';
import { exportDiagram } from './diagram';
import { exportKeras } from './keras';
import { exportOnnx } from './onnx';
import { ExportError } from './plan';
import { exportPytorch } from './pytorch';
import { exportTfjs } from './tfjs';
import {
  EXPORT_FORMATS,
  type ExportFiles,
  type Exporter,
  type ExportFormat,
  type ExportOptions,
} from './types';

export { ExportError } from './plan';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './types';

type Files = ExportFiles;

const EXPORTERS: { readonly [F in ExportFormat]: Exporter } = {
  pytorch: exportPytorch,
  keras: exportKeras,
  tfjs: exportTfjs,
  onnx: exportOnnx,
  svg: (b, o) => exportDiagram(b, 'svg', o),
  png: (b, o) => exportDiagram(b, 'png', o),
};

export function isExportFormat(f: unknown): f is ExportFormat {
  return typeof f === 'string' && (EXPORT_FORMATS as readonly string[]).includes(f);
}

/** The manifest written into every export folder; `force` replaces only folders holding a valid one. */
export const EXPORT_MANIFEST = '.netloom-export.json';

/** What `.netloom-export.json` holds. `files` are the paths written, relative, `/`-separated. */
export interface ExportManifest {
  netloomExport: 1;
  format: string;
  netloomVersion: string;
  exportedAt: string;
  files: string[];
}

const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_MANIFEST_FILES = 100_000;

/**
 * Exports `bundle` in `format` to the folder `outDir` (created if missing). Resolves with the paths
 * written, relative to `outDir`, sorted (the manifest, a hidden bookkeeping file, is not among them).
 * Throws `ExportError` for an invalid graph, missing requirements, or a destination it must not
 * write (see the file comment); a refusal writes nothing.
 */
export async function exportProject(
  bundle: ProjectBundle,
  format: ExportFormat,
  outDir: string,
  options: ExportOptions = {},
): Promise<{ files: string[]; note?: string }> {
  if (!isExportFormat(format))
    throw new ExportError(
      `Unknown export format ${JSON.stringify(format)}; use one of ${EXPORT_FORMATS.join(', ')}.`,
    );
  const target = await realTarget(outDir);
  await refuseProtected(target, outDir, options);
  const existing = await inspect(target, outDir);
  refuseExisting(existing, outDir, options.force === true);
  // Weights are exported only with the graph they fit (an invalid graph is refused by the exporter).
  const report = checkGraph(bundle.project.graph);
  const weights = report.valid ? weightsState(bundle.project.graph, bundle.weights, report) : null;
  let note: string | undefined;
  if (weights?.state === 'stale') {
    if (options.staleWeights !== 'drop')
      throw new ExportError(
        `${weights.reason} Train the network again (netloom train) before exporting, or undo the change.`,
      );
    const { weights: _w, evaluation: _e, ...rest } = bundle;
    bundle = rest;
    note = `Exported without the trained weights: ${weights.reason}`;
  }
  // Everything is generated in memory first: a refusal leaves the disk untouched.
  const files = await EXPORTERS[format](bundle, options, options.version ?? 'dev');
  if (files.has(EXPORT_MANIFEST)) throw new Error(`an exporter wrote ${EXPORT_MANIFEST}`);
  const listed = [...files.keys()].sort();
  const manifest: ExportManifest = {
    netloomExport: 1,
    format,
    netloomVersion: options.version ?? 'dev',
    exportedAt: new Date().toISOString(),
    files: listed,
  };
  const all: Files = new Map(files);
  all.set(EXPORT_MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  await writeFolderAtomic(target, all, existing, outDir);
  return note ? { files: listed, note } : { files: listed };
}

/** What the destination holds now. */
type Existing =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'export'; manifest: ExportManifest; unlisted: string[] }
  | { kind: 'foreign'; entries: number };

const isMissing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');

/** The real path of `p`, or of its nearest existing ancestor with the rest appended. */
async function realpathLoose(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch (e) {
    if (!isMissing(e)) throw e;
    const parent = path.dirname(p);
    return parent === p ? p : path.join(await realpathLoose(parent), path.basename(p));
  }
}

/** The destination's real path: a symlinked destination is judged and written where it really is. */
async function realTarget(outDir: string): Promise<string> {
  try {
    return await realpathLoose(path.resolve(outDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new ExportError(`${outDir} is a symlink loop; choose a folder.`);
    throw e;
  }
}

/** Device and inode of an existing path (null when unknown), so aliases of one folder compare equal. */
async function fileId(p: string): Promise<string | null> {
  try {
    const st = await fs.stat(p, { bigint: true });
    return st.ino === 0n ? null : `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

const inside = (dir: string, p: string) => p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * Whether the real folder `dir` is `p` or holds it: `p` and every folder above it, along both its
 * path as given and its real path, compared by path and by device and inode.
 */
async function holds(dir: string, p: string): Promise<'is' | 'holds' | null> {
  const dirId = await fileId(dir);
  const given = path.resolve(p);
  for (const start of [given, await realpathLoose(given)]) {
    for (let d = start; ; d = path.dirname(d)) {
      if (d === dir || (dirId !== null && (await fileId(d)) === dirId)) return d === start ? 'is' : 'holds';
      if (path.dirname(d) === d) break;
    }
  }
  return null;
}

async function refuseProtected(target: string, outDir: string, options: ExportOptions): Promise<void> {
  for (const p of options.protectedPaths ?? []) {
    const rel = await holds(target, p);
    if (rel)
      throw new ExportError(
        `Refusing to export into ${outDir}: it ${rel} ${p}, and an export never replaces or writes into the folder holding the project, the folder Netloom is serving, or any folder above them; choose a new folder (a subfolder is fine).`,
      );
  }
  if (options.confineTo !== undefined && !inside(await fs.realpath(options.confineTo), target))
    throw new ExportError(
      `${outDir} is not inside ${options.confineTo}; an export goes into a folder inside it.`,
    );
}

async function inspect(target: string, outDir: string): Promise<Existing> {
  let st;
  try {
    st = await fs.lstat(target);
  } catch (e) {
    if (isMissing(e)) return { kind: 'missing' };
    throw e;
  }
  if (st.isSymbolicLink())
    throw new ExportError(
      `${outDir} is a symlink to a missing folder; choose a folder that exists or a new one.`,
    );
  if (!st.isDirectory()) throw new ExportError(`${outDir} is a file; exports go into a folder.`);
  const entries = await fs.readdir(target);
  if (entries.length === 0) return { kind: 'empty' };
  const manifest = await readManifest(target);
  if (!manifest) return { kind: 'foreign', entries: entries.length };
  return { kind: 'export', manifest, unlisted: await unlistedEntries(target, manifest) };
}

/** A name from the disk or the manifest, shown in a message: control characters as `?`, capped. */
const shown = (s: string) => {
  const t = Array.from(s, (c) => (c < ' ' || c === '\u007f' ? '?' : c)).join('');
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
};

const entriesText = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`;

function someOf(items: readonly string[], n = 5): string {
  const named = items.slice(0, n).map(shown).join(', ');
  return items.length <= n ? named : `${named} and ${items.length - n} more`;
}

function refuseExisting(existing: Existing, outDir: string, force: boolean): void {
  switch (existing.kind) {
    case 'missing':
    case 'empty':
      return;
    case 'foreign':
      throw new ExportError(
        force
          ? `${outDir} is not empty (${entriesText(existing.entries)}) and Netloom did not export it (it has no valid ${EXPORT_MANIFEST}); Netloom only replaces folders it exported itself, so nothing was written. Choose an empty or new folder.`
          : `${outDir} is not empty (${entriesText(existing.entries)}); choose an empty or new folder. Replacing (--force, or Replace in the Export dialog) would not help: it replaces only a folder Netloom exported itself, never one it did not write.`,
      );
    case 'export':
      if (existing.unlisted.length > 0)
        throw new ExportError(
          `${outDir} holds an earlier Netloom export plus files it did not write: ${someOf(existing.unlisted)}; replacing the folder would lose them, so ${force ? 'nothing was written' : 'it would not be replaced'}. Move them elsewhere or choose an empty or new folder.`,
        );
      if (!force)
        throw new ExportError(
          `${outDir} is not empty: it holds an earlier Netloom export (${shown(existing.manifest.format)}, ${shown(existing.manifest.exportedAt)}). Replace it as a whole (--force, or Replace in the Export dialog), or choose an empty or new folder.`,
        );
  }
}

/** A manifest path that stays inside the folder: relative, `/`-separated, no `.`, `..` or empty parts. */
function isSafeRelPath(rel: string): boolean {
  return (
    rel.length > 0 &&
    rel.length <= 4096 &&
    !/[\\\0]/.test(rel) &&
    !/^[A-Za-z]:/.test(rel) &&
    rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

/** The folder's manifest, or null when it is missing, not a regular file, unparsable or unsafe. */
async function readManifest(dir: string): Promise<ExportManifest | null> {
  const file = path.join(dir, EXPORT_MANIFEST);
  let text: string;
  try {
    const st = await fs.lstat(file);
    if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return null;
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return null;
  const { netloomExport, format, netloomVersion, exportedAt, files } = m as Record<string, unknown>;
  if (
    netloomExport !== 1 ||
    typeof format !== 'string' ||
    typeof netloomVersion !== 'string' ||
    typeof exportedAt !== 'string' ||
    !Array.isArray(files) ||
    files.length > MAX_MANIFEST_FILES ||
    !files.every((f): f is string => typeof f === 'string' && isSafeRelPath(f))
  )
    return null;
  return { netloomExport, format, netloomVersion, exportedAt, files };
}

/**
 * What `dir` holds that `manifest` does not list (besides the manifest itself), sorted: a file or
 * symlink not listed, or a folder no listed path goes through (named once, with a trailing `/`).
 */
async function unlistedEntries(dir: string, manifest: ExportManifest | null): Promise<string[]> {
  const listed = new Set(manifest?.files ?? []);
  const through = new Set<string>();
  for (const f of listed) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) through.add(parts.slice(0, i).join('/'));
  }
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(rel ? path.join(dir, ...rel.split('/')) : dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (through.has(r)) await walk(r);
        else out.push(`${r}/`);
      } else if (!listed.has(r) && !(manifest && r === EXPORT_MANIFEST)) out.push(r);
    }
  };
  await walk('');
  return out;
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

/**
 * Writes `files` into a staging folder beside `target`, then renames it into place. An existing
 * `target` (judged replaceable by `refuseExisting`) is moved aside first and checked again there, so
 * a file written into it meanwhile puts it back instead of being deleted.
 */
async function writeFolderAtomic(
  target: string,
  files: Files,
  existing: Existing,
  outDir: string,
): Promise<void> {
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(target)}.export-${tag()}`);
  await fs.mkdir(staging);
  try {
    const dirs = new Set<string>();
    for (const [rel, content] of files) {
      if (!isSafeRelPath(rel)) throw new Error(`refusing to write ${rel}`);
      const file = path.join(staging, ...rel.split('/'));
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
    if (existing.kind !== 'missing') {
      // Replace the old folder as a whole: move it aside, check it again, move the new one in, then
      // delete the old one.
      const old = path.join(parent, `.${path.basename(target)}.old-${tag()}`);
      await fs.rename(target, old);
      const manifest = existing.kind === 'export' ? existing.manifest : null;
      try {
        const late = await unlistedEntries(old, manifest);
        if (late.length > 0)
          throw new ExportError(
            `${outDir} changed while exporting: it now holds ${someOf(late)}, ${manifest ? 'which the earlier export did not write' : 'and it was empty before'}; nothing was replaced.`,
          );
        await fs.rename(staging, target);
      } catch (e) {
        await fs.rename(old, target).catch(() => {
          throw new ExportError(
            `${outDir} could not be put back after a failed export (${e instanceof Error ? e.message : String(e)}); its previous contents are in ${old}.`,
          );
        });
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
