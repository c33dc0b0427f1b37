/**
 * `netloom lr-find FILE [--steps N] [--json]`: the learning-rate range test on the project's data
 * (from a copy of its weights; the file is not changed) and the rate it suggests.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { LrFindResult } from '../../shared/training/lrFind';
import { lrFindProject } from '../services/lrFind';
import { DataError } from '../services/training';
import { fileAction, fileCommand } from './action';
import { InvalidInputError } from './errors';
import type { Io } from './io';
import { load } from './load';
import { parsePositiveInt } from './parse';

export interface LrFindOptions {
  file: string;
  steps?: number;
  json?: boolean;
}

export function registerLrFind(program: Command, io: Io): void {
  fileCommand(
    program,
    'lr-find',
    'Find a learning rate: train briefly while the rate grows, and suggest one (the file is not changed).',
  )
    .option('--steps <n>', 'batches, each at a higher rate (default 100)', parsePositiveInt)
    .option(
      '--json',
      'one JSON object: { "suggested", "points": [[lr, loss], ...], "rule"?, "stopped"?, "backend" }',
    )
    .action(fileAction(runLrFind, io));
}

/** The loss-vs-rate curve as text: one line per tenth of the points. */
function lrFindText(r: LrFindResult): string {
  const lines = ['learning rate   loss'];
  const every = Math.max(1, Math.floor(r.points.length / 12));
  r.points.forEach(([lr, loss], i) => {
    if (i % every === 0 || i === r.points.length - 1)
      lines.push(`${lr.toExponential(2).padEnd(14)}  ${loss.toPrecision(4)}`);
  });
  if (r.stopped) lines.push(`stopped: ${r.stopped}`);
  lines.push(
    r.suggested !== null
      ? `suggested learning rate: ${r.suggested} (${r.rule === 'before-rise' ? 'a tenth of the rate past which the loss rises: it stayed flat' : 'a tenth of the rate at the lowest loss'}) · ${r.backend}`
      : `no suggestion: the loss never fell · ${r.backend}`,
  );
  return lines.join('\n');
}

export async function runLrFind(opts: LrFindOptions, io: Io): Promise<void> {
  const bundle = await load(opts.file);
  let r: LrFindResult;
  try {
    r = await lrFindProject(
      bundle,
      { projectFile: path.resolve(opts.file), embedded: bundle.data },
      { steps: opts.steps },
    );
  } catch (err) {
    if (err instanceof DataError) throw new InvalidInputError(`${opts.file}: ${err.message}`);
    throw err;
  }
  io.out(`${opts.json ? JSON.stringify(r) : lrFindText(r)}\n`);
}
