/**
 * The services behind shared/ipc, in plain Node. Electron's main process and serve mode bind the
 * same instance to their transport; `dispatch` validates every request against the contract before a
 * handler sees it.
 */
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  EVENTS,
  type EventName,
  type EventPayload,
  type IpcError,
  REQUESTS,
  type RequestName,
  type RequestParams,
  type RequestResult,
} from '../../shared/ipc/contract';
import { ProjectFileError } from '../../shared/ir/errors';
import type { Evaluation } from '../../shared/training/evaluation';
import { emptyProject, type ProjectBundle, readProjectFile, writeProjectFile } from '../../shared/ir/project';
import { buildTemplate, isTemplateId, TEMPLATE_IDS, TEMPLATES } from '../../shared/templates/index';
import { openProject, PROJECT_EXTENSION, saveProject, writeFileAtomic } from './projectFiles';
import { TrainingServiceError, TrainingSessions, weightSpecsOf } from './trainingSessions';
import { sameModelGraph } from '../../shared/graph/structure';
import { weightsState } from '../../shared/graph/weights';
import type { Project } from '../../shared/ir/schema';
import { csvPath, DataError, loadProjectData } from './training';
import { DataPathError, relativeInside, resolveDataPath } from './dataPaths';
import { readRegularFile } from './regularFile';
import { ExportError, type ExportOptions, exportProject } from '../export/index';

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(message);
  }
}

export interface ServiceOptions {
  mode: 'electron' | 'serve';
  version: string;
  /** Serve mode: every path must resolve inside this folder. Electron: null (native dialogs). */
  root: string | null;
  /** Where recent files and autosave recovery slots live. */
  dataDir: string;
  initialFile?: string | null;
  /** Native file dialogs (Electron only). */
  dialogs?: {
    openProject(): Promise<string | null>;
    saveProject(suggestedName: string): Promise<string | null>;
    chooseFolder(): Promise<string | null>;
  };
}

interface Doc {
  path: string | null;
  /** Everything in the file besides project.json, kept so a save never drops trained weights. */
  extras: Omit<ProjectBundle, 'project'>;
  /** Absolute path of the CSV the data spec points at, when it is not embedded. */
  dataFile?: string | null;
}

type Handlers = { [N in RequestName]: (p: RequestParams<N>) => Promise<RequestResult<N>> };

export function defaultDataDir(): string {
  if (process.env.NETLOOM_DATA_DIR) return process.env.NETLOOM_DATA_DIR;
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'netloom');
}

