/**
 * `netloom import MODEL --out FILE.nnproj [--name NAME]`: an ONNX model or a TF.js layers model.json
 * (with its weight shards beside it) as a Netloom project with the model's weights and no data yet.
 * Anything that does not map is refused with every unsupported operator listed; nothing is written.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { checkGraph } from '../../shared/graph/check';
import { writeProjectFile } from '../../shared/ir/project';
import { formatCount } from '../../shared/layers/shape';
import { importModelFile } from '../import/index';
import { ImportError } from '../import/types';
import { writeFileAtomic } from '../services/projectFiles';
import { InvalidInputError, UsageError } from './errors';
import type { Io } from './io';
import { requireFolderFor } from './load';

export interface ImportOptions {
  model: string;
  out: string;
  name?: string;
  force?: boolean;
}

export function registerImport(program: Command, io: Io): void {
  program
    .command('import')
    .description(
      'Import a model (an .onnx file, or a TF.js layers model.json with its weights) as a project.',
    )
    .argument('<model>', '.onnx file or TF.js model.json')
    .requiredOption('--out <file>', 'where to write the .nnproj')
    .option('--name <name>', 'project name (default: the model’s own name, or its file name)')
    .option('--force', 'overwrite --out if it exists')
    .action((model: string, opts: Omit<ImportOptions, 'model'>) => runImport({ ...opts, model }, io));
}

export async function runImport(opts: ImportOptions, io: Io): Promise<void> {
  if (!existsSync(opts.model)) throw new UsageError(`${opts.model}: no such file.`);
  if (!opts.force && existsSync(opts.out))
    throw new UsageError(`${opts.out} exists; pass --force to overwrite it.`);
  requireFolderFor(opts.out);
  let bundle;
  try {
    bundle = await importModelFile(opts.model, opts.name);
  } catch (err) {
    if (err instanceof ImportError) throw new InvalidInputError(`${opts.model}: ${err.message}`);
    throw err;
  }
  await writeFileAtomic(opts.out, writeProjectFile(bundle));
  const report = checkGraph(bundle.project.graph);
  const layers = bundle.project.graph.nodes.filter((n) => n.kind !== 'Input' && n.kind !== 'Output').length;
  io.out(
    `Wrote ${opts.out}: ${bundle.project.name} (${bundle.project.origin?.format ?? ''}), ${layers} layers, ` +
      `${formatCount(report.totals.params)} parameters, no data yet` +
      `${bundle.project.origin?.layout === 'channels-first' ? ' (predict reads rows channels first, as the source model)' : ''}.\n`,
  );
}
