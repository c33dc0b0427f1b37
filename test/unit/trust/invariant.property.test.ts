/**
 * The invariant users rely on: if `netloom validate` exits 0 on a file, no command ever ends in an
 * internal error on it. Proved over mutations of the parts of a trained project that the graph
 * checks do not cover: the weights' manifest (weights/model.json), their values (weights.bin) and
 * the saved evaluation (weights/evaluation.json). Each mutated file goes through validate, and, when
 * it validates, evaluate, predict, inspect and two exports (in process, through the same entry as the CLI).
 */
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli';
import { readArchive, writeArchive } from '../../../shared/ir/container';

const dir = mkdtempSync(path.join(tmpdir(), 'netloom-invariant-'));
const f = (n: string) => path.join(dir, n);
const quiet = { out: () => undefined, err: () => undefined };

/** Runs one command in process; returns the exit code and what it wrote to stderr. */
async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(args, { out: () => undefined, err: (s) => (err += s) });
  return { code, err };
}

let base: Map<string, Uint8Array>;

beforeAll(async () => {
  process.env.NETLOOM_BACKEND = 'wasm';
  // A small CSV (every 4th iris row: all three classes) keeps each evaluation quick.
  const rows = readFileSync(path.resolve('assets/datasets/iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(f('small.csv'), [rows[0], ...rows.slice(1).filter((_, i) => i % 4 === 0)].join('\n') + '\n');
  copyFileSync(f('small.csv'), f('rows.csv'));
  expect(
    await runCli(['new', '--template', 'mlp', '--data', f('small.csv'), '--out', f('p.nnproj')], quiet),
  ).toBe(0);
  expect(await runCli(['train', f('p.nnproj'), '--epochs', '3'], quiet)).toBe(0);
  // Keep an evaluation beside the weights, as the app saves it.
  let json = '';
  expect(
    await runCli(['evaluate', f('p.nnproj'), '--json'], { out: (s) => (json += s), err: () => undefined }),
  ).toBe(0);
  base = readArchive(readFileSync(f('p.nnproj')));
  // The evaluation as the app saves it (the CLI's findings are computed, not stored).
  const { findings: _findings, ...evaluation } = JSON.parse(json) as Record<string, unknown>;
  base.set('weights/evaluation.json', new TextEncoder().encode(JSON.stringify(evaluation)));
  writeFileSync(f('p.nnproj'), writeArchive(base));
  expect((await cli('validate', f('p.nnproj'))).code).toBe(0);
});

// ---- mutations -------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const DEEP = '\u0001deep:';

/** Values that have broken readers before: null, fractions, negatives, huge, wrong types, deep nesting. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  // Plausible values too (another number, a short string), so a share of files still validates.
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom<Json>(null, 0, -1, 0.5, 1e9, 2 ** 31, -0, 'x', '', true, [], {}, [null], {
    class_name: 'Frobnicate',
  }),
  // Deep nesting is spliced into the text after serialising (JSON.stringify itself would overflow).
  fc.integer({ min: 1, max: 100_000 }).map((d) => `${DEEP}${d}`),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Paths to values inside `v` (object keys and array indices), breadth-first, at most 400. */
function paths(v: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [Json, (string | number)[]][] = [[v, []]];
  while (queue.length > 0 && out.length < 400) {
    const [x, at] = queue.shift()!;
    out.push(at);
    if (Array.isArray(x)) x.slice(0, 50).forEach((y, i) => queue.push([y, [...at, i]]));
    else if (x !== null && typeof x === 'object')
      for (const k of Object.keys(x)) queue.push([x[k]!, [...at, k]]);
  }
  return out;
}

type JsonEdit = { pick: number; op: 'set' | 'delete' | 'add'; value: Json; key: string };
const jsonEdit = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom<'set' | 'delete' | 'add'>('set', 'set', 'delete', 'add'),
  value: hostileValue,
  key: fc.constantFrom('extra', 'quantization', '__proto__', 'dtype', 'weights'),
});

