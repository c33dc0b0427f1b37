/**
 * Serve mode's transport under bad input: malformed WebSocket messages (fixed cases and a
 * fast-check property over random and mutated requests) each get a BAD_REQUEST reply and the server
 * goes on serving; the message size cap; the HTTP upload route that carries big CSVs instead of the
 * socket; /api/rpc's malformed bodies.
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_UPLOAD_MAX_BYTES, MAX_WIRE_MESSAGE_BYTES, PREDICT_MAX_VALUES } from '../../shared/ipc/contract';
import { emptyProject } from '../../shared/ir/project';
import {
  rawRequest,
  request,
  Socket,
  startServeProcess,
  startTestServer,
  type TestServer,
} from './serve-helpers';

let t: TestServer;
let sock: Socket;
let nextId = 1_000_000;

beforeAll(async () => {
  t = await startTestServer();
  sock = await Socket.open(t);
});
afterAll(async () => {
  sock.close();
  await t.close();
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The server still answers real requests on a connection. */
async function stillServes(s: Socket): Promise<void> {
  const info = await s.call(++nextId, 'app.info', {});
  expect(info).toMatchObject({ kind: 'response', id: nextId, ok: true, result: { mode: 'serve' } });
  const list = await s.call(++nextId, 'fs.list', { dir: null });
  expect(list).toMatchObject({ kind: 'response', id: nextId, ok: true, result: { dir: '.' } });
}

/**
 * What the server must answer to one frame: a response carrying the request's id when it has a
 * usable one (a safe integer), else id null; BAD_REQUEST unless the frame is a well-formed request.
 */
function check(sent: string | Buffer, binary: boolean, replyText: string | null): void {
  expect(replyText, 'the server answers every frame').not.toBeNull();
  const reply = JSON.parse(replyText!) as Record<string, unknown>;
  let v: unknown;
  try {
    // What the server sees: the UTF-8 bytes of the frame (ws replaces lone surrogates).
    v = binary ? undefined : JSON.parse(Buffer.from(sent).toString('utf8'));
  } catch {
    v = undefined;
  }
  const id = isObject(v) && Object.hasOwn(v, 'id') && Number.isSafeInteger(v.id) ? (v.id as number) : null;
  expect(reply.kind).toBe('response');
  expect(reply.id === id, `reply id ${String(reply.id)}, expected ${String(id)}`).toBe(true);
  const wellFormed = isObject(v) && v.kind === 'request' && id !== null && typeof v.name === 'string';
  if (!wellFormed || reply.ok === false) {
    expect(reply.ok).toBe(false);
    const error = reply.error as { code: unknown; message: unknown };
    expect(typeof error.message).toBe('string');
    if (!wellFormed) expect(error.code).toBe('BAD_REQUEST');
    else expect(typeof error.code).toBe('string');
  } else expect(reply.ok).toBe(true);
}

async function roundTrip(sent: string | Buffer, binary = false): Promise<void> {
  sock.send(sent, binary);
  check(sent, binary, await sock.next());
}

