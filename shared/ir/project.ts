/**
 * Reading and writing projects: `project.json` text <-> `Project`, and the whole `.nnproj` archive
 * <-> `ProjectBundle` (the project plus its optional weights, run histories and embedded data).
 *
 * Loading is strict and located: forbidden keys (`__proto__`...), a future format version, schema
 * violations, unknown layer kinds, duplicate ids, edges to missing nodes or ports, doubly-connected
 * ports, invalid parameters and cycles are all refused with a `ProjectFileError` naming the entry and
 * the JSON path. A graph that is merely unfinished (an unconnected port, a shape that does not fit
 * yet) loads: the editor shows those problems on the canvas.
 */
import { checkGraph, type GraphReport, type IssueCode } from '../graph/check';
import { nonFiniteWeight, readWeightsManifest } from '../graph/weights';
import { DEFAULT_TRAINING } from '../training/config';
import { evaluationSchema } from '../training/evaluation';
import { readArchive, writeArchive, type ArchiveLimits, DEFAULT_LIMITS } from './container';
import { formatPath, ProjectFileError } from './errors';
import { migrate } from './migrations';
import { FORMAT_NAME, FORMAT_VERSION, type Project, projectSchema } from './schema';

export interface ProjectBundle {
  project: Project;
  /** Trained weights in the tfjs layers format (`weights/model.json` + `weights/weights.bin`). */
  weights?: { modelJson: string; weightsBin: Uint8Array } | undefined;
  /** Metrics history per run id (`runs/<id>.jsonl`). */
  runs?: ReadonlyMap<string, string> | undefined;
  /** Embedded data files by name (`data/<name>.csv`). */
  data?: ReadonlyMap<string, Uint8Array> | undefined;
  /**
   * The evaluation of the current weights (`weights/evaluation.json`: metrics, confusion matrix,
   * baseline ladder), shown again on opening without recomputing. Opaque JSON to the container.
   */
  evaluation?: unknown;
  /** Weights of past runs (`runs/<id>/model.json` + `weights.bin`), so a run can be restored. */
  runWeights?: ReadonlyMap<string, { modelJson: string; weightsBin: Uint8Array }> | undefined;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Finds a forbidden key anywhere in parsed JSON without recursion (deeply nested input is fine). */
function findForbiddenKey(root: unknown): string | undefined {
  // Parents are kept as indices so no path is built unless a key is found.
  const values: unknown[] = [root];
  const parents: number[] = [-1];
  const keys: PropertyKey[] = [''];
  const stack: number[] = [0];
  const pathOf = (i: number, last: string): string => {
    const path: PropertyKey[] = [last];
    for (let j = i; j > 0; j = parents[j]!) path.unshift(keys[j]!);
    return formatPath(path);
  };
  while (stack.length > 0) {
    const i = stack.pop()!;
    const v = values[i];
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++) {
        const item: unknown = v[k];
        if (item !== null && typeof item === 'object') {
          values.push(item);
          parents.push(i);
          keys.push(k);
          stack.push(values.length - 1);
        }
      }
    } else {
      for (const k of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(k)) return pathOf(i, k);
        const item = (v as Record<string, unknown>)[k];
        if (item !== null && typeof item === 'object') {
          values.push(item);
          parents.push(i);
          keys.push(k);
          stack.push(values.length - 1);
        }
      }
    }
  }
  return undefined;
}

/** Structural graph problems that make a file invalid (the editor can never produce them). */
const REFUSED: ReadonlySet<IssueCode> = new Set<IssueCode>([
  'duplicate-id',
  'unknown-kind',
  'bad-param',
  'dangling-edge',
  'unknown-port',
  'output-has-no-output',
  'self-loop',
  'cycle',
  'port-multiple',
]);

const ENTRY = 'project.json';

