/**
 * Requests about files around the document: recent files, native dialogs (Electron), and the served
 * folder's file browser (serve mode). Autosave is in ./recovery.ts.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { IMPORTABLE } from '../../import/index';
import { PROJECT_EXTENSION } from '../projectFiles';
import { ServiceError } from './core';
import type { AppCore, HandlerGroup } from './core';

/** The files the browser lists: projects, CSV data, and models File ▸ Open imports (.onnx, model.json). */
const LISTED = [PROJECT_EXTENSION, '.csv', ...IMPORTABLE];

export type FilesRequests =
  'recent.list' | 'dialog.openProject' | 'dialog.saveProject' | 'dialog.chooseFolder' | 'fs.list';

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

    'dialog.openProject': async ({ models }) => {
      if (!app.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await app.opts.dialogs.openProject(models) };
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
        else if (d.isFile() && LISTED.some((ext) => d.name.toLowerCase().endsWith(ext))) {
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
