/** CLI edges that once ended in an internal error or a crash. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, netloomIn } from './helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'netloom-edges-'));
const netloom = netloomIn(dir);

describe('CLI edges', () => {
  it('--out into a folder that does not exist is bad usage (exit 2), said before any work', async () => {
    const n = await netloom('new', '--template', 'mlp', '--out', 'missing/g.nnproj');
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/the folder missing does not exist/);
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:xor', '--out', 'p.nnproj')).code,
    ).toBe(0);
    const t = await netloom('train', 'p.nnproj', '--epochs', '1', '--out', 'missing/q.nnproj');
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/the folder missing does not exist/);
    expect(t.stderr).not.toMatch(/internal error/);
  });

  it('output piped into a reader that stops early ends quietly (no EPIPE crash)', async () => {
    const child = spawn(process.execPath, [BIN, 'datasets'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(err).not.toMatch(/EPIPE|Error/);
  });
});
