/**
 * The errors a command throws and the exit code each maps to: 0 success, 1 the input is invalid
 * (located errors on stderr, one a line), 2 bad usage (unknown command or flag, missing argument,
 * unreadable path), 130 cancelled by Ctrl-C, 70 an internal error. Bad input never prints a stack
 * trace (NETLOOM_DEBUG prints one for an internal error).
 */
import { CommanderError } from 'commander';
import { DataPathError } from '../services/dataPaths';
import { NotRegularFileError } from '../services/regularFile';
import type { Io } from './io';

/** Ctrl-C during training: exit code 130, nothing written. */
export class CancelledError extends Error {}
/** Thrown for misuse: exit code 2. */
export class UsageError extends Error {}
/** Thrown for invalid input: exit code 1 (the message is already located). */
export class InvalidInputError extends Error {}

/** Says what went wrong on stderr (commander has already said it for its own errors) and returns the exit code. */
export function exitCodeFor(err: unknown, io: Io): number {
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
  if (err instanceof CancelledError) {
    io.err('Cancelled; nothing was written.\n');
    return 130;
  }
  if (err instanceof InvalidInputError) {
    if (err.message) io.err(`${err.message}\n`);
    return 1;
  }
  if (err instanceof NotRegularFileError || err instanceof DataPathError) {
    io.err(`netloom: ${err.message}\n`);
    return 1;
  }
  io.err(`netloom: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.NETLOOM_DEBUG) io.err(`${err instanceof Error ? err.stack : ''}\n`);
  return 70;
}
