/**
 * The desktop window's security settings, kept apart from main.ts so a unit test can assert them
 * without starting Electron.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

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
