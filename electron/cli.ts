/**
 * `netloom` — the command line. Exit codes: 0 success, 1 the input is invalid (located errors on
 * stderr, one a line), 2 bad usage (unknown command or flag, missing argument, unreadable path).
 * Bad input never prints a stack trace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkGraph, formatIssue, type GraphReport } from '../shared/graph/check';
import { ProjectFileError } from '../shared/ir/errors';
import { type ProjectBundle, writeProjectFile } from '../shared/ir/project';
import { formatCount, formatShape } from '../shared/layers/shape';
import { buildTemplate, isTemplateId, TEMPLATE_IDS, TemplateOptionError } from '../shared/templates/index';
import { openProject, writeFileAtomic } from './services/projectFiles';
import { AppServices, defaultDataDir } from './services/app';
import { startServer } from './serve';

export { VERSION } from './version';
import { VERSION } from './version';

/** Thrown for misuse: exit code 2. */
class UsageError extends Error {}
/** Thrown for invalid input: exit code 1 (the message is already located). */
class InvalidInputError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function parseShape(value: string): number[] {
  const parts = value.split(/[,x×]/).map((s) => s.trim());
  if (parts.length === 0 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1))
    throw new InvalidArgumentError('expected positive sizes separated by commas, e.g. 784 or 28,28,1.');
  return parts.map(Number);
}

function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
}

