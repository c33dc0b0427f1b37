/**
 * Property tests of the project file (fast-check, 1,000 runs each):
 * - random graphs (chains and DAGs of real layers, and structurally valid wirings of every kind):
 *   the checker never throws; write -> read round-trips exactly; writing is deterministic;
 * - random damage to valid archives and to project.json: reading returns a project or throws a
 *   `ProjectFileError` (never anything else, never the catch-all, never slowly);
 * - an injected cycle is reported by the checker and refused by the reader;
 * - `__proto__` / `constructor` / `prototype` keys anywhere are refused and pollute nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../shared/graph/check';
import { writeArchive } from '../../shared/ir/container';
import { ProjectFileError } from '../../shared/ir/errors';
import {
  emptyProject,
  type ProjectBundle,
  readProjectFile,
  serializeProject,
  writeProjectFile,
} from '../../shared/ir/project';
import {
  dataPathProblem,
  type DataSpec,
  type GraphEdge,
  type Project,
  type RunSummary,
} from '../../shared/ir/schema';
import { LAYER_KINDS, LOSSES } from '../../shared/layers/index';
import { buildChain, chainSpec, graphArb, num, plainKey } from './helpers/graphArb';
import { buildTemplate, TEMPLATE_IDS } from '../../shared/templates/index';
import { OPTIMIZERS, type TrainingConfig } from '../../shared/training/config';

const RUNS = { numRuns: 1000 };
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const trainingArb: fc.Arbitrary<TrainingConfig> = fc.record({
  optimizer: fc.constantFrom(...OPTIMIZERS),
  learningRate: num(1e-9, 1e9, { minExcluded: true }),
  batchSize: fc.integer({ min: 1, max: 1 << 20 }),
  epochs: fc.integer({ min: 1, max: 100_000 }),
  validationSplit: num(0, 0.9),
  shuffle: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  loss: fc.constantFrom(...LOSSES),
  earlyStopping: fc.option(
    fc.record({ patience: fc.integer({ min: 1, max: 1000 }), restoreBest: fc.boolean() }),
    {
      nil: null,
    },
  ),
  schedule: fc.option(
    fc.oneof(
      fc.record({
        kind: fc.constant('step' as const),
        everyEpochs: fc.integer({ min: 1, max: 100_000 }),
        factor: num(0, 1, { minExcluded: true, maxExcluded: true }),
      }),
      fc.record({ kind: fc.constant('cosine' as const), minLearningRate: num(0, 1e9) }),
      fc.record({
        kind: fc.constant('plateau' as const),
        factor: num(0, 1, { minExcluded: true, maxExcluded: true }),
        patience: fc.integer({ min: 1, max: 1000 }),
        minLearningRate: num(0, 1e9),
      }),
    ),
    { nil: null },
  ),
  weightDecay: fc.option(num(0, 1), { nil: null }),
  clipNorm: fc.option(num(0, 1e9, { minExcluded: true }), { nil: null }),
});

/** A data path as a project may store it: relative, inside the project's folder (any characters but /, \\ and controls). */
const dataPathArb = fc
  .array(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((seg) => !seg.includes('/')),
    { minLength: 1, maxLength: 4 },
  )
  .map((segs) => segs.join('/'))
  .filter((p) => dataPathProblem(p) === null);

