/**
 * The renderer's one way to the services: Electron's preload bridge (`window.netloom`) when present,
 * otherwise serve mode's WebSocket. Both implement shared/ipc's `NetloomApi`.
 *
 * Serve mode sends `data.upload` (a CSV of up to 256 MiB) as the body of POST /api/upload, and
 * `project.importFiles` (dropped files, up to 256 MiB) as that of POST /api/import, not as socket
 * messages: the socket takes messages up to MAX_WIRE_MESSAGE_BYTES, and a larger request is
 * refused here before it is sent (the server would close the connection).
 */
import { z } from 'zod';
import {
  EVENTS,
  type EventName,
  type EventPayload,
  type IpcError,
  MAX_WIRE_MESSAGE_BYTES,
  type NetloomApi,
  type RequestName,
  type RequestParams,
  type RequestResult,
  type WireMessage,
} from '../../shared/ipc/contract';

declare global {
  interface Window {
    netloom?: NetloomApi;
  }
}

export class RequestError extends Error implements IpcError {
  readonly code: string;
  readonly where?: string;
  constructor(e: IpcError) {
    super(e.message);
    this.code = e.code;
    if (e.where) this.where = e.where;
  }
}

const ipcErrorSchema = z.object({ code: z.string(), message: z.string(), where: z.string().optional() });

/** What the server may send (WireMessage's response and event); anything else is malformed. */
const incomingSchema = z.union([
  z.object({ kind: z.literal('response'), id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    kind: z.literal('response'),
    id: z.number().nullable(),
    ok: z.literal(false),
    error: ipcErrorSchema,
  }),
  z.object({ kind: z.literal('event'), name: z.string(), payload: z.unknown() }),
]);

/** POST /api/upload's and /api/import's answer: the request's result, or its error. */
const postReplySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ipcErrorSchema }),
]);

const badResponse = (why: string) =>
  new RequestError({ code: 'BAD_RESPONSE', message: `The Netloom server sent a malformed reply (${why}).` });

/** UTF-8 length of `s`, counted only when it could pass `limit` (every UTF-16 unit is 1-3 bytes). */
function over(s: string, limit: number): boolean {
  if (s.length > limit) return true;
  if (s.length * 3 <= limit) return false;
  return new TextEncoder().encode(s).length > limit;
}

class SocketClient implements NetloomApi {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private ready: Promise<WebSocket> | null = null;

  private connect(): Promise<WebSocket> {
    if (this.ready) return this.ready;
    this.ready = new Promise<WebSocket>((resolve, reject) => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${proto}//${location.host}/ws`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () =>
        reject(new RequestError({ code: 'DISCONNECTED', message: 'Cannot reach the Netloom server.' }));
      ws.onclose = () => {
        this.ready = null;
        for (const p of this.pending.values())
          p.reject(
            new RequestError({
              code: 'DISCONNECTED',
              message: 'The connection to the Netloom server closed.',
            }),
          );
        this.pending.clear();
      };
      ws.onmessage = (ev) => this.receive(ev.data);
      this.ws = ws;
    });
    return this.ready;
  }

  /** One message from the server. A malformed one is reported and dropped, never thrown. */
  private receive(data: unknown): void {
    let raw: unknown;
    try {
      raw = JSON.parse(typeof data === 'string' ? data : '');
    } catch {
      console.warn('Netloom: ignored a server message that is not JSON text.');
      return;
    }
    const parsed = incomingSchema.safeParse(raw);
    if (!parsed.success) {
      // Still settle the request it names, if it names one, so the caller is not left waiting.
      const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!p) return console.warn('Netloom: ignored a malformed server message.');
      this.pending.delete(id as number);
      p.reject(badResponse('not a response'));
      return;
    }
    const msg = parsed.data;
    if (msg.kind === 'event') {
      // Listeners get only payloads their event's schema accepts (as the server checks on emit).
      const schema = Object.hasOwn(EVENTS, msg.name) ? EVENTS[msg.name as EventName] : null;
      const payload = schema?.safeParse(msg.payload);
      if (!payload?.success)
        return console.warn(`Netloom: ignored a malformed ${msg.name.slice(0, 64)} event.`);
      for (const l of this.listeners.get(msg.name) ?? []) l(payload.data);
      return;
    }
    const { id } = msg;
    if (id === null) {
      // The server could not read a message as a request (see WireMessage); none of ours is meant.
      if (!msg.ok) console.warn(`Netloom: the server refused a message: ${msg.error.message}`);
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new RequestError(msg.error));
  }

  async request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>> {
    if (name === 'data.upload')
      return (await this.upload(params as RequestParams<'data.upload'>)) as RequestResult<N>;
    if (name === 'project.importFiles')
      return (await this.post('/api/import', JSON.stringify(params), 'application/json')) as RequestResult<N>;
    const id = this.nextId++;
    const msg: WireMessage = { kind: 'request', id, name, params };
    const text = JSON.stringify(msg);
    if (over(text, MAX_WIRE_MESSAGE_BYTES))
      throw new RequestError({
        code: 'TOO_LARGE',
        message: `This request is larger than the ${Math.floor(MAX_WIRE_MESSAGE_BYTES / 2 ** 20)} MiB the Netloom server takes in one message.`,
      });
    const ws = await this.connect();
    return new Promise<RequestResult<N>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(text);
    });
  }

  /** `data.upload` over HTTP: the CSV as the request body, the same result or error as a request. */
  private async upload(params: RequestParams<'data.upload'>): Promise<RequestResult<'data.upload'>> {
    const query = new URLSearchParams({ docId: params.docId, name: params.name });
    const result = await this.post(`/api/upload?${query.toString()}`, params.text, 'text/csv; charset=utf-8');
    const file = z.object({ file: z.string() }).safeParse(result);
    if (!file.success) throw badResponse('no file name');
    return file.data;
  }

  /** A request's params (or a CSV) as the body of a POST; its result, or its error thrown. */
  private async post(address: string, payload: string, contentType: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(address, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': contentType },
        body: payload,
      });
    } catch {
      throw new RequestError({ code: 'DISCONNECTED', message: 'Cannot reach the Netloom server.' });
    }
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: a refusal in plain text (403), said below.
    }
    const reply = postReplySchema.safeParse(body);
    if (!reply.success)
      throw new RequestError({
        code: `HTTP_${res.status}`,
        message: `The upload failed (HTTP ${res.status}${text ? `: ${text.trim().slice(0, 200)}` : ''}).`,
      });
    if (!reply.data.ok) throw new RequestError(reply.data.error);
    return reply.data.result;
  }

  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
    void this.connect();
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
}

export const api: NetloomApi = window.netloom ?? new SocketClient();
