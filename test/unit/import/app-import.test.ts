/**
 * Models opened in the app's services: File ▸ Open of a TF.js model.json makes a new unsaved
 * document (no path, nothing written) and, in serve mode, reads its shards only inside the served
 * folder (a symlinked shard pointing out is refused); the file browser lists models; dropped files
 * (`project.importFiles`) import from a temporary folder that is removed, a missing shard, a second
 * model or no model at all are refused with what is wrong, and the request's limits hold.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../electron/services/app';
import type { OpenResult } from '../../../shared/ipc/contract';

let modelJson = '';
let weightsBin = new Uint8Array();
let unsupportedJson = '';

beforeAll(async () => {
  const save = async (model: tf.LayersModel) => {
    let out = { json: '', bin: new Uint8Array() };
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        out = {
          json: JSON.stringify({
            modelTopology: a.modelTopology,
            format: a.format,
            weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
          }),
          bin: new Uint8Array(a.weightData as ArrayBuffer),
        };
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    model.dispose();
    return out;
  };
  const ok = await save(
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'hidden' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }),
      ],
    }),
  );
  modelJson = ok.json;
  weightsBin = ok.bin;
  const bad = await save(
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.repeatVector({ n: 3 }),
        tf.layers.permute({ dims: [2, 1] }),
      ],
    }),
  );
  unsupportedJson = bad.json;
});

const temp = (what: string) => mkdtempSync(path.join(tmpdir(), `netloom-app-import-${what}-`));
const serve = (root: string) =>
  new AppServices({ mode: 'serve', version: 'test', root, dataDir: temp('data') });
const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');
const drops = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('netloom-drop-')));

function writeModel(dir: string, shard = true): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.json'), modelJson);
  if (shard) writeFileSync(path.join(dir, 'weights.bin'), weightsBin);
}

describe('File ▸ Open of a model', () => {
  it('opens model.json as a new unsaved document, writes nothing, and the browser lists models', async () => {
    const root = temp('root');
    writeModel(path.join(root, 'm'));
    writeFileSync(path.join(root, 'm', 'net.onnx'), 'not really');
    const s = serve(root);
    const res = (await s.dispatch('project.open', { path: 'm/model.json' })) as OpenResult;
    expect(res.path).toBeNull();
    expect(res.hasWeights).toBe(true);
    expect(res.project.data).toBeNull();
    expect(res.project.origin).toEqual({ format: 'tfjs', file: 'model.json', layout: 'channels-last' });
    expect(res.project.graph.nodes.map((n) => n.id)).toEqual(['input', 'hidden', 'probs', 'output']);
    expect(readdirSync(path.join(root, 'm')).sort()).toEqual(['model.json', 'net.onnx', 'weights.bin']);
    expect(readdirSync(root)).toEqual(['m']);
    // Save asks where: the document has no path.
    await expect(
      s.dispatch('project.save', { docId: res.docId, path: null, project: res.project }),
    ).rejects.toThrow(/Choose where/);
    const listing = (await s.dispatch('fs.list', { dir: 'm' })) as { entries: { name: string }[] };
    expect(listing.entries.map((e) => e.name)).toEqual(['model.json', 'net.onnx']);
    // ONNX is not imported yet: refused as an import, with the reason.
    await expect(s.dispatch('project.open', { path: 'm/net.onnx' })).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
    });
  });

  it('reads a shard only inside the served folder (a symlink out is refused) and names files relative to it', async () => {
    const outside = temp('outside');
    writeFileSync(path.join(outside, 'weights.bin'), weightsBin);
    const root = temp('root');
    writeModel(path.join(root, 'm'), false);
    symlinkSync(path.join(outside, 'weights.bin'), path.join(root, 'm', 'weights.bin'));
    const s = serve(root);
    await expect(s.dispatch('project.open', { path: 'm/model.json' })).rejects.toMatchObject({
      code: 'OUTSIDE_ROOT',
    });
    writeModel(path.join(root, 'n'), false);
    const err = (await s
      .dispatch('project.open', { path: 'n/model.json' })
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'IMPORT_FAILED' });
    expect(err.message).toContain('n/weights.bin: no such file');
    expect(err.message).not.toContain(root);
  });

  it('lists every unsupported layer', async () => {
    const root = temp('root');
    writeFileSync(path.join(root, 'model.json'), unsupportedJson);
    writeFileSync(path.join(root, 'weights.bin'), new Uint8Array(4 * 30));
    const err = await serve(root)
      .dispatch('project.open', { path: 'model.json' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_FAILED' });
    expect((err as Error).message).toMatch(/RepeatVector ×1/);
    expect((err as Error).message).toMatch(/Permute ×1/);
  });
});

describe('dropped files (project.importFiles)', () => {
  it('imports model.json with its shard from a temporary folder it removes; a dropped project opens unsaved', async () => {
    const root = temp('root');
    const s = serve(root);
    const before = drops();
    const res = (await s.dispatch('project.importFiles', {
      files: [
        { name: 'model.json', data: b64(modelJson) },
        { name: 'weights.bin', data: b64(weightsBin) },
      ],
    })) as OpenResult;
    expect(res.path).toBeNull();
    expect(res.hasWeights).toBe(true);
    expect(res.project.origin?.file).toBe('model.json');
    expect([...drops()].filter((d) => !before.has(d))).toEqual([]);
    expect(readdirSync(root)).toEqual([]);

    await s.dispatch('project.save', { docId: res.docId, path: 'p.nnproj', project: res.project });
    const again = (await s.dispatch('project.importFiles', {
      files: [{ name: 'p.nnproj', data: b64(readFileSync(path.join(root, 'p.nnproj'))) }],
    })) as OpenResult;
    expect(again.path).toBeNull();
    expect(again.hasWeights).toBe(true);
    expect(again.project.graph.nodes.map((n) => n.id)).toEqual(res.project.graph.nodes.map((n) => n.id));
  });

  it('refuses a missing shard, two models, no model, and files the request does not take', async () => {
    const s = serve(temp('root'));
    const before = drops();
    const fail = async (files: { name: string; data: string }[]) => {
      try {
        await s.dispatch('project.importFiles', { files });
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('the drop was not refused');
    };
    const missing = await fail([{ name: 'model.json', data: b64(modelJson) }]);
    expect(missing.code).toBe('IMPORT_FAILED');
    expect(missing.message).toBe(
      'weights.bin is not among the dropped files: drop model.json together with its weight files.',
    );
    const two = await fail([
      { name: 'model.json', data: b64(modelJson) },
      { name: 'other.onnx', data: b64('x') },
    ]);
    expect(two.message).toMatch(/Drop one model at a time/);
    expect((await fail([{ name: 'weights.bin', data: b64(weightsBin) }])).message).toMatch(
      /None of the dropped files \(weights\.bin\)/,
    );
    expect([...drops()].filter((d) => !before.has(d))).toEqual([]);
    for (const name of ['../model.json', '.model.json', 'a/model.json', 'model\\.json', ''])
      expect((await fail([{ name, data: '' }])).code).toBe('BAD_REQUEST');
    expect((await fail([{ name: 'model.json', data: 'not base64!' }])).code).toBe('BAD_REQUEST');
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `f${i}.bin`, data: '' }));
    expect((await fail(many)).code).toBe('BAD_REQUEST');
    const twice = [
      { name: 'model.json', data: '' },
      { name: 'Model.json', data: '' },
    ];
    expect((await fail(twice)).message).toMatch(/same name/);
  });
});