const dataArb: fc.Arbitrary<DataSpec | null> = fc.oneof(
  fc.constant(null),
  fc.record({
    source: fc.constant('builtin' as const),
    dataset: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
    options: fc.dictionary(plainKey, fc.oneof(num(-1e9, 1e9), fc.string({ maxLength: 20 }), fc.boolean()), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  }),
  fc.record({
    source: fc.constant('csv' as const),
    file: dataPathArb,
    embedded: fc.boolean(),
    target: fc.string({ maxLength: 20 }),
    columns: fc.array(
      fc.record({
        name: fc.string({ unit: 'binary', maxLength: 20 }),
        role: fc.constantFrom('feature' as const, 'target' as const, 'ignore' as const),
        type: fc.constantFrom('numeric' as const, 'categorical' as const, 'text' as const),
      }),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    source: fc.constant('images' as const),
    directory: dataPathArb,
    width: fc.integer({ min: 1, max: 1024 }),
    height: fc.integer({ min: 1, max: 1024 }),
    grayscale: fc.boolean(),
  }),
);

const runIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);

const runArb = (id: string): fc.Arbitrary<RunSummary> =>
  fc.record({
    id: fc.constant(id),
    startedAt: fc
      .date({
        min: new Date('1990-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    durationMs: num(0, 1e9),
    backend: fc.constantFrom('cpu', 'wasm', 'tensorflow', 'webgl'),
    status: fc.constantFrom('done' as const, 'cancelled' as const, 'diverged' as const, 'error' as const),
    epochs: fc.integer({ min: 0, max: 1000 }),
    config: trainingArb,
    finalMetrics: fc.dictionary(plainKey, num(-1e6, 1e6), { maxKeys: 4, noNullPrototype: true }),
  });

/** Trained weights as the engine saves them: a manifest of names and shapes and a weights.bin to match. */
const weightsArb = fc
  .uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\/[a-z_]{1,10}$/),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    }),
    { maxLength: 4, selector: (w) => w.name },
  )
  .chain((entries) => {
    const n = entries.reduce((a, e) => a + e.shape.reduce((x, d) => x * d, 1), 0);
    const values = fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true });
    return values
      .map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      .map((weightsBin) => ({
        modelJson: JSON.stringify({
          format: 'layers-model',
          generatedBy: 'test',
          convertedBy: null,
          modelTopology: { class_name: 'Model' },
          weightsManifest: [
            { paths: ['weights.bin'], weights: entries.map((e) => ({ ...e, dtype: 'float32' })) },
          ],
        }),
        weightsBin,
      }));
  });

