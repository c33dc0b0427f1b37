/**
 * Requests about files around the document: recent files, autosave recovery slots, native dialogs (Electron), and the served folder's file browser (serve mode).
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { readProjectFile, writeProjectFile } from '../../../shared/ir/project';
import { PROJECT_EXTENSION, writeFileAtomic } from '../projectFiles';
import { ServiceError } from './core';
import type { AppCore, HandlerGroup } from './core';

export type FilesRequests =
  | 'recent.list'
  | 'autosave.write'
  | 'autosave.clear'
  | 'autosave.pending'
  | 'autosave.recover'
  | 'dialog.openProject'
  | 'dialog.saveProject'
  | 'dialog.chooseFolder'
  | 'fs.list';

export function filesHandlers(app: AppCore): HandlerGroup<FilesRequests> {
  return {
    'recent.list': async () => {
      const list = await app.readRecent();
      const out: string[] = [];
      for (const abs of list) {
        if (app.opts.root) {
          try {
            await app.confine(abs, { mustExist: true });
          } catch {
            continue;
          }
        }
        out.push(app.display(abs));
      }
      return out;
    },

    'autosave.write': async ({ docId, path: p, project }) => {
      const d = app.doc(docId);
      app.guardRun(docId, project);
      await fs.mkdir(app.recoveryDir(), { recursive: true });
      await writeFileAtomic(
        path.join(app.recoveryDir(), `${docId}.nnproj`),
        writeProjectFile({ project, ...app.usableExtras(d, project).extras }),
      );
      await writeFileAtomic(
        path.join(app.recoveryDir(), `${docId}.json`),
        new TextEncoder().encode(
          JSON.stringify({
            path: p ?? (d.path ? app.display(d.path) : null),
            name: project.name,
            savedAt: new Date().toISOString(),
          }),
        ),
      );
      return {};
    },

    'autosave.clear': async ({ docId }) => {
      await fs.rm(path.join(app.recoveryDir(), `${docId}.nnproj`), { force: true });
      await fs.rm(path.join(app.recoveryDir(), `${docId}.json`), { force: true });
      return {};
    },

    'autosave.pending': async () => {
      const names = await fs.readdir(app.recoveryDir()).catch(() => [] as string[]);
      const out: { docId: string; path: string | null; name: string; savedAt: string }[] = [];
      for (const n of names) {
        const m = /^([A-Za-z0-9_-]{1,64})\.json$/.exec(n);
        if (!m || app.docs.has(m[1]!)) continue;
        try {
          const meta = JSON.parse(await fs.readFile(path.join(app.recoveryDir(), n), 'utf8')) as {
            path?: unknown;
            name?: unknown;
            savedAt?: unknown;
          };
          out.push({
            docId: m[1]!,
            path: typeof meta.path === 'string' ? meta.path : null,
            name: typeof meta.name === 'string' ? meta.name : 'Untitled',
            savedAt: typeof meta.savedAt === 'string' ? meta.savedAt : '',
          });
        } catch {
          // A damaged slot is skipped, not fatal.
        }
      }
      return out;
    },

    'autosave.recover': async ({ docId }) => {
      const file = path.join(app.recoveryDir(), `${docId}.nnproj`);
      const meta = JSON.parse(await fs.readFile(path.join(app.recoveryDir(), `${docId}.json`), 'utf8')) as {
        path?: string | null;
      };
      const bundle = readProjectFile(await fs.readFile(file));
      const { project, ...extras } = bundle;
      let abs: string | null = null;
      if (typeof meta.path === 'string')
        abs = await app.confine(meta.path, { mustExist: false }).catch(() => null);
      app.docs.set(docId, { path: abs, extras });
      return app.openResult(docId, abs, project, extras);
    },

    'dialog.openProject': async () => {
      if (!app.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await app.opts.dialogs.openProject() };
    },

    'dialog.saveProject': async ({ suggestedName }) => {
      if (!app.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await app.opts.dialogs.saveProject(suggestedName) };
    },

    'dialog.chooseFolder': async () => {
      if (!app.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await app.opts.dialogs.chooseFolder() };
    },

    'fs.list': async ({ dir }) => {
      const root = app.opts.root ?? process.cwd();
      const abs = await app.confine(dir ?? '.', { mustExist: true });
      const stat = await fs.stat(abs);
      if (!stat.isDirectory()) throw new ServiceError('NOT_A_FOLDER', `${dir} is not a folder.`);
      const dirents = await fs.readdir(abs, { withFileTypes: true });
      const entries = [];
      for (const d of dirents) {
        if (d.name.startsWith('.')) continue;
        const full = path.join(abs, d.name);
        if (d.isDirectory()) entries.push({ name: d.name, path: app.display(full), kind: 'dir' as const });
        else if (d.isFile() && (d.name.endsWith(PROJECT_EXTENSION) || d.name.endsWith('.csv'))) {
          const st = await fs.stat(full).catch(() => null);
          entries.push({
            name: d.name,
            path: app.display(full),
            kind: 'file' as const,
            ...(st ? { size: st.size } : {}),
          });
        }
      }
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
      const realRoot = await fs.realpath(root);
      const parent = abs === realRoot ? null : app.display(path.dirname(abs));
      return { dir: app.display(abs), parent, entries };
    },
  };
}
