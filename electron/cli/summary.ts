/**
 * `netloom summary FILE`: a Keras-style table of the layers, their output shapes and parameters
 * (with the arithmetic), or the same as JSON. Exit 1 if the graph has errors (listed on stderr).
 */
import { flatGraph, flattenBlocks } from '../../shared/graph/blocks';
import type { Command } from 'commander';
import { checkGraph, formatIssue, type GraphReport } from '../../shared/graph/check';
import type { ProjectBundle } from '../../shared/ir/project';
import { fileAction, fileCommand } from './action';
import { InvalidInputError } from './errors';
import { summaryTable } from './format';
import type { Io } from './io';
import { load } from './load';

export interface SummaryOptions {
  file: string;
  json?: boolean;
}

export function registerSummary(program: Command, io: Io): void {
  fileCommand(
    program,
    'summary',
    'Print a Keras-style summary: layers, output shapes, parameters with their arithmetic.',
  )
    .option(
      '--json',
      'print { layers: [{ id, kind, outputShape, params }], totalParams, blocks } as JSON (layers inside blocks listed flat)',
    )
    .action(fileAction(runSummary, io));
}

export async function runSummary(opts: SummaryOptions, io: Io): Promise<void> {
  const { file } = opts;
  const bundle = await load(file);
  const report = checkGraph(bundle.project.graph);
  if (opts.json) io.out(JSON.stringify(summaryJson(bundle, report), null, 2) + '\n');
  else io.out(summaryTable(bundle, report) + '\n');
  const errors = report.issues.filter((i) => i.severity === 'error');
  for (const e of errors) io.err(`${file}: ${formatIssue(e)}\n`);
  if (!report.valid) throw new InvalidInputError('');
}

/** The --json form: the layers in graph order and the totals. */
function summaryJson(bundle: ProjectBundle, report: GraphReport) {
  const byId = new Map(flatGraph(bundle.project.graph).nodes.map((n) => [n.id, n]));
  const blocks = [...(flattenBlocks(bundle.project.graph)?.uses.values() ?? [])].map((u) => ({
    id: u.instance,
    definition: u.block,
    repeat: u.repeat,
    params: report.nodes.get(u.instance)?.params?.total ?? 0,
  }));
  return {
    name: bundle.project.name,
    layers: report.order.map((id) => {
      const r = report.nodes.get(id)!;
      return {
        id,
        kind: r.kind,
        name: byId.get(id)?.name ?? id,
        outputShape: r.outputShape ? [...r.outputShape] : null,
        params: r.params?.total ?? 0,
        trainableParams: r.params?.trainable ?? 0,
        paramsArithmetic: r.params?.arithmetic ?? '0',
        flops: r.flops ?? 0,
      };
    }),
    totalParams: report.totals.params,
    trainableParams: report.totals.trainable,
    nonTrainableParams: report.totals.nonTrainable,
    flops: report.totals.flops,
    valid: report.valid,
    blocks,
  };
}
