/**
 * Autosave: unsaved work kept in a recovery slot every 30 s (never with weights that do not fit the graph), offered back after a crash.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { readProjectFile, writeProjectFile } from '../../../shared/ir/project';
import { writeFileAtomic } from '../projectFiles';
import type { AppCore, HandlerGroup } from './core';

export type RecoveryRequests = 'autosave.write' | 'autosave.clear' | 'autosave.pending' | 'autosave.recover';

export function recoveryHandlers(app: AppCore): HandlerGroup<RecoveryRequests> {
  return {
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
  };
}
