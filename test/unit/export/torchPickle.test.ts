/** torchSave: the bytes are torch.save's format, checked by PyTorch itself where it is installed. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { torchSave, type TorchTensor } from '../../../electron/export/torchPickle';
import { PYTHON, tempDir, torchAvailable } from './helpers';

const ramp = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * scale);

/** Shapes that exercise every integer opcode the pickler emits (1-, 2-, 4-byte ints) and edge cases. */
const TENSORS: TorchTensor[] = [
  { name: 'dense.weight', shape: [3, 4], data: ramp(12, 0.25) },
  { name: 'dense.bias', shape: [3], data: Float32Array.from([-1.5, 0, 3.25e-8]) },
  { name: 'scalar', shape: [], data: Float32Array.from([Math.PI]) },
  { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
  { name: 'wide', shape: [1, 300], data: ramp(300, 1e-3) },
  { name: 'long', shape: [70000], data: ramp(70000, 1e-5) },
  { name: 'naïve.ünïcode', shape: [2, 1, 2], data: Float32Array.from([1, -0, Infinity, -Infinity]) },
];

describe('torchSave', () => {
  it('lays out a zip whose records are 64-byte aligned, with the format version 3', () => {
    const bytes = torchSave(TENSORS);
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual([
      'archive/data.pkl',
      ...TENSORS.map((_, i) => `archive/data/${i}`),
      'archive/version',
    ]);
    expect(new TextDecoder().decode(files['archive/version'])).toBe('3\n');
    TENSORS.forEach((t, i) => {
      const raw = files[`archive/data/${i}`]!;
      expect(new Float32Array(raw.slice().buffer)).toEqual(t.data);
    });
  });

  it('is deterministic: the same weights give the same bytes', () => {
    expect(Buffer.from(torchSave(TENSORS)).equals(Buffer.from(torchSave(TENSORS)))).toBe(true);
  });

  it('refuses a mismatched shape, a duplicate name and a negative dimension, naming the tensor', () => {
    expect(() => torchSave([{ name: 'w', shape: [2, 2], data: new Float32Array(3) }])).toThrow(
      /w has shape \[2, 2\]/,
    );
    expect(() =>
      torchSave([
        { name: 'w', shape: [1], data: new Float32Array(1) },
        { name: 'w', shape: [1], data: new Float32Array(1) },
      ]),
    ).toThrow(/duplicate tensor name "w"/);
    expect(() => torchSave([{ name: 'v', shape: [-1], data: new Float32Array(0) }])).toThrow(
      /v has an invalid shape/,
    );
  });

  it.skipIf(!torchAvailable)(
    'loads with torch.load(weights_only=True): names, order, shapes and values exact',
    () => {
      const dir = tempDir('torchsave');
      const file = path.join(dir, 'weights.pt');
      writeFileSync(file, torchSave(TENSORS));
      const script = `
import json, sys, torch
state = torch.load(sys.argv[1], map_location='cpu', weights_only=True)
print(json.dumps({
  'type': type(state).__name__,
  'tensors': [
    {'name': k, 'dtype': str(v.dtype), 'shape': list(v.shape), 'contiguous': v.is_contiguous(),
     'values': [x if x == x and abs(x) != float('inf') else str(x) for x in v.reshape(-1).tolist()]}
    for k, v in state.items()
  ],
}))
`;
      const r = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const got = JSON.parse(r.stdout) as {
        type: string;
        tensors: {
          name: string;
          dtype: string;
          shape: number[];
          contiguous: boolean;
          values: (number | string)[];
        }[];
      };
      expect(got.type).toBe('OrderedDict');
      expect(got.tensors.map((t) => t.name)).toEqual(TENSORS.map((t) => t.name));
      got.tensors.forEach((t, i) => {
        const want = TENSORS[i]!;
        expect(t.dtype).toBe('torch.float32');
        expect(t.shape).toEqual(want.shape);
        expect(t.contiguous).toBe(true);
        const values = Array.from(want.data, (v) =>
          Number.isFinite(v) ? v : String(v).replace('Infinity', 'inf'),
        );
        expect(t.values).toEqual(values);
      });
    },
  );
});
