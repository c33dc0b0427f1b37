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
 * headers. A CSV for `data.upload` comes as the body of POST /api/upload, and the files of a drop for
 * `project.importFiles` as that of POST /api/import, not as socket messages.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppServices } from './services/app';
import { createAccess } from './serve/access';
import { createResponses } from './serve/responses';
import { apiRoutes } from './serve/routes';
import { attachWebSocket } from './serve/socket';
import { staticFiles } from './serve/static';

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

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const access = createAccess(host, token, () => port);
  const r = createResponses(access.allowedHosts);
  const api = apiRoutes(opts.services, r, opts.uploadLimitBytes);
  const serveStatic = staticFiles(opts.staticDir, r);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://placeholder');
    } catch {
      return r.plain(res, 400, 'Bad request: malformed address.');
    }
    if (!access.hostOk(req)) return r.deny(res, 'unknown Host');
    const isPost = req.method === 'POST';
    if (!access.originOk(req, isPost)) return r.deny(res, 'cross-origin request');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isPost) {
      r.secure(res);
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      return res.end();
    }
    const given = url.searchParams.get('token');
    if (req.method === 'GET' && given !== null) return access.login(req, res, url, given, r);
    if (!access.cookieOk(req))
      return r.deny(res, 'open the address that `netloom serve` printed (it carries the access token)');
    if (isPost && url.pathname === '/api/rpc') return api.rpc(req, res);
    if (isPost && url.pathname === '/api/upload') return api.upload(url, req, res);
    if (isPost && url.pathname === '/api/import') return api.importFiles(req, res);
    if (isPost) return r.deny(res, 'unknown endpoint');
    return serveStatic(url.pathname, res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug, not bad input: one line for the terminal (no stack trace), a 500 with the usual headers.
      console.error(`netloom serve: internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) return void res.destroy();
      try {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        r.secure(res);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      } catch {
        res.destroy();
      }
    });
  });
  const ws = attachWebSocket(server, opts.services, access);

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
      ws.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