/** A whole bundle: a random graph and settings, sometimes with weights, run histories and data files. */
const bundleArb: fc.Arbitrary<ProjectBundle> = fc
  .record({
    graph: graphArb,
    name: fc.string({ unit: 'binary', maxLength: 100 }),
    data: dataArb,
    training: trainingArb,
    runIds: fc.uniqueArray(runIdArb, { maxLength: 2 }),
    weights: fc.option(weightsArb, { nil: undefined }),
    data_files: fc.uniqueArray(
      fc.tuple(
        fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}\.csv$/),
        fc.uint8Array({ maxLength: 64 }),
      ),
      { maxLength: 2, selector: ([n]) => n },
    ),
  })
  .chain((r) =>
    fc
      .tuple(
        fc.tuple(...r.runIds.map(runArb)),
        fc.tuple(...r.runIds.map(() => fc.string({ unit: 'grapheme', maxLength: 60 }))),
      )
      .map(([runs, histories]) => {
        const project: Project = {
          ...emptyProject(r.name),
          graph: r.graph,
          data: r.data,
          training: r.training,
          runs,
        };
        const bundle: ProjectBundle = { project };
        if (r.weights) bundle.weights = r.weights;
        if (runs.length > 0) bundle.runs = new Map(runs.map((run, i) => [run.id, histories[i]!]));
        if (r.data_files.length > 0) bundle.data = new Map(r.data_files);
        return bundle;
      }),
  );

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Reads; returns the bundle or the error. Anything but a `ProjectFileError` fails the test. */
function readSafely(
  bytes: Uint8Array,
): { ok: true; bundle: ProjectBundle } | { ok: false; error: ProjectFileError } {
  const t0 = performance.now();
  try {
    return { ok: true, bundle: readProjectFile(bytes) };
  } catch (err) {
    expect(err).toBeInstanceOf(ProjectFileError);
    const e = err as ProjectFileError;
    // The reader's catch-all wraps unexpected exceptions: reaching it means a check let something through.
    expect(e.message, e.describe()).not.toMatch(/^The file could not be read \(/);
    expect(e.describe().length).toBeGreaterThan(0);
    return { ok: false, error: e };
  } finally {
    const ms = performance.now() - t0;
    expect(ms, `reading took ${ms.toFixed(0)} ms`).toBeLessThan(2000);
  }
}

function archiveWithProjectText(text: string): Uint8Array {
  return writeArchive(new Map([['project.json', encoder.encode(text)]]));
}

function prototypeKeys(): string[][] {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  );
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('random valid graphs', () => {
  it('checkGraph never throws; write -> read round-trips exactly; writing is deterministic', () => {
    fc.assert(
      fc.property(bundleArb, (bundle) => {
        expect(() => checkGraph(bundle.project.graph)).not.toThrow();
        const bytes = writeProjectFile(bundle);
        expect(sameBytes(writeProjectFile(bundle), bytes)).toBe(true);
        const read = readSafely(bytes);
        if (!read.ok) throw new Error(`a valid bundle was refused: ${read.error.describe()}`);
        const back = read.bundle;
        expect(back.project).toEqual(bundle.project);
        expect(back.weights).toEqual(bundle.weights);
        expect(new Map(back.runs ?? [])).toEqual(new Map(bundle.runs ?? []));
        expect(new Map(back.data ?? [])).toEqual(new Map(bundle.data ?? []));
        // The written form is canonical: writing what was read gives the same bytes.
        expect(sameBytes(writeProjectFile(back), bytes)).toBe(true);
      }),
      RUNS,
    );
  });

  it('checkGraph never throws on arbitrary node/edge soup (any kinds, params, ids, ports)', () => {
    const anyValue = fc.oneof(
      fc.integer(),
      num(-1e12, 1e12),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.integer({ min: -3, max: 100 }), fc.constant(null)), { maxLength: 5 }),
    );
    const kind = fc.oneof(fc.constantFrom(...LAYER_KINDS), fc.string({ maxLength: 6 }));
    const soup = fc
      .array(
        fc.record({ kind, params: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 4 }) }),
        {
          maxLength: 10,
        },
      )
      .chain((nodes) => {
        const ids = nodes.map((_, i) => `n${i}`);
        const ref = fc.oneof(fc.constantFrom(...ids, 'ghost'), fc.constant('n0'));
        return fc.record({
          nodes: fc.constant(nodes.map((n, i) => ({ id: ids[i]!, ...n }))),
          edges: fc.array(
            fc.record({
              id: fc.stringMatching(/^e[0-9]{1,2}$/),
              source: ref,
              target: ref,
              targetPort: fc.constantFrom('in', 'in1', 'in2', 'in3', 'query', 'value', 'key', 'bogus'),
            }),
            { maxLength: 16 },
          ),
        });
      });
    fc.assert(
      fc.property(soup, (graph) => {
        const report = checkGraph(graph);
        expect(report.errors).toBe(report.issues.filter((i) => i.severity === 'error').length);
      }),
      RUNS,
    );
  });
});

/** Valid archives to damage: every template, and a bundle with weights, a run and a data file. */
const BASES: Uint8Array[] = (() => {
  const out = TEMPLATE_IDS.map((id) => writeProjectFile({ project: buildTemplate(id) }));
  const p = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
  p.runs = [
    {
      id: 'run-1',
      startedAt: '2024-05-01T12:00:00.000Z',
      durationMs: 1234,
      backend: 'cpu',
      status: 'done',
      epochs: 2,
      config: p.training,
      finalMetrics: { loss: 0.25, acc: 0.9 },
    },
  ];
  out.push(
    writeProjectFile({
      project: p,
      weights: {
        modelJson: JSON.stringify({
          modelTopology: {},
          weightsManifest: [
            { paths: ['weights.bin'], weights: [{ name: 'w/kernel', shape: [8, 8], dtype: 'float32' }] },
          ],
        }),
        weightsBin: Uint8Array.from({ length: 256 }, (_, i) => i),
      },
      runs: new Map([['run-1', '{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":0.25}\n']]),
      data: new Map([['iris.csv', encoder.encode('a,b,c\n1,2,3\n4,5,6\n')]]),
    }),
  );
  return out;
})();

