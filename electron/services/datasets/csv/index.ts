/**
 * CSV import, streamed: the file's bytes (read from a handle that `openRegularFile` opened, so a FIFO or
 * a device is refused instead of blocking) → text (see Encoding) → papaparse (chunk callback) → one
 * typed column store per column (numbers as read, 64-bit, in blocks; categories as Int32 codes; text as
 * token ids), so a 100 MB file never lives in memory as strings.
 *
 * Encoding: UTF-8, its byte-order mark dropped; UTF-16 when the file starts with a UTF-16 byte-order
 * mark (Excel's "Unicode text"); when the bytes are not UTF-8, Windows-1252 (Latin-1's superset), with a
 * warning naming the file, the line of the first such byte and the encoding assumed (see `CsvDecoder`
 * for what that costs when the first such byte comes late). NUL bytes and UTF-32 are refused.
 *
 * Decisions (the user can override each through options / the data spec's `columns`):
 * - Header: the first row is a header unless one of its fields is a number (`header` option).
 * - Types, inferred from the first `sampleRows` (1,000) data rows: numeric when ≥ 90% of the non-empty
 *   values are numbers (the rest are then reported as errors, since a typo in a numeric column must not
 *   turn it into categories silently); text when values average ≥ 3 words; categorical otherwise.
 * - Encoding: numeric → standardised with the mean/std of the TRAINING rows; categorical → one-hot
 *   (≤ `oneHotMax` categories, default 20) or the category index, standardised; text → token ids (one
 *   text column at most; it is then the only input, since x is one tensor).
 * - Target: the `target` option (default: the last column). Classification when categorical, or numeric
 *   with whole numbers and at most 20 distinct values; regression otherwise (`task` overrides).
 * - Missing values (empty, NA, N/A, NaN, null, ?): refused with line and column, or, with
 *   `missing: 'impute'`, filled with the training mean (numeric) / most frequent value (categorical). A
 *   missing target is always refused.
 * - A broken row (wrong number of fields, a non-number in a numeric column) is refused with its line.
 * - An all-constant feature column is DROPPED with a warning (it carries no information, and its
 *   standard deviation of 0 would divide by zero); a constant target is refused.
 * - Numbers: the model computes in 32-bit floats, so nothing reaches x or y as Infinity, NaN or a
 *   silently flattened value. Refused with line and column: a value beyond ±3.4028235e38 (or beyond
 *   64-bit numbers, or "Infinity"); a value whose STANDARDISED form is beyond that (a validation row,
 *   or a row to predict, far from the training rows); a number that reaches the model unstandardised
 *   (a regression target, or any feature with `standardize: false`) and is too small for float32 to
 *   tell apart from its column's other values; a regression target whose squared errors would
 *   overflow float32 over the rows, or whose spread is so small that they underflow to 0. Statistics
 *   are computed on the 64-bit values, scaled by the largest magnitude, so tiny (1e-300) or offset
 *   (timestamps) columns standardise exactly.
 * - Split: rows are shuffled with `seed`, and the last `validationSplit` (0.2) of them are the
 *   validation rows (`holdout`); all statistics (mean, std, mode, vocabulary) come from the others.
 *   With `preprocessing` (predict on new data) rows keep their order and the given statistics are used.
 *
 * The stages, one module each: decode.ts (bytes → text), parse.ts (rows → column stores, store.ts),
 * infer.ts (roles, types, task), plan.ts (each input column's transform), encode.ts (y and x),
 * assemble.ts (split, dataset, preprocessing); numbers.ts holds the float32 limits and statistics,
 * types.ts the public types. This file reads the file and drives them.
 */
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished, Readable } from 'node:stream';
import Papa from 'papaparse';
import { NotRegularFileError, openRegularFile } from '../../regularFile';
import { DatasetError } from '../errors';
import { assemble } from './assemble';
import { CsvDecoder, readText, RestartAsWindows1252 } from './decode';
import { Importer } from './parse';
import type { CsvImportOptions, CsvImportResult } from './types';

