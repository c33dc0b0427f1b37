/**
 * The one typed contract between the renderer and the main-process services. Electron's preload and
 * serve mode's WebSocket both expose exactly these requests and events; every payload is validated
 * with the schemas here on the receiving side (main validates requests, so a compromised renderer
 * cannot send anything else).
 */
import { z } from 'zod';
import { EXPORT_FORMATS } from '../export/formats';
import { weightEntrySchema, type WeightEntry } from '../graph/weights';
import type { InspectResult, UnitGrid } from '../inspect/types';
import type { NodeWeights } from '../inspect/weights';
import type { LrFindResult } from '../training/lrFind';
import { entryRule } from '../ir/container';
import { blockDefSchema, dataSpecSchema, projectSchema, type RunSummary } from '../ir/schema';
import type { DatasetDescriptor, Task } from '../training/data';
import type { Evaluation } from '../training/evaluation';
import type { TrainingEvent } from '../training/protocol';

const typed = <T>() => z.custom<T>(() => true);

/** The most bytes a project file lets `name` inflate to (shared/ir/container.ts ENTRY_RULES). */
function entryLimit(name: string): number {
  const rule = entryRule(name);
  if (!rule) throw new Error(`No size limit for ${name} in ENTRY_RULES.`);
  return rule.maxBytes;
}

/** The most values `model.predict` takes in one input (a 224×224×3 image is 150,528). */
export const PREDICT_MAX_VALUES = 200_000;

/**
 * The largest CSV `data.upload` stores: what a project file may embed as `data/<name>.csv` (256 MiB).
 * Serve mode takes it over HTTP (POST /api/upload), never as one WebSocket message.
 */
export const DATA_UPLOAD_MAX_BYTES = entryLimit('data/upload.csv');

/**
 * The largest message serve mode takes on its WebSocket (and as an /api/rpc body): the largest
 * legitimate request other than `data.upload`. That is `model.predict`, whose params carry a whole
 * project and an input: the project at most project.json's 16 MiB (the file holds it pretty-printed,
 * the wire compact, so never more), plus PREDICT_MAX_VALUES numbers at 25 bytes each (the longest a
 * double prints, `-2.2250738585072014e-308`, and a comma), plus 1 MiB for the envelope, the doc id
 * and headroom: 22,825,792 bytes (21.8 MiB). The other requests carry a project and less.
 */
export const MAX_WIRE_MESSAGE_BYTES = entryLimit('project.json') + PREDICT_MAX_VALUES * 25 + 2 ** 20;

const docId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Files dropped on the window that `project.importFiles` takes at once, and their total size. */
export const DROP_MAX_FILES = 16;
export const DROP_MAX_BYTES = 256 * 2 ** 20;
/**
 * The largest body serve mode's POST /api/import takes: `project.importFiles`' params as JSON (the
 * files in base64, a third larger than they are), plus 1 MiB for names and the envelope. Sent over
 * HTTP, as a drop may be larger than one WebSocket message.
 */
export const DROP_WIRE_MAX_BYTES = Math.ceil(DROP_MAX_BYTES / 3) * 4 + 2 ** 20;
/** Bytes a base64 text of `length` characters decodes to (padding aside). */
const base64Bytes = (length: number) => Math.floor((length * 3) / 4);
/** A dropped file: a plain file name (no folder, not hidden) and its bytes in base64. */
const droppedFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_(][A-Za-z0-9_ .()+-]{0,199}$/, 'a plain file name (letters, digits, _ . - ( ) +)'),
  data: z.base64().max(Math.ceil(DROP_MAX_BYTES / 3) * 4),
});

/** An epoch of the last run whose weight snapshot a view uses (the checkpoint scrubber). */
const checkpoint = z.number().int().min(1).max(1_000_000).optional();
/** A path as the user chose it; the service resolves and, in serve mode, confines it. */
const filePath = z.string().min(1).max(4096);