type Mutation =
  | { op: 'flip'; at: Pos; bit: number }
  | { op: 'set'; at: Pos; value: number }
  | { op: 'set16' | 'set32'; at: Pos; value: number }
  | { op: 'insert'; at: Pos; bytes: Uint8Array }
  | { op: 'delete'; at: Pos; length: number }
  | { op: 'truncate'; at: Pos };
/** A position anywhere, or near the end where the directory lives. */
type Pos = { fromEnd: boolean; index: number; back: number };

const anyIndex = fc.noBias(fc.integer({ min: 0, max: 1e9 }));
const posArb: fc.Arbitrary<Pos> = fc.record({
  fromEnd: fc.boolean(),
  index: anyIndex,
  back: fc.noBias(fc.nat({ max: 400 })),
});
const interesting = fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x10000, 22, 46);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('flip' as const),
      at: posArb,
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      at: posArb,
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('set16' as const, 'set32' as const),
      at: posArb,
      value: interesting,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: posArb,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      at: posArb,
      length: fc.integer({ min: 1, max: 64 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: posArb }) },
);

function mutate(base: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const i = m.at.fromEnd ? Math.max(0, b.length - 1 - (m.at.back % b.length)) : m.at.index % b.length;
    switch (m.op) {
      case 'flip':
        b[i] = b[i]! ^ (1 << m.bit);
        break;
      case 'set':
        b[i] = m.value;
        break;
      case 'set16':
      case 'set32':
        for (let k = 0; k < (m.op === 'set16' ? 2 : 4) && i + k < b.length; k++)
          b[i + k] = Math.floor(m.value / 2 ** (8 * k)) & 0xff;
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, i));
        out.set(m.bytes, i);
        out.set(b.subarray(i), i + m.bytes.length);
        b = out;
        break;
      }
      case 'delete': {
        const out = new Uint8Array(b.length - Math.min(m.length, b.length - i));
        out.set(b.subarray(0, i));
        out.set(b.subarray(Math.min(b.length, i + m.length)), i);
        b = out;
        break;
      }
      case 'truncate':
        b = b.slice(0, i);
        break;
    }
  }
  return b;
}

