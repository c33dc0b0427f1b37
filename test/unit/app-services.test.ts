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
