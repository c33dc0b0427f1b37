/** Project contents for the hostile corpus: a valid base project and ways to damage it. */
import {
  utf8,
  concat,
  Bytes,
  crc32,
  deflate,
  VERSION,
  HOST_UNIX,
  HeaderFields,
  localHeader,
  centralHeader,
  endRecord,
  zip64End,
  Entry,
  zip,
} from './zip';

// ---------------------------------------------------------------------------------------------
// Contents
// ---------------------------------------------------------------------------------------------

export const TRAINING = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  epochs: 20,
  validationSplit: 0.2,
  shuffle: true,
  seed: 42,
  loss: 'auto',
  earlyStopping: null,
};

export const node = (id: string, kind: string, params: Record<string, unknown>, y: number) => ({
  id,
  kind,
  params,
  position: { x: 0, y },
});
export const edge = (id: string, source: string, target: string, targetPort = 'in') => ({
  id,
  source,
  target,
  targetPort,
});

/** A small valid project (a perceptron) that each attack starts from. */
export function baseProject(): Record<string, unknown> {
  return {
    format: 'netloom-project',
    formatVersion: 1,
    name: 'Hostile fixture',
    graph: {
      nodes: [
        node('input_1', 'Input', { shape: [2], dtype: 'float32' }, 0),
        node('dense_1', 'Dense', { units: 1, activation: 'sigmoid', useBias: true }, 110),
        node('output_1', 'Output', { targetShape: [1], loss: 'auto' }, 220),
      ],
      edges: [edge('e1', 'input_1', 'dense_1'), edge('e2', 'dense_1', 'output_1')],
    },
    data: null,
    training: { ...TRAINING },
    runs: [],
  };
}

export const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v, null, 2) + '\n');
export const PROJECT = json(baseProject());
export const project = (content: Uint8Array = PROJECT, more: Partial<Entry> = {}): Entry => ({
  name: 'project.json',
  content,
  ...more,
});

/** The base project as a valid archive (exported so the tests can show it opens). */
export function validArchive(): Uint8Array {
  return zip([project()]);
}

/** Valid JSON text of `bytes` length: the base project with whitespace after its first `{`. */
export function paddedProject(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes).fill(0x20);
  out[0] = 0x7b; // {
  const rest = PROJECT.subarray(1);
  out.set(rest, bytes - rest.length);
  return out;
}

// A PNG signature and IHDR chunk of a 1×1 image (plus IEND), for "not a zip".
export const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
  0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
]);

/**
 * David Fifield's overlapping-file zip bomb ("A better zip bomb", 2019): one highly compressed
 * kernel shared by every entry; each entry's deflate stream starts with a non-final stored block that
 * quotes the next entry's local header, then runs on into that entry's data. Every entry inflates to
 * the kernel plus the headers after it; an extractor that trusts the directory inflates the kernel
 * once per entry. Each entry stays under 1 MiB so only the overlap check can catch it.
 */
export function fifieldBomb(count: number, kernelBytes: number): Uint8Array {
  const names = [
    'project.json',
    ...Array.from({ length: count - 1 }, (_, i) => `data/bomb${String(i + 1).padStart(2, '0')}.csv`),
  ].map(utf8);
  const kernelPlain = new Uint8Array(kernelBytes).fill(0x41);
  const kernel = deflate(kernelPlain);
  const lens = names.map((n) => 30 + n.length);
  // Layout: LFH0 S0 LFH1 S1 ... LFH(n-1) kernel, where Si is a 5-byte stored-block header quoting
  // LFH(i+1). Entry i's data is everything from Si to the end of the kernel.
  const fields: HeaderFields[] = new Array<HeaderFields>(count);
  const headers: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = count - 1; i >= 0; i--) {
    const after = headers.slice(i + 1);
    fields[i] = {
      name: names[i]!,
      flags: 0,
      method: 8,
      crc: crc32([...after, kernelPlain]),
      compressedSize: kernel.length + after.reduce((a, h) => a + 5 + h.length, 0),
      size: kernelBytes + after.reduce((a, h) => a + h.length, 0),
    };
    headers[i] = localHeader(fields[i]!);
  }
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    centrals.push(
      centralHeader({
        ...fields[i]!,
        madeBy: (HOST_UNIX << 8) | VERSION,
        external: (0o100644 << 16) >>> 0,
        localOffset: offset,
      }),
    );
    parts.push(headers[i]!);
    offset += lens[i]!;
    if (i < count - 1) {
      const next = lens[i + 1]!;
      // Non-final stored block: BFINAL 0, BTYPE 00 (rest of the byte is padding), LEN, NLEN.
      parts.push(
        new Bytes()
          .u8(0)
          .u16(next)
          .u16(~next & 0xffff)
          .done(),
      );
      offset += 5;
    }
  }
  parts.push(kernel);
  offset += kernel.length;
  const cd = concat(centrals);
  return concat([...parts, cd, endRecord({ entries: count, cdSize: cd.length, cdOffset: offset })]);
}

