/** The services behind the app (plain Node): documents, save, recent files, crash recovery. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppServices } from '../../electron/services/app';
import { readProjectFile } from '../../shared/ir/project';
import type { Project } from '../../shared/ir/schema';

function services(root: string, dataDir: string) {
  return new AppServices({ mode: 'serve', version: 'test', root, dataDir });
}

/** Serve-mode services over `root` (their own data folder) with a new MLP document open. */
async function newMlp(root: string) {
  const s = services(root, mkdtempSync(path.join(tmpdir(), 'netloom-svc-data-')));
  const doc = (await s.dispatch('project.new', { template: 'mlp' })) as { docId: string; project: Project };
  return { s, doc };
}

describe('app services', () => {
  it('autosaves unsaved work and offers it back after a crash, then forgets it once saved', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'netloom-svc-root-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netloom-svc-data-'));
    const first = services(root, dataDir);
    const doc = (await first.dispatch('project.new', { template: 'mlp' })) as {
      docId: string;
      project: Project;
    };
    const edited = { ...doc.project, name: 'Unsaved work' };
    await first.dispatch('autosave.write', { docId: doc.docId, path: null, project: edited });

    // "Crash": a new instance on the same data folder.
    const second = services(root, dataDir);
    const pending = (await second.dispatch('autosave.pending', {})) as { docId: string; name: string }[];
    expect(pending).toEqual([expect.objectContaining({ docId: doc.docId, name: 'Unsaved work' })]);
    const recovered = (await second.dispatch('autosave.recover', { docId: doc.docId })) as {
      project: Project;
    };
    expect(recovered.project).toEqual(edited);

    await second.dispatch('project.save', {
      docId: doc.docId,
      path: 'kept.nnproj',
      project: recovered.project,
    });
    expect(await second.dispatch('autosave.pending', {})).toEqual([]);
    expect(readProjectFile(readFileSync(path.join(root, 'kept.nnproj'))).project.name).toBe('Unsaved work');
    expect(await second.dispatch('recent.list', {})).toEqual(['kept.nnproj']);
  });

  it('keeps trained weights when the renderer saves the project again, and refuses paths outside the root', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'netloom-svc-root-'));
    const s = services(root, mkdtempSync(path.join(tmpdir(), 'netloom-svc-data-')));
    const doc = (await s.dispatch('project.new', { template: null })) as { docId: string; project: Project };
    await expect(
      s.dispatch('project.save', { docId: doc.docId, path: '../escape.nnproj', project: doc.project }),
    ).rejects.toThrow(/outside the folder/);
    await s.dispatch('project.save', { docId: doc.docId, path: 'a.nnproj', project: doc.project });
    expect(existsSync(path.join(root, 'a.nnproj'))).toBe(true);
    await s.dispatch('project.save', {
      docId: doc.docId,
      path: null,
      project: { ...doc.project, name: 'again' },
    });
    expect(existsSync(path.join(root, 'a.nnproj.bak'))).toBe(true);
    await expect(s.dispatch('project.open', { path: 'missing.nnproj' })).rejects.toThrow(/No such file/);
  });
});

// project.export with force (trust issue, item 3): never the served folder or the project's folder,
// and nothing is ever made outside the served folder.
import { lstatSync, mkdirSync, readdirSync, symlinkSync, watch, writeFileSync } from 'node:fs';

describe('project.export in serve mode', () => {
  /** A served folder `root` inside a private folder `top`, watched for anything made beside `root`. */
  function servedRoot() {
    const top = mkdtempSync(path.join(tmpdir(), 'netloom-svc-export-'));
    const root = path.join(top, 'root');
    mkdirSync(root);
    const made: string[] = [];
    const watcher = watch(top, (_, name) => made.push(String(name)));
    return { top, root, made, close: () => watcher.close() };
  }
  const settle = () => new Promise((r) => setTimeout(r, 100));
  const request = (docId: string, project: Project, dir: string) => ({
    docId,
    project,
    format: 'svg',
    dir,
    force: true,
  });

  it('refuses dir "." with force (the served folder, holding the project), touching nothing inside or outside it', async () => {
    const { top, root, made, close } = servedRoot();
    try {
      const { s, doc } = await newMlp(root);
      await s.dispatch('project.save', { docId: doc.docId, path: 'p.nnproj', project: doc.project });
      writeFileSync(path.join(root, 'notes.txt'), 'my notes');
      const bytes = readFileSync(path.join(root, 'p.nnproj'));
      await settle();
      made.length = 0;
      await expect(s.dispatch('project.export', request(doc.docId, doc.project, '.'))).rejects.toThrow(
        /^Refusing to export into .*: it holds .*p\.nnproj, and an export never/,
      );
      await settle();
      expect(readdirSync(root).sort()).toEqual(['notes.txt', 'p.nnproj']);
      expect(readFileSync(path.join(root, 'p.nnproj')).equals(bytes)).toBe(true);
      expect(readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('my notes');
      expect(readdirSync(top)).toEqual(['root']);
      expect(made).toEqual([]);

      // A subfolder inside the served folder works, twice with force; staging stays inside.
      for (let i = 0; i < 2; i++)
        expect(await s.dispatch('project.export', request(doc.docId, doc.project, 'diagram'))).toEqual({
          dir: 'diagram',
          files: ['diagram.svg'],
        });
      await settle();
      expect(readdirSync(root).sort()).toEqual(['diagram', 'notes.txt', 'p.nnproj']);
      expect(readdirSync(top)).toEqual(['root']);
      expect(made).toEqual([]);
    } finally {
      close();
    }
  });

  it('refuses the served folder even when it is empty and the project unsaved, and through a symlink', async () => {
    const { top, root, made, close } = servedRoot();
    try {
      const { s, doc } = await newMlp(root);
      await settle();
      made.length = 0;
      await expect(s.dispatch('project.export', request(doc.docId, doc.project, '.'))).rejects.toThrow(
        /Refusing to export into/,
      );
      expect(readdirSync(root)).toEqual([]);
      symlinkSync(root, path.join(root, 'loop'));
      await expect(s.dispatch('project.export', request(doc.docId, doc.project, 'loop'))).rejects.toThrow(
        /Refusing to export into/,
      );
      await settle();
      expect(readdirSync(root)).toEqual(['loop']);
      expect(lstatSync(path.join(root, 'loop')).isSymbolicLink()).toBe(true);
      expect(readdirSync(top)).toEqual(['root']);
      expect(made).toEqual([]);
    } finally {
      close();
    }
  });

  it('refuses the folder of a project saved in a subfolder, for dir "." or ".."', async () => {
    const { root } = servedRoot();
    const { s, doc } = await newMlp(root);
    mkdirSync(path.join(root, 'work'));
    await s.dispatch('project.save', { docId: doc.docId, path: 'work/p.nnproj', project: doc.project });
    for (const dir of ['.', '..'])
      await expect(s.dispatch('project.export', request(doc.docId, doc.project, dir))).rejects.toThrow(
        /Refusing to export into .*: it (is|holds) /,
      );
    expect(readdirSync(root)).toEqual(['work']);
    expect(readdirSync(path.join(root, 'work'))).toEqual(['p.nnproj']);
  });
});
