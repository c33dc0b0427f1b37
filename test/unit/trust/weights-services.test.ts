/**
 * Trust in the app's services (what Electron's IPC and serve mode both call): the graph is read-only
 * while it trains, and weights that an edit made stale are never saved, exported or predicted with,
 * yet come back when the edit is undone.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../electron/services/app';
import { readProjectFile, writeProjectFile } from '../../../shared/ir/project';
import type { Project } from '../../../shared/ir/schema';
import { buildTemplate } from '../../../shared/templates/index';
import { runEnd } from '../helpers/services';

const root = mkdtempSync(path.join(tmpdir(), 'netloom-trust-svc-'));
const s = new AppServices({
  mode: 'serve',
  version: 'test',
  root,
  dataDir: mkdtempSync(path.join(tmpdir(), 'netloom-trust-svc-data-')),
});

function irisProject(): Project {
  const p = buildTemplate('mlp', { inputShape: [4], outputs: 3 });
  p.data = { source: 'builtin', dataset: 'iris', options: {} };
  p.training = { ...p.training, epochs: 30, learningRate: 0.01, batchSize: 16 };
  return p;
}

/** The same project with dense_1 at 64 units instead of 128: the trained weights no longer fit. */
function edited(p: Project): Project {
  return {
    ...p,
    graph: {
      ...p.graph,
      nodes: p.graph.nodes.map((n) =>
        n.id === 'dense_1' ? { ...n, params: { ...n.params, units: 64 } } : n,
      ),
    },
  };
}

let docId = '';
let project: Project;

beforeAll(async () => {
  writeFileSync(path.join(root, 'iris.nnproj'), writeProjectFile({ project: irisProject() }));
  const open = (await s.dispatch('project.open', { path: 'iris.nnproj' })) as {
    docId: string;
    project: Project;
  };
  docId = open.docId;
  project = open.project;
});

describe('while a run goes on, the graph is read-only', () => {
  it('refuses requests carrying a changed graph (save, autosave, predict, export, restore) and data changes; the same graph saves', async () => {
    const end = runEnd(s, docId);
    await s.dispatch('training.start', { docId, project, grid: null });
    const changed = edited(project);
    for (const [name, params] of [
      ['project.save', { docId, path: null, project: changed }],
      ['autosave.write', { docId, path: null, project: changed }],
      ['model.predict', { docId, project: changed, input: [0, 0, 0, 0] }],
      ['project.export', { docId, project: changed, format: 'svg', dir: 'diagram', force: false }],
      [
        'data.load',
        { docId, data: { source: 'builtin', dataset: 'spirals', options: {} }, training: project.training },
      ],
    ] as const)
      await expect(s.dispatch(name, params), name).rejects.toMatchObject({ code: 'TRAINING_LOCKED' });
    // A save of the graph as it trains is fine (positions may move; they do not make the model).
    const moved = {
      ...project,
      graph: {
        ...project.graph,
        nodes: project.graph.nodes.map((n) => ({ ...n, position: { x: n.position.x + 5, y: n.position.y } })),
      },
    };
    await s.dispatch('project.save', { docId, path: null, project: moved });
    const e = await end;
    expect(e.type).toBe('done');
    if (e.type !== 'done') return;
    expect(e.weightSpecs?.map((w) => w.name)).toContain('dense_1/kernel');
    // As the editor does: the run joins the project's list.
    project = { ...project, runs: [...project.runs, e.run] };
  });
});

describe('after a run, an edit that changes weight shapes makes the weights stale', () => {
  it('save leaves them out with a note; Undo (the old graph) brings them back', async () => {
    const file = path.join(root, 'iris.nnproj');
    await s.dispatch('project.save', { docId, path: null, project });
    const trained = readProjectFile(readFileSync(file)).weights!;
    expect(trained.weightsBin.byteLength).toBeGreaterThan(1000);

    const res = (await s.dispatch('project.save', { docId, path: null, project: edited(project) })) as {
      note?: string;
    };
    expect(res.note).toMatch(/Saved without the trained weights/);
    expect(res.note).toMatch(
      /dense_1 \(Dense\): kernel is \[4, 128\] in the trained weights, the graph needs \[4, 64\]/,
    );
    const saved = readProjectFile(readFileSync(file));
    expect(saved.weights).toBeUndefined();
    expect(saved.project.graph.nodes.find((n) => n.id === 'dense_1')?.params.units).toBe(64);

    // Undo: the graph is back, and so are the weights, bit for bit.
    const back = (await s.dispatch('project.save', { docId, path: null, project })) as { note?: string };
    expect(back.note).toBeUndefined();
    expect(
      Buffer.from(readProjectFile(readFileSync(file)).weights!.weightsBin).equals(
        Buffer.from(trained.weightsBin),
      ),
    ).toBe(true);
  });

  it('predict, evaluate and restore refuse stale weights; export leaves them out and says so', async () => {
    const changed = edited(project);
    await expect(
      s.dispatch('model.predict', { docId, project: changed, input: [0, 0, 0, 0] }),
    ).rejects.toMatchObject({ code: 'STALE_WEIGHTS' });
    await expect(s.dispatch('model.evaluate', { docId, project: changed })).rejects.toMatchObject({
      code: 'STALE_WEIGHTS',
    });
    const runId =
      project.runs[0]?.id ??
      readProjectFile(readFileSync(path.join(root, 'iris.nnproj'))).project.runs[0]!.id;
    await expect(s.dispatch('runs.restore', { docId, runId, project: changed })).rejects.toMatchObject({
      code: 'STALE_WEIGHTS',
    });
    const ex = (await s.dispatch('project.export', {
      docId,
      project: changed,
      format: 'pytorch',
      dir: 'torch',
      force: false,
    })) as { files: string[]; note?: string };
    expect(ex.note).toMatch(/Exported without the trained weights/);
    expect(ex.files).not.toContain('weights.pt');
    expect(existsSync(path.join(root, 'torch', 'weights.pt'))).toBe(false);
    // With the graph they fit, the same requests work.
    const out = (await s.dispatch('model.predict', { docId, project, input: [5.1, 3.5, 1.4, 0.2] })) as {
      outputs: number[];
    };
    expect(out.outputs).toHaveLength(3);
    const ok = (await s.dispatch('project.export', {
      docId,
      project,
      format: 'pytorch',
      dir: 'torch2',
      force: false,
    })) as { files: string[] };
    expect(ok.files).toContain('weights.pt');
  });
});
