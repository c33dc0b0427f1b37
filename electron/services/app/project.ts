/**
 * Requests about the project document: app info, templates, new, open, save (weights that fit the
 * graph, data that stays inside the folder it is saved to), close. Export is in ./export.ts.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { emptyProject } from '../../../shared/ir/project';
import {
  buildTemplate,
  isTemplateId,
  optionsForData,
  TEMPLATE_IDS,
  type TemplateId,
  TemplateOptionError,
  type TemplateOptions,
  TEMPLATES,
} from '../../../shared/templates/index';
import { builtinDescriptor } from '../datasets/builtin';
import { isImportable } from '../../import/index';
import { openProject, PROJECT_EXTENSION, saveProject } from '../projectFiles';
import { ServiceError } from './core';
import type { AppCore, HandlerGroup } from './core';
import { openModel } from './importModel';

export type ProjectRequests =
  | 'app.info'
  | 'project.templates'
  | 'project.new'
  | 'project.open'
  | 'project.read'
  | 'project.save'
  | 'project.close';

export function projectHandlers(app: AppCore): HandlerGroup<ProjectRequests> {
  return {
    'app.info': async () => ({
      version: app.opts.version,
      mode: app.opts.mode,
      root: app.opts.root,
      initialFile: app.opts.initialFile ?? null,
    }),

    'project.templates': async () =>
      TEMPLATE_IDS.map((id) => {
        const t = TEMPLATES[id];
        return { id, label: t.label, description: t.description, teaches: t.teaches };
      }),

    'project.new': async ({ template, dataset }) => {
      let project;
      if (template === null) project = emptyProject();
      else if (isTemplateId(template)) project = buildTemplate(template, fitting(template, dataset));
      else throw new ServiceError('BAD_REQUEST', `Unknown template ${JSON.stringify(template)}.`);
      return app.openResult(app.newDoc(null, {}), null, project, {});
    },

    'project.open': async ({ path: p }) => {
      const abs = await app.confine(p, { mustExist: true });
      // A model (.onnx, a TF.js model.json) opens as a new unsaved document made from it.
      if (isImportable(p)) return openModel(app, abs);
      const bundle = await openProject(abs);
      const { project, ...extras } = bundle;
      await app.addRecent(abs).catch(() => undefined);
      return app.openResult(app.newDoc(abs, extras), abs, project, extras);
    },

    'project.read': async ({ docId, path: p }) => {
      const d = app.doc(docId);
      const target = p ?? (d.path ? app.display(d.path) : null);
      if (!target)
        throw new ServiceError('NO_PATH', 'The project has not been saved yet: there is no saved version.');
      const abs = await app.confine(target, { mustExist: true });
      const { project } = await openProject(abs);
      return { path: app.display(abs), name: project.name, graph: project.graph };
    },

    'project.save': async ({ docId, path: p, project: given }) => {
      let project = given;
      const d = app.doc(docId);
      app.guardRun(docId, project);
      let target = p ?? (d.path ? app.display(d.path) : null);
      if (!target) throw new ServiceError('NO_PATH', 'Choose where to save the project.');
      if (!target.endsWith(PROJECT_EXTENSION)) target += PROJECT_EXTENSION;
      const abs = await app.confine(target, { mustExist: false });
      // Data beside the project stays inside the folder it is saved to: a CSV that would be outside
      // it is copied into the project; an image folder that would be is refused.
      const moved = await app.rebaseData(d, project, path.dirname(abs));
      project = moved.project;
      const notes = moved.note ? [moved.note] : [];
      // Embedded CSVs the data spec no longer names are not saved.
      const keep =
        project.data?.source === 'csv' && project.data.embedded
          ? project.data.file.replace(/^data\//, '')
          : null;
      const data = new Map([...(d.extras.data ?? [])].filter(([name]) => name === keep));
      d.extras = { ...d.extras, data };
      // Weights that no longer fit the graph are never written; they stay in memory for Undo.
      const { extras, stale } = app.usableExtras(d, project);
      await saveProject(abs, { project, ...extras });
      d.path = abs;
      await app.addRecent(abs).catch(() => undefined);
      await fs.rm(path.join(app.recoveryDir(), `${docId}.nnproj`), { force: true });
      await fs.rm(path.join(app.recoveryDir(), `${docId}.json`), { force: true });
      if (stale)
        notes.push(
          `Saved without the trained weights: ${stale} Undo the change to bring them back, or train again.`,
        );
      return {
        path: app.display(abs),
        ...(notes.length ? { note: notes.join(' ') } : {}),
        ...(moved.changed && project.data ? { data: project.data } : {}),
      };
    },

    'project.close': async ({ docId }) => {
      app.docs.delete(docId);
      app.training.forget(docId);
      return {};
    },
  };
}

/**
 * The template's options for a built-in dataset (none without one, or when the template cannot take
 * that data's shape: the data panel then fits the Input and Output and the checker offers fixes).
 */
function fitting(template: TemplateId, dataset: string | undefined): TemplateOptions {
  const d = dataset === undefined ? undefined : builtinDescriptor(dataset);
  if (!d) return {};
  const options = optionsForData(template, {
    task: d.task,
    sampleShape: d.sampleShape,
    ...(d.classes !== undefined ? { classes: d.classes } : {}),
    ...(d.options?.vocabSize ? { vocabSize: d.options.vocabSize.default } : {}),
  });
  try {
    buildTemplate(template, options);
    return options;
  } catch (err) {
    if (err instanceof TemplateOptionError) return {};
    throw err;
  }
}
