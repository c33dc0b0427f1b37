/**
 * `netloom train FILE`: trains the project on its data and saves the weights and the run into it
 * (or into --out). Ctrl-C stops at the end of the batch and writes nothing (exit 130) unless the
 * save has begun; a diverged run is recorded and exits 1. --json prints one JSON object per line.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { checkGraph, formatIssue } from '../../shared/graph/check';
import { weightsState } from '../../shared/graph/weights';
import { OPTIMIZERS, type TrainingConfig } from '../../shared/training/config';
import type { BackendName, EpochEndEvent } from '../../shared/training/protocol';
import { BACKENDS } from '../engine/backend';
import { startTraining, type TrainingHandle } from '../engine/session';
import { saveProject } from '../services/projectFiles';
import { DataError, loadProjectData, recordRun } from '../services/training';
import { fileAction } from './action';
import { rebaseData } from './dataFiles';
import { CancelledError, InvalidInputError } from './errors';
import { epochLine, progressLine } from './format';
import type { Io } from './io';
import { load } from './load';
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
    .option('--out <file>', 'write the trained project here instead of over FILE')
    .option('--json', 'one JSON object per line: progress, epochEnd, then done|diverged|cancelled|error')
    .action(fileAction(runTrain, io));
}

export async function runTrain(opts: TrainOptions, io: Io): Promise<void> {
  const { file } = opts;
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
      weightsState(bundle.project.graph, bundle.weights, report).state === 'fit' ? bundle.weights : undefined;
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
}
