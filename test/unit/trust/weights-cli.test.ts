/**
 * Trust, through the real `netloom` process: weights always fit the graph they are used with, a
 * diverged run never replaces better weights, and a branch that feeds no Output never breaks training.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readProjectFile, writeProjectFile } from '../../../shared/ir/project';
import { BIN, netloomIn } from '../helpers/cli';

const netloom = netloomIn();
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-trust-'));
const f = (name: string) => path.join(dir, name);

const accuracy = async (file: string) => {
  const ev = await netloom('evaluate', file, '--json');
  expect(ev.code, ev.stderr).toBe(0);
  return (JSON.parse(ev.stdout) as { metrics: { accuracy: number } }).metrics.accuracy;
};

beforeAll(async () => {
  // A CSV project (predict reads CSV rows with the training statistics).
  writeFileSync(f('iris.csv'), readFileSync(path.resolve('assets/datasets/iris.csv')));
  expect(
    (await netloom('new', '--template', 'mlp', '--data', f('iris.csv'), '--out', f('iris.nnproj'))).code,
  ).toBe(0);
  const t = await netloom('train', f('iris.nnproj'), '--epochs', '40');
  expect(t.code, t.stderr).toBe(0);
});

describe('a diverged run never destroys trained weights', () => {
  it('train --lr 1e6 twice: the file and FILE.bak keep the trained weights, and the CLI says so', async () => {
    const trained = readProjectFile(readFileSync(f('iris.nnproj')));
    const before = await accuracy(f('iris.nnproj'));
    expect(before).toBeGreaterThan(0.9);
    for (let i = 0; i < 2; i++) {
      const r = await netloom('train', f('iris.nnproj'), '--lr', '1e6', '--json');
      expect(r.code).toBe(1);
      const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      expect(last).toMatchObject({ event: 'diverged' });
      expect(['previous', 'best-epoch']).toContain(last.kept);
      expect(r.stderr).toMatch(/diverged/);
      expect(r.stderr).toMatch(/kept/);
    }
    const after = readProjectFile(readFileSync(f('iris.nnproj')));
    // Both diverged runs are recorded; the weights are the trained ones, bit for bit, and the
    // training settings stay those of the run that made them.
    expect(after.project.runs.map((r) => r.status)).toEqual(['done', 'diverged', 'diverged']);
    expect(after.project.training).toEqual(trained.project.training);
    expect(Buffer.from(after.weights!.weightsBin).equals(Buffer.from(trained.weights!.weightsBin))).toBe(
      true,
    );
    expect(await accuracy(f('iris.nnproj'))).toBe(before);
    // FILE.bak is the version saved before the last run: it has the trained weights too.
    const bak = readProjectFile(readFileSync(f('iris.nnproj.bak')));
    expect(bak.project.runs).toHaveLength(2);
    expect(Buffer.from(bak.weights!.weightsBin).equals(Buffer.from(trained.weights!.weightsBin))).toBe(true);
  });

  it('train writes new weights without the old evaluation beside them', async () => {
    const file = f('iris-eval.nnproj');
    writeFileSync(file, readFileSync(f('iris.nnproj')));
    // Evaluate in the app keeps an evaluation with the weights; simulate one saved beside them.
    const b = readProjectFile(readFileSync(file));
    // As the app saves it: the CLI's findings are computed, not stored.
    const { findings: _findings, ...ev } = JSON.parse(
      (await netloom('evaluate', file, '--json')).stdout,
    ) as Record<string, unknown>;
    writeFileSync(file, writeProjectFile({ ...b, evaluation: ev }));
    expect(readProjectFile(readFileSync(file)).evaluation).toBeDefined();
    expect((await netloom('train', file, '--epochs', '2')).code).toBe(0);
    expect(readProjectFile(readFileSync(file)).evaluation).toBeUndefined();
  });
});

describe('weights that do not fit the graph are never used', () => {
  const misfit = f('misfit.nnproj');
  beforeAll(() => {
    const b = readProjectFile(readFileSync(f('iris.nnproj')));
    const dense = b.project.graph.nodes.find((n) => n.kind === 'Dense')!;
    dense.params = { ...dense.params, units: 64 };
    writeFileSync(misfit, writeProjectFile(b));
  });

  it('validate names the weight and the shapes, and exits 1', async () => {
    const r = await netloom('validate', misfit);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/weights\/model\.json: The trained weights do not fit the graph/);
    expect(r.stderr).toMatch(/kernel is \[4, 128\] in the trained weights, the graph needs \[4, 64\]/);
    const j = await netloom('validate', misfit, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: false, errors: [{ code: 'weights' }] });
  });

  it('evaluate and predict refuse them with the reason (exit 1, never an internal error)', async () => {
    for (const args of [
      ['evaluate', misfit],
      ['predict', misfit, '--data', f('iris.csv')],
    ]) {
      const r = await netloom(...args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/do not fit the graph/);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });

  it('export refuses to write them (PyTorch, TF.js) and writes nothing', async () => {
    for (const format of ['pytorch', 'tfjs']) {
      const out = f(`misfit-${format}`);
      const r = await netloom('export', misfit, '--format', format, '--out', out);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/do not fit the graph/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('train replaces them with weights that fit', async () => {
    const r = await netloom('train', misfit, '--epochs', '2');
    expect(r.code, r.stderr).toBe(0);
    expect((await netloom('validate', misfit)).code).toBe(0);
  });
});

describe('a branch that feeds no Output', () => {
  it('validates with a warning and trains (the branch is left out of the model)', async () => {
    const b = readProjectFile(readFileSync(f('iris.nnproj')));
    const input = b.project.graph.nodes.find((n) => n.kind === 'Input')!;
    b.project.graph.nodes.push({
      id: 'spare',
      kind: 'Dense',
      params: { units: 5, activation: 'relu', useBias: true },
      position: { x: 400, y: 0 },
    });
    b.project.graph.edges.push({ id: 'e-spare', source: input.id, target: 'spare', targetPort: 'in' });
    const { weights: _w, evaluation: _e, ...rest } = b;
    writeFileSync(f('branch.nnproj'), writeProjectFile(rest));
    const v = await netloom('validate', f('branch.nnproj'));
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(/spare \(Dense\).*not used: it is left out of training/);
    const t = await netloom('train', f('branch.nnproj'), '--epochs', '2');
    expect(t.code, t.stderr).toBe(0);
    expect((await netloom('validate', f('branch.nnproj'))).code).toBe(0);
    for (const format of ['pytorch', 'tfjs']) {
      const out = f(`branch-${format}`);
      const e = await netloom('export', f('branch.nnproj'), '--format', format, '--out', out);
      expect(e.code, e.stderr).toBe(0);
      expect(existsSync(out)).toBe(true);
    }
  });
});

describe('Ctrl-C once the save has begun', () => {
  it('says the save completes, and it does (never "nothing will be written" followed by a write)', async () => {
    const file = f('ctrlc.nnproj');
    writeFileSync(file, readFileSync(f('iris.nnproj')));
    const before = readProjectFile(readFileSync(file)).project.runs.length;
    const child = spawn(process.execPath, [BIN, 'train', file, '--epochs', '1'], {
      env: { ...process.env, NETLOOM_BACKEND: 'wasm', NETLOOM_TEST_HOLD_SAVE_MS: '3000' },
    });
    let err = '';
    const code = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Saving ')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await code).toBe(0);
    expect(err).toMatch(/is being saved; the save completes/);
    expect(err).not.toMatch(/nothing will be written/);
    expect(readProjectFile(readFileSync(file)).project.runs.length).toBe(before + 1);
  });
});
