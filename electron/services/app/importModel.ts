/**
 * Models opened in the app (File ▸ Open of an `.onnx` or a TF.js `model.json`, or files dropped on
 * the window): each becomes a new unsaved document (no path: Save asks where), written nowhere until
 * the user saves it. Serve mode reads every file inside the served folder (a weight shard beside the
 * model too, symlinks included). Dropped files have no paths: they are written into a fresh temporary
 * folder, read from there and removed.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectBundle } from '../../../shared/ir/project';
import { importModelFile, isImportable, type ResolvePath } from '../../import/index';
import { ImportError } from '../../import/types';
import { openProject, PROJECT_EXTENSION } from '../projectFiles';
import { ServiceError } from './core';
import type { AppCore, HandlerGroup } from './core';

export type ImportRequests = 'project.importFiles';

/** An import's refusal as a service error, without the folder it was read from in the message. */
function importFailed(err: unknown, folder: string | null): unknown {
  if (!(err instanceof ImportError)) return err;
  const message = folder ? err.message.split(folder + path.sep).join('') : err.message;
  return new ServiceError('IMPORT_FAILED', message);
}

async function importBundle(
  file: string,
  resolve: ResolvePath,
  folder: string | null,
): Promise<ProjectBundle> {
  try {
    return await importModelFile(file, undefined, resolve);
  } catch (err) {
    throw importFailed(err, folder);
  }
}

/** The result of opening an imported model: a new document with no path (unsaved). */
function openImported(app: AppCore, bundle: ProjectBundle) {
  const { project, ...extras } = bundle;
  return app.openResult(app.newDoc(null, extras), null, project, extras);
}

/** File ▸ Open of a model (`abs` already confined): its shards are confined too. */
export async function openModel(app: AppCore, abs: string) {
  const confine = (p: string) => app.confine(p, { mustExist: false });
  // Serve mode names files relative to the served folder; the desktop names them in full.
  const folder = app.opts.root ? await fs.realpath(app.opts.root) : null;
  return openImported(app, await importBundle(abs, confine, folder));
}

/** Which dropped file is the model (or project) the others go with. */
function mainFile(names: string[]): string {
  const lower = (n: string) => n.toLowerCase();
  const projects = names.filter((n) => lower(n).endsWith(PROJECT_EXTENSION));
  const models = names.filter((n) => isImportable(n));
  const found = [...projects, ...models];
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new ServiceError(
      'IMPORT_FAILED',
      `None of the dropped files (${names.join(', ')}) is something Netloom opens: a .nnproj project, an .onnx model, or a TF.js model.json with its weight files.`,
    );
  throw new ServiceError(
    'IMPORT_FAILED',
    `Drop one model at a time: ${found.join(', ')} are each a model or a project.`,
  );
}

export function importHandlers(app: AppCore): HandlerGroup<ImportRequests> {
  return {
    'project.importFiles': async ({ files }) => {
      const names = files.map((f) => f.name);
      const main = mainFile(names);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'netloom-drop-'));
      try {
        for (const f of files)
          await fs.writeFile(path.join(dir, f.name), Buffer.from(f.data, 'base64'), { flag: 'wx' });
        const file = path.join(dir, main);
        if (main.toLowerCase().endsWith(PROJECT_EXTENSION)) {
          // A dropped project opens as an unsaved copy: the page never had its path.
          const { project, ...extras } = await openProject(file);
          return app.openResult(app.newDoc(null, extras), null, project, extras);
        }
        const dropped = new Set(names);
        const onlyDropped: ResolvePath = async (p) => {
          const name = path.basename(p);
          if (path.dirname(p) !== dir || !dropped.has(name))
            throw new ImportError(
              `${name} is not among the dropped files: drop ${main} together with its weight files.`,
            );
          return p;
        };
        return openImported(app, await importBundle(file, onlyDropped, dir));
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}
