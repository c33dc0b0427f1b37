/**
 * `netloom train FILE`: trains the project on its data and saves the weights and the run into it
 * (or into --out), in four steps: prepare the config, run with progress output, record and save,
 * report. Ctrl-C stops at the end of the batch and writes nothing (exit 130) unless the save has
 * begun; a diverged run is recorded and exits 1. --json prints one JSON object per line.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { checkGraph, formatIssue, type GraphReport } from '../../shared/graph/check';
import { weightsState } from '../../shared/graph/weights';
import type { ProjectBundle } from '../../shared/ir/project';
import type { Project } from '../../shared/ir/schema';
import { OPTIMIZERS, type TrainingConfig } from '../../shared/training/config';
import type {
  BackendName,
  DivergedEvent,
  DoneEvent,
  EpochEndEvent,
  TerminalEvent,
} from '../../shared/training/protocol';
import { BACKENDS } from '../engine/backend';
import { startTraining, type TrainingHandle } from '../engine/session';
import { saveProject } from '../services/projectFiles';
import { DataError, type LoadedData, loadProjectData, recordRun } from '../services/training';
import { fileAction } from './action';
import { rebaseData } from './dataFiles';
import { describeData } from './describeData';
import { CancelledError, InvalidInputError } from './errors';
import { epochLine, progressLine } from './format';
import type { Io } from './io';
import { load, requireFolderFor } from './load';
import { parsePositiveFloat, parsePositiveInt } from './parse';

export interface TrainOptions {
  file: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: (typeof OPTIMIZERS)[number];
  backend?: BackendName;
  out?: string;
  json?: boolean;
  data?: string;
}

export function registerTrain(program: Command, io: Io): void {
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
    .option(
      '--data <source>',
      "train on this data (builtin:NAME, a CSV file, a folder of images) and keep it as the project's data",
    )
    .option('--out <file>', 'write the trained project here instead of over FILE')
    .option(
      '--json',
      'one JSON object per line: progress, epochEnd, layerStats, then done|diverged|cancelled|error',
    )
    .action(fileAction(runTrain, io));
}

export async function runTrain(opts: TrainOptions, io: Io): Promise<void> {
  const prepared = await prepare(opts, io);
  const session: Session = {
    opts,
    io,
    emit: (o) => {
      if (opts.json) io.out(JSON.stringify(o) + '\n');
    },
    tty: !opts.json && process.stderr.isTTY === true,
    interrupt: new Interrupt(io, opts.json === true),
  };
  process.on('SIGINT', session.interrupt.onSigint);
  try {
    const run = await runWithProgress(session, prepared);
    const { out, summary } = await recordAndSave(session, prepared, run);
    reportEnd(session, run.end, out, summary);
  } finally {
    process.off('SIGINT', session.interrupt.onSigint);
  }
}

/** What a run starts from. */
interface Prepared {
  /** The project as read from FILE. */
  bundle: ProjectBundle;
  report: GraphReport;
  /** The bundle the run is recorded into: `bundle`, with its data rebased when written to --out. */
  target: ProjectBundle;
  /** The project's training settings with the flags' over them. */
  config: TrainingConfig;
  project: Project;
}

/** Everything the steps of a run share. */
interface Session {
  opts: TrainOptions;
  io: Io;
  /** One line of --json output (nothing without --json). */
  emit: (o: Record<string, unknown>) => void;
  /** Progress bars on stderr: only on a terminal. */
  tty: boolean;
  interrupt: Interrupt;
}

/** A run that ended with weights to record. */
interface FinishedRun {
  end: DoneEvent | DivergedEvent;
  startedAt: Date;
  history: EpochEndEvent[];
  preprocessing: LoadedData['preprocessing'];
}

/**
 * Ctrl-C: aborts the loading of the data or cancels the run at the end of its batch, and nothing
 * is written. Once the save has begun it is not stopped (it is atomic and short), and the message
 * says so.
 */
class Interrupt {
  readonly controller = new AbortController();
  handle: TrainingHandle | null = null;
  interrupted = false;
  saving = false;
  private readonly io: Io;
  private readonly json: boolean;

  constructor(io: Io, json: boolean) {
    this.io = io;
    this.json = json;
  }

  readonly onSigint = (): void => {
    if (this.saving) {
      if (!this.json)
        this.io.err('\nThe run has finished and is being saved; the save completes (it is atomic).\n');
      return;
    }
    this.interrupted = true;
    this.controller.abort();
    this.handle?.cancel();
    if (!this.json) this.io.err('\nStopping at the end of this batch… (nothing will be written)\n');
  };
}

/**
 * Reads FILE and refuses a graph with errors, rebases the data when the project is written to
 * --out, and lays the flags over the project's training settings.
 */