export const fileEntrySchema = z.strictObject({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['file', 'dir']),
  size: z.number().optional(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const openResultSchema = z.strictObject({
  docId,
  path: z.string().nullable(),
  project: projectSchema,
  hasWeights: z.boolean(),
  /**
   * Names and shapes of the trained weights (null without any): the editor compares them with the
   * graph to tell when an edit makes them stale.
   */
  weightSpecs: z.array(weightEntrySchema).nullable(),
  /** The saved evaluation of the current weights, if any. */
  evaluation: typed<Evaluation>().nullable(),
});
export type OpenResult = z.infer<typeof openResultSchema>;

export const templateInfoSchema = z.strictObject({
  id: z.string(),
  label: z.string(),
  description: z.string(),
  teaches: z.string(),
});

/** What the data panel shows about the project's data. */
export interface DataSummary {
  name: string;
  task: Task;
  count: number;
  trainCount: number;
  validationCount: number;
  sampleShape: number[];
  xDtype: 'float32' | 'int32';
  /** The targets are the inputs (an autoencoder); the task is then regression. */
  reconstruction?: boolean;
  classes?: string[];
  featureNames?: string[];
  vocabSize?: number;
  source?: string;
  warnings: string[];
  preview:
    | {
        kind: 'table';
        header: string[];
        rows: string[][];
        columns?: { name: string; type: string; role: string; note?: string }[];
      }
    /** Points: [x, y, class] of every `rowStep`-th row (point k is row k × rowStep). */
    | { kind: 'scatter'; points: [number, number, number][]; classes: string[]; rowStep?: number }
    | { kind: 'images'; width: number; height: number; perClass: { class: string; images: number[][] }[] }
    | { kind: 'sequence'; examples: { text: string; label: string }[] };
  /** Shapes the Input and Output nodes should have for this data. */
  suggested: { inputShape: number[]; inputDtype: 'float32' | 'int32'; targetShape: number[] };
}

/** A 2-D grid the worker predicts at every epoch end (decision boundary). */
export const gridSchema = z.strictObject({
  x0: z.number(),
  x1: z.number(),
  y0: z.number(),
  y1: z.number(),
  n: z.int().min(2).max(200),
});
export type Grid = z.infer<typeof gridSchema>;

/**
 * A training event as the renderer sees it: weights stay in the main process; a terminal event
 * carries the run's summary and the names and shapes of the document's weights after it.
 */
interface TerminalExtras {
  weightSpecs: WeightEntry[] | null;
}
export type TrainingEventView =
  | Exclude<TrainingEvent, { type: 'done' } | { type: 'diverged' } | { type: 'cancelled' }>
  | (Omit<Extract<TrainingEvent, { type: 'done' }>, 'weights'> & { run: RunSummary } & TerminalExtras)
  | (Omit<Extract<TrainingEvent, { type: 'diverged' }>, 'weights'> & { run: RunSummary } & TerminalExtras)
  | (Omit<Extract<TrainingEvent, { type: 'cancelled' }>, 'weights'> & {
      run: RunSummary | null;
    } & TerminalExtras);

/** request name -> { params, result } */
/** A block in the user's library: its definition and those of the blocks it uses inside. */
export const libraryEntrySchema = z.strictObject({
  block: blockDefSchema,
  uses: z.array(blockDefSchema).max(100),
});
export type LibraryEntry = z.infer<typeof libraryEntrySchema>;

export const REQUESTS = {
  'app.info': {
    params: z.strictObject({}),
    result: z.strictObject({
      version: z.string(),
      mode: z.enum(['electron', 'serve']),
      /** Serve mode: the folder the file browser is confined to. */
      root: z.string().nullable(),
      /** A file given on the command line, opened at start. */
      initialFile: z.string().nullable(),
    }),
  },
  'project.new': {
    params: z.strictObject({
      template: z.string().max(64).nullable(),
      /** A built-in dataset the template is built for (its sample shape, classes, vocabulary). */
      dataset: z.string().max(64).optional(),
    }),
    result: openResultSchema,
  },
  'project.templates': {
    params: z.strictObject({}),
    result: z.array(templateInfoSchema),
  },
  'project.open': {
    params: z.strictObject({ path: filePath }),
    result: openResultSchema,
  },
  /**
   * Files dropped on the window (the page has their bytes, not their paths): a project, an ONNX model
   * or a TF.js model.json with its weight shards. Opened as a new unsaved document; nothing is kept.
   */
  'project.importFiles': {
    params: z
      .strictObject({ files: z.array(droppedFileSchema).min(1).max(DROP_MAX_FILES) })
      .refine((p) => new Set(p.files.map((f) => f.name.toLowerCase())).size === p.files.length, {
        message: 'two dropped files have the same name',
      })
      .refine((p) => p.files.reduce((a, f) => a + base64Bytes(f.data.length), 0) <= DROP_MAX_BYTES, {
        message: `the dropped files are larger than ${DROP_MAX_BYTES / 2 ** 20} MiB together`,
      }),
    result: openResultSchema,
  },
  /**
   * Another project's network, read and not opened (a diff's other side): a path, or null for the
   * document's own file as last saved.
   */
  'project.read': {
    params: z.strictObject({ docId, path: filePath.nullable() }),
    result: z.strictObject({ path: z.string(), name: z.string(), graph: projectSchema.shape.graph }),
  },
  'project.save': {
    params: z.strictObject({ docId, path: filePath.nullable(), project: projectSchema }),
    /**
     * `note`: something the user should know about what was saved (stale weights left out, a CSV
     * copied in); `data`: the data spec as saved, when the save changed it (a CSV rebased or copied in).
     */
    result: z.strictObject({
      path: z.string(),
      note: z.string().optional(),
      data: dataSpecSchema.optional(),
    }),
  },
  'project.close': {
    params: z.strictObject({ docId }),
    result: z.strictObject({}),
  },
  /** The user's block library (across projects): each block with the definitions it uses inside. */
  'library.list': {
    params: z.strictObject({}),
    result: z.strictObject({ entries: z.array(libraryEntrySchema) }),
  },
  /** Saves a block to the user's library (one of the same name is replaced). */
  'library.save': {
    params: z.strictObject({ entry: libraryEntrySchema }),
    result: z.strictObject({ count: z.number() }),
  },
  'recent.list': {
    params: z.strictObject({}),
    result: z.array(z.string()),
  },
  'autosave.write': {
    params: z.strictObject({ docId, path: z.string().nullable(), project: projectSchema }),
    result: z.strictObject({}),
  },
  'autosave.clear': {
    params: z.strictObject({ docId }),
    result: z.strictObject({}),
  },
  'autosave.pending': {
    params: z.strictObject({}),
    result: z.array(
      z.strictObject({ docId, path: z.string().nullable(), name: z.string(), savedAt: z.string() }),
    ),
  },
  'autosave.recover': {
    params: z.strictObject({ docId }),
    result: openResultSchema,
  },
  /** Electron: a native Open dialog. Serve mode answers UNSUPPORTED (the page has its own browser). */
  'dialog.openProject': {
    /** `models`: a model to import (.onnx, a TF.js model.json) may be chosen too (File ▸ Open). */
    params: z.strictObject({ models: z.boolean().optional() }),
    result: z.strictObject({ path: z.string().nullable() }),
  },
  /** Electron: a native Save dialog. Serve mode answers UNSUPPORTED. */
  'dialog.saveProject': {
    params: z.strictObject({ suggestedName: z.string().max(255) }),
    result: z.strictObject({ path: z.string().nullable() }),
  },
  'datasets.list': {
    params: z.strictObject({}),
    result: typed<DatasetDescriptor[]>(),
  },
  /** Loads (and caches for training) the data the project's spec names; returns a preview. */
  'data.load': {
    params: z.strictObject({ docId, data: dataSpecSchema, training: projectSchema.shape.training }),
    result: typed<{ summary: DataSummary; data: z.infer<typeof dataSpecSchema> }>(),
  },
  /** Stores a CSV the user picked in the page inside the project (`data/<name>.csv`). */
  'data.upload': {
    params: z.strictObject({
      docId,
      name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\.csv$/, 'a file name ending in .csv'),
      text: z.string().max(DATA_UPLOAD_MAX_BYTES),
    }),
    result: z.strictObject({ file: z.string() }),
  },
  'data.cancel': {
    params: z.strictObject({ docId }),
    result: z.strictObject({}),
  },
  'training.start': {
    params: z.strictObject({ docId, project: projectSchema, grid: gridSchema.nullable() }),
    result: z.strictObject({ runId: z.string() }),
  },
  /**
   * While a run trains: the sample its live probe views show (its `inspect` events carry every node's
   * activation, at most every 250 ms); returns what the sample is, without activations.
   */
  'training.probe': {
    params: z.strictObject({
      docId,
      project: projectSchema,
      sample: z.number().int().min(0).max(1e9).optional(),
      input: z.array(z.number()).max(PREDICT_MAX_VALUES).optional(),
    }),
    result: typed<InspectResult>(),
  },
  /**
   * Text data: a text as the model reads it, with the project's vocabulary (lowercased words,
   * front-padded or cut to the sequence length): the ids, the words kept, the words not in the
   * vocabulary (read as <unk>) and whether the text was cut.
   */
  'data.encodeText': {
    params: z.strictObject({ docId, project: projectSchema, text: z.string().max(200_000) }),
    result: z.strictObject({
      ids: z.array(z.number()),
      tokens: z.array(z.string()),
      unknown: z.array(z.string()),
      truncated: z.boolean(),
    }),
  },
  /** The learning-rate range test on the project's data, from a copy of its weights (nothing changes). */
  'training.lrFind': {
    params: z.strictObject({ docId, project: projectSchema }),
    result: typed<LrFindResult>(),
  },
  'training.cancel': {
    params: z.strictObject({ runId: z.string().max(100) }),
    result: z.strictObject({}),
  },
  'model.evaluate': {
    params: z.strictObject({ docId, project: projectSchema }),
    result: typed<Evaluation>(),
  },
  'model.predict': {
    params: z.strictObject({
      docId,
      project: projectSchema,
      input: z.array(z.number()).max(PREDICT_MAX_VALUES),
    }),
    result: typed<{ outputs: number[]; classes?: string[] }>(),
  },
  /**
   * Every node's activation for one sample (a row of the document's data by index, or values given
   * in the Input's layout), with the document's weights: the probe views.
   */
  'model.inspect': {
    params: z.strictObject({
      docId,
      project: projectSchema,
      sample: z.number().int().min(0).max(1e9).optional(),
      input: z.array(z.number()).max(PREDICT_MAX_VALUES).optional(),
      /** With the snapshot of this epoch of the last run (the checkpoint scrubber) instead of the document's weights. */
      checkpoint,
    }),
    result: typed<InspectResult>(),
  },
  /** A node's learned weights: tensors with statistics, histograms and values; an Embedding's map. */
  'model.weights': {
    params: z.strictObject({ docId, project: projectSchema, node: z.string().max(200), checkpoint }),
    result: typed<NodeWeights>(),
  },
  /** 2-D data: each Dense/Activation unit's output over the input plane (per-unit heatmaps). */
  'model.unitGrids': {
    params: z.strictObject({ docId, project: projectSchema, grid: gridSchema, checkpoint }),
    result: typed<{ units: UnitGrid[] }>(),
  },
  /** The network's outputs over a 2-D grid (the decision boundary), with the document's weights. */
  'model.predictGrid': {
    params: z.strictObject({ docId, project: projectSchema, grid: gridSchema, checkpoint }),
    result: z.strictObject({ outputs: z.array(z.number()) }),
  },
  /** Makes a past run's weights the current ones. */
  'runs.restore': {
    /** `project`: the graph as it is now; a run's weights are restored only if they fit it. */
    params: z.strictObject({ docId, runId: z.string().max(100), project: projectSchema }),
    result: z.strictObject({ weightSpecs: z.array(weightEntrySchema) }),
  },
  /** Metrics history (one epochEnd per line) of past runs, for overlaying curves. */
  'runs.history': {
    params: z.strictObject({ docId, runIds: z.array(z.string().max(100)).max(50) }),
    result: typed<Record<string, TrainingEvent[]>>(),
  },
  /** Exports the project (code, model or diagram) into a folder (confined to the served folder in serve mode). */
  'project.export': {
    params: z.strictObject({
      docId,
      project: projectSchema,
      format: z.enum(EXPORT_FORMATS),
      dir: filePath,
      force: z.boolean(),
    }),
    /** `note`: something the user should know about the export (stale weights left out). */
    result: z.strictObject({ dir: z.string(), files: z.array(z.string()), note: z.string().optional() }),
  },
  /** Electron: a native folder picker. Serve mode answers UNSUPPORTED. */
  'dialog.chooseFolder': {
    params: z.strictObject({}),
    result: z.strictObject({ path: z.string().nullable() }),
  },
  'fs.list': {
    params: z.strictObject({ dir: z.string().max(4096).nullable() }),
    result: z.strictObject({
      dir: z.string(),
      parent: z.string().nullable(),
      entries: z.array(fileEntrySchema),
    }),
  },
} as const;

export type RequestName = keyof typeof REQUESTS;
export type RequestParams<N extends RequestName> = z.infer<(typeof REQUESTS)[N]['params']>;
export type RequestResult<N extends RequestName> = z.infer<(typeof REQUESTS)[N]['result']>;

/** event name -> payload */
export const EVENTS = {
  /** A file to open arrived (Electron: open-with / second instance; serve: the FILE argument). */
  'app.openFile': z.strictObject({ path: z.string() }),
  /** A native menu command (Electron) for the renderer to run. */
  'app.command': z.strictObject({ command: z.string().max(64) }),
  /** Training progress of a run started by `training.start`. */
  'training.event': z.strictObject({ docId: z.string(), event: typed<TrainingEventView>() }),
  /** Progress of loading a large CSV. */
  'data.progress': z.strictObject({
    docId: z.string(),
    bytesRead: z.number(),
    totalBytes: z.number(),
    rows: z.number(),
  }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<N extends EventName> = z.infer<(typeof EVENTS)[N]>;

/** A failed request, as the renderer sees it: a code and a message fit for a dialog. */
export interface IpcError {
  code: string;
  message: string;
  /** Entry and JSON path for project-file errors. */
  where?: string;
}

/** What the renderer calls: Electron's preload bridge and the WebSocket client both implement it. */
export interface NetloomApi {
  request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
}

export const REQUEST_NAMES = Object.keys(REQUESTS) as RequestName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Electron IPC channels (preload <-> main). */
export const IPC_REQUEST_CHANNEL = 'netloom:request';
export const IPC_EVENT_CHANNEL = 'netloom:event';

/**
 * Wire format (serve mode WebSocket; Electron uses ipcRenderer.invoke with the same names). Every
 * request gets exactly one response with its id. A message the server cannot read as a request (not
 * JSON, not an object, a binary frame, no usable id...) still gets one: a BAD_REQUEST error response
 * whose id is the message's `id` when that is a safe integer, and null when it has none; an id-null
 * response answers no request the client can name, so the client only notes it.
 */
export type WireMessage =
  | { kind: 'request'; id: number; name: string; params: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number | null; ok: false; error: IpcError }
  | { kind: 'event'; name: string; payload: unknown };
