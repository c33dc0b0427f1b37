/** `netloom evaluate FILE`: the trained network on its validation rows, beside baseline models. */
import path from 'node:path';
import type { Command } from 'commander';
import type { Evaluation } from '../../shared/training/evaluation';
import { projectFindings } from '../services/diagnosis';
import { evaluateProject } from '../services/evaluation';
import { DataError } from '../services/training';
import type { Finding } from '../../shared/training/diagnosis';
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
  const findings = projectFindings(bundle, ev);
  if (opts.json) return io.out(JSON.stringify({ ...ev, findings }) + '\n');
  io.out(evaluationText(ev) + '\n');
  if (findings.length) io.out(`\nDiagnosis:\n${findings.map(findingLine).join('\n')}\n`);
}

function findingLine(f: Finding): string {
  const where = [f.node, f.epoch !== undefined ? `epoch ${f.epoch}` : undefined].filter(Boolean).join(', ');
  return `  ${f.severity} ${f.code}${where ? ` (${where})` : ''}: ${f.message}${f.fix ? `\n    fix: ${f.fix.label}` : ''}`;
}
