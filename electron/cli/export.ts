/**
 * `netloom export FILE --format F --out DIR`: a PyTorch package, a Keras script, a TF.js model or a
 * diagram. The code exports carry the project's data when it can be read (a warning otherwise).
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { ProjectBundle } from '../../shared/ir/project';
import {
  EXPORT_FORMATS,
  ExportError,
  type ExportFormat,
  type ExportOptions,
  exportProject,
} from '../export/index';
import { NotRegularFileError, readRegularFile } from '../services/regularFile';
import { csvPath, DataError, loadProjectData } from '../services/training';
import { VERSION } from '../version';
import { fileAction, fileCommand } from './action';
import { InvalidInputError } from './errors';
import type { Io } from './io';
import { load } from './load';

export interface ExportCmdOptions {
  file: string;
  format: ExportFormat;
  out: string;
  force?: boolean;
}

export function registerExport(program: Command, io: Io): void {
  fileCommand(
    program,
    'export',
    'Export a project: PyTorch package (DDP-ready), Keras script, TF.js model, or a diagram.',
  )
    .addOption(
      new Option('--format <format>', 'what to write').choices([...EXPORT_FORMATS]).makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'folder to write (created; must be empty unless --force)')
    .option('--force', 'replace the folder if it is not empty')
    .action(fileAction(runExport, io));
}

export async function runExport(opts: ExportCmdOptions, io: Io): Promise<void> {
  const { file } = opts;
  const bundle = await load(file);
  const options: ExportOptions = {
    version: VERSION,
    protectedPaths: [path.resolve(file)],
    ...(opts.force ? { force: true } : {}),
  };
  if (opts.format === 'pytorch' || opts.format === 'keras') await addData(options, bundle, file, io);
  let res;
  try {
    res = await exportProject(bundle, opts.format, opts.out, options);
  } catch (err) {
    if (err instanceof ExportError) throw new InvalidInputError(`${file}: ${err.message}`);
    throw err;
  }
  io.out(`Exported ${opts.format} to ${opts.out}: ${res.files.join(', ')}\n`);
}

/** A code export's data: the CSV's bytes and preprocessing, or another source's dataset; a warning if unreadable. */
async function addData(options: ExportOptions, bundle: ProjectBundle, file: string, io: Io): Promise<void> {
  const spec = bundle.project.data;
  if (spec?.source === 'csv') {
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
  } else if (spec) {
    try {
      options.dataset = (
        await loadProjectData(bundle.project, { projectFile: path.resolve(file), embedded: bundle.data })
      ).dataset;
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      io.err(`warning: the data could not be exported (${err.message})\n`);
    }
  }
}
