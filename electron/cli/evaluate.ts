/** `netloom evaluate FILE`: the trained network on its validation rows, beside baseline models. */
import path from 'node:path';
import type { Command } from 'commander';
import type { Evaluation } from '../../shared/training/evaluation';
import { DataError, evaluateProject } from '../services/training';
import { fileAction, fileCommand } from './action';
import { InvalidInputError } from './errors';
import { evaluationText } from './format';
import type { Io } from './io';
import { load } from './load';

export interface EvaluateOptions {
  file: string;
  json?: boolean;
}

export function registerEvaluate(program: Command, io: Io): void {
  fileCommand(
    program,
    'evaluate',
    'Evaluate a trained project on its validation rows, beside a linear model and a random forest.',
  )
    .option('--json', 'print the evaluation as JSON')
    .action(fileAction(runEvaluate, io));
}

export async function runEvaluate(opts: EvaluateOptions, io: Io): Promise<void> {
  const { file } = opts;
  const bundle = await load(file);
  let ev: Evaluation;
  try {
    ev = await evaluateProject(bundle, { projectFile: path.resolve(file), embedded: bundle.data });
  } catch (err) {
    if (err instanceof DataError) throw new InvalidInputError(`${file}: ${err.message}`);
    throw err;
  }
  if (opts.json) return io.out(JSON.stringify(ev) + '\n');
  io.out(evaluationText(ev) + '\n');
}
