/**
 * The only place that touches `ipcMain`. One wrapper in front of every request: the sender frame
 * must be the app's own page (not a navigated-away page or an iframe), then the services validate
 * the payload against the shared contract.
 */
import {
  type IpcMain,
  type IpcMainInvokeEvent,
  ipcMain as electronIpcMain,
  type WebContents,
} from 'electron';
import {
  IPC_EVENT_CHANNEL as EVENT_CHANNEL,
  IPC_REQUEST_CHANNEL as REQUEST_CHANNEL,
  type IpcError,
} from '../../shared/ipc/contract';
import { type AppServices, toIpcError } from '../services/app';
import { isAppUrl } from '../window';

export type Reply = { ok: true; result: unknown } | { ok: false; error: IpcError };

export function senderAllowed(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/** Binds the services to Electron's `ipcMain` (or, in tests, to a stand-in with the same two methods). */
export function bindIpc(
  services: AppServices,
  target: () => WebContents | null,
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'> = electronIpcMain,
): () => void {
  ipcMain.handle(REQUEST_CHANNEL, async (event, name: unknown, params: unknown): Promise<Reply> => {
    if (!senderAllowed(event))
      return { ok: false, error: { code: 'FORBIDDEN', message: 'Request from an untrusted page refused.' } };
    try {
      return { ok: true, result: await services.dispatch(String(name), params) };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  });
  const forward = (name: string, payload: unknown) => target()?.send(EVENT_CHANNEL, name, payload);
  services.events.on('event', forward);
  return () => {
    ipcMain.removeHandler(REQUEST_CHANNEL);
    services.events.off('event', forward);
  };
}
