/** Every HTTP answer of serve mode carries the security headers: a strict CSP, no framing, no caching. */
import type http from 'node:http';

export interface Responses {
  /** Sets the security headers. */
  secure(res: http.ServerResponse): void;
  deny(res: http.ServerResponse, why: string): void;
  plain(res: http.ServerResponse, status: number, text: string): void;
  json(res: http.ServerResponse, status: number, text: string, close?: boolean): void;
  /** 413 with a TOO_LARGE error, closing the connection (the rest of the body is not read). */
  tooLarge(res: http.ServerResponse, message: string): void;
}

/** `allowedHosts`: the `host:port` names of this server, the only WebSocket origins the page may use. */
export function createResponses(allowedHosts: () => Set<string>): Responses {
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

  const json = (res: http.ServerResponse, status: number, text: string, close = false) => {
    secure(res);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      ...(close ? { Connection: 'close' } : {}),
    });
    res.end(text);
  };

  return {
    secure,
    deny: (res, why) => {
      secure(res);
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Forbidden: ${why}\n`);
    },
    plain: (res, status, text) => {
      secure(res);
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
    },
    json,
    tooLarge: (res, message) =>
      json(res, 413, JSON.stringify({ ok: false, error: { code: 'TOO_LARGE', message } }), true),
  };
}
