/**
 * The pieces every group of request handlers shares: the options, the open documents, the training
 * sessions, path confinement (serve mode), recent files, and the rules that keep a document's
 * weights and data honest (the run lock, weights that fit the graph, data inside the project's
 * folder). AppServices (../app.ts) adds the handler table and `dispatch` on top.
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
  type RequestName,
  type RequestParams,
  type RequestResult,
} from '../../../shared/ipc/contract';
import { ProjectFileError } from '../../../shared/ir/errors';
import type { Evaluation } from '../../../shared/training/evaluation';
import type { ProjectBundle } from '../../../shared/ir/project';
import type { Project } from '../../../shared/ir/schema';
import { sameModelGraph } from '../../../shared/graph/structure';
import { weightsState } from '../../../shared/graph/weights';
import { writeFileAtomic } from '../projectFiles';
import { TrainingServiceError, TrainingSessions, weightSpecsOf } from '../trainingSessions';
import { ModelViews } from '../modelViews';
import { DataError } from '../training';
import { DataPathError, relativeInside, resolveDataPath } from '../dataPaths';
import { readRegularFile } from '../regularFile';

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
    /** `models`: models to import (.onnx, a TF.js model.json) may be chosen too. */
    openProject(models?: boolean): Promise<string | null>;
    saveProject(suggestedName: string): Promise<string | null>;
    chooseFolder(): Promise<string | null>;
  };
}

export interface Doc {
  path: string | null;
  /** Everything in the file besides project.json, kept so a save never drops trained weights. */
  extras: Omit<ProjectBundle, 'project'>;
  /** Absolute path of the CSV the data spec points at, when it is not embedded. */
  dataFile?: string | null;
}

/** Handlers for some of the requests (a group); AppServices combines the groups into all of them. */
export type HandlerGroup<K extends RequestName> = {
  [N in K]: (p: RequestParams<N>) => Promise<RequestResult<N>>;
};
export type Handlers = HandlerGroup<RequestName>;

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

export class AppCore {
  readonly events = new EventEmitter();
  readonly docs = new Map<string, Doc>();
  readonly opts: ServiceOptions;
  readonly training: TrainingSessions;
  readonly views: ModelViews;

  constructor(opts: ServiceOptions) {
    this.opts = opts;
    this.training = new TrainingSessions(
      (name, payload) => this.emit(name, payload as never),
      (doc) => this.dataRoot(doc),
    );
    this.views = new ModelViews(this.training);
  }

  /** The folder a document's data paths are relative to (see TrainingSessions). */
  dataRoot(doc: { path: string | null }): string | null {
    return doc.path ? path.dirname(doc.path) : this.opts.root;
  }

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    this.events.emit('event', name, EVENTS[name].parse(payload));
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

  display(abs: string): string {
    return this.opts.root ? path.relative(this.opts.root, abs) || '.' : abs;
  }

  // -- recent files ----------------------------------------------------------------------------

  recentFile() {
    return path.join(this.opts.dataDir, 'recent.json');
  }

  async readRecent(): Promise<string[]> {
    try {
      const list: unknown = JSON.parse(await fs.readFile(this.recentFile(), 'utf8'));
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, 10) : [];
    } catch {
      return [];
    }
  }

  async addRecent(abs: string): Promise<void> {
    const list = [abs, ...(await this.readRecent()).filter((p) => p !== abs)].slice(0, 10);
    await fs.mkdir(this.opts.dataDir, { recursive: true });
    await writeFileAtomic(this.recentFile(), new TextEncoder().encode(JSON.stringify(list, null, 2)));
  }

  // -- autosave --------------------------------------------------------------------------------

  recoveryDir() {
    return path.join(this.opts.dataDir, 'recovery');
  }

  newDoc(pathOrNull: string | null, extras: Doc['extras']): string {
    const id = randomBytes(9).toString('base64url');
    this.docs.set(id, { path: pathOrNull, extras });
    return id;
  }

  /**
   * The project's data spec for a save into `toDir`: a CSV beside the project becomes relative to
   * `toDir` when it is inside it, and is otherwise copied into the project (`data/<name>.csv`); an
   * image folder outside `toDir` makes the save fail (images cannot be copied into a project).
   */
  async rebaseData(
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
  requireFit(d: Doc, project: Project): void {
    const st = weightsState(project.graph, d.extras.weights);
    if (st.state === 'stale')
      throw new ServiceError(
        'STALE_WEIGHTS',
        `${st.reason} Train the network again, or undo the change to the graph.`,
      );
  }

  doc(id: string): Doc {
    const d = this.docs.get(id);
    if (!d) throw new ServiceError('NO_DOCUMENT', 'That project is no longer open; reopen it.');
    return d;
  }

  /**
   * During a run the graph is read-only: a request carrying a different graph is refused (the
   * editor refuses the edit too; this is the guard for any other client).
   */
  guardRun(docId: string, project: Project): void {
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
  usableExtras(d: Doc, project: Project): { extras: Doc['extras']; stale: string | null } {
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

  openResult(docId: string, abs: string | null, project: Project, extras: Doc['extras']) {
    return {
      docId,
      path: abs ? this.display(abs) : null,
      project,
      hasWeights: !!extras.weights,
      weightSpecs: weightSpecsOf(extras.weights),
      evaluation: (extras.weights && (extras.evaluation as Evaluation | undefined)) || null,
    };
  }
}
