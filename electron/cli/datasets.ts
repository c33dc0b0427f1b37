/** `netloom datasets`: lists the built-in datasets (`builtin:NAME` for `netloom new --data`). */
import type { Command } from 'commander';
import { formatCount } from '../../shared/layers/shape';
import { BUILTIN_DATASETS } from '../services/datasets/builtin';
import type { Io } from './io';

export interface DatasetsOptions {
  json?: boolean;
}

export function registerDatasets(program: Command, io: Io): void {
  program
    .command('datasets')
    .description('List the built-in datasets.')
    .option('--json', 'print them as JSON')
    .action((opts: DatasetsOptions) => runDatasets(opts, io));
}

export function runDatasets(opts: DatasetsOptions, io: Io): void {
  if (opts.json) return io.out(JSON.stringify(BUILTIN_DATASETS, null, 2) + '\n');
  for (const d of BUILTIN_DATASETS)
    io.out(
      `builtin:${d.id.padEnd(14)} ${d.task.padEnd(15)} ${formatCount(d.size).padStart(7)} samples  [${d.sampleShape.join(', ')}]  ${d.description}\n`,
    );
}