/** Validates already-parsed JSON as a project (after migrations), with the checker's report. */
export function checkedProjectFromJson(raw: unknown): { project: Project; report: GraphReport } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ProjectFileError('SCHEMA', 'project.json must hold a JSON object.', ENTRY, '');
  const forbidden = findForbiddenKey(raw);
  if (forbidden !== undefined)
    throw new ProjectFileError(
      'FORBIDDEN_KEY',
      `The key "${forbidden.split(/[.[]/).pop()?.replace(/["\]]/g, '')}" is not allowed.`,
      ENTRY,
      forbidden,
    );
  const obj = raw as Record<string, unknown>;
  if (obj.format !== FORMAT_NAME)
    throw new ProjectFileError(
      'UNKNOWN_FORMAT',
      `This is not a Netloom project (format ${JSON.stringify(obj.format ?? null)}, expected "${FORMAT_NAME}").`,
      ENTRY,
      'format',
    );
  const migrated = migrate(obj);
  const parsed = projectSchema.safeParse(migrated);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatPath(issue.path);
    const isKind = issue.path.length === 4 && issue.path[3] === 'kind';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `Unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}.`;
    throw new ProjectFileError(isKind ? 'UNKNOWN_LAYER' : 'SCHEMA', message, ENTRY, path);
  }
  const project = parsed.data;
  const report = checkGraph(project.graph);
  const refused = report.issues.find((i) => REFUSED.has(i.code));
  if (refused) {
    const nodeIndex = refused.nodeId ? project.graph.nodes.findIndex((n) => n.id === refused.nodeId) : -1;
    const edgeIndex = refused.edgeId ? project.graph.edges.findIndex((e) => e.id === refused.edgeId) : -1;
    const path =
      edgeIndex >= 0
        ? `graph.edges[${edgeIndex}]`
        : nodeIndex >= 0
          ? `graph.nodes[${nodeIndex}]${refused.param ? `.params.${refused.param}` : ''}`
          : 'graph';
    throw new ProjectFileError('GRAPH', refused.message, ENTRY, path);
  }
  return { project, report };
}

/** Parses the text of `project.json`. */
export function parseProjectJson(text: string): Project {
  return loadProjectJson(text).project;
}

/** Parses the text of `project.json` and returns the project with its checked graph report. */
export function loadProjectJson(text: string): { project: Project; report: GraphReport } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProjectFileError(
      'INVALID_JSON',
      `project.json is not valid JSON (${err instanceof Error ? err.message : String(err)}).`,
      ENTRY,
    );
  }
  return checkedProjectFromJson(raw);
}

/** Canonical text of a project (stable key order as declared by the schema). */
export function serializeProject(project: Project): string {
  return JSON.stringify(projectSchema.parse(project), null, 2) + '\n';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function text(name: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProjectFileError('CORRUPT_ENTRY', `${name} is not valid UTF-8 text.`, name);
  }
}

