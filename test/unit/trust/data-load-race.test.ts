/**
 * Pressing Start while the Data panel still loads the same data (a project just opened) trains on
 * that load instead of cancelling it: both succeed. Other data still replaces a load in flight.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppServices } from '../../../electron/services/app';
import { writeProjectFile } from '../../../shared/ir/project';
import type { Project } from '../../../shared/ir/schema';
import { buildTemplate } from '../../../shared/templates/index';
import { runEnd } from '../helpers/services';

const root = mkdtempSync(path.join(tmpdir(), 'netloom-load-race-'));
const s = new AppServices({
  mode: 'serve',
  version: 'test',
  root,
  dataDir: mkdtempSync(path.join(tmpdir(), 'netloom-load-race-data-')),
});

async function open(name: string, mnist = false): Promise<{ docId: string; project: Project }> {
  const p = buildTemplate(
    'mlp',
    mnist ? { inputShape: [28, 28, 1], outputs: 10 } : { inputShape: [4], outputs: 3 },
  );
  p.data = { source: 'builtin', dataset: mnist ? 'mnist' : 'iris', options: {} };
  p.training = { ...p.training, epochs: 1, batchSize: mnist ? 256 : 16 };
  writeFileSync(path.join(root, name), writeProjectFile({ project: p }));
  return (await s.dispatch('project.open', { path: name })) as { docId: string; project: Project };
}

describe('loading data while a run starts', () => {
  it('Start during the same data’s load waits for it: the load and the run both succeed', async () => {
    // MNIST: its load takes long enough (files read, images decoded) to be in flight at Start.
    const { docId, project } = await open('a.nnproj', true);
    const end = runEnd(s, docId);
    const load = s.dispatch('data.load', { docId, data: project.data!, training: project.training });
    const start = s.dispatch('training.start', { docId, project, grid: null });
    await expect(load).resolves.toMatchObject({ summary: { count: 10_000 } });
    await expect(start).resolves.toMatchObject({ runId: expect.any(String) });
    expect((await end).type).toBe('done');
  });

  it('other data replaces a load in flight (that one is cancelled); the same data twice loads once', async () => {
    const { docId, project } = await open('b.nnproj');
    const first = s.dispatch('data.load', { docId, data: project.data!, training: project.training });
    const other = s.dispatch('data.load', {
      docId,
      data: { source: 'builtin', dataset: 'spirals', options: {} },
      training: project.training,
    });
    await expect(first).rejects.toThrow('Loading builtin:iris: cancelled.');
    await expect(other).resolves.toMatchObject({ summary: { count: expect.any(Number) } });
    const twice = [0, 1].map(() =>
      s.dispatch('data.load', { docId, data: project.data!, training: project.training }),
    );
    const [a, b] = await Promise.all(twice);
    expect(a).toEqual(b);
  });
});
