/** Errors from the dataset service: each names the place (dataset, line, column) and the fix. */

export type DatasetErrorCode =
  | 'unknown-dataset'
  | 'bad-option'
  | 'missing-file'
  /** A FIFO, socket, device or folder given as a file. */
  | 'not-a-file'
  /** Bytes that are no text in any encoding read (NUL bytes, broken UTF-16, UTF-32). */
  | 'encoding'
  | 'empty'
  | 'broken-row'
  | 'not-a-number'
  /** A number the model's 32-bit floats cannot hold, as read or once standardised. */
  | 'out-of-range'
  | 'missing-value'
  | 'missing-column'
  | 'constant-column'
  | 'constant-target'
  | 'too-many-classes'
  | 'unusable'
  | 'cancelled';

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    /** 1-based line in the file (CSV), when the error has one. */
    readonly line?: number,
    /** Column name (CSV), when the error has one. */
    readonly column?: string,
  ) {
    super(message);
  }
}

/** Throws `DatasetError('cancelled')` when the signal is aborted. */
export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DatasetError('cancelled', `${what}: cancelled.`);
}

/** Lets other work (IPC, progress messages, cancellation) run between slices of a long computation. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