export function toIpcError(err: unknown): IpcError {
  if (err instanceof ProjectFileError) {
    const where = [err.entry, err.path].filter(Boolean).join(': ');
    return where ? { code: err.code, message: err.message, where } : { code: err.code, message: err.message };
  }
  if (err instanceof TrainingServiceError || err instanceof DataError)
    return { code: err instanceof DataError ? 'DATA' : err.code, message: err.message };
  if (err instanceof ServiceError)
    return err.where
      ? { code: err.code, message: err.message, where: err.where }
      : { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export class AppServices {
  readonly events = new EventEmitter();
  private docs = new Map<string, Doc>();
  private readonly opts: ServiceOptions;
  private readonly training: TrainingSessions;

  constructor(opts: ServiceOptions) {
    this.opts = opts;
    this.training = new TrainingSessions(
      (name, payload) => this.emit(name, payload as never),
      (doc) => this.dataRoot(doc),
    );
  }

  /** The folder a document's data paths are relative to (see TrainingSessions). */
  private dataRoot(doc: { path: string | null }): string | null {
    return doc.path ? path.dirname(doc.path) : this.opts.root;
  }

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    this.events.emit('event', name, EVENTS[name].parse(payload));
  }

  /** Validates and runs one request. Throws ServiceError / ProjectFileError for the caller to report. */
  async dispatch(name: string, params: unknown): Promise<unknown> {
    if (!Object.hasOwn(REQUESTS, name))
      throw new ServiceError('BAD_REQUEST', `Unknown request ${JSON.stringify(name)}.`);
    const def = REQUESTS[name as RequestName];
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success)
      throw new ServiceError(
        'BAD_REQUEST',
        `Invalid parameters for ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      );
    const handler = this.handlers[name as RequestName] as (p: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  // -- paths ---------------------------------------------------------------------------------

  /** Resolves a user path; in serve mode it must stay inside the root, symlinks included. */
  async confine(p: string, { mustExist }: { mustExist: boolean }): Promise<string> {
    const root = this.opts.root;
    const abs = path.resolve(root ?? process.cwd(), p);
    if (!root) return abs;
    const realRoot = await fs.realpath(root);
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      if (mustExist || (err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new ServiceError('NOT_FOUND', `No such file: ${p}`);
      const parent = await fs.realpath(path.dirname(abs)).catch(() => {
        throw new ServiceError('NOT_FOUND', `No such folder: ${path.dirname(p)}`);
      });
      real = path.join(parent, path.basename(abs));
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep))
      throw new ServiceError('OUTSIDE_ROOT', `${p} is outside the folder Netloom is serving (${root}).`);
    return real;
  }

  private display(abs: string): string {
    return this.opts.root ? path.relative(this.opts.root, abs) || '.' : abs;
  }

  // -- recent files ----------------------------------------------------------------------------

  private recentFile() {
    return path.join(this.opts.dataDir, 'recent.json');
  }

  private async readRecent(): Promise<string[]> {
    try {
      const list: unknown = JSON.parse(await fs.readFile(this.recentFile(), 'utf8'));
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, 10) : [];
    } catch {
      return [];
    }
  }

  private async addRecent(abs: string): Promise<void> {
    const list = [abs, ...(await this.readRecent()).filter((p) => p !== abs)].slice(0, 10);
    await fs.mkdir(this.opts.dataDir, { recursive: true });
    await writeFileAtomic(this.recentFile(), new TextEncoder().encode(JSON.stringify(list, null, 2)));
  }

  // -- autosave --------------------------------------------------------------------------------

  private recoveryDir() {
    return path.join(this.opts.dataDir, 'recovery');
  }

  private newDoc(pathOrNull: string | null, extras: Doc['extras']): string {
    const id = randomBytes(9).toString('base64url');
    this.docs.set(id, { path: pathOrNull, extras });
    return id;
  }

  /**
   * The project's data spec for a save into `toDir`: a CSV beside the project becomes relative to
   * `toDir` when it is inside it, and is otherwise copied into the project (`data/<name>.csv`); an
   * image folder outside `toDir` makes the save fail (images cannot be copied into a project).
   */
  private async rebaseData(
    d: Doc,
    project: Project,
    toDir: string,
  ): Promise<{ project: Project; changed: boolean; note?: string }> {
    const spec = project.data;
    if (!spec || spec.source === 'builtin' || (spec.source === 'csv' && spec.embedded))
      return { project, changed: false };
    const from = this.dataRoot(d);
    if (!from) return { project, changed: false };
    const rel = spec.source === 'csv' ? spec.file : spec.directory;
    let abs: string;
    try {
      abs = await resolveDataPath(from, rel);
    } catch (err) {
      if (err instanceof DataPathError) return { project, changed: false }; // loading says why
      throw err;
    }
    const inside = await relativeInside(toDir, abs);
    if (inside !== null)
      return inside === rel
        ? { project, changed: false }
        : {
            project: {
              ...project,
              data: spec.source === 'csv' ? { ...spec, file: inside } : { ...spec, directory: inside },
            },
            changed: true,
          };
    if (spec.source === 'images')
      throw new ServiceError(
        'DATA_OUTSIDE',
        `The project's images (${rel}) would be outside the folder you are saving to. Save the project in the folder that holds them (or one above it).`,
      );
    const name = path.posix
      .basename(spec.file)
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .replace(/^[^A-Za-z0-9_]/, '_');
    const bytes = new Uint8Array(await readRegularFile(abs, 256 * 2 ** 20));
    d.extras = { ...d.extras, data: new Map([...(d.extras.data ?? []), [name, bytes]]) };
    d.dataFile = null;
    return {
      project: { ...project, data: { ...spec, file: `data/${name}`, embedded: true } },
      changed: true,
      note: `The CSV ${rel} is not inside the folder you saved to, so it was copied into the project.`,
    };
  }

  /** Refuses to use weights that do not fit `project`'s graph (evaluate, predict). */
  private requireFit(d: Doc, project: Project): void {
    const st = weightsState(project.graph, d.extras.weights);
    if (st.state === 'stale')
      throw new ServiceError(
        'STALE_WEIGHTS',
        `${st.reason} Train the network again, or undo the change to the graph.`,
      );
  }

  private doc(id: string): Doc {
    const d = this.docs.get(id);
    if (!d) throw new ServiceError('NO_DOCUMENT', 'That project is no longer open; reopen it.');
    return d;
  }

  /**
   * During a run the graph is read-only: a request carrying a different graph is refused (the
   * editor refuses the edit too; this is the guard for any other client).
   */
  private guardRun(docId: string, project: Project): void {
    const running = this.training.runningGraph(docId);
    if (running && !sameModelGraph(running, project.graph))
      throw new ServiceError(
        'TRAINING_LOCKED',
        'The graph is read-only while it trains: stop the run (or let it finish) before changing it.',
      );
  }

  /**
   * The document's weights as they may be used with `project`'s graph: kept when they fit, left
   * out (with the reason) when an edit made them stale. The document keeps them in memory either
   * way, so undoing the edit makes them usable again.
   */
  private usableExtras(d: Doc, project: Project): { extras: Doc['extras']; stale: string | null } {
    // Run histories and run weights go with the runs the project lists (a file holding others is
    // refused on reading, so it must never be written).
    const listed = new Set(project.runs.map((r) => r.id));
    const keep = <V>(m: ReadonlyMap<string, V> | undefined) =>
      m && new Map([...m].filter(([id]) => listed.has(id)));
    const extras: Doc['extras'] = {
      ...d.extras,
      runs: keep(d.extras.runs),
      runWeights: keep(d.extras.runWeights),
    };
    const st = weightsState(project.graph, d.extras.weights);
    if (st.state !== 'stale') return { extras, stale: null };
    const { weights: _w, evaluation: _e, ...rest } = extras;
    return { extras: rest, stale: st.reason };
  }

  private openResult(docId: string, abs: string | null, project: Project, extras: Doc['extras']) {
    return {
      docId,
      path: abs ? this.display(abs) : null,
      project,
      hasWeights: !!extras.weights,
      weightSpecs: weightSpecsOf(extras.weights),
      evaluation: (extras.weights && (extras.evaluation as Evaluation | undefined)) || null,
    };
  }

  readonly handlers: Handlers = {
    'app.info': async () => ({
      version: this.opts.version,
      mode: this.opts.mode,
      root: this.opts.root,
      initialFile: this.opts.initialFile ?? null,
    }),

    'project.templates': async () =>
      TEMPLATE_IDS.map((id) => {
        const t = TEMPLATES[id];
        return { id, label: t.label, description: t.description, teaches: t.teaches };
      }),

    'project.new': async ({ template }) => {
      let project;
      if (template === null) project = emptyProject();
      else if (isTemplateId(template)) project = buildTemplate(template);
      else throw new ServiceError('BAD_REQUEST', `Unknown template ${JSON.stringify(template)}.`);
      return this.openResult(this.newDoc(null, {}), null, project, {});
    },

    'project.open': async ({ path: p }) => {
      const abs = await this.confine(p, { mustExist: true });
      const bundle = await openProject(abs);
      const { project, ...extras } = bundle;
      await this.addRecent(abs).catch(() => undefined);
      return this.openResult(this.newDoc(abs, extras), abs, project, extras);
    },

    'project.save': async ({ docId, path: p, project: given }) => {
      let project = given;
      const d = this.doc(docId);
      this.guardRun(docId, project);
      let target = p ?? (d.path ? this.display(d.path) : null);
      if (!target) throw new ServiceError('NO_PATH', 'Choose where to save the project.');
      if (!target.endsWith(PROJECT_EXTENSION)) target += PROJECT_EXTENSION;
      const abs = await this.confine(target, { mustExist: false });
      // Data beside the project stays inside the folder it is saved to: a CSV that would be outside
      // it is copied into the project; an image folder that would be is refused.
      const moved = await this.rebaseData(d, project, path.dirname(abs));
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
      const { extras, stale } = this.usableExtras(d, project);
      await saveProject(abs, { project, ...extras });
      d.path = abs;
      await this.addRecent(abs).catch(() => undefined);
      await fs.rm(path.join(this.recoveryDir(), `${docId}.nnproj`), { force: true });
      await fs.rm(path.join(this.recoveryDir(), `${docId}.json`), { force: true });
      if (stale)
        notes.push(
          `Saved without the trained weights: ${stale} Undo the change to bring them back, or train again.`,
        );
      return {
        path: this.display(abs),
        ...(notes.length ? { note: notes.join(' ') } : {}),
        ...(moved.changed && project.data ? { data: project.data } : {}),
      };
    },

    'project.close': async ({ docId }) => {
      this.docs.delete(docId);
      this.training.forget(docId);
      return {};
    },

    'datasets.list': async () => this.training.datasets(),

    'data.load': async ({ docId, data, training }) => {
      if (this.training.runningGraph(docId))
        throw new ServiceError('TRAINING_LOCKED', 'Stop the run before changing the data it trains on.');
      return this.training.load(docId, this.doc(docId), data, training);
    },

    'data.upload': async ({ docId, name, text }) => {
      const d = this.doc(docId);
      const data = new Map(d.extras.data ?? []);
      data.set(name, new TextEncoder().encode(text));
      d.extras = { ...d.extras, data };
      return { file: `data/${name}` };
    },

    'data.cancel': async ({ docId }) => {
      this.training.cancelLoad(docId);
      return {};
    },

    'training.start': async ({ docId, project, grid }) =>
      this.training.start(docId, this.doc(docId), project, grid),

    'training.cancel': async ({ runId }) => {
      this.training.cancel(runId);
      return {};
    },

    'model.evaluate': async ({ docId, project }) => {
      const d = this.doc(docId);
      this.guardRun(docId, project);
      this.requireFit(d, project);
      return this.training.evaluate(docId, d, project);
    },

    'model.predict': async ({ docId, project, input }) => {
      const d = this.doc(docId);
      this.guardRun(docId, project);
      if (!d.extras.weights) throw new ServiceError('NOT_TRAINED', 'Train the network first.');
      this.requireFit(d, project);
      return this.training.predict(d, project, input);
    },

    'model.predictGrid': async ({ docId, project, grid }) => {
      const d = this.doc(docId);
      this.guardRun(docId, project);
      if (!d.extras.weights) throw new ServiceError('NOT_TRAINED', 'Train the network first.');
      this.requireFit(d, project);
      return this.training.predictGrid(d, project, grid);
    },

    'runs.restore': async ({ docId, runId, project }) => {
      this.guardRun(docId, project);
      return { weightSpecs: this.training.restore(this.doc(docId), runId, project.graph) ?? [] };
    },

    'runs.history': async ({ docId, runIds }) => this.training.history(this.doc(docId), runIds),

    'recent.list': async () => {
      const list = await this.readRecent();
      const out: string[] = [];
      for (const abs of list) {
        if (this.opts.root) {
          try {
            await this.confine(abs, { mustExist: true });
          } catch {
            continue;
          }
        }
        out.push(this.display(abs));
      }
      return out;
    },

    'autosave.write': async ({ docId, path: p, project }) => {
      const d = this.doc(docId);
      this.guardRun(docId, project);
      await fs.mkdir(this.recoveryDir(), { recursive: true });
      await writeFileAtomic(
        path.join(this.recoveryDir(), `${docId}.nnproj`),
        writeProjectFile({ project, ...this.usableExtras(d, project).extras }),
      );
      await writeFileAtomic(
        path.join(this.recoveryDir(), `${docId}.json`),
        new TextEncoder().encode(
          JSON.stringify({
            path: p ?? (d.path ? this.display(d.path) : null),
            name: project.name,
            savedAt: new Date().toISOString(),
          }),
        ),
      );
      return {};
    },

    'autosave.clear': async ({ docId }) => {
      await fs.rm(path.join(this.recoveryDir(), `${docId}.nnproj`), { force: true });
      await fs.rm(path.join(this.recoveryDir(), `${docId}.json`), { force: true });
      return {};
    },

    'autosave.pending': async () => {
      const names = await fs.readdir(this.recoveryDir()).catch(() => [] as string[]);
      const out: { docId: string; path: string | null; name: string; savedAt: string }[] = [];
      for (const n of names) {
        const m = /^([A-Za-z0-9_-]{1,64})\.json$/.exec(n);
        if (!m || this.docs.has(m[1]!)) continue;
        try {
          const meta = JSON.parse(await fs.readFile(path.join(this.recoveryDir(), n), 'utf8')) as {
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
      const file = path.join(this.recoveryDir(), `${docId}.nnproj`);
      const meta = JSON.parse(await fs.readFile(path.join(this.recoveryDir(), `${docId}.json`), 'utf8')) as {
        path?: string | null;
      };
      const bundle = readProjectFile(await fs.readFile(file));
      const { project, ...extras } = bundle;
      let abs: string | null = null;
      if (typeof meta.path === 'string')
        abs = await this.confine(meta.path, { mustExist: false }).catch(() => null);
      this.docs.set(docId, { path: abs, extras });
      return this.openResult(docId, abs, project, extras);
    },

    'dialog.openProject': async () => {
      if (!this.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await this.opts.dialogs.openProject() };
    },

    'dialog.saveProject': async ({ suggestedName }) => {
      if (!this.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await this.opts.dialogs.saveProject(suggestedName) };
    },

    'dialog.chooseFolder': async () => {
      if (!this.opts.dialogs)
        throw new ServiceError('UNSUPPORTED', 'No native dialogs here; use the file browser.');
      return { path: await this.opts.dialogs.chooseFolder() };
    },

    'project.export': async ({ docId, project, format, dir, force }) => {
      const d = this.doc(docId);
      this.guardRun(docId, project);
      const base = d.path ? path.dirname(d.path) : (this.opts.root ?? process.cwd());
      const abs = await this.confine(
        path.isAbsolute(dir) ? dir : path.join(path.relative(this.opts.root ?? process.cwd(), base), dir),
        {
          mustExist: false,
        },
      );
      // Never the project's folder nor the served one (nor a folder above them); in serve mode the
      // export, its staging folder and the folder it replaces stay inside the served folder.
      const root = this.opts.root;
      const options: ExportOptions = {
        version: this.opts.version,
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
            const abs = await csvPath(spec, { projectFile: d.path, dataRoot: this.dataRoot(d) }).catch(
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
                dataRoot: this.dataRoot(d),
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
        return { dir: this.display(abs), files: res.files, ...(res.note ? { note: res.note } : {}) };
      } catch (err) {
        if (err instanceof ExportError) throw new ServiceError('EXPORT', err.message);
        throw err;
      }
    },

    'fs.list': async ({ dir }) => {
      const root = this.opts.root ?? process.cwd();
      const abs = await this.confine(dir ?? '.', { mustExist: true });
      const stat = await fs.stat(abs);
      if (!stat.isDirectory()) throw new ServiceError('NOT_A_FOLDER', `${dir} is not a folder.`);
      const dirents = await fs.readdir(abs, { withFileTypes: true });
      const entries = [];
      for (const d of dirents) {
        if (d.name.startsWith('.')) continue;
        const full = path.join(abs, d.name);
        if (d.isDirectory()) entries.push({ name: d.name, path: this.display(full), kind: 'dir' as const });
        else if (d.isFile() && (d.name.endsWith(PROJECT_EXTENSION) || d.name.endsWith('.csv'))) {
          const st = await fs.stat(full).catch(() => null);
          entries.push({
            name: d.name,
            path: this.display(full),
            kind: 'file' as const,
            ...(st ? { size: st.size } : {}),
          });
        }
      }
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
      const realRoot = await fs.realpath(root);
      const parent = abs === realRoot ? null : this.display(path.dirname(abs));
      return { dir: this.display(abs), parent, entries };
    },
  };
}
