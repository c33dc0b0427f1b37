/**
 * `netloom diff A.nnproj B.nnproj [--json]`: what changed from A's network to B's — nodes added,
 * removed and changed (each differing parameter with both values), connections, and the parameter
 * count. Exit 0 whether or not they differ; an unreadable file is an error as in every command.
 */
import type { Command } from 'commander';
import { diffGraphs, formatDiff } from '../../shared/graph/diff';
import type { Io } from './io';
import { load } from './load';

export interface DiffOptions {
  json?: boolean;
}

export function registerDiff(program: Command, io: Io): void {
  program
    .command('diff')
    .description("Compare two projects' networks: nodes added, removed and changed, and the parameter count.")
    .argument('<a>', 'the old .nnproj')
    .argument('<b>', 'the new .nnproj')
    .option('--json', 'print the result as JSON')
    .action((a: string, b: string, opts: DiffOptions) => runDiff(a, b, opts, io));
}

export async function runDiff(a: string, b: string, opts: DiffOptions, io: Io): Promise<void> {
  const [before, after] = [await load(a), await load(b)];
  const d = diffGraphs(before.project.graph, after.project.graph);
  if (opts.json) {
    io.out(JSON.stringify({ a, b, ...d }) + '\n');
    return;
  }
  io.out(`${a} → ${b}\n${formatDiff(d).join('\n')}\n`);
}
