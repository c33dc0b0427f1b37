/**
 * Export: code, model or diagram into a folder (confined to the served folder in serve mode), never with weights that do not fit the graph, never replacing a folder Netloom did not export.
 */
import path from 'node:path';
import { ExportError, type ExportOptions, exportProject } from '../../export/index';
import { readRegularFile } from '../regularFile';
import { csvPath, loadProjectData } from '../training';
import { ServiceError } from './core';
import type { AppCore, HandlerGroup } from './core';

export type ExportRequests = 'project.export';

export function exportHandlers(app: AppCore): HandlerGroup<ExportRequests> {
  return {
    'project.export': async ({ docId, project, format, dir, force }) => {
      const d = app.doc(docId);
      app.guardRun(docId, project);
      const base = d.path ? path.dirname(d.path) : (app.opts.root ?? process.cwd());
      const abs = await app.confine(
        path.isAbsolute(dir) ? dir : path.join(path.relative(app.opts.root ?? process.cwd(), base), dir),
        {
          mustExist: false,
        },
      );
      // Never the project's folder nor the served one (nor a folder above them); in serve mode the
      // export, its staging folder and the folder it replaces stay inside the served folder.
      const root = app.opts.root;
      const options: ExportOptions = {
        version: app.opts.version,
        force,
        // Weights an edit made stale are left out (and the result says so), never exported.
        staleWeights: 'drop',
        protectedPaths: [d.path, root].filter((p): p is string => p !== null),
        ...(root ? { confineTo: root } : {}),
      };
      const spec = project.data;
      if ((format === 'pytorch' || format === 'keras') && spec) {
        if (spec.source === 'csv') {
          if (spec.preprocessing) options.preprocessing = spec.preprocessing;
          if (!spec.embedded) {
            // Only a CSV inside the project's folder is read (and copied into the export).
            const abs = await csvPath(spec, { projectFile: d.path, dataRoot: app.dataRoot(d) }).catch(
              () => null,
            );
            if (abs)
              options.csv = {
                name: path.posix.basename(spec.file),
                bytes: new Uint8Array(await readRegularFile(abs, 256 * 2 ** 20)),
              };
          }
        } else {
          try {
            options.dataset = (
              await loadProjectData(project, {
                projectFile: d.path,
                dataRoot: app.dataRoot(d),
                embedded: d.extras.data,
              })
            ).dataset;
          } catch {
            // The code still exports; data.py then explains where the data should come from.
          }
        }
      }
      try {
        const res = await exportProject({ project, ...d.extras }, format, abs, options);
        return { dir: app.display(abs), files: res.files, ...(res.note ? { note: res.note } : {}) };
      } catch (err) {
        if (err instanceof ExportError) throw new ServiceError('EXPORT', err.message);
        throw err;
      }
    },
  };
}
