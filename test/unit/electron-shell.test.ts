/**
 * The desktop shell's security, without starting Electron: the window's webPreferences, the URL
 * checks, and that the preload exposes exactly the IPC contract's functions.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES } from '../../shared/ipc/contract';
import { senderAllowed } from '../../electron/ipc/bind';
import { isAppUrl, isSafeExternalUrl, windowOptions } from '../../electron/window';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async () => ({ ok: true, result: { version: 'x' } }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
}));

describe('BrowserWindow', () => {
  it('is sandboxed and isolated', () => {
    const w = windowOptions('/app/preload.cjs').webPreferences!;
    expect(w).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('opens only http(s) URLs externally and treats only its own origin as the app', () => {
    expect(isSafeExternalUrl('https://example.org/docs')).toBe(true);
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'http://user:pw@host/',
      'not a url',
    ])
      expect(isSafeExternalUrl(bad), bad).toBe(false);
    expect(isAppUrl('netloom://app/index.html')).toBe(true);
    expect(isAppUrl('https://evil.example/')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
  });

  it('accepts IPC only from the top frame of the app', () => {
    expect(senderAllowed({ senderFrame: { url: 'netloom://app/index.html', parent: null } } as never)).toBe(
      true,
    );
    expect(senderAllowed({ senderFrame: { url: 'https://evil.example/', parent: null } } as never)).toBe(
      false,
    );
    expect(senderAllowed({ senderFrame: { url: 'netloom://app/x', parent: {} } } as never)).toBe(false);
    expect(senderAllowed({ senderFrame: null } as never)).toBe(false);
  });
});

describe('preload', () => {
  it('exposes exactly request and on, and refuses names outside the contract', async () => {
    await import('../../electron/preload');
    expect(Object.keys(exposed)).toEqual(['netloom']);
    const api = exposed.netloom as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['on', 'request']);
    const request = api.request as (n: string, p: unknown) => Promise<unknown>;
    await expect(request('app.info', {})).resolves.toEqual({ version: 'x' });
    expect(invoke).toHaveBeenCalledWith('netloom:request', 'app.info', {});
    await expect(request('fs.rmrf', {})).rejects.toThrow(/Unknown request/);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(() => (api.on as (n: string, l: () => void) => void)('evil', () => undefined)).toThrow(
      /Unknown event/,
    );
    expect(REQUEST_NAMES.length).toBeGreaterThan(5);
    expect(EVENT_NAMES).toContain('app.openFile');
  });
});
