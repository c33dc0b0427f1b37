/**
 * The WebSocket: one connection per page, upgraded only for /ws with this server's Host, Origin and
 * session cookie. Each text frame is a request answered by a response with its id (a malformed one
 * gets BAD_REQUEST, id null when it has no usable id); service events go to every open socket.
 */
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_WIRE_MESSAGE_BYTES, type WireMessage } from '../../shared/ipc/contract';
import type { AppServices } from '../services/app';
import type { Access } from './access';
import { readWireRequest, serialise, settle } from './wire';

/** Serves the WebSocket on `server`; `close()` ends every connection. */
export function attachWebSocket(
  server: http.Server,
  services: AppServices,
  access: Access,
): { close(): void } {
  // The largest legitimate message, not more (shared/ipc/contract.ts derives it); data.upload's CSVs
  // come by POST /api/upload instead.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    let ok = false;
    try {
      const url = new URL(req.url ?? '/', 'http://placeholder');
      ok = url.pathname === '/ws' && access.hostOk(req) && access.originOk(req, true) && access.cookieOk(req);
    } catch {
      // A malformed address: refused like any other bad upgrade.
    }
    if (!ok) {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const forward = (name: string, payload: unknown) => {
    const msg: WireMessage = { kind: 'event', name, payload };
    const text = JSON.stringify(msg);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  services.events.on('event', forward);

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // ws reports a broken frame here (over maxPayload: 1009; text that is not UTF-8: 1007) and closes
    // that connection itself. Without a listener the 'error' event would throw and end the process.
    ws.on('error', () => undefined);
    const reply = (text: string) => {
      if (ws.readyState !== ws.OPEN) return;
      try {
        ws.send(text);
      } catch {
        ws.terminate();
      }
    };
    ws.on('message', (data, isBinary) => {
      const req = readWireRequest(data, isBinary);
      if (!req.ok) {
        const msg: WireMessage = { kind: 'response', id: req.id, ok: false, error: req.error };
        return reply(JSON.stringify(msg));
      }
      void settle(services, req.name, req.params).then((outcome) =>
        reply(serialise({ kind: 'response', id: req.id }, outcome)),
      );
    });
  });

  return {
    close() {
      services.events.off('event', forward);
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}
