/**
 * main.ts wires the guards of electron/window.ts: it is loaded against a fake `electron` module
 * that records what main.ts registers, then the recorded handlers are called as Electron would.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  type Fn = (...args: unknown[]) => unknown;
  const appListeners = new Map<string, Fn>();
  /** A Session recording the permission handlers set on it. */
  const fakeSession = () => {
    const handlers: Record<string, Fn> = {};
    return {
      handlers,
      setPermissionRequestHandler: (h: Fn) => void (handlers.request = h),
      setPermissionCheckHandler: (h: Fn) => void (handlers.check = h),
      setDevicePermissionHandler: (h: Fn) => void (handlers.device = h),
    };
  };
  const defaultSession = fakeSession();
  /** For each window created: were the default session's handlers already set? */
  const windows: { sessionHardened: boolean }[] = [];
  class BrowserWindow {
    static getAllWindows = () => windows;
    webContents = { on: () => undefined, send: () => undefined };
    sessionHardened = Object.keys(defaultSession.handlers).length === 3;
    constructor() {
      windows.push(this);
    }
    once() {}
    on() {}
    loadURL = () => Promise.resolve();
  }
  const openedExternally: string[] = [];
  return {
    fakeSession,
    appListeners,
    windows,
    openedExternally,
    electron: {
      app: {
        getPath: (_name: string): string => {
          throw new Error('getPath before the test set it');
        },
        requestSingleInstanceLock: () => true,
        quit: () => undefined,
        on: (name: string, fn: Fn) => void appListeners.set(name, fn),
        whenReady: () => Promise.resolve(),
      },
      BrowserWindow,
      dialog: {},
      ipcMain: { handle: () => undefined, removeHandler: () => undefined },
      Menu: { buildFromTemplate: () => ({}), setApplicationMenu: () => undefined },
      net: { fetch: () => Promise.reject(new Error('no fetch in this test')) },
      protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
      session: { defaultSession },
      shell: { openExternal: (url: string) => (openedExternally.push(url), Promise.resolve()) },
    },
  };
});
vi.mock('electron', () => fake.electron);

/** A WebContents recording its listeners; `navigate` emits an Electron-shaped event, true if prevented. */
function fakeContents() {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents = {
    on(name: string, fn: (...args: unknown[]) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
      return contents;
    },
    setWindowOpenHandler: (h: typeof openHandler) => void (openHandler = h),
    session: fake.fakeSession(),
  };
  const navigate = (name: string, url: string) => {
    let prevented = false;
    const event = { url, isMainFrame: true, preventDefault: () => void (prevented = true) };
    for (const fn of listeners.get(name) ?? []) fn(event, url, false, true, 1, 1);
    return prevented;
  };
  return { contents, listeners, navigate, open: (url: string) => openHandler?.({ url }) };
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'netloom-main-'));
  fake.electron.app.getPath = () => dataDir;
  await import('../../electron/main');
  await vi.waitFor(() => expect(fake.windows.length).toBe(1));
});

describe('main.ts', () => {
  it('guards every new WebContents: navigation, frame navigation and redirects stay on the app', () => {
    const created = fake.appListeners.get('web-contents-created');
    expect(created).toBeDefined();
    const f = fakeContents();
    created!({}, f.contents);
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(f.listeners.get(name)?.length ?? 0, name).toBeGreaterThan(0);
      expect(f.navigate(name, 'netloom://app/index.html'), name).toBe(false);
      expect(f.navigate(name, 'https://evil.example/'), name).toBe(true);
    }
    expect(f.listeners.get('will-attach-webview')?.length ?? 0).toBeGreaterThan(0);
    expect(f.open('https://example.org/')).toEqual({ action: 'deny' });
    expect(f.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toEqual(['https://example.org/']);
  });

  /** A session's installed handlers answer a camera request and a clipboard-write check as denied/granted. */
  function expectHardened(session: ReturnType<typeof fake.fakeSession>) {
    const { request, check, device } = session.handlers;
    expect(request && check && device, 'request, check and device handlers').toBeTruthy();
    const page = { requestingUrl: 'netloom://app/index.html', isMainFrame: true };
    let camera: unknown;
    request!({}, 'media', (granted: boolean) => (camera = granted), page);
    expect(camera).toBe(false);
    expect(check!(null, 'geolocation', 'netloom://app/', page)).toBe(false);
    expect(check!(null, 'clipboard-sanitized-write', 'netloom://app/', page)).toBe(true);
    expect(device!({ deviceType: 'usb', origin: 'netloom://app', device: {} })).toBe(false);
  }

  it('denies permissions in the default session once ready, before the window opens', () => {
    expectHardened(fake.electron.session.defaultSession);
    expect(fake.windows.map((w) => w.sessionHardened)).toEqual([true]);
  });

  it("denies permissions in every new WebContents' session", () => {
    const f = fakeContents();
    fake.appListeners.get('web-contents-created')!({}, f.contents);
    expectHardened(f.contents.session);
  });
});
