/**
 * `defineLayer` and the parameter helpers. A layer kind is declared once, in its own file, and every
 * consumer (palette, inspector, validation, shape inference, parameter count, FLOPs, Keras JSON,
 * code export) reads that one declaration.
 */
import type { Dim, Shape } from './shape';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

interface ParamBase<T> {
  /** One line of help, shown beside the field in the inspector. */
  help: string;
  default: T;
  /** Human label; defaults to the parameter name split into words. */
  label?: string;
}

export interface IntParam extends ParamBase<number> {
  type: 'int';
  min?: number;
  max?: number;
}

export interface FloatParam extends ParamBase<number> {
  type: 'float';
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (e.g. a rate that must be > 0). */
  exclusiveMin?: boolean;
  /** The maximum itself is not allowed (e.g. a dropout rate that must be < 1). */
  exclusiveMax?: boolean;
}

export interface BoolParam extends ParamBase<boolean> {
  type: 'bool';
}

export interface EnumParam<O extends string = string> extends ParamBase<O> {
  type: 'enum';
  options: readonly O[];
}

/** A fixed-length tuple of positive integers: kernel sizes, strides, pool sizes. */
export interface IntsParam extends ParamBase<readonly number[]> {
  type: 'ints';
  length: number;
  min?: number;
}

/**
 * A tensor shape without the batch axis. `null` entries (allowed only with `allowVariable`) are
 * variable-length axes; `-1` (allowed only with `allowInfer`) is inferred from the element count.
 */
export interface ShapeParam extends ParamBase<readonly (number | null)[]> {
  type: 'shape';
  minRank: number;
  maxRank: number;
  allowVariable?: boolean;
  allowInfer?: boolean;
}

export type AnyParam = IntParam | FloatParam | BoolParam | EnumParam | IntsParam | ShapeParam;
export type ParamSpecs = Readonly<Record<string, AnyParam>>;

export type ParamValue<P extends AnyParam> =
  P extends EnumParam<infer O>
    ? O
    : P extends IntParam | FloatParam
      ? number
      : P extends BoolParam
        ? boolean
        : P extends IntsParam
          ? readonly number[]
          : P extends ShapeParam
            ? readonly (number | null)[]
            : never;

export type ConfigOf<P extends ParamSpecs> = { readonly [K in keyof P]: ParamValue<P[K]> };

type Opts<P extends AnyParam> = Omit<P, 'type'>;

/** Parameter helpers, used inside `defineLayer({ params: { ... } })`. */
export const p = {
  int: (o: Opts<IntParam>): IntParam => ({ type: 'int', ...o }),
  float: (o: Opts<FloatParam>): FloatParam => ({ type: 'float', ...o }),
  bool: (o: Opts<BoolParam>): BoolParam => ({ type: 'bool', ...o }),
  enum: <const O extends string>(
    options: readonly O[],
    o: Omit<Opts<EnumParam<O>>, 'options'>,
  ): EnumParam<O> => ({
    type: 'enum',
    options,
    ...o,
  }),
  ints: (o: Opts<IntsParam>): IntsParam => ({ type: 'ints', ...o }),
  shape: (o: Opts<ShapeParam>): ShapeParam => ({ type: 'shape', ...o }),
};

