/**
 * The hostile corpus (test/fixtures/hostile, written by scripts/make-hostile-fixtures.ts): every file
 * is refused by `openProject` with the expected `ProjectFileError` code and a message that names the
 * entry, in under 2 seconds, writing nothing and polluting no prototype. The expectations are listed
 * here on their own (not read from the generator) so a change to either side shows up.
 */
import { unzipSync } from 'fflate';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProject } from '../../electron/services/projectFiles';
import { type ProjectErrorCode, ProjectFileError } from '../../shared/ir/errors';
import { readProjectFile } from '../../shared/ir/project';
import { DEFAULT_DIR, FIXTURES, validArchive, writeFixtures } from '../../scripts/make-hostile-fixtures';

const DIR = DEFAULT_DIR;

/**
 * file -> expected code, and the entry the error must name (`entry: undefined`: the archive as a whole;
 * no `entry` key: any entry or none).
 */
const EXPECTED: Record<string, { code: ProjectErrorCode; entry?: string; path?: string }> = {
  'zip-slip-parent.nnproj': { code: 'BAD_ENTRY_NAME', entry: '../evil.json' },
  'zip-slip-weights.nnproj': { code: 'BAD_ENTRY_NAME', entry: 'weights/../../x' },
  'absolute-path.nnproj': { code: 'BAD_ENTRY_NAME', entry: '/etc/passwd' },
  'drive-letter-backslash.nnproj': { code: 'BAD_ENTRY_NAME', entry: 'C:\\evil' },
  'drive-letter.nnproj': { code: 'BAD_ENTRY_NAME', entry: 'C:/Windows/evil.dll' },
  'backslash-name.nnproj': { code: 'BAD_ENTRY_NAME', entry: '..\\..\\evil.json' },
  'nul-in-name.nnproj': { code: 'BAD_ENTRY_NAME', entry: 'project.json\0.exe' },
  'empty-name.nnproj': { code: 'BAD_ENTRY_NAME', entry: '' },
  'duplicate-project-json.nnproj': { code: 'DUPLICATE_ENTRY', entry: 'project.json' },
  'symlink.nnproj': { code: 'SYMLINK_ENTRY', entry: 'data/passwd.csv' },
  'overlap-fifield.nnproj': { code: 'OVERLAPPING_ENTRIES', entry: 'data/bomb01.csv' },
  'overlap-shared-data.nnproj': { code: 'OVERLAPPING_ENTRIES', entry: 'data/b.csv' },
  'overlap-same-header.nnproj': { code: 'CORRUPT_ENTRY', entry: 'data/a.csv' },
  'entries-100k-zip64.nnproj': { code: 'TOO_MANY_ENTRIES', entry: undefined },
  'entries-1001.nnproj': { code: 'TOO_MANY_ENTRIES', entry: undefined },
  'zip64-small.nnproj': { code: 'UNSUPPORTED_ZIP', entry: undefined },
  'spanned.nnproj': { code: 'UNSUPPORTED_ZIP', entry: undefined },
  'encrypted.nnproj': { code: 'UNSUPPORTED_ZIP', entry: 'project.json' },
  'unknown-method.nnproj': { code: 'UNSUPPORTED_ZIP', entry: 'project.json' },
  'entry-not-allowed.nnproj': { code: 'ENTRY_NOT_ALLOWED', entry: 'evil.exe' },
  'local-name-mismatch.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'missing-project-json.nnproj': { code: 'MISSING_ENTRY', entry: 'project.json' },
  'half-weights.nnproj': { code: 'MISSING_ENTRY', entry: 'weights/weights.bin' },
  'orphan-run.nnproj': { code: 'ENTRY_NOT_ALLOWED', entry: 'runs/ghost.jsonl' },
  'lying-size-small.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'lying-size-short.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'lying-size-huge.nnproj': { code: 'ENTRY_TOO_LARGE', entry: 'project.json' },
  'lying-size-ratio.nnproj': { code: 'COMPRESSION_RATIO', entry: 'project.json' },
  'stored-size-mismatch.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'data-past-directory.nnproj': { code: 'TRUNCATED', entry: 'project.json' },
  'project-json-50mb.nnproj': { code: 'ENTRY_TOO_LARGE', entry: 'project.json' },
  'project-json-15mb.nnproj': { code: 'COMPRESSION_RATIO', entry: 'project.json' },
  'truncated-half.nnproj': { code: 'TRUNCATED', entry: undefined },
  'truncated-tail.nnproj': { code: 'TRUNCATED', entry: undefined },
  'truncated-middle.nnproj': { code: 'TRUNCATED', entry: undefined },
  'bad-crc.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'not-a-zip-png.nnproj': { code: 'NOT_A_ZIP', entry: undefined },
  'not-a-zip-text.nnproj': { code: 'NOT_A_ZIP', entry: undefined },
  'empty.nnproj': { code: 'NOT_A_ZIP', entry: undefined },
  'invalid-json.nnproj': { code: 'INVALID_JSON', entry: 'project.json' },
  'invalid-utf8.nnproj': { code: 'CORRUPT_ENTRY', entry: 'project.json' },
  'unknown-format.nnproj': { code: 'UNKNOWN_FORMAT', entry: 'project.json', path: 'format' },
  'future-version.nnproj': { code: 'FUTURE_VERSION', entry: 'project.json', path: 'formatVersion' },
  'extra-key.nnproj': { code: 'SCHEMA', entry: 'project.json' },
  'proto-key.nnproj': { code: 'FORBIDDEN_KEY', entry: 'project.json', path: '__proto__' },
  'proto-key-nested.nnproj': {
    code: 'FORBIDDEN_KEY',
    entry: 'project.json',
    path: 'graph.nodes[1].params.constructor',
  },
  'unknown-layer.nnproj': { code: 'UNKNOWN_LAYER', entry: 'project.json', path: 'graph.nodes[1].kind' },
  'cycle.nnproj': { code: 'GRAPH', entry: 'project.json' },
  'deep-nesting.nnproj': { code: 'SCHEMA', entry: 'project.json', path: 'name' },
  // 400 entries of 1 MiB each (each under the ratio floor) from a 0.4 MB file: a whole-archive ratio.
  'many-small-bombs.nnproj': { code: 'COMPRESSION_RATIO' },
};

