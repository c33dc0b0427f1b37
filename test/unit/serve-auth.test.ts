/**
 * Serve mode's auth matrix: {no token, bad token, good token} × {good, evil Host} ×
 * {good, evil, missing Origin} × {GET, POST, WebSocket upgrade}. Only a client holding the session
 * cookie, naming this server as Host, and (for POST and WebSocket) sending this server's Origin gets in.
 * The token works once; bad URLs are 400 and internal errors 500, both with the security headers.
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { AppServices } from '../../electron/services/app';
import { type RunningServer, startServer } from '../../electron/serve';

let server: RunningServer;
const TOKEN = 'a'.repeat(43);
/** The one exchange of the token for the session cookie. */
let firstLogin: { status: number; headers: http.IncomingHttpHeaders; body: string };
let sessionCookie: string;

function newServices(): AppServices {
  return new AppServices({
    mode: 'serve',
    version: 'test',
    root: mkdtempSync(path.join(tmpdir(), 'netloom-auth-root-')),
    dataDir: mkdtempSync(path.join(tmpdir(), 'netloom-auth-data-')),
  });
}

beforeAll(async () => {
  server = await startServer({
    services: newServices(),
    staticDir: path.resolve('dist/renderer'),
    token: TOKEN,
  });
  firstLogin = await req('GET', `/?token=${TOKEN}`, { Host: goodHost() });
  sessionCookie = firstLogin.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
});
afterAll(() => server.close());

function req(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string,
  port = server.port,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

const goodHost = () => `127.0.0.1:${server.port}`;
const goodOrigin = () => `http://127.0.0.1:${server.port}`;

/** The session cookie a client holds: the good token's (exchanged once, in beforeAll), or none. */
async function login(token: 'none' | 'bad' | 'good'): Promise<string | null> {
  if (token === 'none') return null;
  if (token === 'good') return sessionCookie;
  const r = await req('GET', `/?token=${'b'.repeat(43)}`, { Host: goodHost() });
  expect(r.status).toBe(403);
  const set = r.headers['set-cookie']?.[0];
  return set ? set.split(';')[0]! : null;
}

function wsOpen(headers: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
    ws.on('unexpected-response', () => resolve(false));
  });
}

const TOKENS = ['none', 'bad', 'good'] as const;
const HOSTS = ['good', 'evil'] as const;
const ORIGINS = ['good', 'evil', 'missing'] as const;
const METHODS = ['GET', 'POST', 'WS'] as const;

const cases = TOKENS.flatMap((t) =>
  HOSTS.flatMap((h) => ORIGINS.flatMap((o) => METHODS.map((m) => [t, h, o, m] as const))),
);