/** Reads a whole `.nnproj` from its bytes. Never throws anything but `ProjectFileError`. */
export function readProjectFile(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): ProjectBundle {
  try {
    const files = readArchive(bytes, limits);
    const pj = files.get(ENTRY);
    if (!pj) throw new ProjectFileError('MISSING_ENTRY', 'The archive has no project.json.', ENTRY);
    const project = parseProjectJson(text(ENTRY, pj));
    const modelJson = files.get('weights/model.json');
    const weightsBin = files.get('weights/weights.bin');
    if ((modelJson === undefined) !== (weightsBin === undefined))
      throw new ProjectFileError(
        'MISSING_ENTRY',
        'Trained weights need both weights/model.json and weights/weights.bin; one of them is missing.',
        modelJson ? 'weights/weights.bin' : 'weights/model.json',
      );
    const runs = new Map<string, string>();
    const data = new Map<string, Uint8Array>();
    const runWeights = new Map<string, { modelJson: string; weightsBin: Uint8Array }>();
    const runIds = new Set(project.runs.map((r) => r.id));
    for (const [name, content] of files) {
      const rw = /^runs\/([^/]+)\/model\.json$/.exec(name);
      if (rw) {
        const bin = files.get(`runs/${rw[1]}/weights.bin`);
        if (!runIds.has(rw[1]!) || !bin)
          throw new ProjectFileError(
            'ENTRY_NOT_ALLOWED',
            `${name} needs its weights.bin and a run listed in project.json.`,
            name,
          );
        const w = { modelJson: text(name, content), weightsBin: bin };
        checkWeightsEntries(w, name);
        runWeights.set(rw[1]!, w);
      }
      const rb = /^runs\/([^/]+)\/weights\.bin$/.exec(name);
      if (rb && !files.has(`runs/${rb[1]}/model.json`))
        throw new ProjectFileError('MISSING_ENTRY', `${name} has no model.json beside it.`, name);
      const run = /^runs\/([^/]+)\.jsonl$/.exec(name);
      if (run) {
        if (!runIds.has(run[1]!))
          throw new ProjectFileError(
            'ENTRY_NOT_ALLOWED',
            `${name} belongs to no run listed in project.json.`,
            name,
          );
        runs.set(run[1]!, text(name, content));
      }
      const d = /^data\/(.+)$/.exec(name);
      if (d) data.set(d[1]!, content);
    }
    const evalBytes = files.get('weights/evaluation.json');
    let evaluation: unknown;
    if (evalBytes) {
      if (!modelJson)
        throw new ProjectFileError(
          'ENTRY_NOT_ALLOWED',
          'An evaluation needs the weights it evaluated.',
          'weights/evaluation.json',
        );
      evaluation = readEvaluation(evalBytes);
    }
    const weights =
      modelJson && weightsBin ? { modelJson: text('weights/model.json', modelJson), weightsBin } : undefined;
    if (weights) checkWeightsEntries(weights, 'weights/model.json');
    return {
      project,
      ...(evaluation !== undefined ? { evaluation } : {}),
      weights,
      runs,
      data,
      runWeights,
    };
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    // Anything else is a bug in a check above; still report it as a refusal, never a crash.
    throw new ProjectFileError(
      'CORRUPT_ENTRY',
      `The file could not be read (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
}

/** The weights' manifest read strictly: schema, names, shapes, dtypes and the size of weights.bin. */
function checkWeightsEntries(w: { modelJson: string; weightsBin: Uint8Array }, entry: string): void {
  const res = readWeightsManifest(w.modelJson, w.weightsBin.byteLength, entry);
  if (!res.ok)
    throw new ProjectFileError('CORRUPT_ENTRY', res.problem.message, res.problem.entry, res.problem.path);
  const bad = nonFiniteWeight(res.entries, w.weightsBin);
  if (bad)
    throw new ProjectFileError(
      'CORRUPT_ENTRY',
      `${bad.name} has ${bad.count} value${bad.count === 1 ? '' : 's'} that ${bad.count === 1 ? 'is' : 'are'} not a finite number (NaN or infinity); trained weights never do.`,
      entry.replace(/model\.json$/, 'weights.bin'),
    );
}

const EVALUATION = 'weights/evaluation.json';
/** Deeper than any evaluation Netloom writes (its schema nests at most 4 levels). */
const MAX_EVALUATION_DEPTH = 16;

/** Depth of parsed JSON, without recursion; stops counting at `limit + 1`. */
function jsonDepth(root: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** `weights/evaluation.json`: JSON, depth-limited, no forbidden keys, then the strict evaluation schema. */
function readEvaluation(bytes: Uint8Array): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text(EVALUATION, bytes));
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    throw new ProjectFileError('INVALID_JSON', `${EVALUATION} is not valid JSON.`, EVALUATION);
  }
  if (jsonDepth(raw, MAX_EVALUATION_DEPTH) > MAX_EVALUATION_DEPTH)
    throw new ProjectFileError(
      'CORRUPT_ENTRY',
      `${EVALUATION} nests deeper than ${MAX_EVALUATION_DEPTH} levels; an evaluation is never that deep.`,
      EVALUATION,
    );
  const bad = findForbiddenKey(raw);
  if (bad !== undefined)
    throw new ProjectFileError('FORBIDDEN_KEY', 'A forbidden key is in the evaluation.', EVALUATION, bad);
  const parsed = evaluationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProjectFileError('SCHEMA', issue.message, EVALUATION, formatPath(issue.path));
  }
  return parsed.data;
}

/** An evaluation as it will read back (JSON drops NaN to null), or undefined if it would not. */
function storableEvaluation(evaluation: unknown): Uint8Array | undefined {
  try {
    const bytes = encoder.encode(JSON.stringify(evaluation));
    return evaluationSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes))).success
      ? bytes
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a whole `.nnproj` to bytes (the caller saves them atomically). */
export function writeProjectFile(bundle: ProjectBundle): Uint8Array {
  const files = new Map<string, Uint8Array>();
  files.set(ENTRY, encoder.encode(serializeProject(bundle.project)));
  if (bundle.weights) {
    files.set('weights/model.json', encoder.encode(bundle.weights.modelJson));
    files.set('weights/weights.bin', bundle.weights.weightsBin);
    // An evaluation that would not read back (a NaN metric, a stale shape) is left out: it is
    // derived data, recomputed by Evaluate, and must never make the saved file unreadable.
    const ev = bundle.evaluation === undefined ? undefined : storableEvaluation(bundle.evaluation);
    if (ev) files.set(EVALUATION, ev);
  }
  for (const [id, jsonl] of bundle.runs ?? []) files.set(`runs/${id}.jsonl`, encoder.encode(jsonl));
  for (const [name, content] of bundle.data ?? []) files.set(`data/${name}`, content);
  for (const [id, w] of bundle.runWeights ?? []) {
    files.set(`runs/${id}/model.json`, encoder.encode(w.modelJson));
    files.set(`runs/${id}/weights.bin`, w.weightsBin);
  }
  return writeArchive(files);
}

/** A new, empty project. */
export function emptyProject(name = 'Untitled'): Project {
  return {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    name,
    graph: { nodes: [], edges: [] },
    data: null,
    training: { ...DEFAULT_TRAINING },
    runs: [],
  };
}
