/**
 * `NetloomPositionalEmbedding`: token ids [B, T] -> token vector + learned position vector [B, T, D],
 * as keras-hub's `TokenAndPositionEmbedding`. Weights: `token_embeddings` [vocab, D] and
 * `position_embeddings` [maxLength, D] (catalog names).
 */
import * as tf from '@tensorflow/tfjs';

export interface PositionalEmbeddingArgs {
  name?: string;
  trainable?: boolean;
  vocabSize: number;
  maxLength: number;
  embedDim: number;
}

type Var = ReturnType<tf.layers.Layer['addWeight']>;

export class NetloomPositionalEmbedding extends tf.layers.Layer {
  static readonly className = 'NetloomPositionalEmbedding';
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly embedDim: number;
  private tokens: Var | undefined;
  private positions: Var | undefined;

  constructor(args: PositionalEmbeddingArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.vocabSize = args.vocabSize;
    this.maxLength = args.maxLength;
    this.embedDim = args.embedDim;
  }

  override build(): void {
    this.tokens = this.addWeight(
      'token_embeddings',
      [this.vocabSize, this.embedDim],
      'float32',
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
    );
    this.positions = this.addWeight(
      'position_embeddings',
      [this.maxLength, this.embedDim],
      'float32',
      tf.initializers.glorotUniform({}),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0] ?? null, s[1] ?? null, this.embedDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const ids = x.dtype === 'int32' ? x : x.toInt();
      const t = ids.shape[1]!;
      if (t > this.maxLength)
        throw new Error(
          `${this.name}: sequences of ${t} tokens are longer than the maximum length ${this.maxLength}.`,
        );
      const tok = tf.gather(this.tokens!.read(), ids);
      const pos = this.positions!.read().slice([0, 0], [t, this.embedDim]);
      return tok.add(pos);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabSize: this.vocabSize,
      maxLength: this.maxLength,
      embedDim: this.embedDim,
    };
  }
}
