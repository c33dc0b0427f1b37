/**
 * Serve mode: the built renderer over HTTP and the same services over one WebSocket, for remote
 * machines and for the end-to-end tests.
 *
 * Security: binds 127.0.0.1 by default. The printed URL carries a random 256-bit token, which the
 * page exchanges for an HttpOnly, SameSite=Strict session cookie (the token leaves the address bar
 * at once: the answer redirects to the same path without the query). The token works once; a second
 * use gets 403 (the browser holding the session is just sent back to the app). Every request and the
 * WebSocket upgrade need that cookie, a Host header naming this server (DNS rebinding), and, for POST
 * and WebSocket, an Origin of this server (CSRF / cross-site WebSocket hijacking). Anything else gets
 * 403.
 *
 * Bad input never ends the process: every WebSocket message that is not a well-formed request gets a
 * BAD_REQUEST response (id null when it has no usable id), frames over MAX_WIRE_MESSAGE_BYTES or not
 * UTF-8 close only their connection, and HTTP answers 400 / 413 / 500, always with the security
 * headers. A CSV for `data.upload` comes as the body of POST /api/upload, not as a socket message.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type RawData, WebSocketServer, type WebSocket } from 'ws';
import {
  DATA_UPLOAD_MAX_BYTES,
  type IpcError,
  MAX_WIRE_MESSAGE_BYTES,
  REQUESTS,
  type WireMessage,
} from '../shared/ipc/contract';
import { type AppServices, toIpcError } from './services/app';
import { NotRegularFileError, readRegularFile } from './services/regularFile';

export interface ServeOptions {
  services: AppServices;
  /** Folder with the built renderer (index.html + assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /** Largest body POST /api/upload takes (tests); DATA_UPLOAD_MAX_BYTES otherwise. */
  uploadLimitBytes?: number;
}

export interface RunningServer {
  url: string;
  /** The URL with the token, to print or open. */
  loginUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'netloom_session';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** Longer than any request name (the longest is 19 characters); longer ones are not looked up. */
const MAX_NAME_LENGTH = 64;

type Outcome = { ok: true; result: unknown } | { ok: false; error: IpcError };

const badRequest = (message: string): IpcError => ({ code: 'BAD_REQUEST', message });

/** `toIpcError` that never throws, whatever was thrown. */
function ipcError(err: unknown): IpcError {
  try {
    return toIpcError(err);
  } catch {
    return { code: 'INTERNAL', message: 'Internal error.' };
  }
}

/** JSON text of a reply; a result that cannot be serialised becomes an INTERNAL error instead. */
function serialise(head: object, outcome: Outcome): string {
  try {
    return JSON.stringify({ ...head, ...outcome });
  } catch (err) {
    return JSON.stringify({ ...head, ok: false, error: ipcError(err) });
  }
}

/** A JSON object's own property, never one inherited from Object.prototype. */
function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Why `name` cannot name a request, or null (unknown names are left to dispatch). */
function nameProblem(name: unknown): IpcError | null {
  if (typeof name !== 'string')
    return badRequest(`name must be a request name (a string), not ${kindOf(name)}.`);
  if (name.length > MAX_NAME_LENGTH)
    return badRequest(`Unknown request (a name of ${name.length} characters).`);
  return null;
}

/**
 * One WebSocket frame as a request, or why it is not one, with the id to answer to: the frame's `id`
 * when it is a safe integer, else null (see WireMessage).
 */
export function readWireRequest(
  data: RawData,
  isBinary: boolean,
):
  | { ok: true; id: number; name: string; params: unknown }
  | { ok: false; id: number | null; error: IpcError } {
  if (isBinary)
    return {
      ok: false,
      id: null,
      error: badRequest('Binary frames are not accepted; send each request as JSON text.'),
    };
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  let msg: unknown;
  try {
    msg = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, id: null, error: badRequest('The message is not JSON.') };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
    return {
      ok: false,
      id: null,
      error: badRequest(`A message must be a JSON object {kind, id, name, params}, not ${kindOf(msg)}.`),
    };
  const id = own(msg, 'id');
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    const what =
      typeof id !== 'number'
        ? kindOf(id)
        : Number.isFinite(id) && !Number.isInteger(id)
          ? 'a fractional number'
          : 'a number out of range';
    return {
      ok: false,
      id: null,
      error: badRequest(
        `A request needs an id, a whole number between -(2^53 - 1) and 2^53 - 1; this one is ${what}.`,
      ),
    };
  }
  const kind = own(msg, 'kind');
  if (kind !== 'request')
    return {
      ok: false,
      id,
      error: badRequest(
        `kind must be "request", not ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 20)) : kindOf(kind)}.`,
      ),
    };
  const name = own(msg, 'name');
  const problem = nameProblem(name);
  if (problem) return { ok: false, id, error: problem };
  return { ok: true, id, name: name as string, params: own(msg, 'params') };
}

