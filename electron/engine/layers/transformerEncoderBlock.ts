/**
 * `NetloomTransformerEncoderBlock`: self-attention and a position-wise feed-forward network, each with
 * a residual connection and LayerNorm, as keras-hub's `TransformerEncoder`:
 *   pre-norm:  y = x + drop(MHA(LN1(x)));   out = y + drop(FFN(LN2(y)))
 *   post-norm: y = LN1(x + drop(MHA(x)));   out = LN2(y + drop(FFN(y)))
 * FFN(x) = W2 · act(W1 · x + b1) + b2. Weight names follow the catalog.
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutIf, gelu, layerNorm, multiHeadAttention } from './ops';

type Kwargs = Record<string, unknown>;

export const LAYER_NORM_EPSILON = 1e-5;

export interface TransformerEncoderBlockArgs {
  name?: string;
  trainable?: boolean;
  numHeads: number;
  keyDim: number;
  ffDim: number;
  dropout?: number;
  normalizeFirst?: boolean;
  activation?: 'relu' | 'gelu';
}

type Var = ReturnType<tf.layers.Layer['addWeight']>;

export class NetloomTransformerEncoderBlock extends tf.layers.Layer {
  static readonly className = 'NetloomTransformerEncoderBlock';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly ffDim: number;
  readonly rate: number;
  readonly normalizeFirst: boolean;
  readonly activation: 'relu' | 'gelu';
  private w: Record<string, Var> = {};
  /** When set, called with each call's attention weights [B, heads, T, T] (inspection). */
  attentionObserver: ((weights: tf.Tensor) => void) | null = null;

  constructor(args: TransformerEncoderBlockArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.ffDim = args.ffDim;
    this.rate = args.dropout ?? 0;
    this.normalizeFirst = args.normalizeFirst ?? true;
    this.activation = args.activation === 'gelu' ? 'gelu' : 'relu';
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = s[s.length - 1] as number;
    const h = this.numHeads;
    const k = this.keyDim;
    const glorot = () => tf.initializers.glorotUniform({});
    const zeros = () => tf.initializers.zeros();
    const ones = () => tf.initializers.ones();
    const add = (name: string, shape: number[], init: ReturnType<typeof tf.initializers.zeros>) => {
      this.w[name] = this.addWeight(name, shape, 'float32', init);
    };
    add('query_kernel', [d, h, k], glorot());
    add('query_bias', [h, k], zeros());
    add('key_kernel', [d, h, k], glorot());
    add('key_bias', [h, k], zeros());
    add('value_kernel', [d, h, k], glorot());
    add('value_bias', [h, k], zeros());
    add('attention_output_kernel', [h, k, d], glorot());
    add('attention_output_bias', [d], zeros());
    add('norm1_gamma', [d], ones());
    add('norm1_beta', [d], zeros());
    add('ffn1_kernel', [d, this.ffDim], glorot());
    add('ffn1_bias', [this.ffDim], zeros());
    add('ffn2_kernel', [this.ffDim, d], glorot());
    add('ffn2_bias', [d], zeros());
    add('norm2_gamma', [d], ones());
    add('norm2_beta', [d], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const training = kwargs.training === true;
      const r = (n: string) => this.w[n]!.read();
      const norm1 = (t: tf.Tensor) => layerNorm(t, r('norm1_gamma'), r('norm1_beta'), LAYER_NORM_EPSILON);
      const norm2 = (t: tf.Tensor) => layerNorm(t, r('norm2_gamma'), r('norm2_beta'), LAYER_NORM_EPSILON);
      const attend = (t: tf.Tensor) =>
        multiHeadAttention(
          t,
          t,
          t,
          {
            queryKernel: r('query_kernel'),
            queryBias: r('query_bias'),
            keyKernel: r('key_kernel'),
            keyBias: r('key_bias'),
            valueKernel: r('value_kernel'),
            valueBias: r('value_bias'),
            outputKernel: r('attention_output_kernel'),
            outputBias: r('attention_output_bias'),
          },
          {
            numHeads: this.numHeads,
            keyDim: this.keyDim,
            valueDim: this.keyDim,
            causal: false,
            dropout: this.rate,
            training,
            observe: this.attentionObserver,
          },
        );
      const ffn = (t: tf.Tensor) => {
        const [b, n, d] = t.shape as [number, number, number];
        const hidden = tf.matMul(t.reshape([b * n, d]), r('ffn1_kernel')).add(r('ffn1_bias'));
        const act = this.activation === 'gelu' ? gelu(hidden) : tf.relu(hidden);
        return tf.matMul(act, r('ffn2_kernel')).add(r('ffn2_bias')).reshape([b, n, d]);
      };
      if (this.normalizeFirst) {
        const y = x.add(dropoutIf(attend(norm1(x)), this.rate, training));
        return y.add(dropoutIf(ffn(norm2(y)), this.rate, training));
      }
      const y = norm1(x.add(dropoutIf(attend(x), this.rate, training)));
      return norm2(y.add(dropoutIf(ffn(y), this.rate, training)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      ffDim: this.ffDim,
      dropout: this.rate,
      normalizeFirst: this.normalizeFirst,
      activation: this.activation,
    };
  }
}
