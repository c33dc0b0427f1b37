/**
 * The autoencoder end to end through the real CLI: `new --template autoencoder --data builtin:digits`
 * makes a project whose targets are its inputs; it trains, and `evaluate` scores it against the mean
 * sample and PCA as narrow as its bottleneck, with the samples it rebuilt.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProjectFile } from '../../../shared/ir/project';
import { jsonLines, netloomIn } from '../helpers/cli';

const netloom = netloomIn();
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-ae-'));
const f = (name: string) => path.join(dir, name);

describe('an autoencoder on 8×8 digits', () => {
  it('rebuilds its inputs better than the mean sample, beside PCA with its bottleneck width', async () => {
    const made = await netloom(
      'new',
      '--template',
      'autoencoder',
      '--data',
      'builtin:digits',
      '--out',
      f('ae.nnproj'),
    );
    expect(made.code, made.stderr).toBe(0);
    const project = readProjectFile(readFileSync(f('ae.nnproj'))).project;
    expect(project.data).toMatchObject({ source: 'builtin', dataset: 'digits', targets: 'inputs' });
    expect(project.graph.nodes.find((n) => n.kind === 'Output')?.params.targetShape).toEqual([8, 8, 1]);

    // The recommended settings `new` wrote (60 epochs at 1e-2 for a set this small; ~3 s).
    expect(project.training).toMatchObject({ learningRate: 0.01, epochs: 60 });
    const t = await netloom('train', f('ae.nnproj'), '--json');
    expect(t.code, t.stderr).toBe(0);
    const done = jsonLines(t.stdout).at(-1)!;
    expect(done.event).toBe('done');
    const trained = done.metrics as Record<string, number>;

    const ev = await netloom('evaluate', f('ae.nnproj'), '--json');
    expect(ev.code, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout) as {
      task: string;
      metrics: Record<string, number>;
      baselines: { id: string; label: string; metrics: Record<string, number> }[];
      reconstructions: { index: number; input: number[]; output: number[]; mse: number }[];
      verdict: string;
    };
    expect(e.task).toBe('regression');
    // The engine's R² during training and the evaluation's are the same definition.
    expect(e.metrics.r2).toBeCloseTo(trained.val_r2!, 4);
    expect(e.baselines.map((b) => b.id)).toEqual(['majority', 'pca']);
    // The template's bottleneck on 64 values is 4 wide.
    expect(e.baselines[1]!.label).toBe('PCA, 4 components');
    const mean = e.baselines[0]!.metrics.r2!;
    const pca = e.baselines[1]!.metrics.r2!;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(pca).toBeGreaterThan(0.4);
    // Beats the linear code of the same width (0.546 vs 0.470 when written).
    expect(e.metrics.r2).toBeGreaterThan(pca);
    expect(e.verdict).toMatch(/better than PCA with 4 components/);
    expect(e.reconstructions).toHaveLength(12);
    const r = e.reconstructions[0]!;
    expect(r.input).toHaveLength(64);
    expect(r.output).toHaveLength(64);
    const mse = r.input.reduce((a, v, i) => a + (v - r.output[i]!) ** 2, 0) / 64;
    expect(r.mse).toBeCloseTo(mse, 6);
  }, 120_000);

  it('refuses to rebuild token ids, and CSV data, with the reason', async () => {
    const text = await netloom(
      'new',
      '--template',
      'autoencoder',
      '--data',
      'builtin:spamassassin',
      '--out',
      f('t.nnproj'),
    );
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/token ids/);
    copyFileSync(path.join(__dirname, '../../fixtures/csv/constant-column.csv'), f('rows.csv'));
    const csv = await netloom(
      'new',
      '--template',
      'autoencoder',
      '--data',
      f('rows.csv'),
      '--out',
      f('c.nnproj'),
    );
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/not CSV files/);
  });
});
