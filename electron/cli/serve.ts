/**
 * `netloom serve [FILE]`: runs the editor in a browser, served on 127.0.0.1 (or --host) with a
 * one-time access token, over the folder --root; runs until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { startServer } from '../serve';
import { AppServices, defaultDataDir } from '../services/app';
import { VERSION } from '../version';
import { UsageError } from './errors';
import type { Io } from './io';
import { parsePort } from './parse';

export interface ServeOptions {
  file: string | undefined;
  port?: number;
  host: string;
  root?: string;
  open: boolean;
  /** The built editor (dist/renderer), or null when it is not built. */
  findRendererDir: () => string | null;
}

export function registerServe(program: Command, io: Io, findRendererDir: () => string | null): void {
  program
    .command('serve')
    .description('Run the editor in a browser: serves the app on 127.0.0.1 with a one-time access token.')
    .argument('[file]', '.nnproj file to open at start')
    .option('--port <n>', 'port (default: a free one)', parsePort)
    .option(
      '--host <host>',
      'address to bind (default 127.0.0.1; other addresses expose the editor to the network)',
      '127.0.0.1',
    )
    .option('--root <dir>', 'folder the file browser may read and write (default: the working directory)')
    .option('--no-open', 'do not open a browser')
    .action((file: string | undefined, opts: Omit<ServeOptions, 'file' | 'findRendererDir'>) =>
      runServe({ ...opts, file, findRendererDir }, io),
    );
}

export async function runServe(opts: ServeOptions, io: Io): Promise<void> {
  const { file } = opts;
  const root = path.resolve(opts.root ?? process.cwd());
  if (!existsSync(root)) throw new UsageError(`--root ${root}: no such folder.`);
  let initialFile: string | null = null;
  if (file) {
    const abs = path.resolve(file);
    if (!existsSync(abs)) throw new UsageError(`${file}: no such file.`);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new UsageError(`${file} is outside the served folder ${root}; pass --root.`);
    initialFile = rel;
  }
  const staticDir = opts.findRendererDir();
  if (!staticDir) throw new UsageError('The editor is not built; run `npm run build` first.');
  const services = new AppServices({
    mode: 'serve',
    version: VERSION,
    root,
    dataDir: defaultDataDir(),
    initialFile,
  });
  const server = await startServer({
    services,
    staticDir,
    host: opts.host,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  io.out(
    `Netloom is serving ${root}\nOpen ${server.loginUrl}\n(keep this address private: it carries a one-time access token; once a browser has used it, restart \`netloom serve\` for a new one. Ctrl-C stops)\n`,
  );
  if (opts.open) openBrowser(server.loginUrl);
  await new Promise<void>((resolve) => {
    const stop = () => {
      void server.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser to open: the URL is printed.
  }
}
