/**
 * Serve mode: the built renderer over HTTP and the same services over one WebSocket, for remote
 * machines and for the end-to-end tests.
 *
 * Security: binds 127.0.0.1 by default. The printed URL carries a random 256-bit token, which the
 * page exchanges for an HttpOnly, SameSite=Strict session cookie (the token leaves the address bar
 * at once). Every request and the WebSocket upgrade need that cookie, a Host header naming this
 * server (DNS rebinding), and, for POST and WebSocket, an Origin of this server (CSRF / cross-site
 * WebSocket hijacking). Anything else gets 403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireMessage } from '../shared/ipc/contract';
import { type AppServices, toIpcError } from './services/app';

export interface ServeOptions {
  services: AppServices;
  /** Folder with the built renderer (index.html + assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
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

  const staticRoot = path.resolve(opts.staticDir);

  async function serveStatic(urlPath: string, res: http.ServerResponse) {
    let rel = decodeURIComponent(urlPath);
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
      body = await fs.readFile(file);
    } catch {
      // Client-side routes fall back to the app shell.
      if (!path.extname(rel)) {
        try {
          body = await fs.readFile(path.join(staticRoot, 'index.html'));
          secure(res);
          res.writeHead(200, { 'Content-Type': MIME['.html']! });
          return res.end(body);
        } catch {
          // fall through
        }
      }
      secure(res);
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('Not found\n');
    }
    secure(res);
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://placeholder');
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
        secure(res);
        res.setHeader('Set-Cookie', `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
        res.writeHead(302, { Location: url.pathname || '/' });
        return res.end();
      }
      if (!cookieOk(req))
        return deny(res, 'open the address that `netloom serve` printed (it carries the access token)');
      if (isPost && url.pathname === '/api/rpc') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req) {
          size += (c as Buffer).length;
          if (size > 64 * 2 ** 20) return deny(res, 'request too large');
          chunks.push(c as Buffer);
        }
        let body: { name?: unknown; params?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          secure(res);
          res.writeHead(400, { 'Content-Type': 'application/json' });
          return res.end(
            JSON.stringify({ ok: false, error: { code: 'BAD_REQUEST', message: 'Body is not JSON.' } }),
          );
        }
        secure(res);
        res.setHeader('Content-Type', 'application/json');
        try {
          const result = await services.dispatch(String(body.name), body.params);
          res.writeHead(200);
          return res.end(JSON.stringify({ ok: true, result }));
        } catch (err) {
          res.writeHead(200);
          return res.end(JSON.stringify({ ok: false, error: toIpcError(err) }));
        }
      }
      if (isPost) return deny(res, 'unknown endpoint');
      return serveStatic(url.pathname, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 2 ** 20 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const ok = url.pathname === '/ws' && hostOk(req) && originOk(req, true) && cookieOk(req);
    if (!ok) {
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
    ws.on('message', (data) => {
      let msg: WireMessage;
      try {
        msg = JSON.parse(String(data)) as WireMessage;
      } catch {
        return;
      }
      if (msg.kind !== 'request' || typeof msg.id !== 'number') return;
      services
        .dispatch(msg.name, msg.params)
        .then((result) => ws.send(JSON.stringify({ kind: 'response', id: msg.id, ok: true, result })))
        .catch((err: unknown) =>
          ws.send(JSON.stringify({ kind: 'response', id: msg.id, ok: false, error: toIpcError(err) })),
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
