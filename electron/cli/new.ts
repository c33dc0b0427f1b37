/**
 * `netloom new --template NAME --out FILE`: writes a project built from a template, sized by the
 * flags or by a dataset (--data: its input shape, outputs, vocabulary and task).
 */
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { recommendTraining } from '../../shared/training/recommend';
import { checkGraph, formatIssue } from '../../shared/graph/check';
import { writeProjectFile } from '../../shared/ir/project';
import { formatCount } from '../../shared/layers/shape';
import {
  buildTemplate,
  isTemplateId,
  TEMPLATE_IDS,
  TEMPLATES,
  TemplateOptionError,
} from '../../shared/templates/index';
import { writeFileAtomic } from '../services/projectFiles';
import { requireFolderFor } from './load';
import { type DataDescription, describeData, type DescribeOptions } from './describeData';
import { UsageError } from './errors';
import type { Io } from './io';
import { parseImageSize, parsePositiveInt, parseShape } from './parse';

export interface NewOptions extends DescribeOptions {
  template: string;
  data?: string;
  inputShape?: number[];
  outputs?: number;
  vocab?: number;
  name?: string;
  out: string;
  force?: boolean;
}

export function registerNew(program: Command, io: Io): void {
  program
    .command('new')
    .description(
      'Create a project from a template, optionally for a dataset (input shape and outputs taken from it).',
    )
    .addOption(new Option('--template <name>', 'template').choices([...TEMPLATE_IDS]).makeOptionMandatory())
    .option(
      '--data <source>',
      'builtin:NAME (see `netloom datasets`), a CSV file, or a folder of images (one subfolder per class)',
    )
    .option('--target <column>', 'CSV: the column to predict (default: the last one)')
    .option('--embed', 'CSV: store the data inside the project file (at most 50 MB)')
    .option(
      '--image-size <WxH>',
      'image folder: resize every image to this size (default 28x28)',
      parseImageSize,
    )
    .option('--rgb', 'image folder: keep colour (default: grayscale)')
    .option('--input-shape <shape>', 'shape of one sample, e.g. 784 or 28,28,1', parseShape)
    .option('--outputs <n>', 'number of classes or values to predict', parsePositiveInt)
    .option('--vocab <n>', 'vocabulary size (lstm, gru, transformer)', parsePositiveInt)
    .option('--name <name>', 'project name')
    .requiredOption('--out <file>', 'where to write the .nnproj')
    .option('--force', 'overwrite --out if it exists')
    .action((opts: NewOptions) => runNew(opts, io));
}

export async function runNew(opts: NewOptions, io: Io): Promise<void> {
  if (!isTemplateId(opts.template)) throw new UsageError(`unknown template ${opts.template}`);
  if (!opts.force && existsSync(opts.out))
    throw new UsageError(`${opts.out} exists; pass --force to overwrite it.`);
  requireFolderFor(opts.out);
  const fromData = opts.data ? await describeData(opts.data, opts.out, opts) : undefined;
  if (fromData && TEMPLATES[opts.template].targets === 'inputs') reconstructing(fromData, opts.template);
  let project;
  try {
    project = buildTemplate(opts.template, {
      inputShape: opts.inputShape ?? fromData?.inputShape,
      outputs: opts.outputs ?? fromData?.outputs,
      vocabSize: opts.vocab ?? fromData?.vocabSize,
      task: fromData?.task,
    });
  } catch (err) {
    if (err instanceof TemplateOptionError) throw new UsageError(err.message);
    throw err;
  }
  if (opts.name) project.name = opts.name;
  if (fromData) {
    project.data = fromData.spec;
    if (!opts.name) project.name = `${TEMPLATES[opts.template].label} · ${fromData.name}`;
    for (const n of project.graph.nodes)
      if (n.kind === 'Input' && fromData.xDtype === 'int32' && n.params.dtype !== 'int32')
        n.params = { ...n.params, dtype: 'int32' };
  }
  if (fromData) {
    // Training settings recommended for this data and network (overridable with train's flags).
    const rows = fromData.count ?? 100_000;
    project.training = recommendTraining(
      {
        task: fromData.task,
        sampleShape: fromData.inputShape,
        xDtype: fromData.xDtype,
        trainCount: Math.floor(rows * (1 - project.training.validationSplit)),
        reconstruction: fromData.spec.source !== 'csv' && fromData.spec.targets === 'inputs',
      },
      project.graph,
      project.training,
    ).config;
  }
  const report = checkGraph(project.graph);
  if (!report.valid)
    throw new UsageError(
      `The ${opts.template} template cannot take these options:\n${report.issues
        .filter((i) => i.severity === 'error')
        .map(formatIssue)
        .join('\n')}`,
    );
  await writeFileAtomic(opts.out, writeProjectFile({ project, data: fromData?.embedded }));
  if (fromData?.note) io.err(`note: ${fromData.note}\n`);
  io.out(
    `Wrote ${opts.out}: ${opts.template}${fromData ? ` for ${fromData.name}` : ''}, ${project.graph.nodes.length} nodes, ${formatCount(report.totals.params)} parameters.\n`,
  );
}

/** An autoencoder learns its inputs: the data's targets become its samples (numeric ones only). */
function reconstructing(d: DataDescription, template: string): void {
  if (d.spec.source === 'csv')
    throw new UsageError(
      `The ${template} template rebuilds its inputs; that is offered for built-in datasets and image folders, not CSV files.`,
    );
  if (d.xDtype === 'int32')
    throw new UsageError(
      `The ${template} template rebuilds its inputs, and ${d.name} holds token ids (names of words, not values to rebuild). Choose images, e.g. --data builtin:mnist.`,
    );
  d.spec = { ...d.spec, targets: 'inputs' };
  d.task = 'regression';
  d.outputs = d.inputShape.reduce((a, n) => a * n, 1);
}
