/**
 * The desktop shell's security, without starting Electron: the window's webPreferences, the URL
 * checks, the navigation guards on a fake WebContents, and that the preload exposes exactly the IPC
 * contract's functions.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES } from '../../shared/ipc/contract';
import { senderAllowed } from '../../electron/ipc/bind';
import { hardenWebContents, isAppUrl, isSafeExternalUrl, windowOptions } from '../../electron/window';

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

/** A WebContents that records its listeners and window-open handler, as Electron would call them. */
function fakeContents() {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on(name: string, listener: (...args: unknown[]) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
  };
  return {
    contents,
    /** Emits `name` with an Electron-shaped event for `url`; true if a listener prevented it. */
    emit(name: string, url: string, extra: Record<string, unknown> = {}): boolean {
      const fns = listeners.get(name) ?? [];
      expect(fns.length, `no ${name} listener`).toBeGreaterThan(0);
      let prevented = false;
      const event = {
        url,
        isMainFrame: true,
        isSameDocument: false,
        frame: null,
        ...extra,
        preventDefault: () => void (prevented = true),
      };
      // Electron also passes the (deprecated) positional url, isInPlace, isMainFrame, process, routing ids.
      for (const fn of fns) fn(event, url, false, event.isMainFrame, 1, 1);
      return prevented;
    },
    open(url: string) {
      expect(openHandler, 'no window open handler').not.toBeNull();
      return openHandler!({ url });
    },
  };
}

describe('WebContents guards', () => {
  const foreign = [
    'https://evil.example/',
    'http://localhost:5173/',
    'file:///etc/passwd',
    'netloom://other/index.html',
    'data:text/html,<script>1</script>',
    'about:blank',
    'javascript:alert(1)',
  ];

  it('block navigation off the app in the main frame and in any subframe', () => {
    const f = fakeContents();
    hardenWebContents(f.contents as never, () => undefined);
    for (const name of ['will-navigate', 'will-frame-navigate']) {
      expect(f.emit(name, 'netloom://app/index.html'), name).toBe(false);
      for (const url of foreign) {
        expect(f.emit(name, url), `${name} ${url}`).toBe(true);
        expect(f.emit(name, url, { isMainFrame: false }), `${name} ${url} (subframe)`).toBe(true);
      }
    }
  });

  it('block a server redirect off the app (will-redirect), as will-navigate does', () => {
    const f = fakeContents();
    hardenWebContents(f.contents as never, () => undefined);
    expect(f.emit('will-redirect', 'netloom://app/index.html')).toBe(false);
    for (const url of foreign) {
      expect(f.emit('will-redirect', url), url).toBe(true);
      expect(f.emit('will-redirect', url, { isMainFrame: false }), `${url} (subframe)`).toBe(true);
    }
  });

  it('refuse <webview> and every new window; http(s) links go to the system browser', () => {
    const f = fakeContents();
    const opened: string[] = [];
    hardenWebContents(f.contents as never, (url) => opened.push(url));
    expect(f.emit('will-attach-webview', 'netloom://app/index.html')).toBe(true);
    expect(f.open('https://example.org/docs')).toEqual({ action: 'deny' });
    expect(f.open('netloom://app/index.html')).toEqual({ action: 'deny' });
    expect(f.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(f.open('smb://host/share')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.org/docs']);
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