export type * from './types';

/** Opens a regular file, or refuses at once: a FIFO, socket or device would block the read. */
async function openCsv(file: string): Promise<FileHandle> {
  try {
    return await openRegularFile(file);
  } catch (e) {
    if (e instanceof NotRegularFileError)
      throw new DatasetError(
        'not-a-file',
        `Cannot read ${file}: it is ${e.what}, not a regular file. Choose a CSV file.`,
      );
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(
      'missing-file',
      code === 'ENOENT'
        ? `Cannot read ${file}: no such file.`
        : `Cannot read ${file}: ${(e as Error).message}`,
    );
  }
}

/**
 * Imports a CSV file as a dataset (see the top of this file for the rules). Rejects with a
 * `DatasetError` naming the line and column of the first problem, or code `cancelled` when `signal`
 * aborts.
 */
export async function importCsv(file: string, options: CsvImportOptions = {}): Promise<CsvImportResult> {
  const handle = await openCsv(file);
  try {
    const totalBytes = (await handle.stat()).size;
    let restart: RestartAsWindows1252 | undefined;
    for (;;) {
      try {
        return await importFrom(handle, file, totalBytes, options, restart);
      } catch (e) {
        if (!(e instanceof RestartAsWindows1252) || restart) throw e;
        restart = e;
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** One reading of the file, from its first byte. */
async function importFrom(
  handle: FileHandle,
  file: string,
  totalBytes: number,
  options: CsvImportOptions,
  restart: RestartAsWindows1252 | undefined,
): Promise<CsvImportResult> {
  const importer = new Importer(file, options);
  const decoder = new CsvDecoder(basename(file), importer.warnings, restart);
  const signal = options.signal;
  if (signal?.aborted) throw new DatasetError('cancelled', `Importing ${basename(file)}: cancelled.`);
  const source = Readable.from(readText(handle, decoder), { objectMode: true, highWaterMark: 1 });
  // Errors reach papaparse's listener (its `error` callback); this one only keeps an error raised
  // after the import has settled from becoming an uncaught exception.
  source.on('error', () => undefined);
  let lastProgress = 0;
  const progress = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastProgress < 50)) return;
    lastProgress = now;
    options.onProgress({ bytesRead: force ? totalBytes : decoder.bytes, totalBytes, rows: importer.rows });
  };

  await new Promise<void>((resolve, reject) => {
    let failure: unknown;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      source.destroy();
      // Once the read in flight has finished, the caller may close the file (or read it again).
      finished(source, () => (err ? reject(err) : resolve()));
    };
    const onAbort = () => settle(new DatasetError('cancelled', `Importing ${basename(file)}: cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    Papa.parse<string[], Readable>(source, {
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      ...(importer.delimiter ? { delimiter: importer.delimiter } : {}),
      chunk: (results, parser) => {
        if (settled) return;
        try {
          const quoteError = results.errors.find((e) => e.type === 'Quotes');
          if (quoteError) {
            importer.delimiter ??= results.meta.delimiter;
            importer.push(results.data.slice(0, quoteError.row ?? 0));
            const line = importer.nextLine;
            throw new DatasetError(
              'broken-row',
              `line ${line}: ${quoteError.message.replace(/\.$/, '')} (a field opens a quote that is never closed).`,
              line,
            );
          }
          importer.delimiter ??= results.meta.delimiter;
          importer.push(results.data);
          progress(false);
        } catch (e) {
          failure = e;
          parser.abort();
          settle(e);
        }
      },
      complete: () => settle(failure),
      error: (e: Error) =>
        settle(
          e instanceof DatasetError || e instanceof RestartAsWindows1252
            ? e
            : new DatasetError('missing-file', `Cannot read ${file}: ${e.message}`),
        ),
    });
  });
  importer.decide();
  const result = await assemble(importer, totalBytes);
  progress(true);
  return result;
}
