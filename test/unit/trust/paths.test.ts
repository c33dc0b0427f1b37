/**
 * A project's data paths never reach outside its folder: the schema refuses absolute paths and `..`,
 * symbolic links are resolved and checked when data is read, a file given on the command line is
 * made relative or copied in, and serve mode confines image folders too. One test per route.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppServices, toIpcError } from '../../../electron/services/app';
import { writeArchive } from '../../../shared/ir/container';
import { readProjectFile, serializeProject, writeProjectFile } from '../../../shared/ir/project';
import type { Project } from '../../../shared/ir/schema';
import { buildTemplate } from '../../../shared/templates/index';
import { netloomIn } from '../helpers/cli';

const IRIS = path.resolve('assets/datasets/iris.csv');
const netloom = (cwd: string, ...args: string[]) => netloomIn(cwd)(...args);

/** A project file with `data` as given, bypassing the schema (as a hostile file would). */
function rawProject(data: unknown): Uint8Array {
  const p = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
  const json = JSON.parse(serializeProject(p)) as Record<string, unknown>;
  json.data = data;
  return writeArchive(new Map([['project.json', new TextEncoder().encode(JSON.stringify(json))]]));
}

const csvSpec = (file: string) => ({ source: 'csv', file, embedded: false, target: 'species', columns: [] });

describe('data paths stored in a project', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netloom-paths-'));
  const secretDir = mkdtempSync(path.join(tmpdir(), 'netloom-secret-'));
  copyFileSync(IRIS, path.join(secretDir, 'secret.csv'));

  it(
    'an absolute path or one with .. does not validate, located at data.file / data.directory',
    { timeout: 120_000 },
    async () => {
      for (const [name, data] of [
        ['abs.nnproj', csvSpec('/etc/passwd')],
        ['up.nnproj', csvSpec(`../${path.basename(secretDir)}/secret.csv`)],
        ['drive.nnproj', csvSpec('C:/Windows/win.ini')],
        ['root.nnproj', { source: 'images', directory: '/', width: 28, height: 28, grayscale: true }],
      ] as const) {
        writeFileSync(path.join(dir, name), rawProject(data));
        const r = await netloom(dir, 'validate', name);
        expect(r.code, name).toBe(1);
        expect(r.stderr).toMatch(
          /project\.json: data\.(file|directory): .*(relative to the project's folder|inside the project's folder)/,
        );
        // Every other command refuses the file the same way (exit 1, never an internal error).
        if (name === 'drive.nnproj' || name === 'root.nnproj') continue;
        for (const cmd of [
          ['train', name],
          ['evaluate', name],
          ['export', name, '--format', 'pytorch', '--out', `${name}-out`],
        ]) {
          const c = await netloom(dir, ...cmd);
          expect(c.code, cmd.join(' ')).toBe(1);
          expect(existsSync(path.join(dir, `${name}-out`))).toBe(false);
        }
      }
    },
  );

  it('a symbolic link inside the folder that leads outside is refused when the data is read; export copies nothing', async () => {
    symlinkSync(path.join(secretDir, 'secret.csv'), path.join(dir, 'link.csv'));
    const p = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
    p.data = { source: 'csv', file: 'link.csv', embedded: false, target: 'species', columns: [] };
    writeFileSync(path.join(dir, 'link.nnproj'), writeProjectFile({ project: p }));
    const t = await netloom(dir, 'train', 'link.nnproj', '--epochs', '1');
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/"link\.csv" leads outside the project's folder/);
    // The error never shows what lies outside (no column names, no shape).
    expect(t.stderr).not.toMatch(/sepal|species|150/);
    const e = await netloom(dir, 'export', 'link.nnproj', '--format', 'pytorch', '--out', 'link-out');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/the data could not be exported/);
    expect(existsSync(path.join(dir, 'link-out', 'data', 'link.csv'))).toBe(false);
    expect(existsSync(path.join(dir, 'link-out', 'data'))).toBe(false);
  });

  it("new --data FILE: relative when the file is in the project's folder, copied into the project otherwise", async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'netloom-new-'));
    copyFileSync(IRIS, path.join(work, 'iris.csv'));
    expect(
      (await netloom(work, 'new', '--template', 'mlp', '--data', 'iris.csv', '--out', 'a.nnproj')).code,
    ).toBe(0);
    expect(readProjectFile(readFileSync(path.join(work, 'a.nnproj'))).project.data).toMatchObject({
      file: 'iris.csv',
      embedded: false,
    });
    mkdirSync(path.join(work, 'sub'));
    const r = await netloom(work, 'new', '--template', 'mlp', '--data', 'iris.csv', '--out', 'sub/b.nnproj');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/copied into the project/);
    const b = readProjectFile(readFileSync(path.join(work, 'sub', 'b.nnproj')));
    expect(b.project.data).toMatchObject({ file: 'data/iris.csv', embedded: true });
    expect(b.data?.get('iris.csv')?.byteLength).toBe(readFileSync(IRIS).byteLength);
    expect((await netloom(work, 'train', 'sub/b.nnproj', '--epochs', '1')).code).toBe(0);
    // An image folder outside the project's folder is refused (images are not copied in).
    mkdirSync(path.join(work, 'imgs', 'a'), { recursive: true });
    mkdirSync(path.join(work, 'imgs', 'b'), { recursive: true });
    const sharp = (await import('sharp')).default;
    for (const c of ['a', 'b'])
      for (let i = 0; i < 3; i++)
        await sharp({
          create: {
            width: 8,
            height: 8,
            channels: 3,
            background: { r: i * 80, g: c === 'a' ? 0 : 255, b: 0 },
          },
        })
          .png()
          .toFile(path.join(work, 'imgs', c, `${i}.png`));
    const newCnn = (out: string) =>
      netloom(work, 'new', '--template', 'cnn', '--data', 'imgs', '--image-size', '8x8', '--out', out);
    const i1 = await newCnn('sub/c.nnproj');
    expect(i1.code).toBe(2);
    expect(i1.stderr).toMatch(/not inside the folder of sub\/c\.nnproj/);
    const i2 = await newCnn('c.nnproj');
    expect(i2.code, i2.stderr).toBe(0);
    expect(readProjectFile(readFileSync(path.join(work, 'c.nnproj'))).project.data).toMatchObject({
      directory: 'imgs',
    });
  });

  it('train --out into another folder keeps the CSV reachable: rebased when inside, copied in otherwise', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'netloom-out-'));
    copyFileSync(IRIS, path.join(work, 'iris.csv'));
    mkdirSync(path.join(work, 'deeper'));
    mkdirSync(path.join(work, 'elsewhere'));
    expect(
      (await netloom(work, 'new', '--template', 'mlp', '--data', 'iris.csv', '--out', 'p.nnproj')).code,
    ).toBe(0);
    const r = await netloom(work, 'train', 'p.nnproj', '--epochs', '1', '--out', 'elsewhere/q.nnproj');
    expect(r.code, r.stderr).toBe(0);
    const q = readProjectFile(readFileSync(path.join(work, 'elsewhere', 'q.nnproj')));
    expect(q.project.data).toMatchObject({ file: 'data/iris.csv', embedded: true });
    expect((await netloom(work, 'evaluate', 'elsewhere/q.nnproj')).code).toBe(0);
  });
});

