/** Interrupted saves (kill -9 mid-save) leave temp files; the next save of that file cleans ours only. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveProject } from '../../../electron/services/projectFiles';
import { buildTemplate } from '../../../shared/templates/index';

/** The id of a process that has ended (as a killed save's would be). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('stale temp files of interrupted saves', () => {
  it('are removed on the next save of the same file: only our naming, only of ended processes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netloom-temps-'));
    const file = path.join(dir, 'p.nnproj');
    const dead = deadPid();
    const staleTmp = path.join(dir, `.p.nnproj.${dead}.k3j2h1.tmp`);
    const staleBak = path.join(dir, `.p.nnproj.${dead}.a1b2c3.bak`);
    const live = path.join(dir, `.p.nnproj.${process.ppid}.z9y8x7.tmp`); // a running process's save
    const other = path.join(dir, `.q.nnproj.${dead}.k3j2h1.tmp`); // another file's
    const notOurs = path.join(dir, '.p.nnproj.notes.tmp');
    for (const f of [staleTmp, staleBak, live, other, notOurs]) writeFileSync(f, Buffer.alloc(1024, 1));
    await saveProject(file, { project: buildTemplate('mlp') });
    expect(existsSync(file)).toBe(true);
    expect(existsSync(staleTmp)).toBe(false);
    expect(existsSync(staleBak)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
  });
});
