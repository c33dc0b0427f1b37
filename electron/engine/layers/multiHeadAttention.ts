/**
 * `NetloomMultiHeadAttention`: Keras 3 `MultiHeadAttention` as a tfjs-layers custom layer. Inputs are
 * [query, key, value] (the catalog's port order; the compiler resolves the fallbacks, so there are
 * always three). Weights and their names follow the catalog (`shared/layers/attention.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { multiHeadAttention } from './ops';

type Kwargs = Record<string, unknown>;

export interface MultiHeadAttentionArgs {
  name?: string;
  trainable?: boolean;
  numHeads: number;
  keyDim: number;
  valueDim?: number;
  dropout?: number;
  useBias?: boolean;
  causal?: boolean;
}

type Var = ReturnType<tf.layers.Layer['addWeight']>;

const asList = (s: tf.Shape | tf.Shape[]): tf.Shape[] =>
  Array.isArray(s[0]) ? (s as tf.Shape[]) : [s as tf.Shape];

export class NetloomMultiHeadAttention extends tf.layers.Layer {
  static readonly className = 'NetloomMultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly rate: number;
  readonly useBias: boolean;
  readonly causal: boolean;
  private w: Record<string, Var> = {};
  /** When set, called with each call's attention weights [B, heads, Tq, Tk] (inspection). */
  attentionObserver: ((weights: tf.Tensor) => void) | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim || args.keyDim;
    this.rate = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    this.causal = args.causal ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = asList(inputShape);
    const q = shapes[0]!;
    const k = shapes[1] ?? q;
    const v = shapes[2] ?? k;
    const dim = (s: tf.Shape) => s[s.length - 1] as number;
    const h = this.numHeads;
    const glorot = () => tf.initializers.glorotUniform({});
    const zeros = () => tf.initializers.zeros();
    const add = (name: string, shape: number[], init: ReturnType<typeof tf.initializers.zeros>) => {
      this.w[name] = this.addWeight(name, shape, 'float32', init);
    };
    add('query_kernel', [dim(q), h, this.keyDim], glorot());
    if (this.useBias) add('query_bias', [h, this.keyDim], zeros());
    add('key_kernel', [dim(k), h, this.keyDim], glorot());
    if (this.useBias) add('key_bias', [h, this.keyDim], zeros());
    add('value_kernel', [dim(v), h, this.valueDim], glorot());
    if (this.useBias) add('value_bias', [h, this.valueDim], zeros());
    add('attention_output_kernel', [h, this.valueDim, dim(q)], glorot());
    if (this.useBias) add('attention_output_bias', [dim(q)], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return asList(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const q = list[0]!;
    const k = list[1] ?? q;
    const v = list[2] ?? k;
    const r = (n: string) => this.w[n]?.read();
    return multiHeadAttention(
      q,
      k,
      v,
      {
        queryKernel: r('query_kernel')!,
        queryBias: r('query_bias'),
        keyKernel: r('key_kernel')!,
        keyBias: r('key_bias'),
        valueKernel: r('value_kernel')!,
        valueBias: r('value_bias'),
        outputKernel: r('attention_output_kernel')!,
        outputBias: r('attention_output_bias'),
      },
      {
        numHeads: this.numHeads,
        keyDim: this.keyDim,
        valueDim: this.valueDim,
        causal: this.causal,
        dropout: this.rate,
        training: kwargs.training === true,
        observe: this.attentionObserver,
      },
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.rate,
      useBias: this.useBias,
      causal: this.causal,
    };
  }
}
