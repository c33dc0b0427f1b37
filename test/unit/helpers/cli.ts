/** Running the built `netloom` binary in tests: exit code, stdout and stderr, never a thrown error. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const BIN = path.resolve('bin/netloom.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `netloom` runner in `cwd` (default: here) on the wasm backend, with extra environment. */
export function netloomIn(
  cwd?: string,
  env: NodeJS.ProcessEnv = {},
): (...args: string[]) => Promise<CliResult> {
  return async (...args) => {
    try {
      const r = await exec(process.execPath, [BIN, ...args], {
        ...(cwd ? { cwd } : {}),
        env: { ...process.env, NETLOOM_BACKEND: 'wasm', ...env },
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
}

/** `--json` output: one object a line. */
export const jsonLines = (s: string): Record<string, unknown>[] =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