type Listing = Record<string, { size: number; mtimeMs: number }>;
function listing(dir: string): Listing {
  const out: Listing = {};
  for (const f of readdirSync(dir).sort()) {
    const s = statSync(path.join(dir, f));
    out[f] = { size: s.size, mtimeMs: s.mtimeMs };
  }
  return out;
}

/** Own keys of the built-in prototypes, to show nothing was added to them. */
function prototypeKeys(): string[][] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  );
}

function expectUnpolluted(before: string[][]): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(prototypeKeys()).toEqual(before);
}

const fixtureFiles = readdirSync(DIR)
  .filter((f) => f.endsWith('.nnproj'))
  .sort();

describe('hostile project files', () => {
  let dirBefore: Listing;
  let parentBefore: Listing;
  let protoBefore: string[][];
  beforeAll(() => {
    dirBefore = listing(DIR);
    parentBefore = listing(path.dirname(path.resolve(DIR)));
    protoBefore = prototypeKeys();
  });

  it('the corpus holds exactly the expected files', () => {
    expect(fixtureFiles).toEqual(Object.keys(EXPECTED).sort());
    expect(FIXTURES.map((f) => f.file).sort()).toEqual(fixtureFiles);
    // The generator's own table (used for the README) agrees with this one.
    for (const f of FIXTURES) expect(f.code, f.file).toBe(EXPECTED[f.file]?.code);
  });

  it('the base the attacks start from is itself a valid project', () => {
    const bundle = readProjectFile(validArchive());
    expect(bundle.project.graph.nodes).toHaveLength(3);
  });

  it('the Fifield fixture is a real bomb: a reader that trusts the directory inflates ~18 MB', () => {
    const files = unzipSync(readFileSync(path.join(DIR, 'overlap-fifield.nnproj')));
    const total = Object.values(files).reduce((a, b) => a + b.length, 0);
    expect(Object.keys(files)).toHaveLength(20);
    expect(total).toBeGreaterThan(15_000_000);
  });

  it.each(fixtureFiles)('%s is refused', async (file) => {
    const expected = EXPECTED[file];
    expect(expected, `no expectation for ${file}`).toBeDefined();
    const t0 = performance.now();
    let error: unknown;
    try {
      await openProject(path.join(DIR, file));
    } catch (err) {
      error = err;
    }
    const ms = performance.now() - t0;
    expect(error, `${file} opened`).toBeInstanceOf(ProjectFileError);
    const err = error as ProjectFileError;
    expect(err.code, err.describe()).toBe(expected!.code);
    const message = err.describe();
    expect(message.trim().length).toBeGreaterThan(10);
    expect(message).not.toMatch(/could not be read \(/); // the catch-all for unexpected exceptions
    if ('entry' in expected!) expect(err.entry).toBe(expected!.entry);
    if (expected!.entry) expect(message).toContain(expected!.entry);
    if (expected!.path !== undefined) {
      expect(err.path).toBe(expected!.path);
      expect(message).toContain(expected!.path);
    }
    expect(ms, `${file} took ${ms.toFixed(0)} ms`).toBeLessThan(2000);
    // Nothing was written beside the fixtures or in the folder above them.
    expect(listing(DIR)).toEqual(dirBefore);
    expect(listing(path.dirname(path.resolve(DIR)))).toEqual(parentBefore);
    expectUnpolluted(protoBefore);
  });

  it('opening every fixture left no trace', () => {
    expect(listing(DIR)).toEqual(dirBefore);
    expectUnpolluted(protoBefore);
  });
});

describe('the generator', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'netloom-hostile-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reproduces the committed corpus byte for byte', () => {
    const written = writeFixtures(tmp).sort();
    expect(readdirSync(tmp).sort()).toEqual(written);
    expect(readdirSync(DIR).sort()).toEqual(written);
    for (const f of written) {
      const a = readFileSync(path.join(tmp, f));
      const b = readFileSync(path.join(DIR, f));
      expect(
        a.equals(b),
        `${f} differs from the generator's output; run npx tsx scripts/make-hostile-fixtures.ts`,
      ).toBe(true);
    }
  });
});
