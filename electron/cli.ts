/**
 * `netloom` — the command line. Exit codes: 0 success, 1 the input is invalid (located errors on
 * stderr, one a line), 2 bad usage (unknown command or flag, missing argument, unreadable path),
 * 130 cancelled, 70 internal error (electron/cli/errors.ts). Bad input never prints a stack trace.
 *
 * This root only registers the commands: each is in electron/cli/<command>.ts, with its options
 * type and its run function; the pieces they share are the other modules there.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerDatasets } from './cli/datasets';
import { registerDiff } from './cli/diff';
import { exitCodeFor } from './cli/errors';
import { registerEvaluate } from './cli/evaluate';
import { registerExport } from './cli/export';
import { registerImport } from './cli/import';
import { registerInspect } from './cli/inspect';
import { registerLrFind } from './cli/lrFind';
import type { Io } from './cli/io';
import { registerNew } from './cli/new';
import { registerPredict } from './cli/predict';
import { registerServe } from './cli/serve';
import { registerSummary } from './cli/summary';
import { registerTrain } from './cli/train';
import { registerValidate } from './cli/validate';

export { VERSION } from './version';
import { VERSION } from './version';

export function buildProgram(io: Io): Command {
  const program = new Command('netloom')
    .description('Netloom: design, check and train neural networks as graphs; .nnproj project files.')
    .version(VERSION)
    .showHelpAfterError('(run netloom --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  // Registered with program.command(), so each inherits the output, exit override and help settings
  // above; in this order in --help.
  registerNew(program, io);
  registerDatasets(program, io);
  registerTrain(program, io);
  registerEvaluate(program, io);
  registerPredict(program, io);
  registerInspect(program, io);
  registerLrFind(program, io);
  registerValidate(program, io);
  registerSummary(program, io);
  registerDiff(program, io);
  registerExport(program, io);
  registerImport(program, io);
  registerServe(program, io, findRendererDir);
  return program;
}

/** dist/renderer, next to the bundled CLI or from the source tree. */
export function findRendererDir(): string | null {
  // Here, not in cli/serve.ts: the source-tree path is relative to this file.
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'renderer'), path.join(here, '..', 'dist', 'renderer')])
    if (existsSync(path.join(c, 'index.html'))) return c;
  return null;
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}

/** Entry point when bundled as dist/cli.js. */
export async function main(): Promise<void> {
  // Output piped into a reader that stops early (`netloom datasets | head`): end quietly.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  const code = await runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}
