/**
 * ONNX import: a .onnx model → a Netloom graph in the catalog's kinds with its weights in TF.js's
 * layout (`./project.ts` makes the project). The graph is walked in order; each op, or each pattern
 * of ops Netloom's export and torch.onnx.export write for one layer, becomes a catalog layer.
 * Netloom graphs are channels last: a channels-first image model gets a channels-last Input (and
 * `layout: 'channels-first'`), and every value remembers how its ONNX axes relate to Netloom's
 * (`onnxContext.ts`), so conv kernels and the Dense after a flattening are converted to match.
 * Every unsupported op in the whole graph is listed before anything is refused.
 */
import { attention } from './onnxAttention';
import { encoderBlocks } from './onnxBlocks';
import { ARITH_OPS } from './onnxArith';
import { Ctx, LAST, type Layout } from './onnxContext';
import { type Handler, LAYER_OPS, matMul } from './onnxLayers';
import { type OnnxGraph, readOnnx } from './onnxRead';
import { SEQUENCE_OPS } from './onnxSequence';
import { SHAPE_OPS } from './onnxShapes';
import { torchAttention } from './onnxTorchAttention';
import { ImportError, type ImportedModel } from './types';

const HANDLERS: Readonly<Record<string, Handler>> = {
  ...LAYER_OPS,
  ...SHAPE_OPS,
  ...ARITH_OPS,
  ...SEQUENCE_OPS,
  MatMul: (c, n) => {
    if (!attention(c, n)) matMul(c, n);
  },
};

/** Ops that read their input channels first: a rank-3/4 float input they read is an image in N, C, H, W. */
const CHANNELS_FIRST = new Set([
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'BatchNormalization',
]);

const ELEM = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

function inputs(c: Ctx, g: OnnxGraph): void {
  for (const i of g.inputs) {
    const dtype =
      i.elemType === ELEM.FLOAT
        ? 'float32'
        : i.elemType === ELEM.INT64 || i.elemType === ELEM.INT32
          ? 'int32'
          : null;
    if (!dtype)
      throw new ImportError(
        `The input ${i.name} has element type ${i.elemType}; Netloom reads float32 and integer inputs.`,
      );
    const rest = i.dims.slice(1);
    if (rest.length < 1 || rest.length > 4)
      throw new ImportError(
        `The input ${i.name} has rank ${i.dims.length}; Netloom reads a batch axis and 1 to 4 more.`,
      );
    const first =
      dtype === 'float32' &&
      (rest.length === 2 || rest.length === 3) &&
      c.uses(i.name).some((u) => CHANNELS_FIRST.has(u.op));
    if (first && rest.some((d) => d === null))
      throw new ImportError(
        `The input ${i.name} is a channels-first image with variable sizes; Netloom needs fixed ones.`,
      );
    const layout: Layout = first ? { k: 'first' } : LAST;
    c.input(i.name, first ? [...rest.slice(1), rest[0]!] : rest, dtype, layout);
    if (first) c.channelsFirst = true;
  }
}

/** Walks the nodes in order; unsupported ops are collected, the first other problem kept for after. */
function walk(c: Ctx, g: OnnxGraph): ImportError | undefined {
  let first: ImportError | undefined;
  for (const n of g.nodes) {
    if (c.done.has(n.index)) continue;
    for (const v of n.inputs)
      if (v && !c.vals.has(v))
        throw new ImportError(
          `${n.name} (${n.op}): its input ${v} is computed nowhere before it (the graph is out of order or has a cycle).`,
        );
    for (const v of n.outputs)
      if (v && c.vals.has(v)) throw new ImportError(`${n.name} (${n.op}): the value ${v} is computed twice.`);
    const plan = c.planned.get(n.index);
    const handler = plan ? plan.run : Object.hasOwn(HANDLERS, n.op) ? HANDLERS[n.op] : undefined;
    const blind = n.inputs.some((v) => v && c.vals.get(v)?.t === 'unknown');
    // Erf only exists inside GELU: after a failure upstream its pattern was never tried.
    if (!handler && !(blind && n.op === 'Erf')) c.unsupported.add(n.op, n.name);
    else if (handler && !blind)
      try {
        handler(c, n);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        first ??= e;
      }
    for (const v of [...n.outputs, ...(plan?.outputs ?? [])])
      if (v && !c.vals.has(v)) c.vals.set(v, { t: 'unknown' });
  }
  return first;
}

function outputs(c: Ctx, g: OnnxGraph): string[] {
  if (g.outputs.length === 0) throw new ImportError('The model has no outputs.');
  return g.outputs.map((name) => {
    const v = c.vals.get(name);
    if (v?.t !== 'tensor')
      throw new ImportError(`The output ${name} is not computed by a layer Netloom can make.`);
    if (v.layout.k !== 'last' && !(v.layout.k === 'first' && v.shape.length <= 2))
      throw new ImportError(
        `The output ${name} is a ${v.layout.k} tensor: its values would come out in a different order in Netloom.`,
      );
    return v.id;
  });
}

export function importOnnx(bytes: Uint8Array, file: string): ImportedModel {
  const g = readOnnx(bytes, file);
  const c = new Ctx(g);
  inputs(c, g);
  torchAttention(c);
  const problem = walk(c, g);
  c.unsupported.throwIfAny('onnx');
  if (problem) throw problem;
  const model: ImportedModel = {
    format: 'onnx',
    ...(g.name ? { name: g.name } : {}),
    nodes: c.nodes,
    edges: c.edges,
    outputs: outputs(c, g),
    weights: c.weights,
    layout: c.channelsFirst ? 'channels-first' : 'channels-last',
  };
  encoderBlocks(model);
  return model;
}
