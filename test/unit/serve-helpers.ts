/**
 * Shared by the serve-*.test.ts files: a real serve-mode server (AppServices over a temp --root and
 * a temp data folder), logged in once with its one-time token, plain HTTP requests and a WebSocket
 * that reads one reply at a time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { AppServices } from '../../electron/services/app';
import { type RunningServer, type ServeOptions, startServer } from '../../electron/serve';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  server: RunningServer;
  services: AppServices;
  root: string;
  dataDir: string;
  /** `netloom_session=...`, from the one use of the token. */
  cookie: string;
  host: string;
  origin: string;
  /** Headers a logged-in page sends (Host, Origin, Cookie). */
  auth(): Record<string, string>;
  close(): Promise<void>;
}

export function request(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    r.on('error', reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

/** Sends `text` as is over TCP (for requests http.request will not make); the whole answer. */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

export async function startTestServer(
  extra: Partial<Omit<ServeOptions, 'services'>> = {},
  root = mkdtempSync(path.join(tmpdir(), 'netloom-serve-root-')),
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netloom-serve-data-'));
  const services = new AppServices({ mode: 'serve', version: 'test', root, dataDir });
  const token = 't'.repeat(43);
  const server = await startServer({
    services,
    staticDir: path.resolve('dist/renderer'),
    token,
    ...extra,
  });
  const host = `127.0.0.1:${server.port}`;
  const origin = `http://${host}`;
  const login = await request(server.port, 'GET', `/?token=${extra.token ?? token}`, { Host: host });
  const cookie = login.headers['set-cookie']?.[0]?.split(';')[0];
  if (!cookie) throw new Error(`login failed: ${login.status} ${login.body}`);
  return {
    server,
    services,
    root,
    dataDir,
    cookie,
    host,
    origin,
    auth: () => ({ Host: host, Origin: origin, Cookie: cookie }),
    close: () => server.close(),
  };
}

/** A real `netloom serve` process (the built CLI), logged in. */
export interface ServeProcess extends Omit<TestServer, 'server' | 'services' | 'close'> {
  server: { port: number };
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  close(): Promise<void>;
}

export async function startServeProcess(): Promise<ServeProcess> {
  const root = mkdtempSync(path.join(tmpdir(), 'netloom-serve-root-'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netloom-serve-data-'));
  const proc = spawn(
    process.execPath,
    [path.resolve('bin/netloom.js'), 'serve', '--no-open', '--port', '0', '--root', root],
    { env: { ...process.env, NETLOOM_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const loginUrl = await new Promise<URL>((resolve, reject) => {
    const look = () => {
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) resolve(new URL(m[0]));
    };
    proc.stdout!.on('data', look);
    proc.once('exit', (code) => reject(new Error(`netloom serve exited ${code}: ${out}`)));
  });
  const port = Number(loginUrl.port);
  const host = `127.0.0.1:${port}`;
  const origin = `http://${host}`;
  const login = await request(port, 'GET', loginUrl.pathname + loginUrl.search, { Host: host });
  const cookie = login.headers['set-cookie']?.[0]?.split(';')[0];
  if (!cookie) throw new Error(`login failed: ${login.status} ${login.body}`);
  return {
    server: { port },
    proc,
    root,
    dataDir,
    cookie,
    host,
    origin,
    auth: () => ({ Host: host, Origin: origin, Cookie: cookie }),
    output: () => out,
    close: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A WebSocket to the server with a queue of the messages it received (events skipped). */
export class Socket {
  private queue: string[] = [];
  private waiting: ((m: string | null) => void)[] = [];
  closed: { code: number } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '<binary>' : String(data);
      if (text.startsWith('{"kind":"event"')) return;
      const w = this.waiting.shift();
      if (w) w(text);
      else this.queue.push(text);
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiting.splice(0)) w(null);
    });
    ws.on('error', () => undefined);
  }

  static open(t: { server: { port: number }; auth(): Record<string, string> }): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${t.server.port}/ws`, { headers: t.auth() });
      ws.once('open', () => resolve(new Socket(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  /** The next non-event message, or null once the connection has closed. */
  next(): Promise<string | null> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends one request and returns the parsed reply. */
  async call(id: number, name: string, params: unknown): Promise<Record<string, unknown>> {
    this.send(JSON.stringify({ kind: 'request', id, name, params }));
    const reply = await this.next();
    if (reply === null) throw new Error(`connection closed (${this.closed?.code}) before ${name} answered`);
    return JSON.parse(reply) as Record<string, unknown>;
  }

  close(): void {
    this.ws.close();
  }
}
