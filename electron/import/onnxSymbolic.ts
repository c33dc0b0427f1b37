/**
 * A small symbolic evaluation of the integer shape sub-graph torch writes around an op it decomposes
 * (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Add, Mul, Div on int64 vectors). Every number is a
 * monomial k · T^t · B^b of the sequence length T and the batch B, so a computed Reshape target can be
 * checked for what it is (e.g. [T, B·h, d]) whatever the batch and sequence length are. The tensors a
 * Shape may read are given their symbolic shapes by the caller; anything else is not followed.
 */
import type { Ctx } from './onnxContext';
import { attr, type Const, type OnnxNode } from './onnxRead';

/** k · T^t · B^b. */
export interface Mono {
  k: number;
  t: number;
  b: number;
}

interface Ints {
  v: Mono[];
  scalar: boolean;
}

export const num = (k: number): Mono => ({ k, t: 0, b: 0 });
export const T: Mono = { k: 1, t: 1, b: 0 };
export const B: Mono = { k: 1, t: 0, b: 1 };
export const mono = (k: number, t: number, b: number): Mono => ({ k, t, b });
export const sameMono = (a: Mono | undefined, b: Mono) => !!a && a.k === b.k && a.t === b.t && a.b === b.b;
export const sameMonos = (a: readonly Mono[] | undefined, b: readonly Mono[]) =>
  !!a && a.length === b.length && a.every((m, i) => sameMono(m, b[i]!));

/**
 * The constant `v` is, also through Identity nodes (torch writes one for a weight equal to another,
 * e.g. two zero biases): patterns found before the walk see them before the walk aliases them.
 */
export function constant(c: Ctx, v: string | undefined): Const | undefined {
  for (let i = 0; i < 8 && v; i++) {
    const k = c.constOf(v);
    if (k) return k;
    const p = c.producer(v);
    v = p?.op === 'Identity' ? p.inputs[0] : undefined;
  }
  return undefined;
}

const FOLLOWED = new Set(['Shape', 'Cast', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Add', 'Mul', 'Div']);

const isNum = (m: Mono) => m.t === 0 && m.b === 0;

function arith(op: string, a: Mono, b: Mono): Mono | undefined {
  if (op === 'Mul') return { k: a.k * b.k, t: a.t + b.t, b: a.b + b.b };
  if (op === 'Add') return a.t === b.t && a.b === b.b ? { ...a, k: a.k + b.k } : undefined;
  if (!isNum(b) || b.k <= 0 || a.k < 0) return undefined;
  // Integer division: exact on a symbolic value, truncated on a number (both non-negative here).
  if (isNum(a)) return num(Math.trunc(a.k / b.k));
  return a.k % b.k === 0 ? { ...a, k: a.k / b.k } : undefined;
}

export class Symbolic {
  /** The symbolic shapes of the tensors a Shape node may read. */
  readonly shapes = new Map<string, Mono[]>();
  /** The nodes the evaluation went through. */
  readonly nodes = new Set<OnnxNode>();
  private readonly memo = new Map<string, Ints | undefined>();
  private depth = 0;

  constructor(private readonly c: Ctx) {}

  /** The integer vector (or scalar) value `v` stands for, when it can be followed. */
  ints(v: string | undefined): Ints | undefined {
    if (!v) return undefined;
    if (this.memo.has(v)) return this.memo.get(v);
    // Shape arithmetic is shallow: a long chain is not one (and would only cost stack).
    if (this.depth > 64) return undefined;
    this.depth++;
    const r = this.compute(v);
    this.depth--;
    this.memo.set(v, r);
    return r;
  }

  /** A vector value's monomials. */
  vector(v: string | undefined): Mono[] | undefined {
    const r = this.ints(v);
    return r && !r.scalar ? r.v : undefined;
  }

  private compute(v: string): Ints | undefined {
    const k = constant(this.c, v);
    if (k)
      return k.ints && k.dims.length <= 1 ? { v: k.ints.map(num), scalar: k.dims.length === 0 } : undefined;
    const n = this.c.producer(v);
    if (!n || n.outputs.length !== 1 || !FOLLOWED.has(n.op)) return undefined;
    const r = this.op(n.op, n.inputs, n);
    if (r) this.nodes.add(n);
    return r;
  }

  private op(op: string, inputs: string[], n: OnnxNode): Ints | undefined {
    if (op === 'Shape') {
      const s = this.shapes.get(inputs[0] ?? '');
      return s && !n.attrs.has('start') && !n.attrs.has('end') ? { v: s, scalar: false } : undefined;
    }
    const [a, b] = [this.ints(inputs[0]), this.ints(inputs[1])];
    switch (op) {
      case 'Cast':
        return [6, 7].includes(attr.int(n, 'to') ?? 0) ? a : undefined;
      case 'Gather': {
        if (!a || a.scalar || !b || b.v.length !== 1 || !isNum(b.v[0]!) || (attr.int(n, 'axis') ?? 0) !== 0)
          return undefined;
        const i = b.v[0]!.k < 0 ? b.v[0]!.k + a.v.length : b.v[0]!.k;
        return i >= 0 && i < a.v.length ? { v: [a.v[i]!], scalar: b.scalar } : undefined;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const axes = this.c.ints(inputs[1]) ?? attr.ints(n, 'axes');
        if (!a || axes?.length !== 1 || axes[0] !== 0) return undefined;
        if (op === 'Unsqueeze') return a.scalar ? { v: a.v, scalar: false } : undefined;
        return !a.scalar && a.v.length === 1 ? { v: a.v, scalar: true } : undefined;
      }
      case 'Concat': {
        const parts = inputs.map((i) => this.ints(i));
        if ((attr.int(n, 'axis') ?? 0) !== 0 || parts.some((p) => !p || p.scalar)) return undefined;
        return { v: parts.flatMap((p) => p!.v), scalar: false };
      }
      case 'Add':
      case 'Mul':
      case 'Div': {
        if (!a || !b || (a.v.length !== b.v.length && a.v.length !== 1 && b.v.length !== 1)) return undefined;
        const len = Math.max(a.v.length, b.v.length);
        const v = Array.from({ length: len }, (_, i) =>
          arith(op, a.v[i % a.v.length]!, b.v[i % b.v.length]!),
        );
        return v.every((m): m is Mono => !!m) ? { v, scalar: a.scalar && b.scalar } : undefined;
      }
      default:
        return undefined;
    }
  }
}
