/**
 * torch's nn.MultiheadAttention (torch.onnx.export, opset 17, dynamic batch) imports as one
 * MultiHeadAttention whose predictions are within 1e-4 of onnxruntime's: alone, with a residual and
 * LayerNorm, after an Embedding of int64 ids, with need_weights left on, without biases, with 4 heads,
 * two stacked; nn.TransformerEncoderLayer comes back as a TransformerEncoderBlock.
 * Cross-attention, masks and time-first (batch_first=False) models are refused; changed constants
 * and flipped bytes are refused or still import exactly.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { importOnnx } from '../../../electron/import/onnx';
import { importedProject } from '../../../electron/import/project';
import { ImportError } from '../../../electron/import/types';
import type { ArrayDataset } from '../../../shared/training/data';
import { enginePredict, maxAbsDiff, PYTHON, tempDir, torchAvailable } from '../export/helpers';

const { onnx } = onnxProto;

const SCRIPT = String.raw`
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Att(nn.Module):
    def __init__(s, e=8, h=2, res=False, emb=False, nw=False, bias=True, cross=False, mask=False, tf=False):
        super().__init__()
        s.res, s.emb, s.nw, s.cross, s.mask, s.tf = res, emb, nw, cross, mask, tf
        s.embed = nn.Embedding(20, e)
        s.q = nn.Linear(e, e)
        s.att = nn.MultiheadAttention(e, h, bias=bias, batch_first=not tf)
        s.norm = nn.LayerNorm(e)
        s.fc = nn.Linear(e, 2)
    def forward(s, x):
        if s.emb: x = s.embed(x)
        q = s.q(x) if s.cross else x
        kw = {} if s.nw else {'need_weights': False}
        if s.mask: kw['attn_mask'] = torch.triu(torch.full((5, 5), float('-inf')), 1)
        y, _ = s.att(q, x, x, **kw)
        if s.res: y = s.norm(x + y)
        return s.fc(y.mean(0 if s.tf else 1))
class Stacked(nn.Module):
    def __init__(s):
        super().__init__()
        s.a, s.b = nn.MultiheadAttention(8, 2, batch_first=True), nn.MultiheadAttention(8, 4, batch_first=True)
        s.fc = nn.Linear(8, 2)
    def forward(s, x):
        y = x + s.a(x, x, x, need_weights=False)[0]
        return s.fc((y + s.b(y, y, y, need_weights=False)[0]).mean(1))
class Encoder(nn.Module):
    def __init__(s):
        super().__init__()
        s.e = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        s.fc = nn.Linear(8, 2)
    def forward(s, x): return s.fc(s.e(x).mean(1))
models = {
    'mha_stacked': (Stacked(), torch.randn(2, 5, 8)),
    'mha_encoder': (Encoder(), torch.randn(2, 5, 8)),
    'mha': (Att(), torch.randn(2, 5, 8)),
    'mha_residual': (Att(res=True), torch.randn(2, 5, 8)),
    'mha_tokens': (Att(emb=True, res=True), torch.randint(0, 20, (2, 5))),
    'mha_weights': (Att(nw=True), torch.randn(2, 5, 8)),
    'mha_nobias': (Att(bias=False), torch.randn(2, 5, 8)),
    'mha_4heads': (Att(e=16, h=4, res=True), torch.randn(2, 5, 16)),
    'mha_cross': (Att(cross=True), torch.randn(2, 5, 8)),
    'mha_mask': (Att(mask=True), torch.randn(2, 5, 8)),
}
for name, (m, x) in models.items():
    m.eval()
    torch.onnx.export(m, x, f'{sys.argv[1]}/{name}.onnx', opset_version=17, input_names=['x'],
                      output_names=['y'], dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})
tf = Att(tf=True).eval()
torch.onnx.export(tf, torch.randn(5, 2, 8), f'{sys.argv[1]}/mha_timefirst.onnx', opset_version=17,
                  input_names=['x'], output_names=['y'], dynamic_axes={'x': {1: 'batch'}, 'y': {0: 'batch'}})
`;

/** `count` samples of `shape`: random floats, or ids below 20. */
function data(shape: number[], count: number, ids: boolean): ArrayDataset {
  let s = 11;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const n = count * shape.reduce((a, d) => a * d, 1);
  const x = ids
    ? Int32Array.from({ length: n }, () => Math.floor(rand() * 20))
    : Float32Array.from({ length: n }, () => rand() * 4 - 2);
  const base = { id: 'random', name: 'random', task: 'regression' as const, sampleShape: shape };
  return { ...base, x, xDtype: ids ? 'int32' : 'float32', y: new Float32Array(count), targetSize: 1, count };
}

