/**
 * Electron entry: the desktop window. Thin on purpose — every service is plain Node (./services)
 * and is exercised for real through serve mode and the CLI; this file binds them to a secure window,
 * native menus, dialogs and the OS (file association, single instance).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  type MenuItemConstructorOptions,
  net,
  protocol,
  session,
  shell,
} from 'electron';
import { accelerator, COMMAND_IDS, commandInfo, type MenuName } from '../shared/commands';
import { VERSION } from './version';
import { bindIpc } from './ipc/bind';
import { AppServices } from './services/app';
import { PROJECT_EXTENSION } from './services/projectFiles';
import {
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  hardenSession,
  hardenWebContents,
  windowOptions,
} from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
let win: BrowserWindow | null = null;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function fileArg(argv: readonly string[]): string | null {
  const f = argv.slice(1).find((a) => a.endsWith(PROJECT_EXTENSION) && existsSync(a));
  return f ? path.resolve(f) : null;
}

const services = new AppServices({
  mode: 'electron',
  version: VERSION,
  root: null,
  dataDir: app.getPath('userData'),
  initialFile: fileArg(process.argv),
  dialogs: {
    async openProject(models) {
      const project = { name: 'Netloom project', extensions: ['nnproj'] };
      const r = await dialog.showOpenDialog(win!, {
        title: models ? 'Open project or model' : 'Open project',
        filters: models
          ? [
              { name: 'Projects and models', extensions: ['nnproj', 'onnx', 'json'] },
              project,
              { name: 'Models (ONNX, TF.js)', extensions: ['onnx', 'json'] },
            ]
          : [project],
        properties: ['openFile'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseFolder() {
      const r = await dialog.showOpenDialog(win!, {
        title: 'Export to folder',
        properties: ['openDirectory', 'createDirectory'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async saveProject(suggestedName) {
      const r = await dialog.showSaveDialog(win!, {
        title: 'Save project',
        defaultPath: suggestedName,
        filters: [{ name: 'Netloom project', extensions: ['nnproj'] }],
      });
      return r.canceled ? null : (r.filePath ?? null);
    },
  },
});

function command(id: string) {
  return () => services.emit('app.command', { command: id });
}

async function buildMenu(): Promise<void> {
  const recent = await services.handlers['recent.list']({}).catch(() => [] as string[]);
  const isMac = process.platform === 'darwin';
  // File, Edit and View come from the shared command table (the renderer runs what they send back).
  const items = (menu: MenuName): MenuItemConstructorOptions[] =>
    COMMAND_IDS.filter((id) => commandInfo(id).menu === menu).map((id): MenuItemConstructorOptions => {
      const info = commandInfo(id);
      if (info.role) return { role: info.role };
      const acc = accelerator(id);
      return { label: info.label, ...(acc ? { accelerator: acc } : {}), click: command(id) };
    });
  const recentMenu: MenuItemConstructorOptions = {
    label: 'Open Recent',
    submenu: recent.length
      ? recent.map((p) => ({ label: p, click: () => services.emit('app.openFile', { path: p }) }))
      : [{ label: 'No recent projects', enabled: false }],
  };
  const file = items('file');
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        ...file.slice(0, 2),
        recentMenu,
        { type: 'separator' },
        ...file.slice(2),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { label: 'Edit', submenu: items('edit') },
    { label: 'View', submenu: [...items('view'), { type: 'separator' }, { role: 'togglefullscreen' }] },
    {
      label: 'Help',
      submenu: [
        {
          label: 'About Netloom',
          click: () =>
            void dialog.showMessageBox(win!, {
              type: 'info',
              title: 'About Netloom',
              message: `Netloom ${VERSION}`,
              detail:
                'A visual neural-network designer: design, check, train and share networks as .nnproj files.',
            }),
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): void {
  win = new BrowserWindow(windowOptions(path.join(here, 'preload.cjs')));
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
  });
  // The page's beforeunload handler asks when there are unsaved changes; confirm natively.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win!, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved changes',
      message: 'This project has changes that are not saved.',
      detail: 'Close anyway and discard them? (Unsaved work is also kept in a recovery slot.)',
    });
    if (choice === 0) event.preventDefault();
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv) => {
    const f = fileArg(argv);
    if (f) services.emit('app.openFile', { path: f });
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('open-file', (e, file) => {
    e.preventDefault();
    if (win) services.emit('app.openFile', { path: file });
  });

  // No navigation or redirect off the app, no new windows; external links go to the browser, if http(s).
  // Permissions denied (but clipboard writes from the app's page) in every session a page can use.
  app.on('web-contents-created', (_e, contents) => {
    hardenWebContents(contents, (url) => void shell.openExternal(url));
    hardenSession(contents.session);
  });

  void app.whenReady().then(async () => {
    hardenSession(session.defaultSession);
    protocol.handle(APP_SCHEME, async (req) => {
      const url = new URL(req.url);
      const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const file = path.resolve(rendererDir, '.' + rel);
      if (!file.startsWith(rendererDir + path.sep)) return new Response('Forbidden', { status: 403 });
      const res = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(res.body, { status: res.status, headers });
    });
    bindIpc(services, () => win?.webContents ?? null);
    await buildMenu();
    services.events.on('event', (name: string) => {
      if (name === 'app.openFile') void buildMenu();
    });
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