function editJson(text: string, edits: JsonEdit[]): string {
  let root = JSON.parse(text) as Json;
  for (const edit of edits) {
    // A copy of the value: the `[null]` and `{ class_name }` constants are one object shared by every
    // generated edit, and a later edit could write one into itself (a cycle JSON cannot write).
    const e = { ...edit, value: structuredClone(edit.value) };
    const all = paths(root);
    const p = all[e.pick % all.length]!;
    if (p.length === 0) {
      if (e.op === 'set') root = e.value;
      continue;
    }
    let parent = root as Record<string | number, Json>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    const last = p[p.length - 1]!;
    if (e.op === 'set') parent[last] = e.value;
    else if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (!Array.isArray(parent)) parent[e.key] = e.value;
  }
  return JSON.stringify(root).replace(
    /"\\u0001deep:(\d+)"/g,
    (_, d: string) => '['.repeat(+d) + ']'.repeat(+d),
  );
}

type Mutation =
  | { entry: 'weights/model.json' | 'weights/evaluation.json'; kind: 'json'; edits: JsonEdit[] }
  | { entry: 'weights/model.json' | 'weights/evaluation.json'; kind: 'truncate'; at: number }
  | { entry: 'weights/weights.bin'; kind: 'truncate' | 'append'; at: number }
  | { entry: 'weights/weights.bin'; kind: 'float'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      entry: fc.constantFrom('weights/model.json' as const, 'weights/evaluation.json' as const),
      kind: fc.constant('json' as const),
      edits: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      entry: fc.constantFrom('weights/model.json' as const, 'weights/evaluation.json' as const),
      kind: fc.constant('truncate' as const),
      at: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      entry: fc.constant('weights/weights.bin' as const),
      kind: fc.constantFrom('truncate' as const, 'append' as const),
      at: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      entry: fc.constant('weights/weights.bin' as const),
      kind: fc.constant('float' as const),
      at: fc.nat(),
      value: fc.oneof(
        fc.constantFrom(Number.NaN, Infinity, -Infinity, 3.4e38, -1e30, 0),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      ),
    }),
  },
);

function apply(m: Mutation): Map<string, Uint8Array> {
  const files = new Map(base);
  const bytes = files.get(m.entry)!;
  if (m.kind === 'json') {
    files.set(m.entry, new TextEncoder().encode(editJson(new TextDecoder().decode(bytes), m.edits)));
  } else if (m.kind === 'truncate') {
    files.set(m.entry, bytes.slice(0, m.at % bytes.length));
  } else if (m.kind === 'append') {
    files.set(m.entry, new Uint8Array([...bytes, ...new Uint8Array(1 + (m.at % 9)).fill(7)]));
  } else if (m.kind === 'float') {
    // A real copy (Buffer#slice shares memory: the base archive must never change between runs).
    const copy = new Uint8Array(bytes);
    new DataView(copy.buffer, copy.byteOffset, copy.byteLength).setFloat32(
      4 * (m.at % (copy.length / 4)),
      m.value,
      true,
    );
    files.set(m.entry, copy);
  }
  return files;
}

// ---- the property ----------------------------------------------------------------------------

describe('if validate accepts a file, no command ends in an internal error on it', () => {
  it('mutated weights manifests, values and evaluations: validate → evaluate, predict, inspect, export (≥ 1,000 files)', async () => {
    const pristine = writeArchive(base);
    let accepted = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const file = f(`m${n++}.nnproj`);
        writeFileSync(file, writeArchive(apply(m)));
        const v = await cli('validate', file);
        expect([0, 1], v.err).toContain(v.code);
        expect(v.err).not.toMatch(/internal error/);
        if (v.code === 0) {
          accepted++;
          for (const args of [
            ['evaluate', file, '--json'],
            ['predict', file, '--data', f('rows.csv'), '--json'],
            ['inspect', file, '--sample', '1', '--json'],
            ['lr-find', file, '--steps', '3', '--json'],
            ['export', file, '--format', 'tfjs', '--out', `${file}-tfjs`],
            ['export', file, '--format', 'pytorch', '--out', `${file}-torch`],
          ]) {
            const r = await cli(...args);
            expect([0, 1], `${args[0]}: ${r.err}`).toContain(r.code);
            expect(r.err).not.toMatch(/internal error/);
          }
        }
        rmSync(file, { force: true });
        rmSync(`${file}-tfjs`, { recursive: true, force: true });
        rmSync(`${file}-torch`, { recursive: true, force: true });
      }),
      { numRuns: 1000 },
    );
    // The base project never changed under the mutations (each run starts from the same file).
    expect(Buffer.from(writeArchive(base)).equals(Buffer.from(pristine))).toBe(true);
    // The mutations must exercise both sides: files refused and files every command runs on.
    console.log(`invariant: ${accepted} of 1000 mutated files validated and went through every command`);
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(900);
  }, 600_000);
});
