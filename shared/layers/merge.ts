/**
 * Shared logic of the merge layers (Add, Multiply, Concatenate). Not a layer kind itself. The number
 * of input ports is a parameter: `inputs: 3` gives ports in1, in2, in3.
 */
import type { InputShapes, PortSpec } from './define';
import { fail, p } from './define';
import { formatShape, sameShape, type Dim, type Shape } from './shape';

export const inputsParam = p.int({
  default: 2,
  min: 2,
  max: 8,
  label: 'Inputs',
  help: 'Number of tensors to merge (2 to 8); each gets its own port in1, in2, …',
});

export function mergePorts(c: { readonly inputs: number }): readonly PortSpec[] {
  return Array.from({ length: c.inputs }, (_, i) => ({ name: `in${i + 1}` }));
}

function shapes(inputs: InputShapes): readonly Shape[] {
  if (inputs.length === 0 || !inputs[0]) throw new Error('merge layer called without inputs');
  return inputs;
}

/** Add and Multiply: every input must have exactly the shape of in1. */
export function identicalShapes(inputs: InputShapes, layer: string): Shape {
  const all = shapes(inputs);
  const first = all[0] as Shape;
  all.forEach((s, i) => {
    if (sameShape(s, first)) return;
    const port = `in${i + 1}`;
    const lastOnly =
      s.length === first.length &&
      s.every((d, j) => j === s.length - 1 || d === first[j]) &&
      typeof first[first.length - 1] === 'number';
    fail(
      `${layer} needs inputs of the same shape: in1 is ${formatShape(first)}, ${port} is ${formatShape(s)}. ` +
        `(Keras would also broadcast axes of size 1; Netloom keeps it strict so mistakes show up.)` +
        (lastOnly
          ? ` A Dense layer with ${String(first[first.length - 1])} units in front of ${port} would match them.`
          : ''),
      {
        port,
        ...(lastOnly ? { fix: { kind: 'Dense', params: { units: first[first.length - 1] } } } : {}),
      },
    );
  });
  return first;
}

/** Values per sample, with a variable-length axis counted as 1. */
export function elementsPerSample(s: Shape): number {
  return s.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}

/** Concatenate along `axis` (Keras numbering: 0 is the batch axis, -1 the last). */
export function concatShape(inputs: InputShapes, axis: number): Shape {
  const all = shapes(inputs);
  const first = all[0] as Shape;
  const r = first.length;
  const ax = axis < 0 ? r + axis : axis;
  if (ax <= 0 || ax >= r)
    fail(
      `Concatenate axis ${axis} does not exist on ${formatShape(first)}: use 1 to ${r - 1} or -1 to -${r - 1} ` +
        `(axis 0 is the batch).`,
      { port: 'in1' },
    );
  all.forEach((s, i) => {
    const port = `in${i + 1}`;
    if (s.length !== r)
      fail(
        `Concatenate needs inputs with the same number of axes: in1 is ${formatShape(first)}, ${port} is ` +
          `${formatShape(s)}.`,
        { port },
      );
    s.forEach((d, j) => {
      if (j !== ax && d !== first[j])
        fail(
          `Concatenate joins along axis ${axis}, so every other axis must match: in1 is ${formatShape(first)}, ` +
            `${port} is ${formatShape(s)} (axis ${j} differs).`,
          { port },
        );
    });
  });
  const along = all.map((s) => s[ax] as Dim);
  const fixed = along.filter((d): d is number => typeof d === 'number').reduce((a, d) => a + d, 0);
  const symbols = along.filter((d): d is string => typeof d === 'string');
  const joined: Dim =
    symbols.length === 0 ? fixed : [...symbols, ...(fixed ? [String(fixed)] : [])].join('+');
  return first.map((d, j) => (j === ax ? joined : d));
}