describe('malformed WebSocket messages', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: [string, string][] = [
    ['JSON null', 'null'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['true', 'true'],
    ['an array', '[{"kind":"request","id":1,"name":"app.info","params":{}}]'],
    ['an empty object', '{}'],
    ['not JSON', 'this is not JSON'],
    ['truncated JSON', '{"kind":"request","id":3,"name":"app.'],
    ['an empty frame', ''],
    ['no id', '{"kind":"request","name":"app.info","params":{}}'],
    ['a string id', '{"kind":"request","id":"7","name":"app.info","params":{}}'],
    ['a fractional id', '{"kind":"request","id":1.5,"name":"app.info","params":{}}'],
    ['an id past 2^53', '{"kind":"request","id":9007199254740993,"name":"app.info","params":{}}'],
    ['a huge id', `{"kind":"request","id":1${'0'.repeat(400)},"name":"app.info","params":{}}`],
    ['an id of null', '{"kind":"request","id":null,"name":"app.info","params":{}}'],
    ['no kind', '{"id":11,"name":"app.info","params":{}}'],
    ['a response as a request', '{"kind":"response","id":12,"ok":true,"result":{}}'],
    ['a numeric kind', '{"kind":1,"id":13,"name":"app.info","params":{}}'],
    ['no name', '{"kind":"request","id":14,"params":{}}'],
    ['a numeric name', '{"kind":"request","id":15,"name":42,"params":{}}'],
    ['an object name', '{"kind":"request","id":16,"name":{"toString":1},"params":{}}'],
    ['a null name', '{"kind":"request","id":17,"name":null,"params":{}}'],
    ['an unknown name', '{"kind":"request","id":18,"name":"app.nope","params":{}}'],
    ['name __proto__', '{"kind":"request","id":19,"name":"__proto__","params":{}}'],
    ['name constructor', '{"kind":"request","id":20,"name":"constructor","params":{}}'],
    ['name hasOwnProperty', '{"kind":"request","id":21,"name":"hasOwnProperty","params":{}}'],
    ['a very long name', `{"kind":"request","id":22,"name":"${'x'.repeat(1_000_000)}","params":{}}`],
    ['params __proto__', '{"kind":"request","id":23,"name":"app.info","params":{"__proto__":{"kind":1}}}'],
    ['params an array', '{"kind":"request","id":24,"name":"fs.list","params":[null]}'],
    ['params a string', '{"kind":"request","id":25,"name":"fs.list","params":"dir"}'],
    ['a wrong-typed param', '{"kind":"request","id":26,"name":"fs.list","params":{"dir":7}}'],
    ['an extra param', '{"kind":"request","id":27,"name":"fs.list","params":{"dir":null,"x":1}}'],
    ['a __proto__ message', '{"__proto__":{"kind":"request","id":28,"name":"app.info"}}'],
    ['deeply nested params', `{"kind":"request","id":29,"name":"fs.list","params":${deep}}`],
    [
      'deeply nested project',
      `{"kind":"request","id":30,"name":"project.save","params":{"docId":"x","path":null,"project":${deep}}}`,
    ],
    ['a deeply nested frame', deep],
  ];

  it.each(cases)('%s: a BAD_REQUEST reply, and the server goes on', async (_what, text) => {
    await roundTrip(text);
  });

  it('binary frames get a BAD_REQUEST reply with id null', async () => {
    await roundTrip(Buffer.from('{"kind":"request","id":1,"name":"app.info","params":{}}'), true);
    await roundTrip(Buffer.from([0xff, 0x00, 0x13]), true);
  });

  it('the server still answers after all of them, and nothing polluted Object.prototype', async () => {
    await stillServes(sock);
    const blank = {} as Record<string, unknown>;
    expect(blank.kind).toBeUndefined();
    expect(blank.id).toBeUndefined();
  });

  it('a text frame that is not UTF-8 closes that connection (1007); the server goes on', async () => {
    const s = await Socket.open(t);
    s.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    expect(await s.next()).toBeNull();
    expect(s.closed?.code).toBe(1007);
    const again = await Socket.open(t);
    await stillServes(again);
    again.close();
  });
});

