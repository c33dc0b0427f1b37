/**
 * Trained weights against the graph they belong to. A project stores its weights in the tfjs layers
 * format (`weights/model.json`: a manifest of names, shapes and dtypes; `weights/weights.bin`: the
 * values, in manifest order). This module reads that manifest strictly and decides whether the
 * weights fit a graph: every weight the graph's layers declare (`shared/layers/<kind>.ts`, `weights`)
 * is present with its exact shape, and nothing else is. Everything that saves, exports, predicts
 * with or shows weights asks this first, so a weight that does not fit its graph is never used.
 *
 * tfjs names a node's weight `<node id>/<name>` (`dense_1/kernel`), and a bidirectional recurrent
 * layer's `<node id>/forward_<inner layer>/<name>` for the catalog's `forward_<name>`
 * (`canonicalWeightName`).
 */
import { z } from 'zod';
import { checkGraph, type CheckGraph, type GraphReport } from './check';

/** At most this many elements in one weight (2 GiB of float32). */
const MAX_ELEMENTS = 2 ** 29;

export const weightEntrySchema = z.strictObject({
  name: z.string().min(1).max(512),
  shape: z.array(z.int().min(0).max(MAX_ELEMENTS)).max(8),
  dtype: z.literal('float32'),
});
export type WeightEntry = z.infer<typeof weightEntrySchema>;

/** `weights/model.json` as Netloom writes it. The topology is kept as written but never executed. */
export const weightsModelJsonSchema = z.strictObject({
  format: z.literal('layers-model').optional(),
  generatedBy: z.string().max(256).optional(),
  convertedBy: z.string().max(256).nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(
      z.strictObject({
        paths: z.tuple([z.literal('weights.bin')]),
        weights: z.array(weightEntrySchema).max(100_000),
      }),
    )
    .length(1),
});

export interface WeightsProblem {
  /** The archive entry: `weights/model.json`, `weights/weights.bin`. */
  entry: string;
  /** The JSON path inside it, e.g. `weightsManifest[0].weights[3].shape`. */
  path?: string;
  message: string;
}

/**
 * Reads and checks a weights manifest: valid JSON, the strict schema, and a `weights.bin` of exactly
 * the size the manifest describes. Returns the entries, or the first problem, located.
 */
export function readWeightsManifest(
  modelJson: string,
  binBytes: number,
  entry = 'weights/model.json',
): { ok: true; entries: WeightEntry[] } | { ok: false; problem: WeightsProblem } {
  let raw: unknown;
  try {
    raw = JSON.parse(modelJson);
  } catch (err) {
    return {
      ok: false,
      problem: { entry, message: `not valid JSON (${err instanceof Error ? err.message : String(err)}).` },
    };
  }
  const parsed = weightsModelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
      .join('');
    return { ok: false, problem: { entry, ...(where ? { path: where } : {}), message: issue.message } };
  }
  const entries = parsed.data.weightsManifest[0]!.weights;
  let bytes = 0;
  const names = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (names.has(e.name))
      return {
        ok: false,
        problem: {
          entry,
          path: `weightsManifest[0].weights[${i}].name`,
          message: `${e.name} is listed twice.`,
        },
      };
    names.add(e.name);
    let n = 1;
    for (const d of e.shape) n *= d;
    if (n > MAX_ELEMENTS)
      return {
        ok: false,
        problem: {
          entry,
          path: `weightsManifest[0].weights[${i}].shape`,
          message: `${e.name} would have ${n} values; at most ${MAX_ELEMENTS} are allowed.`,
        },
      };
    bytes += n * 4;
  }
  const bin = entry.replace(/model\.json$/, 'weights.bin');
  if (bytes !== binBytes)
    return {
      ok: false,
      problem: {
        entry: bin,
        message:
          binBytes < bytes
            ? `${bin} has ${binBytes} bytes but the manifest describes ${bytes}: it is truncated.`
            : `${bin} has ${binBytes} bytes but the manifest describes ${bytes}: it has ${binBytes - bytes} bytes too many.`,
      },
    };
  return { ok: true, entries };
}

/**
 * The first weight holding a value that is not a finite number (NaN, ±Infinity), with how many
 * there are: no run ever keeps such weights, so a file that has them is damaged.
 */
export function nonFiniteWeight(
  entries: readonly WeightEntry[],
  bin: Uint8Array,
): { name: string; count: number } | null {
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  for (const e of entries) {
    let n = 1;
    for (const d of e.shape) n *= d;
    let bad = 0;
    for (let i = 0; i < n; i++) if (!Number.isFinite(view.getFloat32(offset + 4 * i, true))) bad++;
    if (bad > 0) return { name: e.name, count: bad };
    offset += 4 * n;
  }
  return null;
}