export function paramLabel(name: string, spec: AnyParam): string {
  if (spec.label) return spec.label;
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Ports, errors, fixes
// ---------------------------------------------------------------------------------------------

export interface PortSpec {
  name: string;
  /** Shown on the handle's tooltip. */
  label?: string;
  /**
   * An optional port. When nothing is connected, the tensor on `fallback` is used instead
   * (MultiHeadAttention: key defaults to query, value defaults to key).
   */
  fallback?: string;
}

/** A standard repair the editor can offer in one click: insert a node of `kind` before a port. */
export interface FixInsert {
  kind: string;
  params: Record<string, unknown>;
}

export interface ShapeErrorInfo {
  /** The input port the problem is on (omit for problems with the layer itself). */
  port?: string;
  /** A node to insert in front of that port that would fix it. */
  fix?: FixInsert;
}

/** Thrown by `outputShape` when the inputs cannot work; caught and located by the graph checker. */
export class LayerShapeError extends Error {
  readonly port: string | undefined;
  readonly fix: FixInsert | undefined;
  constructor(message: string, info: ShapeErrorInfo = {}) {
    super(message);
    this.name = 'LayerShapeError';
    this.port = info.port;
    this.fix = info.fix;
  }
}

export function fail(message: string, info: ShapeErrorInfo = {}): never {
  throw new LayerShapeError(message, info);
}

// ---------------------------------------------------------------------------------------------
// Weights, Keras JSON
// ---------------------------------------------------------------------------------------------

export interface WeightSpec {
  shape: readonly number[];
  /** Moving statistics (BatchNormalization) are weights that training does not update. */
  trainable?: boolean;
}

export type WeightShapes = Readonly<Record<string, readonly number[] | WeightSpec>>;

export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** One Keras layer, as `tf.models.modelFromJSON` reads it (name and inbound nodes added by the compiler). */
export interface KerasLayer {
  class_name: string;
  config: Record<string, JsonValue>;
}

export type Category =
  | 'io'
  | 'core'
  | 'activation'
  | 'convolution'
  | 'pooling'
  | 'normalization'
  | 'regularization'
  | 'reshape'
  | 'recurrent'
  | 'attention'
  | 'merge';

export const CATEGORIES: readonly { id: Category; label: string }[] = [
  { id: 'io', label: 'Input & output' },
  { id: 'core', label: 'Core' },
  { id: 'activation', label: 'Activations' },
  { id: 'convolution', label: 'Convolution' },
  { id: 'pooling', label: 'Pooling' },
  { id: 'normalization', label: 'Normalization' },
  { id: 'regularization', label: 'Regularization' },
  { id: 'reshape', label: 'Reshape' },
  { id: 'recurrent', label: 'Recurrent' },
  { id: 'attention', label: 'Attention & Transformers' },
  { id: 'merge', label: 'Merge' },
];

// ---------------------------------------------------------------------------------------------
// The layer spec
// ---------------------------------------------------------------------------------------------

/** What a layer sees about its inputs: shapes in port order, each starting with the batch axis. */
export type InputShapes = readonly Shape[];

export interface LayerSpec<K extends string = string, P extends ParamSpecs = ParamSpecs> {
  readonly kind: K;
  readonly category: Category;
  /** Palette label. */
  readonly label: string;
  /** One line: what it computes. */
  readonly doc: string;
  /** A short plain-language explanation for learners, shown in the inspector. */
  readonly explain: string;
  readonly params: P;
  /** Parameters worth showing on the node itself. */
  readonly keyParams: readonly (keyof P & string)[];
  /** `true` for layers implemented by Netloom (registered as custom tfjs layers by the engine). */
  readonly custom?: boolean;
  /** `false` only for Output, whose tensor leaves the graph. */
  readonly hasOutput?: boolean;
  /**
   * What the layer does with token ids (the int32 tensor of an int32 Input): `read` looks them up
   * (an Embedding: float32 out), `pass` moves them unchanged (Reshape: int32 out), `cast` computes
   * with them as numbers exactly (Dense: float32 out). Absent: its kernels need real numbers (they
   * refuse int32 or compute it in integer arithmetic), so the checker refuses ids reaching it.
   */
  readonly tokenIds?: 'read' | 'pass' | 'cast';
  /** An example the catalog test and the docs use: input shapes without the batch axis. */
  readonly example: {
    readonly inputs: readonly (readonly (number | null)[])[];
    readonly params?: Partial<ConfigOf<P>>;
  };

  /** Input ports, in order; may depend on the configuration (Add's number of inputs). */
  ports(c: ConfigOf<P>): readonly PortSpec[];
  /** Checks that involve several parameters; returns a message naming the parameter, or nothing. */
  check?(c: ConfigOf<P>): { param: keyof P & string; message: string } | undefined;
  /** Output shape (batch axis first); throws `LayerShapeError` (via `fail`) when inputs cannot work. */
  outputShape(inputs: InputShapes, c: ConfigOf<P>): Shape;
  /** Weight shapes; the parameter count and its arithmetic are derived from these. */
  weights(inputs: InputShapes, c: ConfigOf<P>): WeightShapes;
  /** Floating-point operations for one sample in a forward pass (a multiply-add counts as 2). */
  flops(inputs: InputShapes, output: Shape, c: ConfigOf<P>): number;
  /** The Keras / tfjs-layers JSON for this layer; `null` when it compiles to nothing (Output). */
  keras(c: ConfigOf<P>, inputs: InputShapes): KerasLayer | null;
}

export type AnyLayerSpec = LayerSpec<string, ParamSpecs>;

export function defineLayer<const K extends string, const P extends ParamSpecs>(
  spec: LayerSpec<K, P>,
): LayerSpec<K, P> {
  return spec;
}

/** The default configuration of a layer spec. */
export function defaults<P extends ParamSpecs>(params: P): ConfigOf<P> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = v.default;
  return out as ConfigOf<P>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by layer files
// ---------------------------------------------------------------------------------------------

export const single: readonly PortSpec[] = [{ name: 'in' }];
export const singlePort = (): readonly PortSpec[] => single;

/** The fixed size of a dimension, or a located error explaining it must be fixed. */
export function fixedDim(d: Dim | undefined, what: string, port = 'in'): number {
  if (typeof d === 'number') return d;
  return fail(`${what} must have a fixed size, but it is ${d ?? 'missing'}.`, { port });
}

/** The one input (port `in`). */
export function only(inputs: InputShapes): Shape {
  const s = inputs[0];
  if (!s) throw new Error('layer called without its input');
  return s;
}

export function sampleSize(s: Shape): number | undefined {
  let n = 1;
  for (const d of s.slice(1)) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** Activation functions every layer with an `activation` parameter offers (Keras names map below). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'sigmoid',
  'tanh',
  'softmax',
  'gelu',
  'elu',
  'selu',
  'leakyRelu',
  'softplus',
  'swish',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Activations a layer's built-in `activation` option can take (tfjs has no `leakyRelu` string). */
export const FUSED_ACTIVATIONS = ACTIVATIONS.filter(
  (a): a is Exclude<ActivationName, 'leakyRelu'> => a !== 'leakyRelu',
);

/** FLOPs per element of an activation function (rough, for the summary). */
export function activationFlops(a: string): number {
  switch (a) {
    case 'linear':
      return 0;
    case 'relu':
    case 'leakyRelu':
      return 1;
    case 'softmax':
      return 5;
    default:
      return 4;
  }
}
