/**
 * `netloom validate FILE`: checks the file format, the graph, its parameters and shapes, and that
 * trained weights fit the graph. Exit 0 valid, 1 invalid (with --json, the result says why).
 */
import type { Command } from 'commander';
import { checkGraph, formatIssue } from '../../shared/graph/check';
import { weightsState } from '../../shared/graph/weights';
import type { ProjectBundle } from '../../shared/ir/project';
import { formatCount } from '../../shared/layers/shape';
import { fileAction, fileCommand } from './action';
import { InvalidInputError } from './errors';
import type { Io } from './io';
import { load } from './load';

export interface ValidateOptions {
  file: string;
  json?: boolean;
}

export function registerValidate(program: Command, io: Io): void {
  fileCommand(
    program,
    'validate',
    'Check a project: file format, graph, parameters and shapes. Exit 0 valid, 1 invalid.',
  )
    .option('--json', 'print the result as JSON')
    .action(fileAction(runValidate, io));
}

export async function runValidate(opts: ValidateOptions, io: Io): Promise<void> {
  const { file } = opts;
  let bundle: ProjectBundle;
  try {
    bundle = await load(file);
  } catch (err) {
    if (opts.json && err instanceof InvalidInputError)
      io.out(JSON.stringify({ valid: false, errors: [err.message], warnings: [] }) + '\n');
    throw err;
  }
  const report = checkGraph(bundle.project.graph);
  const errors = report.issues.filter((i) => i.severity === 'error');
  const warnings = report.issues.filter((i) => i.severity === 'warning');
  // Trained weights must fit the graph: every command that uses them relies on it.
  const weights = report.valid ? weightsState(bundle.project.graph, bundle.weights, report) : null;
  const weightsError =
    weights?.state === 'stale'
      ? {
          severity: 'error' as const,
          code: 'weights',
          entry: 'weights/model.json',
          message: `${weights.reason} Train the network again (netloom train) to replace them.`,
        }
      : null;
  const valid = report.valid && weightsError === null;
  if (opts.json) {
    io.out(
      JSON.stringify({
        valid,
        errors: [
          ...errors.map((i) => ({ ...i, text: formatIssue(i) })),
          ...(weightsError
            ? [{ ...weightsError, text: `error: ${weightsError.entry}: ${weightsError.message}` }]
            : []),
        ],
        warnings: warnings.map((i) => ({ ...i, text: formatIssue(i) })),
        totalParams: report.totals.params,
      }) + '\n',
    );
  } else {
    for (const w of warnings) io.err(`${file}: ${formatIssue(w)}\n`);
    for (const e of errors) io.err(`${file}: ${formatIssue(e)}\n`);
    if (weightsError) io.err(`${file}: error: ${weightsError.entry}: ${weightsError.message}\n`);
    if (valid)
      io.out(
        `${file}: valid (${bundle.project.graph.nodes.length} nodes, ${formatCount(report.totals.params)} parameters)\n`,
      );
    else if (errors.length === 0 && !weightsError)
      io.err(`${file}: error: the graph is empty. Add an Input, layers and an Output.\n`);
  }
  if (!valid) throw new InvalidInputError('');
}
