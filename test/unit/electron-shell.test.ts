/**
 * The desktop shell's security, without starting Electron: the window's webPreferences, the URL
 * checks, the navigation guards on a fake WebContents, the permission handlers on a fake Session,
 * and that the preload exposes exactly the IPC contract's functions.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES } from '../../shared/ipc/contract';
import { senderAllowed } from '../../electron/ipc/bind';
import {
  hardenSession,
  hardenWebContents,
  isAppUrl,
  isSafeExternalUrl,
  type Permission,
  permissionCheckHandler,
  permissionRequestHandler,
  windowOptions,
} from '../../electron/window';

// Hoisted with the mock: modules under test (electron/ipc/bind.ts imports ipcMain) load electron
// before this file's own top-level code runs.
const { exposed, invoke } = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoke: vi.fn(async () => ({ ok: true, result: { version: 'x' } })),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
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

// Every permission Electron 45's Session handlers can be asked about. The check below fails the
// typecheck if Electron's type gains one that is not listed here.
const ALL_PERMISSIONS = [
  'ar',
  'automatic-fullscreen',
  'background-fetch',
  'background-sync',
  'captured-surface-control',
  'clipboard-read',
  'clipboard-sanitized-write',
  'deprecated-sync-clipboard-read',
  'display-capture',
  'fileSystem',
  'fullscreen',
  'geolocation',
  'geolocation-approximate',
  'hand-tracking',
  'hid',
  'idle-detection',
  'keyboardLock',
  'local-fonts',
  'local-network',
  'local-network-access',
  'loopback-network',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'nfc',
  'notifications',
  'openExternal',
  'payment-handler',
  'periodic-background-sync',
  'persistent-storage',
  'pointerLock',
  'screen-wake-lock',
  'sensors',
  'serial',
  'smart-card',
  'speaker-selection',
  'storage-access',
  'system-wake-lock',
  'top-level-storage-access',
  'usb',
  'vr',
  'web-app-installation',
  'web-printing',
  'window-management',
  'unknown',
] as const satisfies readonly Permission[];
const allListed: [Exclude<Permission, (typeof ALL_PERMISSIONS)[number]>] extends [never] ? true : false =
  true;

const APP_PAGE = 'netloom://app/index.html';

/** What the request handler answers, as Electron would call it. */
function requested(permission: Permission, requestingUrl: string, isMainFrame = true): boolean {
  let answer: boolean | undefined;
  permissionRequestHandler({} as never, permission, (granted) => (answer = granted), {
    requestingUrl,
    isMainFrame,
  });
  expect(answer, 'the request handler must answer at once').toBeTypeOf('boolean');
  return answer!;
}

/** What the check handler answers; Electron passes the frame's origin as a URL ('netloom://app/'). */
function checked(
  permission: Permission,
  requestingOrigin: string,
  details: { requestingUrl?: string; isMainFrame: boolean },
): boolean {
  return permissionCheckHandler(null, permission, requestingOrigin, details);
}

describe('permissions', () => {
  it('are all denied to the app page but clipboard writes (camera, mic, location, notifications...)', () => {
    expect(allListed).toBe(true);
    for (const permission of ALL_PERMISSIONS) {
      const expected = permission === 'clipboard-sanitized-write';
      expect(requested(permission, APP_PAGE), `request ${permission}`).toBe(expected);
      expect(
        checked(permission, 'netloom://app/', { requestingUrl: APP_PAGE, isMainFrame: true }),
        `check ${permission}`,
      ).toBe(expected);
    }
  });

  it('grant clipboard writes only to the top frame of the app, never to another page or a worker', () => {
    const write = 'clipboard-sanitized-write';
    expect(requested(write, 'netloom://app/')).toBe(true);
    expect(requested(write, APP_PAGE, false)).toBe(false);
    for (const url of ['https://evil.example/', 'file:///index.html', 'netloom://other/', 'about:blank', ''])
      expect(requested(write, url), url).toBe(false);

    expect(checked(write, 'netloom://app', { requestingUrl: APP_PAGE, isMainFrame: true })).toBe(true);
    expect(checked(write, 'netloom://app/', { requestingUrl: APP_PAGE, isMainFrame: false })).toBe(false);
    expect(checked(write, 'https://evil.example/', { requestingUrl: APP_PAGE, isMainFrame: true })).toBe(
      false,
    );
    expect(
      checked(write, 'netloom://app/', { requestingUrl: 'https://evil.example/', isMainFrame: true }),
    ).toBe(false);
    // No frame (a worker, or a check without a document): no requestingUrl, isMainFrame false.
    expect(checked(write, 'netloom://app/', { isMainFrame: false })).toBe(false);
  });

  it('hardenSession installs the request, check and device handlers, all denying', () => {
    const installed: Record<string, unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: unknown) => void (installed.request = h),
      setPermissionCheckHandler: (h: unknown) => void (installed.check = h),
      setDevicePermissionHandler: (h: unknown) => void (installed.device = h),
    };
    hardenSession(session as never);
    expect(installed.request).toBe(permissionRequestHandler);
    expect(installed.check).toBe(permissionCheckHandler);
    const device = installed.device as (details: unknown) => boolean;
    expect(device({ deviceType: 'usb', origin: 'netloom://app', device: {} })).toBe(false);
    expect(device({ deviceType: 'hid', origin: 'netloom://app', device: {} })).toBe(false);
    expect(device({ deviceType: 'serial', origin: 'netloom://app', device: {} })).toBe(false);
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
