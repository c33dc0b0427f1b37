/**
 * Who may talk to the server: the Host header must name this server (DNS rebinding), POST and
 * WebSocket need an Origin of this server (CSRF, cross-site WebSocket hijacking), and everything needs
 * the session cookie, which the printed one-time token is exchanged for.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Responses } from './responses';

const COOKIE = 'netloom_session';

export function safeEqual(a: string, b: string): boolean {
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

export interface Access {
  /** `host:port` names this server answers to (the port once it listens). */
  allowedHosts(): Set<string>;
  hostOk(req: http.IncomingMessage): boolean;
  /** An Origin of this server; a missing one passes unless `required`. */
  originOk(req: http.IncomingMessage, required: boolean): boolean;
  cookieOk(req: http.IncomingMessage): boolean;
  /**
   * GET with `?token=`: the first right token sets the session cookie, and every answer redirects to
   * the same path without the query (the token leaves the address bar). The token works once: after
   * that only the browser holding the session is sent back to the app; anyone else gets 403.
   */
  login(req: http.IncomingMessage, res: http.ServerResponse, url: URL, given: string, r: Responses): void;
}

export function createAccess(host: string, token: string, port: () => number): Access {
  const session = randomBytes(32).toString('base64url');
  let tokenSpent = false;
  const allowedHosts = () => {
    const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
    if (host === '0.0.0.0' || host === '::') names.delete(host);
    return new Set(
      [...names].map((h) => `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port()}`),
    );
  };
  const cookieOk = (req: http.IncomingMessage) => {
    const c = parseCookies(req.headers.cookie).get(COOKIE);
    return c !== undefined && safeEqual(c, session);
  };
  return {
    allowedHosts,
    hostOk: (req) => {
      const h = req.headers.host;
      return typeof h === 'string' && allowedHosts().has(h.toLowerCase());
    },
    originOk: (req, required) => {
      const o = req.headers.origin;
      if (o === undefined) return !required;
      return [...allowedHosts()].some((h) => o === `http://${h}`);
    },
    cookieOk,
    login: (req, res, url, given, r) => {
      if (!safeEqual(given, token)) return r.deny(res, 'bad token');
      // The same path without the query (so not the token), never `//host` (another site).
      const clean = '/' + url.pathname.replace(/^\/+/, '');
      if (tokenSpent) {
        // The browser that logged in may open the address again; anyone else needs a new one.
        if (!cookieOk(req))
          return r.deny(
            res,
            'this address was already used (its access token works once). Restart `netloom serve` for a new address, or use the browser already logged in.',
          );
        r.secure(res);
        res.writeHead(302, { Location: clean });
        return void res.end();
      }
      tokenSpent = true;
      r.secure(res);
      res.setHeader('Set-Cookie', `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(302, { Location: clean });
      res.end();
    },
  };
}
