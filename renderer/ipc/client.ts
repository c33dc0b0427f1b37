/**
 * The renderer's one way to the services: Electron's preload bridge (`window.netloom`) when present,
 * otherwise serve mode's WebSocket. Both implement shared/ipc's `NetloomApi`.
 */
import type {
  EventName,
  EventPayload,
  IpcError,
  NetloomApi,
  RequestName,
  RequestParams,
  RequestResult,
  WireMessage,
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
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as WireMessage;
        if (msg.kind === 'response') {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new RequestError(msg.error));
        } else if (msg.kind === 'event') {
          for (const l of this.listeners.get(msg.name) ?? []) l(msg.payload);
        }
      };
      this.ws = ws;
    });
    return this.ready;
  }

  async request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>> {
    const ws = await this.connect();
    const id = this.nextId++;
    return new Promise<RequestResult<N>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const msg: WireMessage = { kind: 'request', id, name, params };
      ws.send(JSON.stringify(msg));
    });
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
