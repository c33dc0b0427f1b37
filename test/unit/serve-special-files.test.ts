/**
 * Special files (FIFOs) are refused at once, never waited on: opening one for reading blocks a libuv
 * thread until a writer appears, and four of those stall every file operation of the server. Real
 * FIFOs (mkfifo) against openProject, the CLI, project.open in serve mode, serve mode's static files
 * and the image-folder import.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../electron/services/datasets/errors';
import { importImageFolder } from '../../electron/services/datasets/images';
import { openProject } from '../../electron/services/projectFiles';
import { ProjectFileError } from '../../shared/ir/errors';
import { request, Socket, startTestServer, type TestServer } from './serve-helpers';

const exec = promisify(execFile);
const BIN = path.resolve('bin/netloom.js');
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-fifo-'));

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

describe('openProject', () => {
  it('refuses a FIFO at once with a located message', async () => {
    const fifo = mkfifo(path.join(dir, 'pipe.nnproj'));
    const err = await openProject(fifo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectFileError);
    expect((err as Error).message).toBe(
      `Cannot open ${fifo}: it is a named pipe (FIFO), not a regular file.`,
    );
  });

  it('says "no such file" for a missing file and "it is a folder" for a folder', async () => {
    await expect(openProject(path.join(dir, 'missing.nnproj'))).rejects.toThrow(
      `Cannot open ${path.join(dir, 'missing.nnproj')}: no such file.`,
    );
    mkdirSync(path.join(dir, 'folder.nnproj'));
    await expect(openProject(path.join(dir, 'folder.nnproj'))).rejects.toThrow(
      `Cannot open ${path.join(dir, 'folder.nnproj')}: it is a folder.`,
    );
  });

  it('netloom validate FIFO exits 1 with the message, no stack trace', async () => {
    const fifo = mkfifo(path.join(dir, 'cli.nnproj'));
    // The timeout only stops a hung child; the assertions are on how it exits.
    const r = await exec(process.execPath, [BIN, 'validate', fifo], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? '' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('it is a named pipe (FIFO), not a regular file');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('serve mode', () => {
  let t: TestServer;
  let staticDir: string;

  beforeAll(async () => {
    staticDir = mkdtempSync(path.join(tmpdir(), 'netloom-fifo-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>shell</title>');
    writeFileSync(path.join(staticDir, 'app.js'), 'console.log(1);');
    mkfifo(path.join(staticDir, 'pipe.js'));
    mkfifo(path.join(staticDir, 'route'));
    mkdirSync(path.join(staticDir, 'folder.js'));
    t = await startTestServer({ staticDir });
    mkfifo(path.join(t.root, 'pipe.nnproj'));
  });
  afterAll(() => t.close());

  it('six concurrent project.open of a FIFO all get errors; fs.list still answers', async () => {
    const s = await Socket.open(t);
    const ids = [1, 2, 3, 4, 5, 6];
    for (const id of ids)
      s.send(JSON.stringify({ kind: 'request', id, name: 'project.open', params: { path: 'pipe.nnproj' } }));
    const replies = [];
    for (const _ of ids) replies.push(JSON.parse((await s.next())!) as Record<string, unknown>);
    expect(replies.map((r) => r.id).sort()).toEqual(ids);
    for (const r of replies) {
      expect(r.ok).toBe(false);
      expect((r.error as { message: string }).message).toMatch(
        /pipe\.nnproj: it is a named pipe \(FIFO\), not a regular file/,
      );
    }
    const list = await s.call(7, 'fs.list', { dir: null });
    expect(list).toMatchObject({ ok: true, result: { dir: '.' } });
    s.close();
  });

  it('static files: a FIFO or a folder is 404 with the security headers, never a hang', async () => {
    const get = (p: string) => request(t.server.port, 'GET', p, { Host: t.host, Cookie: t.cookie });
    const many = await Promise.all([...Array(6)].map(() => get('/pipe.js')));
    for (const r of many) {
      expect(r.status).toBe(404);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get('/route')).status).toBe(404);
    expect((await get('/folder.js')).status).toBe(404);
    const ok = await get('/app.js');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('console.log(1);');
    expect((await get('/some/client/route')).body).toContain('<title>shell</title>');
    expect((await get('/missing.js')).status).toBe(404);
  });
});

describe('image-folder import', () => {
  async function makeClass(folder: string, n: number, level: number): Promise<string[]> {
    mkdirSync(folder, { recursive: true });
    const files = [];
    for (let i = 0; i < n; i++) {
      const file = path.join(folder, `${i}.png`);
      await sharp(Buffer.alloc(4 * 4 * 3, level), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(file);
      files.push(file);
    }
    return files;
  }

  it('refuses a FIFO among the images with a located message', async () => {
    const root = path.join(dir, 'images-fifo');
    await makeClass(path.join(root, 'dark'), 3, 10);
    await makeClass(path.join(root, 'light'), 3, 240);
    mkfifo(path.join(root, 'light', 'pipe.png'));
    const err = await importImageFolder(root, { width: 4, height: 4, grayscale: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/^light[\\/]pipe\.png: a named pipe \(FIFO\), not a regular file/);
  });

  it('refuses an image that turned into a FIFO after the folder was listed', async () => {
    const root = path.join(dir, 'images-swap');
    const files = [
      ...(await makeClass(path.join(root, 'a'), 20, 10)),
      ...(await makeClass(path.join(root, 'b'), 20, 240)),
    ];
    let swapped = false;
    const err = await importImageFolder(root, {
      width: 4,
      height: 4,
      grayscale: true,
      // Called after the 32nd image: the 8 not yet read become FIFOs (as do the others).
      onProgress: () => {
        if (swapped) return;
        swapped = true;
        for (const f of files) {
          rmSync(f);
          mkfifo(f);
        }
      },
    }).catch((e: unknown) => e);
    expect(swapped).toBe(true);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/^[ab][\\/]\d+\.png: a named pipe \(FIFO\), not a regular file/);
  });
});