export interface ExpectedWeight {
  node: string;
  kind: string;
  /** The catalog's name (`kernel`, `forward_recurrent_kernel`). */
  weight: string;
  shape: readonly number[];
}

/**
 * The weights the graph's model has, from the layer catalog, over the nodes that make up the model
 * (`report.live`). Null when the graph has errors: such a graph has no model to fit weights to.
 */
export function expectedWeights(
  graph: CheckGraph,
  report: GraphReport = checkGraph(graph),
): ExpectedWeight[] | null {
  if (!report.valid) return null;
  const out: ExpectedWeight[] = [];
  for (const id of report.live) {
    const r = report.nodes.get(id);
    if (!r?.params) continue;
    for (const w of r.params.weights) out.push({ node: id, kind: r.kind, weight: w.name, shape: w.shape });
  }
  return out;
}

/**
 * A tfjs weight name in the catalog's terms: `<node>/<name>`, with a bidirectional layer's
 * `<node>/forward_<inner layer>/<name>` (the inner layer's name carries a per-process counter)
 * read as `<node>/forward_<name>`.
 */
export function canonicalWeightName(name: string): string {
  const m = /^([^/]+)\/(forward|backward)_[^/]+\/([^/]+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}_${m[3]}` : name;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

export type WeightsFit =
  | { fits: true; /** manifest index of each expected weight, in expected order */ order: number[] }
  | { fits: false; problems: string[] };

/**
 * Whether weights with these manifest entries fit the graph: each expected weight found once with
 * its exact shape, and no entry left over. The problems say what differs, per node, in words a user
 * can act on (at most `limit` of them).
 */
export function weightsFit(
  graph: CheckGraph,
  entries: readonly Pick<WeightEntry, 'name' | 'shape'>[],
  report: GraphReport = checkGraph(graph),
  limit = 6,
): WeightsFit {
  const expected = expectedWeights(graph, report);
  if (!expected)
    return { fits: false, problems: ['the graph has errors, so it has no model for the weights to fit'] };
  const problems: string[] = [];
  const byName = new Map<string, number>();
  entries.forEach((e, i) => byName.set(canonicalWeightName(e.name), i));
  const used = new Uint8Array(entries.length);
  const order: number[] = [];
  for (const w of expected) {
    const i = byName.get(`${w.node}/${w.weight}`);
    if (i === undefined || used[i]) {
      problems.push(
        `${w.node} (${w.kind}) needs ${w.weight} ${fmt(w.shape)}, which the trained weights lack`,
      );
      continue;
    }
    used[i] = 1;
    order.push(i);
    const got = entries[i]!.shape;
    if (got.length !== w.shape.length || got.some((d, k) => d !== w.shape[k]))
      problems.push(
        `${w.node} (${w.kind}): ${w.weight} is ${fmt(got)} in the trained weights, the graph needs ${fmt(w.shape)}`,
      );
  }
  entries.forEach((e, i) => {
    if (!used[i])
      problems.push(`the trained weights have ${e.name} ${fmt(e.shape)}, which no layer of the graph has`);
  });
  if (problems.length === 0) return { fits: true, order };
  const shown = problems.slice(0, limit);
  if (problems.length > limit) shown.push(`and ${problems.length - limit} more`);
  return { fits: false, problems: shown };
}

/** One sentence for a user: why these weights cannot be used with this graph. */
export function describeMisfit(problems: readonly string[]): string {
  return `The trained weights do not fit the graph (${problems.join('; ')}).`;
}

/** Whether a project's trained weights can be used with its graph. */
export type WeightsState =
  | { state: 'none' }
  | { state: 'fit'; entries: WeightEntry[] }
  | { state: 'stale'; reason: string; entries: WeightEntry[] | null };

/** The state of `weights` (a bundle's) against `graph`: none, fit, or stale with the reason. */
export function weightsState(
  graph: CheckGraph,
  weights: { modelJson: string; weightsBin: Uint8Array } | undefined | null,
  report?: GraphReport,
): WeightsState {
  if (!weights) return { state: 'none' };
  const manifest = readWeightsManifest(weights.modelJson, weights.weightsBin.byteLength);
  if (!manifest.ok)
    return {
      state: 'stale',
      reason: `The trained weights are damaged (${manifest.problem.entry}: ${manifest.problem.message})`,
      entries: null,
    };
  const fit = weightsFit(graph, manifest.entries, report);
  return fit.fits
    ? { state: 'fit', entries: manifest.entries }
    : { state: 'stale', reason: describeMisfit(fit.problems), entries: manifest.entries };
}
