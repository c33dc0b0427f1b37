/** The training commands through the real `netloom` process: new --data, train, evaluate, predict, Ctrl-C. */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProjectFile } from '../../shared/ir/project';
import { BIN, jsonLines, netloomIn } from './helpers/cli';

const netloom = netloomIn();
const lines = jsonLines;
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-train-'));
const f = (name: string) => path.join(dir, name);

describe('netloom train / evaluate / predict', () => {
  it('trains the iris MLP to ≥ 0.93 validation accuracy and evaluates it beside the baselines', async () => {
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:iris', '--out', f('iris.nnproj'))).code,
    ).toBe(0);
    const t = await netloom('train', f('iris.nnproj'), '--epochs', '40', '--json');
    expect(t.code, t.stderr).toBe(0);
    const events = lines(t.stdout);
    expect(events.some((e) => e.event === 'progress' && e.backend === 'wasm')).toBe(true);
    expect(events.filter((e) => e.event === 'epochEnd')).toHaveLength(40);
    const done = events[events.length - 1]!;
    expect(done.event).toBe('done');
    expect(done.backend).toBe('wasm');
    const metrics = done.metrics as Record<string, number>;
    expect(metrics.val_accuracy).toBeGreaterThanOrEqual(0.93);

    const bundle = readProjectFile(readFileSync(f('iris.nnproj')));
    expect(bundle.weights?.weightsBin.length).toBeGreaterThan(1000);
    expect(bundle.project.runs).toHaveLength(1);
    expect(bundle.project.runs[0]).toMatchObject({ status: 'done', epochs: 40, backend: 'wasm' });
    expect(bundle.runs?.get(bundle.project.runs[0]!.id)?.trim().split('\n')).toHaveLength(40);

    const ev = await netloom('evaluate', f('iris.nnproj'), '--json');
    expect(ev.code, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout) as {
      metrics: Record<string, number>;
      confusion: number[][];
      validationCount: number;
      baselines: { id: string; metrics: Record<string, number> }[];
      verdict: string;
    };
    expect(e.metrics.accuracy).toBeCloseTo(metrics.val_accuracy!, 5);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(e.validationCount);
    expect(e.baselines.map((b) => b.id)).toEqual([
      'majority',
      'logistic-regression',
      'random-forest',
      'gradient-boosting',
    ]);
    expect(e.verdict.length).toBeGreaterThan(20);
  });

  it('predicts CSV rows with the training statistics, one JSON array per row', async () => {
    copyFileSync(path.resolve('assets/datasets/iris.csv'), f('iris.csv'));
    expect(
      (await netloom('new', '--template', 'mlp', '--data', f('iris.csv'), '--out', f('iris-csv.nnproj')))
        .code,
    ).toBe(0);
    expect((await netloom('train', f('iris-csv.nnproj'), '--epochs', '30')).code).toBe(0);
    const rows = readFileSync(f('iris.csv'), 'utf8').trim().split('\n');
    writeFileSync(
      f('new.csv'),
      [rows[0], rows[1], rows[51], rows[101]].map((r) => r!.split(',').slice(0, 4).join(',')).join('\n'),
    );
    const p = await netloom('predict', f('iris-csv.nnproj'), '--data', f('new.csv'), '--json');
    expect(p.code, p.stderr).toBe(0);
    const out = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as number[]);
    expect(out).toHaveLength(3);
    for (const row of out) {
      expect(row).toHaveLength(3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(out.map((r) => r.indexOf(Math.max(...r)))).toEqual([0, 1, 2]);
  });

  it('a learning rate of 1e6 diverges within one batch, keeps finite weights and exits 1', async () => {
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:spirals', '--out', f('lr.nnproj'))).code,
    ).toBe(0);
    const t = await netloom('train', f('lr.nnproj'), '--epochs', '5', '--lr', '1e6', '--json');
    expect(t.code).toBe(1);
    const last = lines(t.stdout).pop()!;
    expect(last.event).toBe('diverged');
    expect(t.stderr).toMatch(/diverged at epoch 1/);
    const bundle = readProjectFile(readFileSync(f('lr.nnproj')));
    expect(bundle.project.runs[0]?.status).toBe('diverged');
  });

  it('Ctrl-C stops the run and writes nothing', async () => {
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:spirals', '--out', f('long.nnproj')))
        .code,
    ).toBe(0);
    const before = readFileSync(f('long.nnproj'));
    const child = spawn(process.execPath, [BIN, 'train', f('long.nnproj'), '--epochs', '5000', '--json'], {
      env: { ...process.env, NETLOOM_BACKEND: 'wasm' },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"event":"epochEnd"')) resolve();
      }),
    );
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toContain('nothing was written');
    expect(readFileSync(f('long.nnproj')).equals(before)).toBe(true);
  });

  it('refuses a project whose data is missing with a located message', async () => {
    const r = await netloom(
      'train',
      path.resolve('assets/templates/mlp.nnproj'),
      '--epochs',
      '1',
      '--out',
      f('x.nnproj'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no data/);
  });
});

describe('netloom export --format pytorch: predict.py agrees with netloom predict', () => {
  const torch = (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!torch)('same rows, same form, same numbers (1e-5)', async () => {
    copyFileSync(path.resolve('assets/datasets/iris.csv'), f('iris2.csv'));
    expect(
      (await netloom('new', '--template', 'mlp', '--data', f('iris2.csv'), '--out', f('exp.nnproj'))).code,
    ).toBe(0);
    expect((await netloom('train', f('exp.nnproj'), '--epochs', '10')).code).toBe(0);
    const rows = readFileSync(f('iris2.csv'), 'utf8').trim().split('\n');
    writeFileSync(
      f('rows.csv'),
      [rows[0], ...rows.slice(1, 8)].map((r) => r!.split(',').slice(0, 4).join(',')).join('\n'),
    );
    const ours = await netloom('predict', f('exp.nnproj'), '--data', f('rows.csv'), '--json');
    expect(ours.code, ours.stderr).toBe(0);
    expect(
      (await netloom('export', f('exp.nnproj'), '--format', 'pytorch', '--out', f('torch-out'))).code,
    ).toBe(0);
    const py = {
      stdout: execFileSync('/usr/bin/python3', ['predict.py', '--data', f('rows.csv')], {
        cwd: f('torch-out'),
        encoding: 'utf8',
      }),
    };
    const a = ours.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as number[]);
    const b = py.stdout
      .trim()
      .split('\n')
      .map((l: string) => JSON.parse(l) as number[]);
    expect(b).toHaveLength(a.length);
    a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThan(1e-5)));
  });
});
