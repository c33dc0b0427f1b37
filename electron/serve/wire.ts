/**
 * Requests as they arrive (a WebSocket frame, an /api/rpc body): read into a name and params or a
 * BAD_REQUEST saying why not, run through the services without ever rejecting, and answered as JSON
 * that always serialises.
 */
import type { RawData } from 'ws';
import type { IpcError } from '../../shared/ipc/contract';
import { type AppServices, toIpcError } from '../services/app';

/** Longer than any request name (the longest is 19 characters); longer ones are not looked up. */
const MAX_NAME_LENGTH = 64;

export type Outcome = { ok: true; result: unknown } | { ok: false; error: IpcError };

export const badRequest = (message: string): IpcError => ({ code: 'BAD_REQUEST', message });

/** `toIpcError` that never throws, whatever was thrown. */
function ipcError(err: unknown): IpcError {
  try {
    return toIpcError(err);
  } catch {
    return { code: 'INTERNAL', message: 'Internal error.' };
  }
}

/** Runs one request; never rejects. */
export async function settle(services: AppServices, name: string, params: unknown): Promise<Outcome> {
  try {
    return { ok: true, result: await services.dispatch(name, params) };
  } catch (err) {
    return { ok: false, error: ipcError(err) };
  }
}

/** JSON text of a reply; a result that cannot be serialised becomes an INTERNAL error instead. */
export function serialise(head: object, outcome: Outcome): string {
  try {
    return JSON.stringify({ ...head, ...outcome });
  } catch (err) {
    return JSON.stringify({ ...head, ok: false, error: ipcError(err) });
  }
}

/** A JSON object's own property, never one inherited from Object.prototype. */
function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Why `name` cannot name a request, or null (unknown names are left to dispatch). */
function nameProblem(name: unknown): IpcError | null {
  if (typeof name !== 'string')
    return badRequest(`name must be a request name (a string), not ${kindOf(name)}.`);
  if (name.length > MAX_NAME_LENGTH)
    return badRequest(`Unknown request (a name of ${name.length} characters).`);
  return null;
}

/**
 * One WebSocket frame as a request, or why it is not one, with the id to answer to: the frame's `id`
 * when it is a safe integer, else null (see WireMessage).
 */
export function readWireRequest(
  data: RawData,
  isBinary: boolean,
):
  | { ok: true; id: number; name: string; params: unknown }
  | { ok: false; id: number | null; error: IpcError } {
  if (isBinary)
    return {
      ok: false,
      id: null,
      error: badRequest('Binary frames are not accepted; send each request as JSON text.'),
    };
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  let msg: unknown;
  try {
    msg = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, id: null, error: badRequest('The message is not JSON.') };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
    return {
      ok: false,
      id: null,
      error: badRequest(`A message must be a JSON object {kind, id, name, params}, not ${kindOf(msg)}.`),
    };
  const id = own(msg, 'id');
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    const what =
      typeof id !== 'number'
        ? kindOf(id)
        : Number.isFinite(id) && !Number.isInteger(id)
          ? 'a fractional number'
          : 'a number out of range';
    return {
      ok: false,
      id: null,
      error: badRequest(
        `A request needs an id, a whole number between -(2^53 - 1) and 2^53 - 1; this one is ${what}.`,
      ),
    };
  }
  const kind = own(msg, 'kind');
  if (kind !== 'request')
    return {
      ok: false,
      id,
      error: badRequest(
        `kind must be "request", not ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 20)) : kindOf(kind)}.`,
      ),
    };
  const name = own(msg, 'name');
  const problem = nameProblem(name);
  if (problem) return { ok: false, id, error: problem };
  return { ok: true, id, name: name as string, params: own(msg, 'params') };
}

/** An /api/rpc body ({name, params}) as a request, or why it is not one. */
export function readRpcBody(
  text: string,
): { ok: true; name: string; params: unknown } | { ok: false; error: IpcError } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: badRequest('Body is not JSON.') };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return {
      ok: false,
      error: badRequest(`The body must be a JSON object {name, params}, not ${kindOf(body)}.`),
    };
  const name = own(body, 'name');
  const problem = nameProblem(name);
  if (problem) return { ok: false, error: problem };
  return { ok: true, name: name as string, params: own(body, 'params') };
}