/** Two central entries whose data is the same bytes: entry B's local header hides in A's extra field. */
export function sharedDataOverlap(): Uint8Array {
  const content = utf8('a,b\n1,2\n');
  const raw = deflate(content);
  const common = { madeBy: (HOST_UNIX << 8) | VERSION, external: (0o100644 << 16) >>> 0 };
  const csv = (name: string): HeaderFields => ({
    name: utf8(name),
    flags: 0,
    method: 8,
    crc: crc32(content),
    compressedSize: raw.length,
    size: content.length,
  });
  const pj: HeaderFields = {
    name: utf8('project.json'),
    flags: 0,
    method: 0,
    crc: crc32(PROJECT),
    compressedSize: PROJECT.length,
    size: PROJECT.length,
  };
  const pjLfh = localHeader(pj);
  const inner = localHeader(csv('data/b.csv'));
  const outer = localHeader({ ...csv('data/a.csv'), extra: inner });
  const aAt = pjLfh.length + PROJECT.length;
  const cd = concat([
    centralHeader({ ...pj, ...common, localOffset: 0 }),
    centralHeader({ ...csv('data/a.csv'), ...common, localOffset: aAt }),
    centralHeader({ ...csv('data/b.csv'), ...common, localOffset: aAt + outer.length - inner.length }),
  ]);
  const cdOffset = aAt + outer.length + raw.length;
  return concat([pjLfh, PROJECT, outer, raw, cd, endRecord({ entries: 3, cdSize: cd.length, cdOffset })]);
}

/** Central entries that all point at one local header (offset 0). */
export function manyPointers(names: readonly string[], opts: { zip64: boolean }): Uint8Array {
  const content = utf8('x\n');
  const first = utf8(names[0]!);
  const fields = (name: Uint8Array): HeaderFields => ({
    name,
    flags: 0,
    method: 0,
    crc: crc32(content),
    compressedSize: content.length,
    size: content.length,
  });
  const lfh = localHeader(fields(first));
  const common = { madeBy: (HOST_UNIX << 8) | VERSION, external: (0o100644 << 16) >>> 0, localOffset: 0 };
  const cd = concat(names.map((n) => centralHeader({ ...fields(utf8(n)), ...common })));
  const cdOffset = lfh.length + content.length;
  if (!opts.zip64)
    return concat([lfh, content, cd, endRecord({ entries: names.length, cdSize: cd.length, cdOffset })]);
  const z64At = cdOffset + cd.length;
  return concat([
    lfh,
    content,
    cd,
    zip64End(z64At, names.length, cd.length, cdOffset),
    endRecord({ entries: 0xffff, cdSize: cd.length, cdOffset }),
  ]);
}

/** `data/AAA.csv`, `data/AAB.csv`, ...: distinct names on the allowlist. */
export function dataNames(count: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    let k = i;
    for (let d = 0; d < 3; d++) {
      s = alphabet[k % alphabet.length]! + s;
      k = Math.floor(k / alphabet.length);
    }
    out.push(`data/${s}.csv`);
  }
  return out;
}

export function withProject(mutate: (p: Record<string, unknown>) => void): Uint8Array {
  const p = baseProject();
  mutate(p);
  return json(p);
}

export function withProjectText(edit: (text: string) => string): Uint8Array {
  return utf8(edit(new TextDecoder().decode(PROJECT)));
}

export function graphOf(p: Record<string, unknown>): {
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
} {
  return p.graph as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
}

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------
