/**
 * Hostile and tricky models found by review, each one a case that once crashed, hung, read outside
 * the model's folder, or imported a model that computes something else: now imported correctly or
 * refused with an ImportError.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../../electron/import/index';
import { importOnnx } from '../../../electron/import/onnx';
import { importedProject } from '../../../electron/import/project';
import { ImportError } from '../../../electron/import/types';
import { RawRowsError, readRawRows } from '../../../electron/services/rawRows';
import { checkGraph } from '../../../shared/graph/check';
import { tempDir } from '../export/helpers';

const { onnx } = onnxProto;
const FLOAT = 1;

type Attr = { name: string; type: number; i?: number; ints?: number[] };
const node = (op: string, inputs: string[], outputs: string[], attribute: Attr[] = [], name = '') => ({
  opType: op,
  input: inputs,
  output: outputs,
  attribute,
  name,
});
const axisAttr = (i: number): Attr => ({ name: 'axis', type: 2, i });
const tensor = (name: string, dims: number[], data: number[]) => ({
  name,
  dims,
  dataType: FLOAT,
  floatData: data,
});
const value = (name: string, dims: (number | null)[]) => ({
  name,
  type: {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })) },
    },
  },
});
function model(graph: object, opset = 17): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ version: opset }], graph }),
  ).finish();
}
const imported = (bytes: Uint8Array) => importedProject(importOnnx(bytes, 'x.onnx'), 'x.onnx');

describe('models that once broke the importer', () => {
  it('a chain of 3,000 layers and names like constructor or valueOf import (no stack overflow)', () => {
    const nodes = Array.from({ length: 3000 }, (_, i) =>
      node(
        'Relu',
        [i === 0 ? 'constructor' : `v${i - 1}`],
        [i === 2999 ? 'y' : `v${i}`],
        [],
        i === 1 ? 'valueOf' : '',
      ),
    );
    const bundle = imported(
      model({ node: nodes, input: [value('constructor', [null, 4])], output: [value('y', [null, 4])] }),
    );
    const report = checkGraph(bundle.project.graph);
    expect(report.valid).toBe(true);
    expect(bundle.project.graph.nodes.length).toBe(3002);
    // Laid out top-down: deeper layers lower.
    const ys = bundle.project.graph.nodes.map((n) => n.position.y);
    expect(ys.at(-2)!).toBeGreaterThan(ys[0]!);
  });

  it('refuses what would compute something else than the source model', () => {
    const conv = tensor(
      'W',
      [3, 3, 1, 1],
      Array.from({ length: 9 }, (_, i) => i * 0.1),
    );
    // A softmax over a pooled N, C, 1, 1 tensor's last axis (of size 1), not over the channels.
    const pooledSoftmax = model({
      node: [
        node('Conv', ['x', 'W'], ['c']),
        node('GlobalAveragePool', ['c'], ['p']),
        node('Softmax', ['p'], ['s'], [axisAttr(-1)]),
        node('Flatten', ['s'], ['y']),
      ],
      initializer: [conv],
      input: [value('x', [null, 3, 4, 4])],
      output: [value('y', [null, 3])],
    });
    expect(() => imported(pooledSoftmax)).toThrow(/Softmax.*only a softmax over the last/);
    // Before opset 13, Softmax's default axis is 1 over the flattened rest, not the last axis.
    const k = tensor('K', [4, 4], Array<number>(16).fill(0.1));
    const opset11 = model(
      {
        node: [node('MatMul', ['x', 'K'], ['h']), node('Softmax', ['h'], ['y'])],
        initializer: [k],
        input: [value('x', [null, 3, 4])],
        output: [value('y', [null, 3, 4])],
      },
      11,
    );
    expect(() => imported(opset11)).toThrow(ImportError);
    // A global pool over a tensor that is not channels first.
    const eye = tensor('E', [4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const gap = model({
      node: [
        node('MatMul', ['x', 'E'], ['h']),
        node('GlobalAveragePool', ['h'], ['p']),
        node('Flatten', ['p'], ['y']),
      ],
      initializer: [eye],
      input: [value('x', [null, 6, 4])],
      output: [value('y', [null, 6])],
    });
    expect(() => imported(gap)).toThrow(/GlobalAveragePool.*not an N, C/);
    // Two flattened channels-first tensors of different C, H, W added.
    const w1 = tensor('W1', [2, 1, 1, 1], [1, 2]);
    const w2 = tensor('W2', [3, 1, 3, 1], Array<number>(9).fill(1));
    const g = tensor(
      'G',
      [12, 2],
      Array.from({ length: 24 }, (_, i) => i),
    );
    const flatAdd = model({
      node: [
        node('Conv', ['x', 'W1'], ['c1']),
        node('Conv', ['x', 'W2'], ['c2']),
        node('Flatten', ['c1'], ['f1']),
        node('Flatten', ['c2'], ['f2']),
        node('Add', ['f1', 'f2'], ['s']),
        node('Gemm', ['s', 'G'], ['y']),
      ],
      initializer: [w1, w2, g],
      input: [value('x', [null, 1, 6, 1])],
      output: [value('y', [null, 2])],
    });
    expect(() => imported(flatAdd)).toThrow(/different layouts/);
    // The GELU pattern with per-feature constants is not GELU.
    const notGelu = model({
      node: [
        node('Div', ['x', 'k'], ['d']),
        node('Erf', ['d'], ['e']),
        node('Add', ['e', 'one'], ['a']),
        node('Mul', ['x', 'a'], ['m']),
        node('Mul', ['m', 'half'], ['y']),
      ],
      initializer: [
        tensor('k', [2], [Math.SQRT2, 1000]),
        tensor('one', [2], [1, -1]),
        tensor('half', [2], [0.5, 7]),
      ],
      input: [value('x', [null, 2])],
      output: [value('y', [null, 2])],
    });
    expect(() => imported(notGelu)).toThrow(ImportError);
  });

  it('a TF.js shard that is a link to a file outside the model folder is not read', async () => {
    const dir = tempDir('hostile-link');
    const secret = path.join(dir, 'secret.bin');
    writeFileSync(secret, new Uint8Array(8));
    const m = path.join(dir, 'model');
    mkdirSync(m);
    symlinkSync(secret, path.join(m, 'weights.bin'));
    const json = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            {
              class_name: 'Dense',
              config: { name: 'd', units: 1, use_bias: true, batch_input_shape: [null, 1] },
            },
          ],
        },
      },
      weightsManifest: [
        {
          paths: ['weights.bin'],
          weights: [
            { name: 'd/kernel', shape: [1, 1], dtype: 'float32' },
            { name: 'd/bias', shape: [1], dtype: 'float32' },
          ],
        },
      ],
    };
    writeFileSync(path.join(m, 'model.json'), JSON.stringify(json));
    await expect(readModel(path.join(m, 'model.json'))).rejects.toThrow(/leads outside the model's folder/);
  });

  it('rows for a huge input are refused by their width before anything is allocated', async () => {
    const csv = path.join(tempDir('hostile-rows'), 'rows.csv');
    writeFileSync(csv, '1,2,3\n4,5,6\n');
    await expect(
      readRawRows(csv, { shape: [16384, 16384], dtype: 'float32' }, 'channels-last'),
    ).rejects.toThrow(RawRowsError);
  });
});

describe('opset 20', () => {
  it("the Gelu op is the catalog's GELU; its tanh approximation is refused", () => {
    const gelu = (approximate?: string) =>
      onnx.ModelProto.encode(
        onnx.ModelProto.create({
          irVersion: 9,
          opsetImport: [{ version: 20 }],
          graph: {
            node: [
              {
                opType: 'Gelu',
                input: ['x'],
                output: ['y'],
                attribute: approximate
                  ? [{ name: 'approximate', type: 3, s: new TextEncoder().encode(approximate) }]
                  : [],
              },
            ],
            input: [value('x', [null, 3])],
            output: [value('y', [null, 3])],
          },
        }),
      ).finish();
    const bundle = imported(gelu());
    expect(bundle.project.graph.nodes.find((n) => n.kind === 'Activation')?.params.fn).toBe('gelu');
    expect(() => imported(gelu('tanh'))).toThrow(/only the exact GELU/);
  });
});
