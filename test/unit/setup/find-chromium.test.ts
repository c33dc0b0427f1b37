/** Finding a Chromium for the browser tests on any machine, or failing at once with one line. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium, systemLocations } from '../../../scripts/find-chromium.mjs';

describe('find-chromium', () => {
  it('takes CHROMIUM_PATH first, then the system locations, and never replaces a wrong CHROMIUM_PATH', () => {
    const have =
      (...paths: string[]) =>
      (p: string) =>
        paths.includes(p);
    expect(
      findChromium({ env: { CHROMIUM_PATH: '/opt/c' }, exists: have('/opt/c', '/usr/bin/chromium') }),
    ).toEqual({
      path: '/opt/c',
      source: 'CHROMIUM_PATH',
    });
    expect(findChromium({ env: {}, exists: have('/usr/bin/google-chrome'), platform: 'linux' })).toEqual({
      path: '/usr/bin/google-chrome',
      source: 'system',
    });
    const wrong = findChromium({ env: { CHROMIUM_PATH: '/nope' }, exists: have('/usr/bin/chromium') });
    expect(wrong).toMatchObject({
      error: expect.stringMatching(/CHROMIUM_PATH is \/nope, which does not exist/),
    });
  });

  it('knows the usual places on macOS and Windows', () => {
    expect(systemLocations('darwin', {})).toContain(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
    const win = systemLocations('win32', {
      PROGRAMFILES: 'C:\\Program Files',
      LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local',
    });
    expect(win).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    expect(win).toContain('C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe');
  });

  it('with none anywhere: one line saying what to install, exit 1 (the first step of npm test)', () => {
    expect(findChromium({ env: {}, exists: () => false })).toEqual({
      error: expect.stringMatching(
        /^no Chromium for the browser tests: run `npx playwright install chromium`/,
      ),
    });
    const r = spawnSync(process.execPath, [path.resolve('scripts/find-chromium.mjs'), '--check'], {
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^netloom: CHROMIUM_PATH is \/nonexistent\/chromium.*npx playwright install chromium/,
    );
  });
});