describe('damaged files', () => {
  it('random byte mutations and truncations of valid archives: a project or a ProjectFileError', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: BASES.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        (which, muts) => {
          readSafely(mutate(BASES[which]!, muts));
        },
      ),
      RUNS,
    );
  });

  const TEXTS = TEMPLATE_IDS.map((id) => serializeProject(buildTemplate(id)));
  const JSON_CHARS = '{}[]":,0123456789-+.eE tfnrul\\"aAzZ_\n';

  it('random edits to the text of project.json (in a well-formed archive): a project or a ProjectFileError', () => {
    const TOKENS = [
      'true',
      'false',
      'null',
      '0',
      '-1',
      '1e308',
      '1e999',
      '0.5',
      '-0',
      '""',
      '"x"',
      '[]',
      '{}',
      'ä',
    ];
    const edit = fc.oneof(
      // Raw character edits: mostly breaks the JSON.
      fc.record({
        kind: fc.constant('raw' as const),
        at: anyIndex,
        del: fc.nat({ max: 40 }),
        ins: fc.string({ unit: fc.constantFrom(...JSON_CHARS), maxLength: 6 }),
      }),
      // Token edits: replace a word or number with another token, which mostly keeps it JSON.
      fc.record({
        kind: fc.constant('token' as const),
        at: anyIndex,
        token: fc.oneof(
          fc.constantFrom(...TOKENS),
          fc.integer().map(String),
          fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/),
        ),
      }),
    );
    fc.assert(
      fc.property(
        fc.nat({ max: TEXTS.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          let text = TEXTS[which]!;
          for (const e of edits) {
            const i = e.at % (text.length + 1);
            if (e.kind === 'raw') text = text.slice(0, i) + e.ins + text.slice(i + e.del);
            else {
              let a = i;
              let z = i;
              while (a > 0 && /[\w.+-]/.test(text[a - 1]!)) a--;
              while (z < text.length && /[\w.+-]/.test(text[z]!)) z++;
              text = text.slice(0, a) + e.token + text.slice(z);
            }
          }
          readSafely(archiveWithProjectText(text));
        },
      ),
      RUNS,
    );
  });

  it('random JSON values put at random places in project.json: a project or a ProjectFileError', () => {
    const parsed = TEMPLATE_IDS.map((id) => JSON.parse(serializeProject(buildTemplate(id))) as unknown);
    fc.assert(
      fc.property(
        fc.nat({ max: parsed.length - 1 }),
        fc.nat(),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
        (which, pick, value) => {
          const root = structuredClone(parsed[which]!) as Record<string, unknown>;
          // Every (container, key) slot in the document.
          const slots: [Record<string, unknown> | unknown[], string | number][] = [];
          const stack: unknown[] = [root];
          while (stack.length > 0) {
            const v = stack.pop();
            if (Array.isArray(v))
              v.forEach((x, i) => {
                slots.push([v, i]);
                stack.push(x);
              });
            else if (v !== null && typeof v === 'object')
              for (const [k, x] of Object.entries(v)) {
                slots.push([v as Record<string, unknown>, k]);
                stack.push(x);
              }
          }
          const [container, key] = slots[pick % slots.length]!;
          if (value === undefined) {
            if (Array.isArray(container)) container.splice(key as number, 1);
            else delete container[key as string];
          } else (container as Record<string | number, unknown>)[key] = value;
          readSafely(archiveWithProjectText(JSON.stringify(root)));
        },
      ),
      RUNS,
    );
  });
});