async function prepare(opts: TrainOptions, io: Io): Promise<Prepared> {
  const { file } = opts;
  let bundle = await load(file);
  if (opts.out) requireFolderFor(opts.out);
  if (opts.data) {
    // The project's data is chosen (an imported model has none) or replaced.
    const d = await describeData(opts.data, file, {});
    const data = new Map([...(bundle.data ?? []), ...(d.embedded ?? [])]);
    bundle = { ...bundle, project: { ...bundle.project, data: d.spec }, data };
  }
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
  return { bundle, report, target, config, project: { ...bundle.project, training: config } };
}

/**
 * Loads the data and trains, printing progress (a bar and a line per epoch on stderr, or JSON
 * lines); a cancelled or failed run throws.
 */
async function runWithProgress(session: Session, prepared: Prepared): Promise<FinishedRun> {
  const { opts, io, emit, tty, interrupt } = session;
  const { file } = opts;
  const { bundle, report, config, project } = prepared;
  let loaded;
  try {
    loaded = await loadProjectData(project, {
      projectFile: path.resolve(file),
      embedded: bundle.data,
      signal: interrupt.controller.signal,
    });
  } catch (err) {
    if (interrupt.interrupted) throw new CancelledError();
    if (err instanceof DataError) throw new InvalidInputError(`${file}: data: ${err.message}`);
    throw err;
  }
  for (const w of loaded.warnings) if (!opts.json) io.err(`warning: ${w}\n`);
  const startedAt = new Date();
  const history: EpochEndEvent[] = [];
  // The weights the file has, if they fit the graph: a diverged run keeps its best epoch only
  // if that beats them.
  const previous =
    weightsState(bundle.project.graph, bundle.weights, report).state === 'fit' ? bundle.weights : undefined;
  interrupt.handle = startTraining({
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
        const { layers, checkpoint: _c, ...epochEnd } = e;
        emit({ event: 'epochEnd', ...epochEnd });
        if (layers) emit({ event: 'layerStats', runId: e.runId, epoch: e.epoch, epochs: e.epochs, layers });
        if (!opts.json) io.err(`${tty ? '\r\x1b[K' : ''}${epochLine(e)}\n`);
      }
    },
  });
  if (interrupt.interrupted) interrupt.handle.cancel();
  const end = finished(session, await interrupt.handle.done);
  return { end, startedAt, history, preprocessing: loaded.preprocessing };
}

/** The run's end if it has weights to record; a cancelled or failed run throws. */
function finished(session: Session, end: TerminalEvent): DoneEvent | DivergedEvent {
  const { opts, emit, interrupt } = session;
  if (end.type === 'cancelled' || interrupt.interrupted) {
    emit({
      event: 'cancelled',
      runId: end.runId,
      ...('backend' in end ? { backend: end.backend } : {}),
    });
    throw new CancelledError();
  }
  if (end.type === 'error') {
    emit({ event: 'error', code: end.code, message: end.message, runId: end.runId });
    throw new InvalidInputError(`${opts.file}: training failed (${end.code}): ${end.message}`);
  }
  return end;
}

/** Records the run in the project and saves it to FILE or --out. */
async function recordAndSave(
  session: Session,
  prepared: Prepared,
  run: FinishedRun,
): Promise<{ out: string; summary: Project['runs'][number] }> {
  const { opts, io, tty, interrupt } = session;
  const { end } = run;
  const out = opts.out ?? opts.file;
  const updated = recordRun(prepared.target, {
    event: end,
    config: prepared.config,
    startedAt: run.startedAt,
    history: run.history,
    preprocessing: run.preprocessing,
  });
  // The settings of a finished run become the project's; a diverged run's do not (the file
  // keeps what it had, so the next plain `train` does not diverge the same way).
  if (end.type === 'done') updated.project = { ...updated.project, training: prepared.config };
  // From here on the file is being written: Ctrl-C no longer stops anything (the save is
  // atomic and short), and the message says so.
  interrupt.saving = true;
  if (!opts.json) io.err(`${tty ? '\r\x1b[K' : ''}Saving ${out}…\n`);
  // Test hook: hold the save open so a test can interrupt it at this point.
  const hold = Number(process.env.NETLOOM_TEST_HOLD_SAVE_MS ?? 0);
  if (hold > 0) await new Promise((r) => setTimeout(r, Math.min(hold, 10_000)));
  await saveProject(out, updated);
  return { out, summary: updated.project.runs[updated.project.runs.length - 1]! };
}

/** Says how the run ended: a diverged run exits 1 (it was recorded), a finished one prints its metrics. */
function reportEnd(
  session: Session,
  end: DoneEvent | DivergedEvent,
  out: string,
  summary: Project['runs'][number],
): void {
  const { opts, io, emit } = session;
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
      `${opts.file}: the run diverged at epoch ${end.epoch}, batch ${end.batch} (loss ${end.loss}): ${end.message}\n${end.keptMessage} The run was recorded in ${out}${end.kept === 'best-epoch' ? ' with those weights' : ''}; the version before it is ${out}.bak.`,
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
}
