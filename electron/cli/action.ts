import type { Command } from 'commander';
import type { Io } from './io';

/**
 * The commander action of a command whose argument is a project FILE: commander passes the
 * argument and the options apart, the run function takes them as one options object.
 */
export function fileAction<O extends { file: string }>(
  run: (opts: O, io: Io) => Promise<void>,
  io: Io,
): (file: string, opts: Omit<O, 'file'>) => Promise<void> {
  return (file, opts) => run({ ...opts, file } as O, io);
}

/** A command on a project FILE (`netloom <name> FILE …`); the caller adds its options and action. */
export function fileCommand(program: Command, name: string, description: string): Command {
  return program.command(name).description(description).argument('<file>', '.nnproj file');
}
