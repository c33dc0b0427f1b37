/**
 * The desktop window's security settings and guards, kept apart from main.ts as plain functions so
 * a unit test can assert them with fake events and contents, without starting Electron.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/** The app's own origin: the renderer is served from this custom protocol, never from file://. */
export const APP_SCHEME = 'netloom';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Netloom',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** `openExternal` only for well-formed http(s) URLs. */
export function isSafeExternalUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      u.hostname.length > 0 &&
      !u.username &&
      !u.password
    );
  } catch {
    return false;
  }
}

/** Is this URL one of the app's own pages (navigation and IPC senders are checked with this)? */
export function isAppUrl(raw: string): boolean {
  try {
    return new URL(raw).origin === APP_ORIGIN || raw.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

/** A navigation about to happen (`will-navigate`, `will-frame-navigate`, `will-redirect`). */
export interface NavigationEvent {
  readonly url: string;
  preventDefault(): void;
}

/** Stops any navigation, in any frame, and any server redirect that would leave the app's origin. */
export function blockForeignNavigation(event: NavigationEvent): void {
  if (!isAppUrl(event.url)) event.preventDefault();
}

/** What `hardenWebContents` touches on a WebContents. */
export type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Every WebContents (main.ts calls this from `web-contents-created`): no navigation or redirect off
 * the app, no <webview>, no new windows; a window.open or target=_blank link to an http(s) URL goes
 * to the system browser through `openExternal` instead.
 */
export function hardenWebContents(contents: HardenableContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', blockForeignNavigation);
  contents.on('will-frame-navigate', blockForeignNavigation);
  contents.on('will-redirect', blockForeignNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;
export type Permission = Parameters<PermissionRequestHandler>[1];

/**
 * The one web permission the page is given: writing text to the clipboard, which Chromium asks for
 * before `navigator.clipboard.writeText` (the command palette's Copy and Cut). Everything else is
 * denied: camera, microphone, screen capture, geolocation, notifications, MIDI, HID/serial/USB, the
 * page's Fullscreen API (the View menu's full screen is the native window's, no permission), the
 * File System Access API, handing URLs to other apps... Reading the clipboard ('clipboard-read') is
 * denied too: Ctrl/Cmd+V and the Edit menu paste through the DOM `paste` event, which needs no
 * permission, and the palette's Paste falls back to the in-app copy buffer.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  'clipboard-sanitized-write',
]);

/** Only for the app's own top-level page: never a subframe, another origin or a worker. */
function grants(permission: Permission, isMainFrame: boolean, requestingUrl: string | undefined): boolean {
  return (
    GRANTED_PERMISSIONS.has(permission) &&
    isMainFrame &&
    requestingUrl !== undefined &&
    isAppUrl(requestingUrl)
  );
}

/** `session.setPermissionRequestHandler`: a page asking for a permission. */
export const permissionRequestHandler: PermissionRequestHandler = (
  _contents,
  permission,
  callback,
  details,
) => callback(grants(permission, details.isMainFrame, details.requestingUrl));

/** `session.setPermissionCheckHandler`: a page (or Chromium for it) checking a permission's state. */
export const permissionCheckHandler: PermissionCheckHandler = (
  _contents,
  permission,
  requestingOrigin,
  details,
) =>
  (requestingOrigin === APP_ORIGIN || requestingOrigin === `${APP_ORIGIN}/`) &&
  grants(permission, details.isMainFrame, details.requestingUrl);

/** What `hardenSession` touches on a Session. */
export type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

/**
 * A session's permissions (main.ts calls this for the default session and every WebContents'
 * session): all denied but `GRANTED_PERMISSIONS`, and no HID, serial or USB device ever granted.
 */
export function hardenSession(session: HardenableSession): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
  session.setDevicePermissionHandler(() => false);
}
