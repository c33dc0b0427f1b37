/**
 * The preload bridge: exposes exactly shared/ipc's NetloomApi (`request` and `on`) to the page,
 * nothing else. Names outside the contract are refused here; main validates every payload again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_NAMES,
  IPC_EVENT_CHANNEL as EVENT_CHANNEL,
  IPC_REQUEST_CHANNEL as REQUEST_CHANNEL,
  type EventName,
  type IpcError,
  type NetloomApi,
  REQUEST_NAMES,
  type RequestName,
} from '../shared/ipc/contract';

const requestNames = new Set<string>(REQUEST_NAMES);
const eventNames = new Set<string>(EVENT_NAMES);

type Reply = { ok: true; result: unknown } | { ok: false; error: IpcError };

export const bridge: NetloomApi = {
  request(name, params) {
    if (!requestNames.has(name))
      return Promise.reject(
        Object.assign(new Error(`Unknown request ${String(name)}`), { code: 'BAD_REQUEST' }),
      );
    return (ipcRenderer.invoke(REQUEST_CHANNEL, name as RequestName, params) as Promise<Reply>).then((r) => {
      if (r.ok) return r.result as never;
      throw Object.assign(new Error(r.error.message), r.error);
    });
  },
  on(name, listener) {
    if (!eventNames.has(name)) throw new Error(`Unknown event ${String(name)}`);
    const handler = (_e: IpcRendererEvent, n: EventName, payload: unknown) => {
      if (n === name) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('netloom', bridge);