async function load(file: string): Promise<ProjectBundle> {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file.`);
  try {
    return await openProject(file);
  } catch (err) {
    if (err instanceof ProjectFileError) throw new InvalidInputError(`${file}: ${err.describe()}`);
    throw err;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function summaryTable(bundle: ProjectBundle, report: GraphReport): string {
  const rows: string[][] = [['Layer', 'Kind', 'Output shape', 'Params']];
  const byId = new Map(bundle.project.graph.nodes.map((n) => [n.id, n]));
  const ids = [...report.order, ...[...byId.keys()].filter((id) => !report.order.includes(id))];
  for (const id of ids) {
    const r = report.nodes.get(id);
    const n = byId.get(id)!;
    rows.push([
      n.name ? `${n.name} (${id})` : id,
      n.kind,
      r?.outputShape ? formatShape(r.outputShape) : n.kind === 'Output' ? '—' : '?',
      r?.params ? r.params.arithmetic : '?',
    ]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)) + 2);
  const line = '─'.repeat(widths.reduce((a, w) => a + w, 0) + 12);
  const out: string[] = [`Model: ${bundle.project.name}`, line];
  rows.forEach((r, i) => {
    out.push(r.map((cell, c) => (c < 3 ? pad(cell, widths[c]!) : cell)).join(''));
    if (i === 0) out.push(line);
  });
  out.push(line);
  out.push(`Total params: ${formatCount(report.totals.params)}`);
  out.push(`Trainable params: ${formatCount(report.totals.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(report.totals.nonTrainable)}`);
  out.push(`FLOPs per sample (forward): ${formatCount(report.totals.flops)}`);
  return out.join('\n');
}

export function buildProgram(io: Io): Command {
  const program = new Command('netloom')
    .description('Netloom: design, check and train neural networks as graphs; .nnproj project files.')
    .version(VERSION)
    .showHelpAfterError('(run netloom --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('new')
    .description('Create a project from a template.')
    .addOption(new Option('--template <name>', 'template').choices([...TEMPLATE_IDS]).makeOptionMandatory())
    .option('--input-shape <shape>', 'shape of one sample, e.g. 784 or 28,28,1', parseShape)
    .option('--outputs <n>', 'number of classes or values to predict', parsePositiveInt)
    .option('--vocab <n>', 'vocabulary size (lstm, gru, transformer)', parsePositiveInt)
    .option('--name <name>', 'project name')
    .requiredOption('--out <file>', 'where to write the .nnproj')
    .option('--force', 'overwrite --out if it exists')
    .action(
      async (opts: {
        template: string;
        inputShape?: number[];
        outputs?: number;
        vocab?: number;
        name?: string;
        out: string;
        force?: boolean;
      }) => {
        if (!isTemplateId(opts.template)) throw new UsageError(`unknown template ${opts.template}`);
        if (!opts.force && existsSync(opts.out))
          throw new UsageError(`${opts.out} exists; pass --force to overwrite it.`);
        let project;
        try {
          project = buildTemplate(opts.template, {
            inputShape: opts.inputShape,
            outputs: opts.outputs,
            vocabSize: opts.vocab,
          });
        } catch (err) {
          if (err instanceof TemplateOptionError) throw new UsageError(err.message);
          throw err;
        }
        if (opts.name) project.name = opts.name;
        const report = checkGraph(project.graph);
        if (!report.valid)
          throw new UsageError(
            `The ${opts.template} template cannot take these options:\n${report.issues
              .filter((i) => i.severity === 'error')
              .map(formatIssue)
              .join('\n')}`,
          );
        await writeFileAtomic(opts.out, writeProjectFile({ project }));
        io.out(
          `Wrote ${opts.out}: ${opts.template}, ${project.graph.nodes.length} nodes, ${formatCount(report.totals.params)} parameters.\n`,
        );
      },
    );

  program
    .command('validate')
    .description('Check a project: file format, graph, parameters and shapes. Exit 0 valid, 1 invalid.')
    .argument('<file>', '.nnproj file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
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
      if (opts.json) {
        io.out(
          JSON.stringify({
            valid: report.valid,
            errors: errors.map((i) => ({ ...i, text: formatIssue(i) })),
            warnings: warnings.map((i) => ({ ...i, text: formatIssue(i) })),
            totalParams: report.totals.params,
          }) + '\n',
        );
      } else {
        for (const w of warnings) io.err(`${file}: ${formatIssue(w)}\n`);
        for (const e of errors) io.err(`${file}: ${formatIssue(e)}\n`);
        if (report.valid)
          io.out(
            `${file}: valid (${bundle.project.graph.nodes.length} nodes, ${formatCount(report.totals.params)} parameters)\n`,
          );
        else if (errors.length === 0)
          io.err(`${file}: error: the graph is empty. Add an Input, layers and an Output.\n`);
      }
      if (!report.valid) throw new InvalidInputError('');
    });

  program
    .command('summary')
    .description('Print a Keras-style summary: layers, output shapes, parameters with their arithmetic.')
    .argument('<file>', '.nnproj file')
    .option('--json', 'print { layers: [{ id, kind, outputShape, params }], totalParams } as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const bundle = await load(file);
      const report = checkGraph(bundle.project.graph);
      if (opts.json) {
        const byId = new Map(bundle.project.graph.nodes.map((n) => [n.id, n]));
        io.out(
          JSON.stringify(
            {
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
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        io.out(summaryTable(bundle, report) + '\n');
      }
      const errors = report.issues.filter((i) => i.severity === 'error');
      for (const e of errors) io.err(`${file}: ${formatIssue(e)}\n`);
      if (!report.valid) throw new InvalidInputError('');
    });

  program
    .command('serve')
    .description('Run the editor in a browser: serves the app on 127.0.0.1 with a one-time access token.')
    .argument('[file]', '.nnproj file to open at start')
    .option('--port <n>', 'port (default: a free one)', parsePort)
    .option(
      '--host <host>',
      'address to bind (default 127.0.0.1; other addresses expose the editor to the network)',
      '127.0.0.1',
    )
    .option('--root <dir>', 'folder the file browser may read and write (default: the working directory)')
    .option('--no-open', 'do not open a browser')
    .action(
      async (
        file: string | undefined,
        opts: { port?: number; host: string; root?: string; open: boolean },
      ) => {
        const root = path.resolve(opts.root ?? process.cwd());
        if (!existsSync(root)) throw new UsageError(`--root ${root}: no such folder.`);
        let initialFile: string | null = null;
        if (file) {
          const abs = path.resolve(file);
          if (!existsSync(abs)) throw new UsageError(`${file}: no such file.`);
          const rel = path.relative(root, abs);
          if (rel.startsWith('..') || path.isAbsolute(rel))
            throw new UsageError(`${file} is outside the served folder ${root}; pass --root.`);
          initialFile = rel;
        }
        const staticDir = findRendererDir();
        if (!staticDir) throw new UsageError('The editor is not built; run `npm run build` first.');
        const services = new AppServices({
          mode: 'serve',
          version: VERSION,
          root,
          dataDir: defaultDataDir(),
          initialFile,
        });
        const server = await startServer({
          services,
          staticDir,
          host: opts.host,
          ...(opts.port !== undefined ? { port: opts.port } : {}),
        });
        io.out(
          `Netloom is serving ${root}\nOpen ${server.loginUrl}\n(keep this address private: it carries the access token; Ctrl-C stops)\n`,
        );
        if (opts.open) openBrowser(server.loginUrl);
        await new Promise<void>((resolve) => {
          const stop = () => {
            void server.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );

  return program;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port number 0-65535.');
  return Number(value);
}

/** dist/renderer, next to the bundled CLI or from the source tree. */
export function findRendererDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, 'renderer'), path.join(here, '..', 'dist', 'renderer')])
    if (existsSync(path.join(c, 'index.html'))) return c;
  return null;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser to open: the URL is printed.
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      io.err(`netloom: ${err.message}\n`);
      return 2;
    }
    if (err instanceof InvalidInputError) {
      if (err.message) io.err(`${err.message}\n`);
      return 1;
    }
    io.err(`netloom: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.NETLOOM_DEBUG) io.err(`${err instanceof Error ? err.stack : ''}\n`);
    return 70;
  }
}

/** Entry point when bundled as dist/cli.js. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}