describe('serve mode auth', () => {
  it('sets an HttpOnly SameSite=Strict cookie for the right token and strips the token from the address', () => {
    const r = firstLogin;
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    expect(r.headers['set-cookie']?.[0]).toMatch(
      /^netloom_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/,
    );
    expect(r.headers['set-cookie']?.[0]).not.toContain(TOKEN);
  });

  it.each(cases)('token %s × Host %s × Origin %s × %s', async (token, host, origin, method) => {
    const cookie = await login(token);
    const headers: Record<string, string> = {
      Host: host === 'good' ? goodHost() : `evil.example:${server.port}`,
    };
    if (origin !== 'missing') headers.Origin = origin === 'good' ? goodOrigin() : 'http://evil.example';
    if (cookie) headers.Cookie = cookie;
    const shouldPass =
      token === 'good' &&
      host === 'good' &&
      (origin === 'good' || (origin === 'missing' && method === 'GET'));
    let passed: boolean;
    if (method === 'WS') passed = await wsOpen(headers);
    else if (method === 'GET') {
      const r = await req('GET', '/', headers);
      passed = r.status === 200;
      if (!passed) expect(r.status).toBe(403);
    } else {
      const r = await req(
        'POST',
        '/api/rpc',
        { ...headers, 'Content-Type': 'application/json' },
        JSON.stringify({ name: 'app.info', params: {} }),
      );
      passed = r.status === 200 && (JSON.parse(r.body) as { ok: boolean }).ok;
      if (!passed) expect(r.status).toBe(403);
    }
    expect(passed).toBe(shouldPass);
  });

  it('sends security headers and a CSP', async () => {
    const cookie = await login('good');
    const r = await req('GET', '/', { Host: goodHost(), Cookie: cookie! });
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('never serves a file outside the renderer folder', async () => {
    const cookie = await login('good');
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json']) {
      const r = await req('GET', p, { Host: goodHost(), Cookie: cookie! });
      expect(r.body).not.toContain('"name": "netloom"');
    }
  });

  it('confines file requests to the served folder', async () => {
    const cookie = await login('good');
    const call = async (name: string, params: unknown) => {
      const r = await req(
        'POST',
        '/api/rpc',
        { Host: goodHost(), Origin: goodOrigin(), Cookie: cookie!, 'Content-Type': 'application/json' },
        JSON.stringify({ name, params }),
      );
      return JSON.parse(r.body) as { ok: boolean; error?: { code: string } };
    };
    expect((await call('fs.list', { dir: '..' })).error?.code).toBe('OUTSIDE_ROOT');
    expect((await call('project.open', { path: '/etc/passwd' })).error?.code).toBe('OUTSIDE_ROOT');
    expect((await call('fs.list', { dir: null })).ok).toBe(true);
    expect((await call('nope', {})).error?.code).toBe('BAD_REQUEST');
    expect((await call('project.new', { template: 'mlp', extra: 1 })).error?.code).toBe('BAD_REQUEST');
  });
});

describe('the access token works once', () => {
  it('a second use is 403 saying the address was used; a bad token does not spend it', async () => {
    const t = 'c'.repeat(43);
    const s = await startServer({
      services: newServices(),
      staticDir: path.resolve('dist/renderer'),
      token: t,
    });
    const host = { Host: `127.0.0.1:${s.port}` };
    try {
      const bad = await req('GET', `/?token=${'d'.repeat(43)}`, host, undefined, s.port);
      expect(bad.status).toBe(403);
      expect(bad.headers['set-cookie']).toBeUndefined();
      // The first use: the cookie, and a redirect to the same path without the query.
      const first = await req('GET', `/some/route?token=${t}&x=1`, host, undefined, s.port);
      expect(first.status).toBe(302);
      expect(first.headers.location).toBe('/some/route');
      const cookie = first.headers['set-cookie']?.[0]?.split(';')[0];
      expect(cookie).toMatch(/^netloom_session=/);
      // The second, from anyone without the session: refused, with what to do.
      const second = await req('GET', `/?token=${t}`, host, undefined, s.port);
      expect(second.status).toBe(403);
      expect(second.headers['set-cookie']).toBeUndefined();
      expect(second.headers['x-content-type-options']).toBe('nosniff');
      expect(second.body).toMatch(/already used/);
      expect(second.body).toMatch(/restart `netloom serve`/i);
      expect(second.body).toMatch(/browser already logged in/);
      // The browser that logged in may open the address again: back to the app, no new cookie.
      const again = await req('GET', `/?token=${t}`, { ...host, Cookie: cookie! }, undefined, s.port);
      expect(again.status).toBe(302);
      expect(again.headers.location).toBe('/');
      expect(again.headers['set-cookie']).toBeUndefined();
      expect((await req('GET', '/', { ...host, Cookie: cookie! }, undefined, s.port)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('bad requests and internal errors', () => {
  it.each([['/%E0%A4%A'], ['/%'], ['/%zz/app.js'], ['/assets/%C0%AF'], ['//a:99999/']])(
    'GET %s: 400 with the security headers',
    async (p) => {
      const r = await req('GET', p, { Host: goodHost(), Cookie: sessionCookie });
      expect(r.status).toBe(400);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.body).not.toMatch(/\n\s+at /);
    },
  );

  it('a failure before any header is set is 500 with the security headers and no stack trace', async () => {
    // The fault: the first header the server sets throws (once), whatever it is.
    const setHeader = vi.spyOn(http.ServerResponse.prototype, 'setHeader');
    setHeader.mockImplementationOnce(() => {
      throw new Error('the disk caught fire');
    });
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const r = await req('GET', '/', { Host: goodHost(), Cookie: sessionCookie });
      expect(r.status).toBe(500);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.body).not.toMatch(/\n\s+at /);
      for (const call of log.mock.calls) expect(call.join(' ')).not.toMatch(/\n\s+at /);
    } finally {
      setHeader.mockRestore();
      log.mockRestore();
    }
    expect((await req('GET', '/', { Host: goodHost(), Cookie: sessionCookie })).status).toBe(200);
  });
});
