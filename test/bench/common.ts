/**
 * What the benchmarks share: their Python reference (torch_ref.py, torch_infer.py), one process for
 * the whole run (the script prints a JSON hello line, then answers each JSON request line with one
 * JSON line), and the figures' format and the machine's load.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.NETLOOM_BENCH_PYTHON ?? '/usr/bin/python3';
const HERE = path.dirname(fileURLToPath(import.meta.url));

export class PythonChild<Reply> {
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private closed = false;
  private stderr = '';
  private exitCode: number | null = null;

  private constructor(
    private readonly script: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w(l);
      else this.lines.push(l);
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    const close = () => {
      this.closed = true;
      this.waiting?.(undefined);
    };
    child.on('close', (code) => {
      this.exitCode = code;
      close();
    });
    child.on('error', (e) => {
      this.stderr += e.message;
      close();
    });
  }

  private next(): Promise<string | undefined> {
    const l = this.lines.shift();
    if (l !== undefined || this.closed) return Promise.resolve(l);
    return new Promise((r) => (this.waiting = r));
  }

  /**
   * Starts `script` (beside this file; OpenBLAS on one thread, torch's own threads as set per
   * request); resolves with it and its hello, or with why it cannot run.
   */
  static async start<Reply, Hello>(
    script: string,
  ): Promise<{ child: PythonChild<Reply>; hello: Hello } | string> {
    const proc = spawn(PYTHON, [path.join(HERE, script)], {
      env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    const child = new PythonChild<Reply>(script, proc);
    const first = await child.next();
    if (first === undefined)
      return (
        `${PYTHON} with torch did not start (exit code ${child.exitCode}): ` +
        (child.stderr.trim().split('\n').pop() ?? '')
      );
    return { child, hello: JSON.parse(first) as Hello };
  }

  async run(request: object): Promise<Reply | { ok: false; error: string }> {
    if (this.closed) return { ok: false, error: `${this.script} exited: ${this.stderr.trim()}` };
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const line = await this.next();
    if (line === undefined) return { ok: false, error: `${this.script} exited: ${this.stderr.trim()}` };
    return JSON.parse(line) as Reply;
  }

  stop() {
    this.child.stdin.end();
  }
}

/** A figure for the tables: whole above 100, one decimal above 10, else two. */
export const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The machine's load as `uptime` prints it (the benchmarks print it before and after). */
export function load(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}
