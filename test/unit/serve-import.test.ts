/**
 * Serve mode's POST /api/import: dropped files larger than one WebSocket message import (the body is
 * `project.importFiles`' params), a declared size over the limit gets 413 at once, a body that is not
 * JSON 400, and the session cookie is needed as for every request.
 */
import http from 'node:http';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROP_WIRE_MAX_BYTES, MAX_WIRE_MESSAGE_BYTES } from '../../shared/ipc/contract';
import { request, startTestServer, type TestServer } from './serve-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

/** A Dense model whose weights (about 28 MB) are larger than one WebSocket message, as dropped files. */
async function bigDrop(): Promise<string> {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 800_000 })] });
  let files: { name: string; data: string }[] = [];
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      });
      files = [
        { name: 'model.json', data: Buffer.from(json).toString('base64') },
        { name: 'weights.bin', data: Buffer.from(a.weightData as ArrayBuffer).toString('base64') },
      ];
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  model.dispose();
  return JSON.stringify({ files });
}

describe('POST /api/import', () => {
  it('imports dropped files larger than one WebSocket message', async () => {
    const body = await bigDrop();
    expect(body.length).toBeGreaterThan(MAX_WIRE_MESSAGE_BYTES);
    const r = await request(
      t.server.port,
      'POST',
      '/api/import',
      {
        ...t.auth(),
        'Content-Type': 'application/json',
      },
      body,
    );
    expect(r.status).toBe(200);
    const reply = JSON.parse(r.body) as { ok: boolean; result: { path: null; hasWeights: boolean } };
    expect(reply).toMatchObject({ ok: true, result: { path: null, hasWeights: true } });
  });

  it('answers 413 at once when Content-Length is over the limit, 400 to a body that is not JSON', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: t.server.port,
          method: 'POST',
          path: '/api/import',
          headers: { ...t.auth(), 'Content-Length': String(DROP_WIRE_MAX_BYTES + 1) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: text });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    const bad = await request(t.server.port, 'POST', '/api/import', t.auth(), 'not json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const invalid = await request(t.server.port, 'POST', '/api/import', t.auth(), '{"files":[]}');
    expect(JSON.parse(invalid.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('needs the session cookie', async () => {
    const { Cookie: _c, ...noCookie } = t.auth();
    expect((await request(t.server.port, 'POST', '/api/import', noCookie, '{}')).status).toBe(403);
  });
});
