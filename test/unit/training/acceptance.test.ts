/**
 * Issue 17's acceptance figures, through the real `netloom` process as a user runs it: a project
 * from a template and a built-in dataset (`netloom new --data`, which applies the recommended
 * training settings), trained with those settings (fixed seed, wasm backend), reaches the validation
 * accuracy the issue asks for. The times are logged for README, not asserted (benchmarks measure
 * speed). About two minutes in all on a 2-core machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProjectFile } from '../../../shared/ir/project';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

const dir = tempDir('acceptance');
const netloom = netloomIn(dir);

const CASES: [template: string, dataset: string, atLeast: number][] = [
  ['mlp', 'mnist', 0.95],
  ['cnn', 'mnist', 0.97],
  ['lstm', 'spamassassin', 0.93],
  ['transformer', 'spamassassin', 0.93],
];

describe('recommended settings train to the acceptance figures', () => {
  it.each(CASES)(
    '%s on %s: validation accuracy ≥ %s',
    async (template, dataset, atLeast) => {
      const file = `${template}-${dataset}.nnproj`;
      const made = await netloom(
        'new',
        '--template',
        template,
        '--data',
        `builtin:${dataset}`,
        '--out',
        file,
      );
      expect(made.code, made.stderr).toBe(0);
      const trained = await netloom('train', file);
      expect(trained.code, trained.stderr).toBe(0);
      const run = readProjectFile(readFileSync(path.join(dir, file))).project.runs.at(-1)!;
      const accuracy = run.finalMetrics.val_accuracy!;
      console.log(
        `${template} on ${dataset}: val_accuracy ${accuracy.toFixed(4)} after ${run.epochs} epochs in ` +
          `${(run.durationMs / 1000).toFixed(1)} s (${run.backend}; batch ${run.config.batchSize}, ` +
          `lr ${run.config.learningRate}${run.config.schedule ? `, ${run.config.schedule.kind}` : ''})`,
      );
      expect(run.status).toBe('done');
      expect(run.backend).toBe('wasm');
      expect(accuracy).toBeGreaterThanOrEqual(atLeast);
    },
    300_000,
  );
});