async function ortPredict(file: string, d: ArrayDataset): Promise<number[][]> {
  const session = await ort.InferenceSession.create(file);
  const dims = [d.count, ...d.sampleShape];
  const feed =
    d.xDtype === 'int32'
      ? new ort.Tensor(
          'int64',
          BigInt64Array.from(d.x as Int32Array, (v) => BigInt(v)),
          dims,
        )
      : new ort.Tensor('float32', d.x as Float32Array, dims);
  const out = await session.run({ x: feed });
  const y = out[session.outputNames[0]!]!.data as Float32Array;
  const per = y.length / d.count;
  return Array.from({ length: d.count }, (_, i) => Array.from(y.subarray(i * per, (i + 1) * per)));
}

describe.runIf(torchAvailable)('ONNX import: torch nn.MultiheadAttention', () => {
  let dir = '';
  const load = (name: string) => {
    const file = path.join(dir, `${name}.onnx`);
    return { file, model: () => importOnnx(new Uint8Array(readFileSync(file)), file) };
  };
  beforeAll(async () => {
    await initBackend('wasm');
    dir = tempDir('import-torch-mha');
    writeFileSync(path.join(dir, 'make.py'), SCRIPT);
    const r = spawnSync(PYTHON, [path.join(dir, 'make.py'), dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  const cases: [string, number[], string[], number, number][] = [
    ['mha', [5, 8], ['Input', 'MultiHeadAttention', 'GlobalAvgPool1D', 'Dense'], 2, 4],
    [
      'mha_residual',
      [5, 8],
      ['Input', 'MultiHeadAttention', 'Add', 'LayerNormalization', 'GlobalAvgPool1D', 'Dense'],
      2,
      4,
    ],
    [
      'mha_tokens',
      [5],
      ['Input', 'Embedding', 'MultiHeadAttention', 'Add', 'LayerNormalization', 'GlobalAvgPool1D', 'Dense'],
      2,
      4,
    ],
    // need_weights=True (torch's default): the averaged weights are not written when unused.
    ['mha_weights', [5, 8], ['Input', 'MultiHeadAttention', 'GlobalAvgPool1D', 'Dense'], 2, 4],
    ['mha_nobias', [5, 8], ['Input', 'MultiHeadAttention', 'GlobalAvgPool1D', 'Dense'], 2, 4],
    [
      'mha_4heads',
      [5, 16],
      ['Input', 'MultiHeadAttention', 'Add', 'LayerNormalization', 'GlobalAvgPool1D', 'Dense'],
      4,
      4,
    ],
  ];
  it.each(cases)(
    '%s: one MultiHeadAttention, within 1e-4 of onnxruntime',
    async (name, shape, kinds, heads, keyDim) => {
      const { file, model } = load(name);
      const m = model();
      expect(m.nodes.map((n) => n.kind)).toEqual(kinds);
      const att = m.nodes.find((n) => n.kind === 'MultiHeadAttention')!;
      expect([att.id, att.name]).toEqual(['att', '/att']);
      const useBias = name !== 'mha_nobias';
      expect(att.params).toEqual({
        numHeads: heads,
        keyDim,
        valueDim: keyDim,
        useBias,
        causal: false,
        dropout: 0,
      });
      const d = data(shape, 16, name === 'mha_tokens');
      const want = await ortPredict(file, d);
      const diff = maxAbsDiff(await enginePredict(importedProject(m, file), d), want);
      console.log(`onnx import torch ${name}: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    },
  );

  // Two attentions (the second's zero biases written as Identity of the first's, equal, ones), and
  // nn.TransformerEncoderLayer, whose attention, Adds, LayerNorms and feed-forward form the block.
  it.each([
    [
      'mha_stacked',
      ['Input', 'MultiHeadAttention', 'Add', 'MultiHeadAttention', 'Add', 'GlobalAvgPool1D', 'Dense'],
    ],
    ['mha_encoder', ['Input', 'TransformerEncoderBlock', 'GlobalAvgPool1D', 'Dense']],
  ])('%s: within 1e-4 of onnxruntime', async (name, kinds) => {
    const { file, model } = load(name);
    const m = model();
    expect(m.nodes.map((n) => n.kind)).toEqual(kinds);
    const d = data([5, 8], 16, false);
    const diff = maxAbsDiff(await enginePredict(importedProject(m, file), d), await ortPredict(file, d));
    console.log(`onnx import torch ${name}: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it.each([
    ['mha_cross', /MultiheadAttention as cross-attention/],
    ['mha_mask', /MultiheadAttention with an attention mask/],
  ])('%s: refused, named, nothing imported as something else', (name, why) => {
    expect(() => load(name).model()).toThrow(ImportError);
    expect(() => load(name).model()).toThrow(why);
  });

  it('batch_first=False: refused at the attention, located', () => {
    expect(() => load('mha_timefirst').model()).toThrow(/batch_first=True/);
  });

  // Every Constant node of the attention (offsets, shape pieces, axes, perms' neighbours, the scale)
  // changed by one (floats by half again): refused, or imported and still equal to onnxruntime's.
  it('mha with any one constant changed: refused, or imported and still within 1e-4', async () => {
    const { file } = load('mha');
    const base = onnx.ModelProto.decode(new Uint8Array(readFileSync(file)));
    const constants = base
      .graph!.node!.map((n, i) => [n, i] as const)
      .filter(([n]) => n.opType === 'Constant');
    const d = data([5, 8], 4, false);
    let refused = 0;
    let same = 0;
    for (const [, i] of constants)
      for (const delta of [1, -1]) {
        const m = onnx.ModelProto.decode(onnx.ModelProto.encode(base).finish());
        const t = m.graph!.node![i]!.attribute![0]!.t!;
        const raw = Uint8Array.from(t.rawData!);
        if (t.dataType === onnx.TensorProto.DataType.INT64) {
          const v = new BigInt64Array(raw.buffer);
          v[0] = v[0]! + BigInt(delta);
        } else if (t.dataType === onnx.TensorProto.DataType.FLOAT)
          new Float32Array(raw.buffer)[0]! *= 1 + delta / 2;
        else continue;
        t.rawData = raw;
        const bytes = onnx.ModelProto.encode(m).finish();
        let model;
        try {
          model = importOnnx(bytes, 'changed.onnx');
        } catch (e) {
          if (!(e instanceof ImportError)) throw e;
          refused++;
          continue;
        }
        const changed = path.join(dir, `changed-${i}-${delta}.onnx`);
        writeFileSync(changed, bytes);
        const want = await ortPredict(changed, d);
        expect(maxAbsDiff(await enginePredict(importedProject(model, changed), d), want)).toBeLessThanOrEqual(
          1e-4,
        );
        same++;
      }
    console.log(`torch mha, one constant changed: ${refused} refused, ${same} imported and equal`);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);

  it('mha with bytes flipped: imported whole or refused with an ImportError, never anything else', () => {
    const base = new Uint8Array(readFileSync(load('mha').file));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (flips) => {
          const bytes = Uint8Array.from(base);
          for (const [at, bits] of flips) bytes[at % bytes.length]! ^= bits;
          try {
            importedProject(importOnnx(bytes, 'flipped.onnx'), 'flipped.onnx');
          } catch (e) {
            if (!(e instanceof ImportError)) throw e;
          }
        },
      ),
      { numRuns: 300, seed: 20261204 },
    );
  });
});
