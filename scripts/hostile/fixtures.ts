/** The hostile corpus: one entry per attack, with the error code a reader must refuse it with. */
import { utf8, concat, crc32, deflate, VERSION, HOST_UNIX, zip } from './zip';
import {
  node,
  edge,
  PROJECT,
  project,
  validArchive,
  paddedProject,
  PNG,
  fifieldBomb,
  sharedDataOverlap,
  manyPointers,
  dataNames,
  withProject,
  withProjectText,
  graphOf,
} from './contents';

export interface Fixture {
  file: string;
  /** What the file attacks (for the README). */
  attack: string;
  /** The `ProjectFileError` code a reader must refuse it with. */
  code: string;
  bytes: () => Uint8Array;
}

export const MiB = 1024 * 1024;

export const FIXTURES: readonly Fixture[] = [
  // --- names ---
  {
    file: 'zip-slip-parent.nnproj',
    attack: 'Zip-slip: an entry named `../evil.json` escapes the extraction folder.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '../evil.json', content: utf8('{"pwned":true}\n') }]),
  },
  {
    file: 'zip-slip-weights.nnproj',
    attack: 'Zip-slip hidden behind an allowed prefix: `weights/../../x`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'weights/../../x', content: utf8('pwned\n') }]),
  },
  {
    file: 'absolute-path.nnproj',
    attack: 'An absolute path, `/etc/passwd`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '/etc/passwd', content: utf8('root::0:0:root:/root:/bin/sh\n') }]),
  },
  {
    file: 'drive-letter-backslash.nnproj',
    attack: 'A Windows drive path with a backslash, `C:\\evil`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'C:\\evil', content: utf8('pwned\n') }]),
  },
  {
    file: 'drive-letter.nnproj',
    attack: 'A Windows drive path with forward slashes, `C:/Windows/evil.dll`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: 'C:/Windows/evil.dll', content: utf8('MZ') }]),
  },
  {
    file: 'backslash-name.nnproj',
    attack: 'Zip-slip with Windows separators, `..\\..\\evil.json` (one name on Unix, a climb on Windows).',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '..\\..\\evil.json', content: utf8('{}\n') }]),
  },
  {
    file: 'nul-in-name.nnproj',
    attack: 'A NUL byte in a name (`project.json\\0.exe`): C-string APIs see `project.json`.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([{ name: 'project.json\0.exe', content: PROJECT }]),
  },
  {
    file: 'empty-name.nnproj',
    attack: 'An entry with an empty name.',
    code: 'BAD_ENTRY_NAME',
    bytes: () => zip([project(), { name: '', content: utf8('x') }]),
  },
  // --- structure ---
  {
    file: 'duplicate-project-json.nnproj',
    attack: 'Two `project.json` entries: readers that take the first and the last see different projects.',
    code: 'DUPLICATE_ENTRY',
    bytes: () => zip([project(), project(withProject((p) => (p.name = 'Shadow project')))]),
  },
  {
    file: 'symlink.nnproj',
    attack:
      'A symbolic-link entry (`data/passwd.csv` -> `/etc/passwd`; Unix mode 0o120777 in the external attributes, made-by host 3).',
    code: 'SYMLINK_ENTRY',
    bytes: () =>
      zip([
        project(),
        {
          name: 'data/passwd.csv',
          content: utf8('/etc/passwd'),
          method: 0,
          madeBy: (HOST_UNIX << 8) | VERSION,
          external: (0o120777 << 16) >>> 0,
        },
      ]),
  },
  {
    file: 'overlap-fifield.nnproj',
    attack:
      "David Fifield's overlapping-entry zip bomb: 20 entries share one deflate kernel by quoting each other's local headers; ~18 MB from ~5 KB, each entry under the ratio floor.",
    code: 'OVERLAPPING_ENTRIES',
    bytes: () => fifieldBomb(20, 900_000),
  },
  {
    file: 'overlap-shared-data.nnproj',
    attack:
      "Two directory entries whose data is the same bytes (the second local header hides in the first's extra field).",
    code: 'OVERLAPPING_ENTRIES',
    bytes: sharedDataOverlap,
  },
  {
    file: 'overlap-same-header.nnproj',
    attack: 'Several directory entries pointing at the same local header and data.',
    code: 'CORRUPT_ENTRY',
    bytes: () => manyPointers(['project.json', 'data/a.csv', 'data/b.csv', 'data/c.csv'], { zip64: false }),
  },
  {
    file: 'entries-100k-zip64.nnproj',
    attack:
      'A 100,000-entry archive (ZIP64 end record + locator; every directory entry points at one local header).',
    code: 'TOO_MANY_ENTRIES',
    bytes: () => manyPointers(dataNames(100_000), { zip64: true }),
  },
  {
    file: 'entries-1001.nnproj',
    attack: 'One entry more than the limit of 1,000, without ZIP64.',
    code: 'TOO_MANY_ENTRIES',
    bytes: () => manyPointers(dataNames(1001), { zip64: false }),
  },
  {
    file: 'zip64-small.nnproj',
    attack: 'A ZIP64 archive with a single entry (ZIP64 is not supported at all).',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => manyPointers(['project.json'], { zip64: true }),
  },
  {
    file: 'spanned.nnproj',
    attack: 'A multi-part (spanned) archive: the end record says disk 1.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project()], { eocd: { disk: 1 } }),
  },
  {
    file: 'encrypted.nnproj',
    attack: 'An entry with the encrypted flag (general-purpose bit 0) set.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project(PROJECT, { flags: 0x1, method: 0 })]),
  },
  {
    file: 'unknown-method.nnproj',
    attack: 'An entry compressed with method 12 (bzip2), which fflate cannot read.',
    code: 'UNSUPPORTED_ZIP',
    bytes: () => zip([project(PROJECT, { method: 12, raw: utf8('BZh91AY&SY') })]),
  },
  {
    file: 'entry-not-allowed.nnproj',
    attack: 'An entry that is not on the allowlist, `evil.exe`.',
    code: 'ENTRY_NOT_ALLOWED',
    bytes: () =>
      zip([
        project(),
        { name: 'evil.exe', content: utf8('MZ\x90\x00This program cannot be run in DOS mode.') },
      ]),
  },
  {
    file: 'local-name-mismatch.nnproj',
    attack:
      'The directory says `project.json`, the local header says `evil.exe` (readers disagree on which to trust).',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { localName: 'evil.exe' })]),
  },
  {
    file: 'missing-project-json.nnproj',
    attack: 'A well-formed archive without `project.json`.',
    code: 'MISSING_ENTRY',
    bytes: () => zip([{ name: 'data/x.csv', content: utf8('a,b\n1,2\n') }]),
  },
  {
    file: 'half-weights.nnproj',
    attack: '`weights/model.json` without `weights/weights.bin`.',
    code: 'MISSING_ENTRY',
    bytes: () => zip([project(), { name: 'weights/model.json', content: utf8('{"modelTopology":{}}\n') }]),
  },
  {
    file: 'orphan-run.nnproj',
    attack: 'A `runs/<id>.jsonl` entry for a run that project.json does not list.',
    code: 'ENTRY_NOT_ALLOWED',
    bytes: () => zip([project(), { name: 'runs/ghost.jsonl', content: utf8('{"epoch":1,"loss":0.5}\n') }]),
  },
  // --- sizes ---
  {
    file: 'lying-size-small.nnproj',
    attack: 'project.json declares 512 bytes but its deflate stream inflates to 10 MiB.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(paddedProject(10 * MiB), { size: 512 })]),
  },
  {
    file: 'lying-size-short.nnproj',
    attack: 'project.json declares 1,000,000 bytes but inflates to a few hundred.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { size: 1_000_000 })]),
  },
  {
    file: 'lying-size-huge.nnproj',
    attack: 'project.json declares almost 4 GiB (a reader that preallocates would run out of memory).',
    code: 'ENTRY_TOO_LARGE',
    bytes: () => zip([project(PROJECT, { size: 0xfffffff0 })]),
  },
  {
    file: 'lying-size-ratio.nnproj',
    attack: 'project.json declares 15 MiB from a few hundred compressed bytes.',
    code: 'COMPRESSION_RATIO',
    bytes: () => zip([project(PROJECT, { size: 15 * MiB })]),
  },
  {
    file: 'stored-size-mismatch.nnproj',
    attack: 'A stored (uncompressed) entry whose two size fields differ.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { method: 0, size: PROJECT.length - 10 })]),
  },
  {
    file: 'data-past-directory.nnproj',
    attack: "An entry's compressed size runs past the start of the central directory.",
    code: 'TRUNCATED',
    bytes: () => zip([project(PROJECT, { compressedSize: 100_000 })]),
  },
  {
    file: 'project-json-50mb.nnproj',
    attack: 'A 50 MiB project.json (valid JSON padded with whitespace) deflated to ~50 KiB.',
    code: 'ENTRY_TOO_LARGE',
    bytes: () => zip([project(paddedProject(50 * MiB))]),
  },
  {
    file: 'project-json-15mb.nnproj',
    attack:
      'A 15 MiB whitespace-padded project.json with truthful headers: under the size limit, over the ratio limit.',
    code: 'COMPRESSION_RATIO',
    bytes: () => zip([project(paddedProject(15 * MiB))]),
  },
  {
    file: 'many-small-bombs.nnproj',
    attack:
      'A zip bomb made of many entries each just under the 1 MiB ratio floor: 400 CSV files of 1 MiB, each deflated to ~1 KiB (400 MiB from a 0.4 MB file; 999 such entries would fill 1 GiB).',
    code: 'COMPRESSION_RATIO',
    bytes: () => {
      const csv = new Uint8Array(MiB);
      for (let i = 0; i < csv.length; i += 2) csv.set([0x30, 0x0a], i); // "0\n" lines
      const raw = deflate(csv);
      const crc = crc32(csv);
      const names = dataNames(400);
      return zip([project(), ...names.map((name) => ({ name, content: csv, raw, crc }))]);
    },
  },
  // --- damage ---
  {
    file: 'truncated-half.nnproj',
    attack: 'A valid project cut in half (an interrupted download or save).',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return b.slice(0, b.length >> 1);
    },
  },
  {
    file: 'truncated-tail.nnproj',
    attack: 'A valid project missing its last byte.',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return b.slice(0, b.length - 1);
    },
  },
  {
    file: 'truncated-middle.nnproj',
    attack: 'A valid project with 64 bytes cut from its data: the directory points past the end.',
    code: 'TRUNCATED',
    bytes: () => {
      const b = validArchive();
      return concat([b.subarray(0, 40), b.subarray(104)]);
    },
  },
  {
    file: 'bad-crc.nnproj',
    attack: 'project.json with a wrong CRC-32.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(PROJECT, { crc: (crc32(PROJECT) ^ 0x1) >>> 0 })]),
  },
  {
    file: 'not-a-zip-png.nnproj',
    attack: 'A PNG image renamed to .nnproj.',
    code: 'NOT_A_ZIP',
    bytes: () => PNG,
  },
  {
    file: 'not-a-zip-text.nnproj',
    attack: 'Plain text renamed to .nnproj.',
    code: 'NOT_A_ZIP',
    bytes: () => utf8('This is not a Netloom project, just some text that happens to end in .nnproj.\n'),
  },
  {
    file: 'empty.nnproj',
    attack: 'An empty file.',
    code: 'NOT_A_ZIP',
    bytes: () => new Uint8Array(0),
  },
  // --- project.json content ---
  {
    file: 'invalid-json.nnproj',
    attack: 'project.json that is not JSON.',
    code: 'INVALID_JSON',
    bytes: () => zip([project(utf8('{"format": "netloom-project", "formatVersion": 1, '))]),
  },
  {
    file: 'invalid-utf8.nnproj',
    attack: 'project.json that is not valid UTF-8.',
    code: 'CORRUPT_ENTRY',
    bytes: () => zip([project(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]))]),
  },
  {
    file: 'unknown-format.nnproj',
    attack: 'A JSON file of some other format.',
    code: 'UNKNOWN_FORMAT',
    bytes: () => zip([project(withProject((p) => (p.format = 'evil-project')))]),
  },
  {
    file: 'future-version.nnproj',
    attack: 'formatVersion 999 in an otherwise valid project.json.',
    code: 'FUTURE_VERSION',
    bytes: () => zip([project(withProject((p) => (p.formatVersion = 999)))]),
  },
  {
    file: 'extra-key.nnproj',
    attack: 'An unknown top-level key (`onOpen` with code in it): a project never names code.',
    code: 'SCHEMA',
    bytes: () => zip([project(withProject((p) => (p.onOpen = "require('child_process').exec('rm -rf ~')")))]),
  },
  {
    file: 'proto-key.nnproj',
    attack: 'A top-level `__proto__` key (prototype pollution through a careless merge).',
    code: 'FORBIDDEN_KEY',
    bytes: () =>
      zip([
        project(utf8(`{"__proto__": {"polluted": "yes"}, ${new TextDecoder().decode(PROJECT).slice(1)}`)),
      ]),
  },
  {
    file: 'proto-key-nested.nnproj',
    attack: "A `constructor.prototype` key deep inside a node's params.",
    code: 'FORBIDDEN_KEY',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            graphOf(p).nodes[1]!.params = JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}');
          }),
        ),
      ]),
  },
  {
    file: 'unknown-layer.nnproj',
    attack: 'A node of a layer kind that does not exist (`EvalLayer`).',
    code: 'UNKNOWN_LAYER',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            const n = graphOf(p).nodes[1]!;
            n.kind = 'EvalLayer';
            n.params = {};
          }),
        ),
      ]),
  },
  {
    file: 'cycle.nnproj',
    attack: 'A graph with a cycle (add_1 -> dense_1 -> add_1).',
    code: 'GRAPH',
    bytes: () =>
      zip([
        project(
          withProject((p) => {
            const g = graphOf(p);
            g.nodes = [
              node('input_1', 'Input', { shape: [4], dtype: 'float32' }, 0),
              node('add_1', 'Add', { inputs: 2 }, 110),
              node('dense_1', 'Dense', { units: 4, activation: 'relu', useBias: true }, 220),
              node('output_1', 'Output', { targetShape: [4], loss: 'meanSquaredError' }, 330),
            ];
            g.edges = [
              edge('e1', 'input_1', 'add_1', 'in1'),
              edge('e2', 'dense_1', 'add_1', 'in2'),
              edge('e3', 'add_1', 'dense_1'),
              edge('e4', 'dense_1', 'output_1'),
            ];
          }),
        ),
      ]),
  },
  {
    file: 'deep-nesting.nnproj',
    attack: 'A 100,000-deep nested array in project.json (200 KB): the checks must stay linear in the depth.',
    code: 'SCHEMA',
    bytes: () =>
      zip([
        project(
          withProjectText((t) =>
            t.replace('"name": "Hostile fixture"', `"name": ${'['.repeat(100_000)}${']'.repeat(100_000)}`),
          ),
        ),
      ]),
  },
];
