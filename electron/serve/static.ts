/**
 * The built renderer as static files: regular files inside the folder only, client-side routes
 * falling back to index.html.
 */
import type http from 'node:http';
import path from 'node:path';
import { NotRegularFileError, readRegularFile } from '../services/regularFile';
import type { Responses } from './responses';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** Answers GET/HEAD `urlPath` from `staticDir`. */
export function staticFiles(
  staticDir: string,
  r: Responses,
): (urlPath: string, res: http.ServerResponse) => Promise<void> {
  const staticRoot = path.resolve(staticDir);
  return async (urlPath, res) => {
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return r.plain(res, 400, 'Bad request: the address has a malformed % escape.');
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    if (rel === '/favicon.ico') {
      r.secure(res);
      res.writeHead(204);
      return void res.end();
    }
    const file = path.resolve(staticRoot, '.' + rel);
    if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return r.deny(res, 'bad path');
    let body: Buffer;
    try {
      // Regular files only: a FIFO would block the read (and a libuv thread) forever.
      body = await readRegularFile(file);
    } catch (err) {
      const special = err instanceof NotRegularFileError && err.what !== 'a folder';
      // Client-side routes fall back to the app shell.
      if (!special && !path.extname(rel)) {
        try {
          body = await readRegularFile(path.join(staticRoot, 'index.html'));
          r.secure(res);
          res.writeHead(200, { 'Content-Type': MIME['.html']! });
          return void res.end(body);
        } catch {
          // fall through
        }
      }
      return r.plain(res, 404, 'Not found');
    }
    r.secure(res);
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  };
}
