/**
 * The project IR: what a `.nnproj` holds in `project.json`. Strict: unknown keys are refused, layer
 * kinds must be in the catalog, ids are identifier-like (they name layers in exported code).
 */
import { z } from 'zod';
import { LAYER_KINDS } from '../layers/index';
import { trainingConfigSchema } from '../training/config';

export const FORMAT_NAME = 'netloom-project';
export const FORMAT_VERSION = 1;

export const idSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'ids are 1-64 letters, digits, _ or -, starting with a letter');

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export type ParamValue = number | string | boolean | (number | null)[];

function isParamValue(v: unknown): v is ParamValue {
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return true;
    case 'string':
      return v.length <= 1000;
    default:
      return Array.isArray(v) && v.length <= 16 && v.every((d) => d === null || typeof d === 'number');
  }
}

/** One check function instead of a zod union: node params are the hot path of loading big graphs. */
const paramsSchema = z.custom<Record<string, ParamValue>>(
  (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    for (const k in v) if (k.length > 64 || !isParamValue((v as Record<string, unknown>)[k])) return false;
    return true;
  },
  { error: 'params must map parameter names to numbers, strings, true/false or lists of sizes' },
);

/** A node that stands for a block (a subgraph defined once in `graph.blocks`, used here). */
export const BLOCK_KIND = 'Block';
/** Inside a block's definition: where the block's k-th input arrives, and what it outputs. */
export const BLOCK_INPUT = 'BlockInput';
export const BLOCK_OUTPUT = 'BlockOutput';

function nodeOf(kinds: readonly string[]) {
  return z.strictObject({
    id: idSchema,
    kind: z.string().refine((k) => kinds.includes(k), {
      error: (iss) => `unknown layer kind ${JSON.stringify(iss.input)}`,
    }),
    /** Display name; the id is used when absent. */
    name: z.string().max(100).optional(),
    params: paramsSchema,
    position: z.strictObject({ x: finite, y: finite }),
  });
}

export const nodeSchema = nodeOf([...LAYER_KINDS, BLOCK_KIND]);

export const edgeSchema = z.strictObject({
  id: idSchema,
  source: idSchema,
  target: idSchema,
  /** The input port on the target (`in`, `query`, `in2`...). Every layer has one output. */
  targetPort: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/),
});

/**
 * A block's definition: a subgraph with numbered BlockInput nodes and one BlockOutput, used by
 * Block nodes (`params.block` names it) in the graph or in other definitions. Instances are linked:
 * they all follow the one definition.
 */
export const blockDefSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(100),
  nodes: z.array(nodeOf([...LAYER_KINDS, BLOCK_KIND, BLOCK_INPUT, BLOCK_OUTPUT])).max(10_000),
  edges: z.array(edgeSchema).max(40_000),
});

export const graphSchema = z.strictObject({
  nodes: z.array(nodeSchema).max(100_000),
  edges: z.array(edgeSchema).max(400_000),
  blocks: z.array(blockDefSchema).max(1000).optional(),
});

const columnSchema = z.strictObject({
  name: z.string().max(200),
  role: z.enum(['feature', 'target', 'ignore']),
  type: z.enum(['numeric', 'categorical', 'text']),
});

const columnName = z.string().max(200);
const featureTransformSchema = z.discriminatedUnion('type', [
  z.strictObject({
    column: columnName,
    type: z.literal('numeric'),
    mean: finite,
    std: finite,
    fill: finite.optional(),
  }),
  z.strictObject({
    column: columnName,
    type: z.literal('categorical'),
    encoding: z.enum(['one-hot', 'index']),
    categories: z.array(z.string().max(1000)).max(10_000),
    mean: finite.optional(),
    std: finite.optional(),
    fill: z.string().max(1000).optional(),
  }),
  z.strictObject({ column: columnName, type: z.literal('text') }),
]);