describe('a real `netloom serve` process', () => {
  it('survives null, a frame that is not UTF-8 and a frame over the cap, and prints no stack trace', async () => {
    const p = await startServeProcess();
    try {
      const a = await Socket.open(p);
      a.send('null');
      expect(JSON.parse((await a.next())!)).toMatchObject({ kind: 'response', id: null, ok: false });
      await stillServes(a);
      const b = await Socket.open(p);
      b.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), false);
      expect(await b.next()).toBeNull();
      const c = await Socket.open(p);
      c.send('x'.repeat(MAX_WIRE_MESSAGE_BYTES + 1));
      expect(await c.next()).toBeNull();
      expect(c.closed?.code).toBe(1009);
      await stillServes(a);
      const d = await Socket.open(p);
      await stillServes(d);
      a.close();
      d.close();
      expect(p.proc.exitCode).toBeNull();
      expect(p.output()).not.toMatch(/\n\s+at /);
    } finally {
      await p.close();
    }
  });
  it('survives a WebSocket upgrade to an address that is not a URL, from anyone (no cookie)', async () => {
    const p = await startServeProcess();
    try {
      const upgrade = await rawRequest(
        p.server.port,
        [
          'GET //a:99999/ws HTTP/1.1',
          `Host: ${p.host}`,
          `Origin: ${p.origin}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
      expect(upgrade).toMatch(/^HTTP\/1\.1 403/);
      const s = await Socket.open(p);
      await stillServes(s);
      s.close();
      expect(p.proc.exitCode).toBeNull();
      expect(p.output()).not.toMatch(/\n\s+at /);
    } finally {
      await p.close();
    }
  });
});

// -- the property: random and mutated requests -------------------------------------------------

const project = emptyProject();
const REAL: [string, Record<string, unknown>][] = [
  ['app.info', {}],
  ['project.templates', {}],
  ['project.new', { template: null }],
  ['project.open', { path: 'missing.nnproj' }],
  ['project.close', { docId: 'nope' }],
  ['project.save', { docId: 'nope', path: 'a.nnproj', project }],
  ['recent.list', {}],
  ['autosave.write', { docId: 'nope', path: null, project }],
  ['autosave.pending', {}],
  ['autosave.recover', { docId: 'nope' }],
  ['dialog.saveProject', { suggestedName: 'a' }],
  ['datasets.list', {}],
  [
    'data.load',
    {
      docId: 'nope',
      data: { source: 'builtin', dataset: 'spirals', options: {} },
      training: project.training,
    },
  ],
  ['data.upload', { docId: 'nope', name: 'a.csv', text: 'x,y\n1,2\n' }],
  ['data.cancel', { docId: 'nope' }],
  ['training.cancel', { runId: 'r1' }],
  ['model.evaluate', { docId: 'nope', project }],
  ['model.predict', { docId: 'nope', project, input: [1, 2, 3] }],
  ['runs.restore', { docId: 'nope', runId: 'r1' }],
  ['runs.history', { docId: 'nope', runIds: ['r1'] }],
  ['project.export', { docId: 'nope', project, format: 'svg', dir: 'out', force: false }],
  ['fs.list', { dir: null }],
];

const KEYS = ['kind', 'id', 'name', 'params', '__proto__', 'constructor', 'prototype', 'toString', 'x'];
const NAMES = [
  ...REAL.map(([n]) => n),
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'app.info ',
  'APP.INFO',
  '',
  'fs.list\u0000',
];

/** Values to put anywhere: JSON, awkward numbers, prototype-ish strings, deep nesting. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    0,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 63),
    1e308,
    '',
    '__proto__',
    'request',
    'response',
    [],
    {},
  ),
  fc.constantFrom(...NAMES),
  // Deep, but three of them nested stay within JSON.stringify's recursion (the frames of 100,000
  // levels are sent as text in the fixed cases above).
  fc.integer({ min: 1, max: 1000 }).map((n) => {
    let v: unknown = 0;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

/**
 * An own key (even `__proto__`), so JSON.stringify writes it. The value is a copy: the `{}` and `[]`
 * constants above are one object shared by every generated value, and a later mutation that writes
 * into a shared one could make it contain itself (a circular message JSON cannot write).
 */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  const value: unknown = structuredClone(v);
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

/** Objects and arrays inside `v`, breadth-first, at most 500 (no recursion: values may nest deeply). */
function containers(v: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [v];
  while (queue.length > 0 && out.length < 500) {
    const x = queue.shift();
    if (x === null || typeof x !== 'object') continue;
    out.push(x);
    queue.push(...Object.values(x));
  }
  return out;
}

type Mutation = (msg: Record<string, unknown>) => unknown;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // The envelope: set or delete kind, id, name, params or a stray key (__proto__ included).
  fc.tuple(fc.constantFrom(...KEYS), anyValue).map(
    ([k, v]): Mutation =>
      (m) => (setOwn(m, k, v), m),
  ),
  fc.constantFrom(...KEYS).map(
    (k): Mutation =>
      (m) => (delete m[k], m),
  ),
  {
    arbitrary: fc.constantFrom(...NAMES).map(
      (n): Mutation =>
        (m) => ((m.name = n), m),
    ),
    weight: 2,
  },
  // Somewhere inside params: replace, delete or add a key.
  {
    arbitrary: fc
      .tuple(fc.nat(), fc.constantFrom(...KEYS, 'docId', 'project', 'path', 'dir'), anyValue, fc.boolean())
      .map(([pick, key, v, remove]): Mutation => (m) => {
        const all = containers(m.params);
        const target = all[pick % Math.max(1, all.length)] as Record<string, unknown> | undefined;
        if (!target) return m;
        const keys = Object.keys(target);
        const k = keys.length > 0 && pick % 3 !== 0 ? keys[pick % keys.length]! : key;
        if (remove) delete target[k];
        else setOwn(target, k, v);
        return m;
      }),
    weight: 6,
  },
  fc.constant<Mutation>((m) => [m]),
  fc.constant<Mutation>((m) => ({ request: m })),
);

/** A real request, mutated one to three times, then maybe damaged as text. */
const mutated = fc
  .tuple(
    fc.constantFrom(...REAL),
    fc.integer({ min: -5, max: 2 ** 31 }),
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      fc.tuple(fc.nat(), fc.constantFrom('cut', 'insert', 'replace'), fc.string({ maxLength: 3 })),
    ),
  )
  .map(([[name, params], id, muts, damage]) => {
    let msg: unknown = { kind: 'request', id, name, params: structuredClone(params) };
    for (const mut of muts) msg = isObject(msg) ? mut(msg) : msg;
    let text = JSON.stringify(msg) ?? 'undefined';
    if (damage) {
      const [at, how, s] = damage;
      const i = at % (text.length + 1);
      text =
        how === 'cut'
          ? text.slice(0, i)
          : how === 'insert'
            ? text.slice(0, i) + s + text.slice(i)
            : text.slice(0, i) + s + text.slice(i + s.length);
    }
    return { text, binary: false };
  });

const frame = fc.oneof(
  { arbitrary: mutated, weight: 6 },
  { arbitrary: fc.jsonValue().map((v) => ({ text: JSON.stringify(v), binary: false })), weight: 2 },
  {
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => ({ text: s, binary: false })),
    weight: 1,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => ({ text: s, binary: false })),
    weight: 1,
  },
  {
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ text: Buffer.from(b), binary: true })),
    weight: 1,
  },
);

describe('property: random and mutated messages over a real WebSocket', () => {
  it('every frame gets its reply, and the server still answers app.info and fs.list', async () => {
    await fc.assert(
      fc.asyncProperty(frame, async ({ text, binary }) => {
        await roundTrip(text, binary);
      }),
      { numRuns: 5_000 },
    );
    expect(sock.closed).toBeNull();
    await stillServes(sock);
    const fresh = await Socket.open(t);
    await stillServes(fresh);
    fresh.close();
  });
});

// -- size cap -------------------------------------------------------------------------------------

describe('message size cap', () => {
  it('is the largest legitimate message: a 16 MiB project and a full model.predict input, with headroom', () => {
    expect(PREDICT_MAX_VALUES).toBeGreaterThanOrEqual(224 * 224 * 3);
    expect(MAX_WIRE_MESSAGE_BYTES).toBeGreaterThan(16 * 2 ** 20 + PREDICT_MAX_VALUES * 25);
    expect(MAX_WIRE_MESSAGE_BYTES).toBeLessThan(32 * 2 ** 20);
  });

  it('a frame one byte over the cap closes that connection (1009); the server serves a new one', async () => {
    const s = await Socket.open(t);
    const pad =
      MAX_WIRE_MESSAGE_BYTES + 1 - '{"kind":"request","id":1,"name":"app.info","params":{"x":""}}'.length;
    s.send(`{"kind":"request","id":1,"name":"app.info","params":{"x":"${'a'.repeat(pad)}"}}`);
    expect(await s.next()).toBeNull();
    expect(s.closed?.code).toBe(1009);
    const again = await Socket.open(t);
    await stillServes(again);
    again.close();
  });

  it('a maximal legitimate request fits: a project that saves at 16 MiB and model.predict values', async () => {
    // The project saves as pretty-printed JSON just under project.json's 16 MiB limit; on the wire it
    // goes compact, with the most predict values, each at the longest a number prints.
    const p = emptyProject();
    const words: string[] = [];
    const big = {
      ...p,
      data: {
        source: 'csv' as const,
        file: 'a.csv',
        embedded: false,
        target: 'y',
        columns: [],
        preprocessing: {
          target: 'y',
          task: 'classification' as const,
          targetType: 'categorical' as const,
          features: [],
          tokenizer: { words, maxLength: 10 },
          delimiter: ',',
          header: true,
        },
      },
    };
    const word = 'w'.repeat(200);
    const LIMIT = 16 * 2 ** 20;
    const size = (n: number) => {
      words.length = 0;
      for (let i = 0; i < n; i++) words.push(word);
      return JSON.stringify(big, null, 2).length;
    };
    const one = size(1);
    const perWord = size(2) - one;
    const n = 1 + Math.floor((LIMIT - one) / perWord);
    expect(size(n)).toBeLessThanOrEqual(LIMIT);
    expect(LIMIT - size(n)).toBeLessThan(perWord);
    const longest = -1e-300 / 3; // prints as 24 characters, the most a number takes
    expect(JSON.stringify(longest)).toHaveLength(24);
    const input = Array.from({ length: PREDICT_MAX_VALUES }, () => longest);
    const s = await Socket.open(t);
    const reply = await s.call(1, 'model.predict', { docId: 'nope', project: big, input });
    expect(reply).toMatchObject({ id: 1, ok: false, error: { code: 'NO_DOCUMENT' } });
    s.close();
  });
});

// -- HTTP: /api/upload and /api/rpc ---------------------------------------------------------------

describe('POST /api/upload', () => {
  it('stores a multi-MB CSV sent as the body, and data.load then reads it', async () => {
    const doc = await sock.call(++nextId, 'project.new', { template: null });
    const docId = (doc.result as { docId: string }).docId;
    const rows = ['a,b,label'];
    for (let i = 0; rows.length < 120_000; i++)
      rows.push(`${(i % 97) / 7},${((i * 7) % 89) / 3},${i % 2 ? 'yes' : 'no'}`);
    const csv = rows.join('\n') + '\n';
    expect(csv.length).toBeGreaterThan(3 * 2 ** 20);
    const r = await request(
      t.server.port,
      'POST',
      `/api/upload?docId=${docId}&name=big.csv`,
      { ...t.auth(), 'Content-Type': 'text/csv' },
      csv,
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, result: { file: 'data/big.csv' } });
    const loaded = await sock.call(++nextId, 'data.load', {
      docId,
      data: { source: 'csv', file: 'data/big.csv', embedded: true, target: 'label', columns: [] },
      training: emptyProject().training,
    });
    expect(loaded).toMatchObject({ ok: true, result: { summary: { count: 119_999 } } });
  });

  it('runs the same validation as data.upload', async () => {
    const up = (query: string) =>
      request(
        t.server.port,
        'POST',
        `/api/upload${query}`,
        { ...t.auth(), 'Content-Type': 'text/csv' },
        'a\n1\n',
      );
    for (const q of [
      '?docId=nope&name=x.csv',
      '?docId=bad%20id&name=x.csv',
      '?docId=nope&name=..%2Fx.csv',
      '',
      '?name=x.csv',
    ]) {
      const r = await up(q);
      const body = JSON.parse(r.body) as { ok: boolean; error: { code: string } };
      expect(body.ok).toBe(false);
      expect(['BAD_REQUEST', 'NO_DOCUMENT']).toContain(body.error.code);
    }
  });

  it('needs the session cookie and this server as Origin', async () => {
    const { Cookie: _c, ...noCookie } = t.auth();
    expect(
      (await request(t.server.port, 'POST', '/api/upload?docId=a&name=a.csv', noCookie, 'a')).status,
    ).toBe(403);
    const evil = { ...t.auth(), Origin: 'http://evil.example' };
    expect((await request(t.server.port, 'POST', '/api/upload?docId=a&name=a.csv', evil, 'a')).status).toBe(
      403,
    );
    const { Origin: _o, ...noOrigin } = t.auth();
    expect(
      (await request(t.server.port, 'POST', '/api/upload?docId=a&name=a.csv', noOrigin, 'a')).status,
    ).toBe(403);
  });

  it('answers 413 at once when Content-Length is over the limit', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: t.server.port,
          method: 'POST',
          path: '/api/upload?docId=nope&name=x.csv',
          headers: { ...t.auth(), 'Content-Length': String(DATA_UPLOAD_MAX_BYTES + 1) },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    expect(JSON.parse(r.body).error.message).toMatch(/256 MiB/);
    await stillServes(sock);
  });

  it('answers 413 when a streamed body passes the limit', async () => {
    const small = await startTestServer({ uploadLimitBytes: 1000 });
    const s = await Socket.open(small);
    const doc = await s.call(1, 'project.new', { template: null });
    const docId = (doc.result as { docId: string }).docId;
    const ok = await request(
      small.server.port,
      'POST',
      `/api/upload?docId=${docId}&name=a.csv`,
      small.auth(),
      'a\n'.repeat(500),
    );
    expect(ok.status).toBe(200);
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: small.server.port,
          method: 'POST',
          path: `/api/upload?docId=${docId}&name=b.csv`,
          headers: { ...small.auth(), 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.write('a\n'.repeat(300));
      req.write('a\n'.repeat(300));
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    await stillServes(s);
    s.close();
    await small.close();
  });
});

describe('POST /api/rpc', () => {
  const rpc = (body: string, headers: Record<string, string> = {}) =>
    request(
      t.server.port,
      'POST',
      '/api/rpc',
      { ...t.auth(), 'Content-Type': 'application/json', ...headers },
      body,
    );

  it.each([
    ['null'],
    ['42'],
    ['"x"'],
    ['[]'],
    ['{}'],
    ['{"name":42}'],
    ['{"name":{"toString":1}}'],
    ['nope'],
  ])('body %s: 400 BAD_REQUEST with the security headers', async (body) => {
    const r = await rpc(body);
    expect(r.status).toBe(400);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('a body over the cap: 413', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: t.server.port,
          method: 'POST',
          path: '/api/rpc',
          headers: { ...t.auth(), 'Content-Length': String(MAX_WIRE_MESSAGE_BYTES + 1) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(r).toBe(413);
    const ok = await rpc(JSON.stringify({ name: 'app.info', params: {} }));
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true });
  });
});
