/**
 * `netloom` — the command line. Exit codes: 0 success, 1 the input is invalid (located errors on
 * stderr, one a line), 2 bad usage (unknown command or flag, missing argument, unreadable path).
 * Bad input never prints a stack trace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { Command, Option } from 'commander';
import { checkGraph, formatIssue } from '../shared/graph/check';
import { weightsState } from '../shared/graph/weights';
import { type ProjectBundle, writeProjectFile } from '../shared/ir/project';
import { formatCount } from '../shared/layers/shape';
import {
  buildTemplate,
  isTemplateId,
  TEMPLATE_IDS,
  TEMPLATES,
  TemplateOptionError,
} from '../shared/templates/index';
import { saveProject, writeFileAtomic } from './services/projectFiles';
import { NotRegularFileError, readRegularFile } from './services/regularFile';
import { OPTIMIZERS, type TrainingConfig } from '../shared/training/config';
import type { Evaluation } from '../shared/training/evaluation';
import type { BackendName, EpochEndEvent } from '../shared/training/protocol';
import { BACKENDS } from './engine/backend';
import { startTraining, type TrainingHandle } from './engine/session';
import { BUILTIN_DATASETS } from './services/datasets/builtin';
import {
  csvPath,
  DataError,
  evaluateProject,
  loadProjectData,
  predictCsv,
  recordRun,
} from './services/training';
import {
  EXPORT_FORMATS,
  ExportError,
  type ExportFormat,
  type ExportOptions,
  exportProject,
} from './export/index';
import { AppServices, defaultDataDir } from './services/app';
import { startServer } from './serve';
import { rebaseData } from './cli/dataFiles';
import { describeData } from './cli/describeData';
import { CancelledError, exitCodeFor, InvalidInputError, UsageError } from './cli/errors';
import { epochLine, evaluationText, progressLine, summaryTable } from './cli/format';
import type { Io } from './cli/io';
import { load } from './cli/load';
import { parseImageSize, parsePort, parsePositiveFloat, parsePositiveInt, parseShape } from './cli/parse';

export { VERSION } from './version';
import { VERSION } from './version';

export function buildProgram(io: Io): Command {
  const program = new Command('netloom')
    .description('Netloom: design, check and train neural networks as graphs; .nnproj project files.')
    .version(VERSION)
    .showHelpAfterError('(run netloom --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

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
    .action(
      async (opts: {
        template: string;
        data?: string;
        target?: string;
        embed?: boolean;
        imageSize?: [number, number];
        rgb?: boolean;
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
        const fromData = opts.data ? await describeData(opts.data, opts.out, opts) : undefined;
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
      },
    );

  program
    .command('datasets')
    .description('List the built-in datasets.')
    .option('--json', 'print them as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) return io.out(JSON.stringify(BUILTIN_DATASETS, null, 2) + '\n');
      for (const d of BUILTIN_DATASETS)
        io.out(
          `builtin:${d.id.padEnd(14)} ${d.task.padEnd(15)} ${formatCount(d.size).padStart(7)} samples  [${d.sampleShape.join(', ')}]  ${d.description}\n`,
        );
    });

  program
    .command('train')
    .description('Train a project on its data and save the weights and the run into it.')
    .argument('<file>', '.nnproj file')
    .option('--epochs <n>', 'epochs', parsePositiveInt)
    .option('--batch-size <n>', 'batch size', parsePositiveInt)
    .option('--lr <x>', 'learning rate', parsePositiveFloat)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices([...OPTIMIZERS]))
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: best available)').choices([...BACKENDS]),
    )
    .option('--out <file>', 'write the trained project here instead of over FILE')
    .option('--json', 'one JSON object per line: progress, epochEnd, then done|diverged|cancelled|error')
    .action(
      async (
        file: string,
        opts: {
          epochs?: number;
          batchSize?: number;
          lr?: number;
          optimizer?: (typeof OPTIMIZERS)[number];
          backend?: BackendName;
          out?: string;
          json?: boolean;
        },
      ) => {
        const bundle = await load(file);
        const report = checkGraph(bundle.project.graph);
        if (!report.valid) {
          for (const e of report.issues.filter((i) => i.severity === 'error'))
            io.err(`${file}: ${formatIssue(e)}\n`);
          throw new InvalidInputError('');
        }
        // Written elsewhere (--out): the data stays inside the folder it is written to.
        const { bundle: target, note: outNote } = opts.out
          ? await rebaseData(bundle, path.resolve(file), path.resolve(opts.out))
          : { bundle, note: undefined };
        if (outNote && !opts.json) io.err(`note: ${outNote}\n`);
        const config: TrainingConfig = {
          ...bundle.project.training,
          ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
          ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
          ...(opts.lr !== undefined ? { learningRate: opts.lr } : {}),
          ...(opts.optimizer !== undefined ? { optimizer: opts.optimizer } : {}),
        };
        const project = { ...bundle.project, training: config };
        const emit = (o: Record<string, unknown>) => opts.json && io.out(JSON.stringify(o) + '\n');
        const controller = new AbortController();
        let handle: TrainingHandle | null = null;
        let interrupted = false;
        let saving = false;
        const onSigint = () => {
          if (saving) {
            if (!opts.json)
              io.err('\nThe run has finished and is being saved; the save completes (it is atomic).\n');
            return;
          }
          interrupted = true;
          controller.abort();
          handle?.cancel();
          if (!opts.json) io.err('\nStopping at the end of this batch… (nothing will be written)\n');
        };
        process.on('SIGINT', onSigint);
        try {
          let loaded;
          try {
            loaded = await loadProjectData(project, {
              projectFile: path.resolve(file),
              embedded: bundle.data,
              signal: controller.signal,
            });
          } catch (err) {
            if (interrupted) throw new CancelledError();
            if (err instanceof DataError) throw new InvalidInputError(`${file}: data: ${err.message}`);
            throw err;
          }
          for (const w of loaded.warnings) if (!opts.json) io.err(`warning: ${w}\n`);
          const tty = !opts.json && process.stderr.isTTY === true;
          const startedAt = new Date();
          const history: EpochEndEvent[] = [];
          // The weights the file has, if they fit the graph: a diverged run keeps its best epoch only
          // if that beats them.
          const previous =
            weightsState(bundle.project.graph, bundle.weights, report).state === 'fit'
              ? bundle.weights
              : undefined;
          handle = startTraining({
            project,
            dataset: loaded.dataset,
            config,
            ...(opts.backend ? { backend: opts.backend } : {}),
            ...(previous ? { previous } : {}),
            onEvent: (e) => {
              if (e.type === 'progress') {
                emit({ event: 'progress', ...e });
                if (tty) process.stderr.write(`\r${progressLine(e)}`);
              } else if (e.type === 'epochEnd') {
                history.push(e);
                emit({ event: 'epochEnd', ...e });
                if (!opts.json) io.err(`${tty ? '\r\x1b[K' : ''}${epochLine(e)}\n`);
              }
            },
          });
          if (interrupted) handle.cancel();
          const end = await handle.done;
          if (end.type === 'cancelled' || interrupted) {
            emit({
              event: 'cancelled',
              runId: end.runId,
              ...('backend' in end ? { backend: end.backend } : {}),
            });
            throw new CancelledError();
          }
          if (end.type === 'error') {
            emit({ event: 'error', code: end.code, message: end.message, runId: end.runId });
            throw new InvalidInputError(`${file}: training failed (${end.code}): ${end.message}`);
          }
          const out = opts.out ?? file;
          const updated = recordRun(target, {
            event: end,
            config,
            startedAt,
            history,
            preprocessing: loaded.preprocessing,
          });
          // The settings of a finished run become the project's; a diverged run's do not (the file
          // keeps what it had, so the next plain `train` does not diverge the same way).
          if (end.type === 'done') updated.project = { ...updated.project, training: config };
          // From here on the file is being written: Ctrl-C no longer stops anything (the save is
          // atomic and short), and the message says so.
          saving = true;
          if (!opts.json) io.err(`${tty ? '\r\x1b[K' : ''}Saving ${out}…\n`);
          // Test hook: hold the save open so a test can interrupt it at this point.
          const hold = Number(process.env.NETLOOM_TEST_HOLD_SAVE_MS ?? 0);
          if (hold > 0) await new Promise((r) => setTimeout(r, Math.min(hold, 10_000)));
          await saveProject(out, updated);
          const summary = updated.project.runs[updated.project.runs.length - 1]!;
          if (end.type === 'diverged') {
            emit({
              event: 'diverged',
              message: end.message,
              epoch: end.epoch,
              batch: end.batch,
              backend: end.backend,
              out,
              kept: end.kept,
              keptMessage: end.keptMessage,
              ...(end.bestEpoch !== undefined ? { bestEpoch: end.bestEpoch } : {}),
            });
            throw new InvalidInputError(
              `${file}: the run diverged at epoch ${end.epoch}, batch ${end.batch} (loss ${end.loss}): ${end.message}\n${end.keptMessage} The run was recorded in ${out}${end.kept === 'best-epoch' ? ' with those weights' : ''}; the version before it is ${out}.bak.`,
            );
          }
          emit({
            event: 'done',
            metrics: summary.finalMetrics,
            backend: end.backend,
            epochs: end.epochs,
            durationMs: end.durationMs,
            runId: summary.id,
            out,
            ...(end.stoppedEarly ? { stoppedEarly: end.stoppedEarly } : {}),
          });
          if (!opts.json)
            io.out(
              `Trained ${end.epochs} epoch${end.epochs === 1 ? '' : 's'} in ${(end.durationMs / 1000).toFixed(1)} s on ${end.backend}: ${Object.entries(
                summary.finalMetrics,
              )
                .map(([k, v]) => `${k} ${v.toFixed(4)}`)
                .join(
                  ', ',
                )}${end.stoppedEarly ? ` (stopped early: ${end.stoppedEarly.reason})` : ''}. Saved ${out}.\n`,
            );
        } finally {
          process.off('SIGINT', onSigint);
        }
      },
    );

  program
    .command('evaluate')
    .description(
      'Evaluate a trained project on its validation rows, beside a linear model and a random forest.',
    )
    .argument('<file>', '.nnproj file')
    .option('--json', 'print the evaluation as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
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
    });

  program
    .command('predict')
    .description('Predict with a trained project on new rows of a CSV (same preprocessing as training).')
    .argument('<file>', '.nnproj file')
    .requiredOption('--data <csv>', 'CSV with the same feature columns (the target column may be absent)')
    .option('--json', 'one JSON array of outputs (probabilities or values) per row')
    .action(async (file: string, opts: { data: string; json?: boolean }) => {
      const bundle = await load(file);
      if (!existsSync(opts.data)) throw new UsageError(`${opts.data}: no such file.`);
      let res;
      try {
        res = await predictCsv(bundle, opts.data, { projectFile: path.resolve(file), embedded: bundle.data });
      } catch (err) {
        if (err instanceof DataError) throw new InvalidInputError(`${opts.data}: ${err.message}`);
        throw err;
      }
      for (const w of res.warnings) io.err(`warning: ${w}\n`);
      for (const row of res.rows) {
        if (opts.json) io.out(JSON.stringify(row) + '\n');
        else if (res.classes && row.length > 1) {
          const best = row.indexOf(Math.max(...row));
          io.out(`${res.classes[best] ?? best}\t${row[best]!.toFixed(4)}\n`);
        } else if (res.classes && row.length === 1)
          io.out(`${res.classes[row[0]! >= 0.5 ? 1 : 0] ?? ''}\t${row[0]!.toFixed(4)}\n`);
        else io.out(row.map((v) => v.toPrecision(6)).join('\t') + '\n');
      }
    });

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
    .command('export')
    .description('Export a project: PyTorch package (DDP-ready), Keras script, TF.js model, or a diagram.')
    .argument('<file>', '.nnproj file')
    .addOption(
      new Option('--format <format>', 'what to write').choices([...EXPORT_FORMATS]).makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'folder to write (created; must be empty unless --force)')
    .option('--force', 'replace the folder if it is not empty')
    .action(async (file: string, opts: { format: ExportFormat; out: string; force?: boolean }) => {
      const bundle = await load(file);
      const options: ExportOptions = {
        version: VERSION,
        protectedPaths: [path.resolve(file)],
        ...(opts.force ? { force: true } : {}),
      };
      const spec = bundle.project.data;
      const code = opts.format === 'pytorch' || opts.format === 'keras';
      if (code && spec?.source === 'csv') {
        if (spec.preprocessing) options.preprocessing = spec.preprocessing;
        // Only a CSV inside the project's folder is ever read (and copied into the export).
        try {
          const abs = await csvPath(spec, { projectFile: path.resolve(file) });
          if (abs)
            options.csv = {
              name: path.posix.basename(spec.file),
              bytes: new Uint8Array(await readRegularFile(abs, 256 * 2 ** 20)),
            };
        } catch (err) {
          if (!(err instanceof DataError || err instanceof NotRegularFileError || err instanceof RangeError))
            throw err;
          io.err(`warning: the data could not be exported (${err.message})\n`);
        }
      } else if (code && spec) {
        try {
          options.dataset = (
            await loadProjectData(bundle.project, { projectFile: path.resolve(file), embedded: bundle.data })
          ).dataset;
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          io.err(`warning: the data could not be exported (${err.message})\n`);
        }
      }
      let res;
      try {
        res = await exportProject(bundle, opts.format, opts.out, options);
      } catch (err) {
        if (err instanceof ExportError) throw new InvalidInputError(`${file}: ${err.message}`);
        throw err;
      }
      io.out(`Exported ${opts.format} to ${opts.out}: ${res.files.join(', ')}\n`);
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
          `Netloom is serving ${root}\nOpen ${server.loginUrl}\n(keep this address private: it carries a one-time access token; once a browser has used it, restart \`netloom serve\` for a new one. Ctrl-C stops)\n`,
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
    return exitCodeFor(err, io);
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