/** How a CSV's columns became numbers (training-split statistics): predict and exports reuse it. */
export const preprocessingSchema = z.strictObject({
  target: columnName,
  task: z.enum(['classification', 'regression']),
  targetType: z.enum(['numeric', 'categorical']),
  classes: z.array(z.string().max(1000)).max(10_000).optional(),
  features: z.array(featureTransformSchema).max(10_000),
  tokenizer: z
    .strictObject({
      words: z.array(z.string().max(200)).max(200_000),
      maxLength: z.int().min(1).max(100_000),
    })
    .optional(),
  delimiter: z.string().max(4),
  header: z.boolean(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/**
 * Why a data path stored in a project is not allowed, or null when it is: it must be relative to
 * the project's folder and stay inside it (forward slashes, no `..`, not absolute, no drive letter,
 * no backslash, no empty segment, no control characters). `.` is the project's folder itself.
 */
export function dataPathProblem(p: string): string | null {
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p))
    return "must be relative to the project's folder, not absolute";
  if (p.includes('\\')) return 'must use / between folders, not \\';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'must not contain control characters';
  const parts = p.split('/');
  if (parts.some((s) => s === '..')) return "must stay inside the project's folder (no ..)";
  if (parts.some((s) => s === '')) return 'must not contain an empty folder name';
  return null;
}

const dataPath = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((p, ctx) => {
    const problem = dataPathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(p)} ${problem}.` });
  });

/**
 * What the network learns to output: the data's labels (the default), or its own inputs (an
 * autoencoder: the targets are a copy of each sample, a regression over every value).
 */
const targets = z.enum(['labels', 'inputs']).optional();

export const dataSpecSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('builtin'),
    dataset: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    options: z.record(z.string().max(64), z.union([z.number(), z.string().max(200), z.boolean()])),
    targets,
  }),
  z.strictObject({
    source: z.literal('csv'),
    /** Relative to the project's folder and inside it, or `data/<name>.csv` inside the file when `embedded`. */
    file: dataPath,
    embedded: z.boolean(),
    target: z.string().max(200),
    columns: z.array(columnSchema).max(10_000),
    /** Filled in by training: the statistics of the training split. */
    preprocessing: preprocessingSchema.optional(),
  }),
  z.strictObject({
    source: z.literal('images'),
    /** A folder relative to the project's folder and inside it (`.` is that folder). */
    directory: dataPath,
    width: z.int().min(1).max(1024),
    height: z.int().min(1).max(1024),
    grayscale: z.boolean(),
    targets,
  }),
]);

export const RUN_STATUSES = ['done', 'cancelled', 'diverged', 'error'] as const;

export const runSummarySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  startedAt: z.iso.datetime(),
  durationMs: z.number().min(0),
  backend: z.string().max(32),
  status: z.enum(RUN_STATUSES),
  epochs: z.int().min(0),
  config: trainingConfigSchema,
  finalMetrics: z.record(z.string().max(64), z.number()),
  /** The graph the run trained (kept for the last RUN_GRAPHS_KEPT runs), to compare with later. */
  graph: graphSchema.optional(),
});

/** How many of the latest runs keep their graph in the project. */
export const RUN_GRAPHS_KEPT = 20;

/** `runs` with `run` appended; runs older than the last RUN_GRAPHS_KEPT lose their graph. */
export function appendRun<R extends { graph?: unknown }>(runs: readonly R[], run: R): R[] {
  const all = [...runs, run];
  return all.map((r, i) => {
    if (i >= all.length - RUN_GRAPHS_KEPT || r.graph === undefined) return r;
    const { graph: _old, ...rest } = r;
    return rest as R;
  });
}

/**
 * Where an imported project's network came from (`netloom import`): the source format and file name,
 * and how the source model orders one sample's values (`channels-first`: an ONNX image model's
 * N, C, H, W; the graph itself is channels last). A project without data predicts from CSV rows in
 * that order.
 */
export const originSchema = z.strictObject({
  format: z.enum(['onnx', 'tfjs']),
  file: z.string().max(260),
  layout: z.enum(['channels-last', 'channels-first']),
});

export const projectSchema = z.strictObject({
  format: z.literal(FORMAT_NAME),
  formatVersion: z.literal(FORMAT_VERSION),
  name: z.string().max(200),
  graph: graphSchema,
  data: dataSpecSchema.nullable(),
  training: trainingConfigSchema,
  runs: z.array(runSummarySchema).max(10_000),
  origin: originSchema.optional(),
});

export type Project = z.infer<typeof projectSchema>;
export type Graph = z.infer<typeof graphSchema>;
export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;
export type BlockDef = z.infer<typeof blockDefSchema>;
export type DataSpec = z.infer<typeof dataSpecSchema>;
export type RunSummary = z.infer<typeof runSummarySchema>;
export type Origin = z.infer<typeof originSchema>;