describe('serve mode confines every data path to --root', () => {
  it('image folders and CSVs: no absolute path, no .., no symlink out of the root; nothing outside named in the error', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'netloom-paths-root-'));
    const outside = mkdtempSync(path.join(tmpdir(), 'netloom-paths-outside-'));
    mkdirSync(path.join(outside, 'cats'));
    mkdirSync(path.join(outside, 'dogs'));
    symlinkSync(outside, path.join(root, 'pets'));
    const s = new AppServices({
      mode: 'serve',
      version: 'test',
      root,
      dataDir: mkdtempSync(path.join(tmpdir(), 'netloom-paths-data-')),
    });
    const doc = (await s.dispatch('project.new', { template: 'cnn' })) as { docId: string; project: Project };
    const training = doc.project.training;
    const images = (directory: string) => ({
      source: 'images',
      directory,
      width: 28,
      height: 28,
      grayscale: true,
    });
    for (const directory of ['/', outside, '..', `../${path.basename(outside)}`]) {
      const err = await s
        .dispatch('data.load', { docId: doc.docId, data: images(directory), training })
        .catch((e: Error) => e);
      expect(err, directory).toMatchObject({ code: 'BAD_REQUEST' });
      expect(String((err as Error).message)).not.toMatch(/cats|dogs/);
    }
    const viaLink = await s
      .dispatch('data.load', { docId: doc.docId, data: images('pets'), training })
      .catch((e: Error) => e);
    expect(toIpcError(viaLink)).toMatchObject({ code: 'DATA' });
    expect(String((viaLink as Error).message)).toMatch(/leads outside the project's folder/);
    expect(String((viaLink as Error).message)).not.toMatch(/cats|dogs/);
    const csv = await s
      .dispatch('data.load', { docId: doc.docId, data: csvSpec('../x.csv'), training })
      .catch((e: Error) => e);
    expect(csv).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('Save As into another folder copies a CSV that would be outside it into the project, and says so', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'netloom-paths-root-'));
    copyFileSync(IRIS, path.join(root, 'iris.csv'));
    mkdirSync(path.join(root, 'a'));
    mkdirSync(path.join(root, 'b'));
    copyFileSync(IRIS, path.join(root, 'a', 'iris.csv'));
    const p = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
    p.data = { source: 'csv', file: 'iris.csv', embedded: false, target: 'species', columns: [] };
    writeFileSync(path.join(root, 'a', 'p.nnproj'), writeProjectFile({ project: p }));
    const s = new AppServices({
      mode: 'serve',
      version: 'test',
      root,
      dataDir: mkdtempSync(path.join(tmpdir(), 'netloom-paths-data-')),
    });
    const doc = (await s.dispatch('project.open', { path: 'a/p.nnproj' })) as {
      docId: string;
      project: Project;
    };
    await s.dispatch('data.load', {
      docId: doc.docId,
      data: doc.project.data!,
      training: doc.project.training,
    });
    const res = (await s.dispatch('project.save', {
      docId: doc.docId,
      path: 'b/p.nnproj',
      project: doc.project,
    })) as { note?: string; data?: unknown };
    expect(res.note).toMatch(/copied into the project/);
    expect(res.data).toMatchObject({ file: 'data/iris.csv', embedded: true });
    const saved = readProjectFile(readFileSync(path.join(root, 'b', 'p.nnproj')));
    expect(saved.project.data).toMatchObject({ embedded: true });
    expect(saved.data?.get('iris.csv')?.byteLength).toBe(readFileSync(IRIS).byteLength);
  });
});