describe('cycles', () => {
  it('an edge from a later node back to an ancestor is reported and refused', () => {
    const arb = chainSpec
      .filter((s) => s.steps.length >= 2)
      .chain((spec) => {
        const g = buildChain(spec);
        // Descendants of each node, to find (ancestor, later node) pairs that close a cycle.
        const out = new Map<string, string[]>();
        for (const e of g.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
        const byId = new Map(g.nodes.map((n) => [n.id, n]));
        const pairs: [string, string][] = [];
        for (const a of g.nodes) {
          if (a.kind === 'Input') continue;
          const seen = new Set<string>();
          const todo = [...(out.get(a.id) ?? [])];
          while (todo.length > 0) {
            const x = todo.pop()!;
            if (seen.has(x)) continue;
            seen.add(x);
            todo.push(...(out.get(x) ?? []));
          }
          for (const d of seen) if (byId.get(d)!.kind !== 'Output') pairs.push([a.id, d]);
        }
        return fc.record({
          g: fc.constant(g),
          pair: fc.constantFrom(...pairs),
          replace: fc.boolean(),
          port: fc.nat(),
        });
      });
    fc.assert(
      fc.property(arb, ({ g, pair: [target, source], replace, port }) => {
        const into = g.edges.filter((e) => e.target === target);
        const chosen = into[port % into.length]!;
        const back: GraphEdge = { id: 'back', source, target, targetPort: chosen.targetPort };
        const edges = replace ? g.edges.map((e) => (e === chosen ? back : e)) : [...g.edges, back];
        const project: Project = { ...emptyProject('cyclic'), graph: { nodes: g.nodes, edges } };

        const report = checkGraph(project.graph);
        const codes = new Set(report.issues.map((i) => i.code));
        expect(codes.has('cycle'), [...codes].join(', ')).toBe(true);
        if (!replace) expect(codes.has('port-multiple')).toBe(true);
        expect(report.valid).toBe(false);

        const read = readSafely(archiveWithProjectText(JSON.stringify(project)));
        expect(read.ok).toBe(false);
        if (!read.ok) {
          expect(read.error.code).toBe('GRAPH');
          expect(read.error.entry).toBe('project.json');
        }
        // If the writer accepts the project at all, its output is refused the same way.
        let written: Uint8Array | undefined;
        try {
          written = writeProjectFile({ project });
        } catch {
          written = undefined;
        }
        if (written) expect(readSafely(written).ok).toBe(false);
      }),
      RUNS,
    );
  });
});

/** JSON built as a tree so `__proto__` can be written as a literal key. */
type J = null | boolean | number | string | J[] | { o: [string, J][] };

function toText(v: J): string {
  if (Array.isArray(v)) return `[${v.map(toText).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${v.o.map(([k, x]) => `${JSON.stringify(k)}:${toText(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

function toTree(v: unknown): J {
  if (Array.isArray(v)) return v.map(toTree);
  if (v !== null && typeof v === 'object') return { o: Object.entries(v).map(([k, x]) => [k, toTree(x)]) };
  return v as J;
}

/** Whether the parsed JSON will hold a forbidden key (JSON.parse keeps the last of duplicate keys). */
function hasForbiddenKey(v: J): boolean {
  if (Array.isArray(v)) return v.some(hasForbiddenKey);
  if (v !== null && typeof v === 'object')
    return [...new Map(v.o)].some(([k, x]) => FORBIDDEN.has(k) || hasForbiddenKey(x));
  return false;
}

describe('prototype pollution', () => {
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') },
    { weight: 2, arbitrary: fc.constantFrom('polluted', 'toString', 'valueOf', 'hasOwnProperty', 'isAdmin') },
    { weight: 1, arbitrary: plainKey },
  );
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom('yes', 'polluted', ''),
  );
  const { tree } = fc.letrec<{ tree: J; arr: J[]; obj: { o: [string, J][] } }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('tree'), { maxLength: 3 }),
    obj: fc.array(fc.tuple(key, tie('tree')), { maxLength: 4 }).map((o) => ({ o })),
  }));
  const bases = TEMPLATE_IDS.map((id) => toTree(JSON.parse(serializeProject(buildTemplate(id)))));

  it('forbidden keys at random depths are refused and pollute nothing', () => {
    const before = prototypeKeys();
    fc.assert(
      fc.property(fc.nat({ max: bases.length - 1 }), fc.nat(), key, tree, (which, where, k, value) => {
        const root = structuredClone(bases[which]!);
        const objects: { o: [string, J][] }[] = [];
        const stack: J[] = [root];
        while (stack.length > 0) {
          const v = stack.pop()!;
          if (Array.isArray(v)) stack.push(...v);
          else if (v !== null && typeof v === 'object') {
            objects.push(v);
            for (const [, x] of v.o) stack.push(x);
          }
        }
        const target = objects[where % objects.length]!;
        target.o.splice(where % (target.o.length + 1), 0, [k, value]);
        const forbidden = hasForbiddenKey(root);

        const read = readSafely(archiveWithProjectText(toText(root)));
        if (forbidden) {
          expect(read.ok).toBe(false);
          if (!read.ok) {
            expect(read.error.code).toBe('FORBIDDEN_KEY');
            const last = read.error.path?.split(/[.[]/).pop()?.replace(/["\]]/g, '');
            expect(FORBIDDEN.has(last ?? '')).toBe(true);
          }
        }
        const probe = {} as Record<string, unknown>;
        expect(probe.polluted).toBeUndefined();
        expect(probe.isAdmin).toBeUndefined();
        expect(typeof probe.toString).toBe('function');
        expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
        expect(prototypeKeys()).toEqual(before);
      }),
      RUNS,
    );
  });
});
