/**
 * Format migrations. A file of an older format version is upgraded one step at a time, each step a
 * pure function from the JSON of version N to the JSON of version N + 1, before it is validated.
 * Version 1 is the first format, so the table is empty today; the mechanism is tested with a table
 * of its own (test/unit/migrations.test.ts), and the next format change adds its step here.
 */
import { ProjectFileError } from './errors';
import { FORMAT_VERSION } from './schema';

export type Migration = (project: Record<string, unknown>) => Record<string, unknown>;

/** `MIGRATIONS[n]` upgrades version n to n + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export function migrate(
  raw: Record<string, unknown>,
  table: Readonly<Record<number, Migration>> = MIGRATIONS,
  target: number = FORMAT_VERSION,
): Record<string, unknown> {
  const version = raw.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new ProjectFileError(
      'SCHEMA',
      `formatVersion must be a positive whole number; got ${JSON.stringify(version)}.`,
      'project.json',
      'formatVersion',
    );
  if (version > target)
    throw new ProjectFileError(
      'FUTURE_VERSION',
      `This project was saved by a newer Netloom (format version ${version}); this version reads up to ${target}. Update Netloom to open it.`,
      'project.json',
      'formatVersion',
    );
  let current = raw;
  for (let v = version; v < target; v++) {
    const step = table[v];
    if (!step)
      throw new ProjectFileError(
        'SCHEMA',
        `No migration from format version ${v} to ${v + 1}.`,
        'project.json',
        'formatVersion',
      );
    current = { ...step(current), formatVersion: v + 1 };
  }
  return current;
}
