/**
 * Hostile TF.js models: a valid model.json mutated at random (any value replaced by any JSON, keys
 * removed, the text cut short, shards cut or grown, shard names pointing elsewhere) either imports as
 * a project that checks, or is refused with an ImportError: never another exception, never a read
 * outside the model's folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { importedProject } from '../../../electron/import/project';
import { importTfjs } from '../../../electron/import/tfjs';
import { ImportError } from '../../../electron/import/types';
import { checkGraph } from '../../../shared/graph/check';
import { tempDir } from '../export/helpers';

let json: unknown;
let shard: Uint8Array;

beforeAll(async () => {
  await initBackend();
  const input = tf.input({ shape: [6] });
  const a = tf.layers.dense({ units: 4, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.batchNormalization().apply(a) as tf.SymbolicTensor;
  const c = tf.layers.dense({ units: 4 }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([b, c]) as tf.SymbolicTensor;
  const r = tf.layers.reshape({ targetShape: [2, 2] }).apply(sum) as tf.SymbolicTensor;
  const l = tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }).apply(r) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(l) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      shard = new Uint8Array(art.weightData as ArrayBuffer);
      json = {
        format: 'layers-model',
        modelTopology: art.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(art) };
    }),
  );
  model.dispose();
});

type Path = (string | number)[];

function allPaths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) allPaths(x, [...at, k], out);
  return out;
}

function setAt(root: unknown, p: Path, value: unknown, remove: boolean): unknown {
  if (p.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = p.at(-1)!;
  if (remove && Array.isArray(parent)) parent.splice(last as number, 1);
  else if (remove) delete parent[last];
  else parent[last] = value;
  return copy;
}

const special = fc.constantFrom<unknown>(
  -1,
  0,
  1e12,
  2 ** 31,
  null,
  '',
  '../weights.bin',
  '/etc/passwd',
  'constructor',
  '__proto__',
  [null, 5],
  [1e9, 1e9],
  { class_name: 'Dense', config: {} },
  'float16',
  Number.NaN,
);

const mutation = fc.record({
  pick: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), special),
  remove: fc.boolean(),
  cut: fc.option(fc.nat(), { nil: undefined, freq: 1 }),
  shardDelta: fc.oneof(
    { arbitrary: fc.constant(0), weight: 6 },
    { arbitrary: fc.integer({ min: -40, max: 40 }), weight: 1 },
  ),
});

describe('TF.js import of hostile model.json files', () => {
  it('imports or refuses with an ImportError, never anything else', async () => {
    const dir = path.join(tempDir('tfjs-hostile'), 'm');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'weights.bin'), shard);
    writeFileSync(path.join(path.dirname(dir), 'outside.bin'), shard);
    const reads: string[] = [];
    const outcomes = { imported: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        let doc = json;
        for (const m of ms) {
          const paths = allPaths(doc);
          doc = setAt(doc, paths[m.pick % paths.length]!, m.value, m.remove);
        }
        let text = JSON.stringify(doc) ?? 'null';
        const cut = ms[0]!.cut;
        if (cut !== undefined && cut % 3 === 0) text = text.slice(0, cut % text.length);
        const delta = ms[0]!.shardDelta;
        const bytes =
          delta < 0
            ? shard.subarray(0, Math.max(0, shard.byteLength + delta))
            : new Uint8Array([...shard, ...new Uint8Array(delta)]);
        try {
          const model = await importTfjs(
            text,
            async (name, maxBytes) => {
              reads.push(name);
              expect(path.basename(name)).toBe(name);
              if (name !== 'weights.bin') throw new ImportError(`${name}: no such file.`);
              if (bytes.byteLength > maxBytes) throw new ImportError('too big');
              return bytes;
            },
            'model.json',
          );
          const bundle = importedProject(model, 'model.json');
          expect(checkGraph(bundle.project.graph).valid).toBe(true);
          outcomes.imported++;
        } catch (err) {
          if (!(err instanceof ImportError)) throw err;
          outcomes.refused++;
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    // Both sides were explored: the mutations are not all refused at the first check.
    expect(outcomes.imported).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
    expect(reads.every((n) => !n.includes('/') && n !== '..')).toBe(true);
    expect(readFileSync(path.join(dir, 'weights.bin')).byteLength).toBe(shard.byteLength);
  }, 120_000);
});
