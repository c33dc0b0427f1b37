/**
 * `netloom predict FILE --data CSV`: the trained network's outputs for new rows, read with the
 * training's preprocessing: per row the best class and its probability, or the predicted values.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DataError, predictCsv } from '../services/training';
import { fileAction, fileCommand } from './action';
import { InvalidInputError, UsageError } from './errors';
import type { Io } from './io';
import { load } from './load';

export interface PredictOptions {
  file: string;
  data: string;
  json?: boolean;
}

export function registerPredict(program: Command, io: Io): void {
  fileCommand(
    program,
    'predict',
    'Predict with a trained project on new rows of a CSV (same preprocessing as training).',
  )
    .requiredOption('--data <csv>', 'CSV with the same feature columns (the target column may be absent)')
    .option('--json', 'one JSON array of outputs (probabilities or values) per row')
    .action(fileAction(runPredict, io));
}

export async function runPredict(opts: PredictOptions, io: Io): Promise<void> {
  const { file } = opts;
  const bundle = await load(file);
  if (!existsSync(opts.data)) throw new UsageError(`${opts.data}: no such file.`);
  let res;
  try {
    res = await predictCsv(bundle, opts.data, { projectFile: path.resolve(file), embedded: bundle.data });
  } catch (err) {
    if (err instanceof DataError) throw new InvalidInputError(`${opts.data}: ${err.message}`);
    throw err;
  }
  for (const w of res.warnings) io.err(`warning: ${w}\n`);
  for (const row of res.rows) {
    if (opts.json) io.out(JSON.stringify(row) + '\n');
    else if (res.classes && row.length > 1) {
      const best = row.indexOf(Math.max(...row));
      io.out(`${res.classes[best] ?? best}\t${row[best]!.toFixed(4)}\n`);
    } else if (res.classes && row.length === 1)
      io.out(`${res.classes[row[0]! >= 0.5 ? 1 : 0] ?? ''}\t${row[0]!.toFixed(4)}\n`);
    else io.out(row.map((v) => v.toPrecision(6)).join('\t') + '\n');
  }
}
