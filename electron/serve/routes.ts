/**
 * The HTTP API: POST /api/rpc runs one request ({name, params} -> {ok, result} | {ok, error}),
 * POST /api/upload streams a CSV for `data.upload` and POST /api/import takes the files of a drop for
 * `project.importFiles` (neither is ever one WebSocket message). Bodies are read up to a limit; a
 * larger one gets 413 without being kept.
 */
import type http from 'node:http';
import {
  DATA_UPLOAD_MAX_BYTES,
  DROP_WIRE_MAX_BYTES,
  MAX_WIRE_MESSAGE_BYTES,
  REQUESTS,
} from '../../shared/ipc/contract';
import type { AppServices } from '../services/app';
import type { Responses } from './responses';
import { badRequest, readRpcBody, serialise, settle } from './wire';

function sizeText(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${bytes} bytes`;
}

/**
 * Reads a request body, handing each chunk to `onChunk`, up to `limit` bytes. 'too-large' as soon as
 * the declared or received size passes the limit (the rest is drained and dropped); 'aborted' when
 * the client went away.
 */
function readBody(
  req: http.IncomingMessage,
  limit: number,
  onChunk: (chunk: Buffer) => void,
): Promise<'ok' | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return resolve('too-large');
    }
    let size = 0;
    let settled = false;
    const finish = (how: 'ok' | 'too-large' | 'aborted') => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(how);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish('too-large');
        req.resume();
      } else onChunk(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish('ok'));
    req.once('error', () => finish('aborted'));
    req.once('close', () => finish(req.complete ? 'ok' : 'aborted'));
  });
}

export interface ApiRoutes {
  /** POST /api/rpc: {name, params} -> {ok, result} | {ok, error}. */
  rpc(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /**
   * POST /api/upload?docId=...&name=...: the CSV as the body, streamed (never one WebSocket message),
   * stored by `data.upload` with the same checks as any request.
   */
  upload(url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** POST /api/import: the params of `project.importFiles` ({files}) as JSON, its result or error. */
  importFiles(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

/** `uploadLimitBytes`: the largest upload body (DATA_UPLOAD_MAX_BYTES unless a test sets it). */
export function apiRoutes(services: AppServices, r: Responses, uploadLimitBytes?: number): ApiRoutes {
  return {
    async rpc(req, res) {
      const chunks: Buffer[] = [];
      const read = await readBody(req, MAX_WIRE_MESSAGE_BYTES, (c) => chunks.push(c));
      if (read === 'aborted') return;
      if (read === 'too-large')
        return r.tooLarge(res, `The request is larger than ${sizeText(MAX_WIRE_MESSAGE_BYTES)}.`);
      const body = readRpcBody(Buffer.concat(chunks).toString('utf8'));
      if (!body.ok) return r.json(res, 400, JSON.stringify({ ok: false, error: body.error }));
      r.json(res, 200, serialise({}, await settle(services, body.name, body.params)));
    },

    async importFiles(req, res) {
      const chunks: Buffer[] = [];
      const read = await readBody(req, DROP_WIRE_MAX_BYTES, (c) => chunks.push(c));
      if (read === 'aborted') return;
      if (read === 'too-large')
        return r.tooLarge(res, `The dropped files are larger than ${sizeText(DROP_WIRE_MAX_BYTES)} as sent.`);
      let params: unknown;
      try {
        params = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return r.json(res, 400, JSON.stringify({ ok: false, error: badRequest('The body is not JSON.') }));
      }
      r.json(res, 200, serialise({}, await settle(services, 'project.importFiles', params)));
    },

    async upload(url, req, res) {
      const limit = uploadLimitBytes ?? DATA_UPLOAD_MAX_BYTES;
      const docId = url.searchParams.get('docId');
      const name = url.searchParams.get('name');
      // docId and name are checked before the body is read (by the request's own schema).
      const early = REQUESTS['data.upload'].params.safeParse({ docId, name, text: '' });
      if (!early.success) {
        req.resume();
        const why = early.error.issues[0]?.message ?? 'invalid';
        return r.json(
          res,
          400,
          JSON.stringify({ ok: false, error: badRequest(`Invalid parameters for data.upload: ${why}.`) }),
          true,
        );
      }
      const decoder = new TextDecoder('utf-8');
      const parts: string[] = [];
      const read = await readBody(req, limit, (c) => parts.push(decoder.decode(c, { stream: true })));
      if (read === 'aborted') return;
      if (read === 'too-large') {
        const declared = Number(req.headers['content-length']);
        return r.tooLarge(
          res,
          `${Number.isFinite(declared) ? `The file is ${sizeText(declared)}; at` : 'The file is too large: at'} most ${sizeText(limit)} can be uploaded (the largest CSV a project can embed).`,
        );
      }
      parts.push(decoder.decode());
      const text = parts.join('');
      r.json(res, 200, serialise({}, await settle(services, 'data.upload', { docId, name, text })));
    },
  };
}