/** An /api/rpc body ({name, params}) as a request, or why it is not one. */
function readRpcBody(
  text: string,
): { ok: true; name: string; params: unknown } | { ok: false; error: IpcError } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: badRequest('Body is not JSON.') };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return {
      ok: false,
      error: badRequest(`The body must be a JSON object {name, params}, not ${kindOf(body)}.`),
    };
  const name = own(body, 'name');
  const problem = nameProblem(name);
  if (problem) return { ok: false, error: problem };
  return { ok: true, name: name as string, params: own(body, 'params') };
}

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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const session = randomBytes(32).toString('base64url');
  const services = opts.services;
  let port = 0;

  const allowedHosts = () => {
    const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
    if (host === '0.0.0.0' || host === '::') names.delete(host);
    return new Set([...names].map((h) => `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`));
  };
  const hostOk = (req: http.IncomingMessage) => {
    const h = req.headers.host;
    return typeof h === 'string' && allowedHosts().has(h.toLowerCase());
  };
  const originOk = (req: http.IncomingMessage, required: boolean) => {
    const o = req.headers.origin;
    if (o === undefined) return !required;
    return [...allowedHosts()].some((h) => o === `http://${h}`);
  };
  const cookieOk = (req: http.IncomingMessage) => {
    const c = parseCookies(req.headers.cookie).get(COOKIE);
    return c !== undefined && safeEqual(c, session);
  };

  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      `connect-src 'self' ${[...allowedHosts()]
        .filter((h) => !h.startsWith('['))
        .map((h) => `ws://${h}`)
        .join(' ')}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join('; ');

  const secure = (res: http.ServerResponse) => {
    res.setHeader('Content-Security-Policy', csp());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  };

  const deny = (res: http.ServerResponse, why: string) => {
    secure(res);
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Forbidden: ${why}\n`);
  };

  const plain = (res: http.ServerResponse, status: number, text: string) => {
    secure(res);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  const json = (res: http.ServerResponse, status: number, text: string, close = false) => {
    secure(res);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      ...(close ? { Connection: 'close' } : {}),
    });
    res.end(text);
  };

  const tooLarge = (res: http.ServerResponse, message: string) =>
    json(res, 413, JSON.stringify({ ok: false, error: { code: 'TOO_LARGE', message } }), true);

  /** Runs one request; never rejects. */
  const settle = async (name: string, params: unknown): Promise<Outcome> => {
    try {
      return { ok: true, result: await services.dispatch(name, params) };
    } catch (err) {
      return { ok: false, error: ipcError(err) };
    }
  };

  const staticRoot = path.resolve(opts.staticDir);

  async function serveStatic(urlPath: string, res: http.ServerResponse) {
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return plain(res, 400, 'Bad request: the address has a malformed % escape.');
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    if (rel === '/favicon.ico') {
      secure(res);
      res.writeHead(204);
      return res.end();
    }
    const file = path.resolve(staticRoot, '.' + rel);
    if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return deny(res, 'bad path');
    let body: Buffer;
    try {
      // Regular files only: a FIFO would block the read (and a libuv thread) forever.
      body = await readRegularFile(file);
    } catch (err) {
      const special = err instanceof NotRegularFileError && err.what !== 'a folder';
      // Client-side routes fall back to the app shell.
      if (!special && !path.extname(rel)) {
        try {
          body = await readRegularFile(path.join(staticRoot, 'index.html'));
          secure(res);
          res.writeHead(200, { 'Content-Type': MIME['.html']! });
          return res.end(body);
        } catch {
          // fall through
        }
      }
      return plain(res, 404, 'Not found');
    }
    secure(res);
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  }

  /** POST /api/rpc: {name, params} -> {ok, result} | {ok, error}. */
  async function rpc(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    const read = await readBody(req, MAX_WIRE_MESSAGE_BYTES, (c) => chunks.push(c));
    if (read === 'aborted') return;
    if (read === 'too-large')
      return tooLarge(res, `The request is larger than ${sizeText(MAX_WIRE_MESSAGE_BYTES)}.`);
    const body = readRpcBody(Buffer.concat(chunks).toString('utf8'));
    if (!body.ok) return json(res, 400, JSON.stringify({ ok: false, error: body.error }));
    json(res, 200, serialise({}, await settle(body.name, body.params)));
  }

  /**
   * POST /api/upload?docId=...&name=...: the CSV as the body, streamed (never one WebSocket message),
   * stored by `data.upload` with the same checks as any request.
   */
  async function upload(url: URL, req: http.IncomingMessage, res: http.ServerResponse) {
    const limit = opts.uploadLimitBytes ?? DATA_UPLOAD_MAX_BYTES;
    const docId = url.searchParams.get('docId');
    const name = url.searchParams.get('name');
    // docId and name are checked before the body is read (by the request's own schema).
    const early = REQUESTS['data.upload'].params.safeParse({ docId, name, text: '' });
    if (!early.success) {
      req.resume();
      const why = early.error.issues[0]?.message ?? 'invalid';
      return json(
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
      return tooLarge(
        res,
        `${Number.isFinite(declared) ? `The file is ${sizeText(declared)}; at` : 'The file is too large: at'} most ${sizeText(limit)} can be uploaded (the largest CSV a project can embed).`,
      );
    }
    parts.push(decoder.decode());
    json(res, 200, serialise({}, await settle('data.upload', { docId, name, text: parts.join('') })));
  }

  let tokenSpent = false;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://placeholder');
    } catch {
      return plain(res, 400, 'Bad request: malformed address.');
    }
    if (!hostOk(req)) return deny(res, 'unknown Host');
    const isPost = req.method === 'POST';
    if (!originOk(req, isPost)) return deny(res, 'cross-origin request');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isPost) {
      secure(res);
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      return res.end();
    }
    const given = url.searchParams.get('token');
    if (req.method === 'GET' && given !== null) {
      if (!safeEqual(given, token)) return deny(res, 'bad token');
      // The same path without the query (so not the token), never `//host` (another site).
      const clean = '/' + url.pathname.replace(/^\/+/, '');
      if (tokenSpent) {
        // The browser that logged in may open the address again; anyone else needs a new one.
        if (!cookieOk(req))
          return deny(
            res,
            'this address was already used (its access token works once). Restart `netloom serve` for a new address, or use the browser already logged in.',
          );
        secure(res);
        res.writeHead(302, { Location: clean });
        return res.end();
      }
      tokenSpent = true;
      secure(res);
      res.setHeader('Set-Cookie', `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(302, { Location: clean });
      return res.end();
    }
    if (!cookieOk(req))
      return deny(res, 'open the address that `netloom serve` printed (it carries the access token)');
    if (isPost && url.pathname === '/api/rpc') return rpc(req, res);
    if (isPost && url.pathname === '/api/upload') return upload(url, req, res);
    if (isPost) return deny(res, 'unknown endpoint');
    return serveStatic(url.pathname, res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug, not bad input: one line for the terminal (no stack trace), a 500 with the usual headers.
      console.error(`netloom serve: internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) return void res.destroy();
      try {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        secure(res);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      } catch {
        res.destroy();
      }
    });
  });

  // The largest legitimate message, not more (shared/ipc/contract.ts derives it); data.upload's CSVs
  // come by POST /api/upload instead.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    let ok = false;
    try {
      const url = new URL(req.url ?? '/', 'http://placeholder');
      ok = url.pathname === '/ws' && hostOk(req) && originOk(req, true) && cookieOk(req);
    } catch {
      // A malformed address: refused like any other bad upgrade.
    }
    if (!ok) {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const forward = (name: string, payload: unknown) => {
    const msg: WireMessage = { kind: 'event', name, payload };
    const text = JSON.stringify(msg);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  services.events.on('event', forward);

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // ws reports a broken frame here (over maxPayload: 1009; text that is not UTF-8: 1007) and closes
    // that connection itself. Without a listener the 'error' event would throw and end the process.
    ws.on('error', () => undefined);
    const reply = (text: string) => {
      if (ws.readyState !== ws.OPEN) return;
      try {
        ws.send(text);
      } catch {
        ws.terminate();
      }
    };
    ws.on('message', (data, isBinary) => {
      const req = readWireRequest(data, isBinary);
      if (!req.ok) {
        const msg: WireMessage = { kind: 'response', id: req.id, ok: false, error: req.error };
        return reply(JSON.stringify(msg));
      }
      void settle(req.name, req.params).then((outcome) =>
        reply(serialise({ kind: 'response', id: req.id }, outcome)),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${port}/`;
  return {
    url: base,
    loginUrl: `${base}?token=${token}`,
    port,
    token,
    async close() {
      services.events.off('event', forward);
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
