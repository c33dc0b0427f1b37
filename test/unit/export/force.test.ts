/**
 * `force` replaces only a folder Netloom exported itself (a valid `.netloom-export.json`, nothing it
 * does not list), never a folder holding a protected path (the project, the served folder) or above
 * one, and with `confineTo` everything stays strictly inside that folder. Real folders, real files.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  promises as fsp,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExportError, exportProject } from '../../../electron/export/index';
import type { ExportOptions } from '../../../electron/export/types';
import { buildTemplate } from '../../../shared/templates/index';
import { tempDir, TEMPLATE_OPTIONS } from './helpers';

/** The manifest's name is part of the contract (the README names it). */
const EXPORT_MANIFEST = '.netloom-export.json';
const project = buildTemplate('mlp', TEMPLATE_OPTIONS.mlp);
const svg = (dir: string, options: ExportOptions = {}) => exportProject({ project }, 'svg', dir, options);

/** Every file under `dir` with its content (symlinks as `-> target`), to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(path.join(dir, r))}`;
      else if (st.isDirectory()) {
        out[`${r}/`] = '';
        walk(r);
      } else out[r] = readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExportError);
  return (err as Error).message;
}

/** A folder holding an earlier svg export. */
async function earlierExport(tag: string): Promise<{ root: string; dir: string }> {
  const root = tempDir(tag);
  const dir = path.join(root, 'out');
  await svg(dir, { version: '0.0.1' });
  return { root, dir };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('export into a new or empty folder', () => {
  it('writes into an existing empty folder without force, with a manifest it does not report as exported', async () => {
    const root = tempDir('empty');
    const dir = path.join(root, 'out');
    mkdirSync(dir);
    const before = Date.now();
    const { files } = await svg(dir, { version: '9.9.9' });
    expect(files).toEqual(['diagram.svg']);
    expect(readdirSync(dir).sort()).toEqual([EXPORT_MANIFEST, 'diagram.svg']);
    const manifest = JSON.parse(readFileSync(path.join(dir, EXPORT_MANIFEST), 'utf8')) as {
      netloomExport: number;
      format: string;
      netloomVersion: string;
      exportedAt: string;
      files: string[];
    };
    expect(manifest).toMatchObject({
      netloomExport: 1,
      format: 'svg',
      netloomVersion: '9.9.9',
      files: ['diagram.svg'],
    });
    expect(Date.parse(manifest.exportedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(readdirSync(root)).toEqual(['out']);
  });
});

describe('a non-empty folder without force', () => {
  it('is refused, saying force would not replace a folder Netloom did not export', async () => {
    const root = tempDir('noforce');
    const dir = path.join(root, 'out');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const msg = await refusal(svg(dir));
    expect(msg).toMatch(/not empty \(1 entry\); choose an empty or new folder/);
    expect(msg).toMatch(
      /--force, or Replace in the Export dialog\) would not help: it replaces only a folder Netloom exported itself/,
    );
    expect(snapshot(dir)).toEqual({ 'keep.txt': 'mine' });
  });

  it('holding an earlier export is refused, saying force would replace it as a whole', async () => {
    const { dir } = await earlierExport('noforce-export');
    const before = snapshot(dir);
    const msg = await refusal(svg(dir));
    expect(msg).toMatch(/holds an earlier Netloom export \(svg, .*\)\. Replace it as a whole \(--force/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('force on an earlier export', () => {
  it('replaces it as a whole, leaving no staging or old folder beside it', async () => {
    const { root, dir } = await earlierExport('replace');
    const { files } = await exportProject({ project }, 'png', dir, { force: true, scale: 1 });
    expect(files).toEqual(['diagram.png']);
    expect(readdirSync(dir).sort()).toEqual([EXPORT_MANIFEST, 'diagram.png']);
    expect(JSON.parse(readFileSync(path.join(dir, EXPORT_MANIFEST), 'utf8'))).toMatchObject({
      format: 'png',
      files: ['diagram.png'],
    });
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('replaces one whose listed files are partly gone, and walks the listed subfolders', async () => {
    const root = tempDir('subdirs');
    const dir = path.join(root, 'out');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data', 'dataset.safetensors'), 'old data');
    const manifest = { netloomExport: 1, format: 'pytorch', netloomVersion: '0.0.1', exportedAt: 'x' };
    writeFileSync(
      path.join(dir, EXPORT_MANIFEST),
      JSON.stringify({ ...manifest, files: ['data/dataset.safetensors', 'model.py'] }),
    );
    await svg(dir, { force: true });
    expect(readdirSync(dir).sort()).toEqual([EXPORT_MANIFEST, 'diagram.svg']);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('refuses one holding files the export did not write, naming five and counting the rest', async () => {
    const { root, dir } = await earlierExport('unlisted');
    const elsewhere = tempDir('unlisted-elsewhere');
    writeFileSync(path.join(elsewhere, 'precious.txt'), 'precious');
    mkdirSync(path.join(dir, 'checkpoints'));
    writeFileSync(path.join(dir, 'checkpoints', 'epoch-1.pt'), 'weights');
    for (const n of ['a.txt', 'b.txt', 'c.txt', 'notes.md']) writeFileSync(path.join(dir, n), n);
    symlinkSync(elsewhere, path.join(dir, 'link'));
    const before = snapshot(dir);
    const msg = await refusal(svg(dir, { force: true }));
    expect(msg).toContain(
      'files it did not write: a.txt, b.txt, c.txt, checkpoints/, link and 1 more; replacing the folder would lose them, so nothing was written.',
    );
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(path.join(elsewhere, 'precious.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(root)).toEqual(['out']);

    // Without force the same folder is refused for the same reason.
    expect(await refusal(svg(dir))).toMatch(/it would not be replaced/);
  });

  it('refuses one holding a file inside a listed subfolder the export did not write', async () => {
    const root = tempDir('unlisted-sub');
    const dir = path.join(root, 'out');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data', 'dataset.safetensors'), 'old');
    writeFileSync(path.join(dir, 'data', 'mine.csv'), 'a,b');
    writeFileSync(
      path.join(dir, EXPORT_MANIFEST),
      JSON.stringify({
        netloomExport: 1,
        format: 'pytorch',
        netloomVersion: '0.0.1',
        exportedAt: 'x',
        files: ['data/dataset.safetensors'],
      }),
    );
    const before = snapshot(dir);
    expect(await refusal(svg(dir, { force: true }))).toMatch(/did not write: data\/mine\.csv;/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('names what it did not write without control characters', async () => {
    const { dir } = await earlierExport('control');
    writeFileSync(path.join(dir, 'evil\n\u001b[31m.txt'), 'x');
    const msg = await refusal(svg(dir, { force: true }));
    expect(msg).toContain('did not write: evil??[31m.txt;');
    expect(readdirSync(dir)).toContain('evil\n\u001b[31m.txt');
  });

  it('puts the folder back if a file appears in it while it is being replaced', async () => {
    const { root, dir } = await earlierExport('late');
    const real = realpathSync(dir);
    const rename = fsp.rename.bind(fsp);
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      // A file written (by train.py, say) just before the folder is moved aside.
      if (from === real) writeFileSync(path.join(dir, 'late.pt'), 'checkpoint');
      return rename(from, to);
    });
    const msg = await refusal(svg(dir, { force: true }));
    expect(msg).toMatch(
      /^\S+ changed while exporting: it now holds late\.pt, which the earlier export did not write; nothing was replaced\.$/,
    );
    vi.restoreAllMocks();
    expect(readdirSync(dir).sort()).toEqual([EXPORT_MANIFEST, 'diagram.svg', 'late.pt']);
    expect(readFileSync(path.join(dir, 'late.pt'), 'utf8')).toBe('checkpoint');
    expect(readdirSync(root)).toEqual(['out']);
  });
  it('says where the old folder is if it cannot be put back', async () => {
    const { root, dir } = await earlierExport('late-stuck');
    const real = realpathSync(dir);
    const rename = fsp.rename.bind(fsp);
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (from === real) writeFileSync(path.join(dir, 'late.pt'), 'checkpoint');
      else if (to === real) throw Object.assign(new Error('EBUSY: simulated'), { code: 'EBUSY' });
      return rename(from, to);
    });
    const msg = await refusal(svg(dir, { force: true }));
    vi.restoreAllMocks();
    const aside = /its previous contents are in (\S+)\.$/.exec(msg)?.[1];
    expect(msg).toMatch(/could not be put back after a failed export \(.*changed while exporting/);
    expect(path.dirname(aside!)).toBe(path.dirname(real));
    expect(readFileSync(path.join(aside!, 'late.pt'), 'utf8')).toBe('checkpoint');
    expect(readdirSync(root)).toEqual([path.basename(aside!)]);
  });
});

describe('force on a folder Netloom did not export', () => {
  const bad: [string, (dir: string) => void][] = [
    ['no manifest', () => undefined],
    ['a manifest that does not parse', (d) => writeFileSync(path.join(d, EXPORT_MANIFEST), '{"files": [')],
    [
      'a manifest listing a path that escapes the folder',
      (d) =>
        writeFileSync(
          path.join(d, EXPORT_MANIFEST),
          JSON.stringify({
            netloomExport: 1,
            format: 'svg',
            netloomVersion: '0.1.0',
            exportedAt: 'x',
            files: ['keep.txt', '../P.nnproj'],
          }),
        ),
    ],
    [
      'a manifest listing an absolute path',
      (d) =>
        writeFileSync(
          path.join(d, EXPORT_MANIFEST),
          JSON.stringify({
            netloomExport: 1,
            format: 'svg',
            netloomVersion: '0.1.0',
            exportedAt: 'x',
            files: ['keep.txt', '/etc/passwd'],
          }),
        ),
    ],
    [
      'a manifest without the marker',
      (d) => writeFileSync(path.join(d, EXPORT_MANIFEST), JSON.stringify({ files: ['keep.txt'] })),
    ],
    ['a manifest that is a folder', (d) => mkdirSync(path.join(d, EXPORT_MANIFEST))],
  ];
  it.each(bad)('is refused with %s, and nothing is touched', async (_, setup) => {
    const root = tempDir('foreign');
    const dir = path.join(root, 'out');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    setup(dir);
    const before = snapshot(dir);
    const msg = await refusal(svg(dir, { force: true }));
    expect(msg).toMatch(/Netloom did not export it .*Netloom only replaces folders it exported itself/);
    expect(msg).toMatch(/Choose an empty or new folder/);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(root)).toEqual(['out']);
  });
});

describe('protected paths', () => {
  it('never the folder holding the project file, nor any folder above it, even with a manifest listing the project', async () => {
    const top = tempDir('protected');
    const dir = path.join(top, 'work');
    mkdirSync(dir);
    const projectFile = path.join(dir, 'P.nnproj');
    writeFileSync(projectFile, 'project bytes');
    // A manifest that lists the project: replacing would delete it.
    writeFileSync(
      path.join(dir, EXPORT_MANIFEST),
      JSON.stringify({
        netloomExport: 1,
        format: 'svg',
        netloomVersion: '0.1.0',
        exportedAt: 'x',
        files: ['P.nnproj'],
      }),
    );
    const before = snapshot(top);
    for (const out of [dir, top, path.relative(process.cwd(), dir)])
      for (const force of [false, true]) {
        const msg = await refusal(svg(out, { force, protectedPaths: [projectFile] }));
        expect(msg).toMatch(/^Refusing to export into .*: it holds .*P\.nnproj, and an export never/);
      }
    expect(snapshot(top)).toEqual(before);
    // A subfolder of the project's folder is fine.
    await svg(path.join(dir, 'export'), { protectedPaths: [projectFile] });
    expect(readdirSync(path.join(dir, 'export')).sort()).toEqual([EXPORT_MANIFEST, 'diagram.svg']);
  });

  it('never a protected folder itself, even when empty', async () => {
    const top = tempDir('protected-empty');
    const served = path.join(top, 'served');
    mkdirSync(served);
    const msg = await refusal(svg(served, { protectedPaths: [served] }));
    expect(msg).toMatch(/: it is .*served, and an export never/);
    expect(readdirSync(served)).toEqual([]);
    expect(readdirSync(top)).toEqual(['served']);
  });

  it('compares real paths: a symlink to the project folder or above it is refused', async () => {
    const top = tempDir('protected-link');
    const dir = path.join(top, 'work');
    mkdirSync(dir);
    const projectFile = path.join(dir, 'P.nnproj');
    writeFileSync(projectFile, 'project bytes');
    const links = tempDir('protected-links');
    symlinkSync(dir, path.join(links, 'to-project'));
    symlinkSync(top, path.join(links, 'to-above'));
    for (const name of ['to-project', 'to-above'])
      expect(
        await refusal(svg(path.join(links, name), { force: true, protectedPaths: [projectFile] })),
      ).toMatch(/it holds .*P\.nnproj/);
    // The project named through a symlinked folder: its real folder is protected too.
    expect(
      await refusal(svg(dir, { force: true, protectedPaths: [path.join(links, 'to-project', 'P.nnproj')] })),
    ).toMatch(/it holds/);
    expect(snapshot(top)).toEqual({ 'work/': '', 'work/P.nnproj': 'project bytes' });
    expect(lstatSync(path.join(links, 'to-project')).isSymbolicLink()).toBe(true);
    expect(readdirSync(links).sort()).toEqual(['to-above', 'to-project']);
  });
});

describe('symlinked destinations', () => {
  it('an earlier export reached through a symlink is replaced where it really is; the symlink stays', async () => {
    const { root, dir } = await earlierExport('link-target');
    const links = tempDir('link-dir');
    const link = path.join(links, 'out');
    symlinkSync(dir, link);
    await exportProject({ project }, 'png', link, { force: true, scale: 1 });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([EXPORT_MANIFEST, 'diagram.png']);
    expect(readdirSync(root)).toEqual(['out']);
    expect(readdirSync(links)).toEqual(['out']);
  });

  it('a symlink to a missing folder is refused', async () => {
    const links = tempDir('dangling');
    symlinkSync(path.join(links, 'nowhere'), path.join(links, 'out'));
    expect(await refusal(svg(path.join(links, 'out')))).toMatch(/symlink to a missing folder/);
    expect(readdirSync(links)).toEqual(['out']);
  });
});

describe('confineTo', () => {
  it('the destination must be strictly inside: never the folder itself, outside it, or a symlink out of it', async () => {
    const top = tempDir('confine');
    const root = path.join(top, 'root');
    mkdirSync(root);
    const outside = path.join(top, 'outside');
    await svg(outside);
    symlinkSync(outside, path.join(root, 'escape'));
    const before = snapshot(top);
    for (const out of [root, outside, path.join(root, 'escape')])
      expect(await refusal(svg(out, { force: true, confineTo: root }))).toMatch(
        /is not inside .*root; an export goes into a folder inside it/,
      );
    expect(snapshot(top)).toEqual(before);
    await svg(path.join(root, 'inside'), { confineTo: root });
    expect(readdirSync(root).sort()).toEqual(['escape', 'inside']);
    expect(readdirSync(top).sort()).toEqual(['outside', 'root']);
  });
});

it('a refusal is an ExportError before anything is generated (an invalid graph is not even looked at)', async () => {
  const broken = buildTemplate('mlp', TEMPLATE_OPTIONS.mlp);
  broken.graph.edges = broken.graph.edges.slice(1);
  const top = tempDir('order');
  const p = path.join(top, 'P.nnproj');
  writeFileSync(p, 'x');
  expect(
    await refusal(exportProject({ project: broken }, 'pytorch', top, { force: true, protectedPaths: [p] })),
  ).toMatch(/Refusing to export into/);
  expect(existsSync(p)).toBe(true);
});
