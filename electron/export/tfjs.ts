/**
 * TF.js export: `model.json` + `weights.bin` in the TF.js layers format, which `tf.loadLayersModel`
 * loads (and the tensorflowjs converter reads). Graphs with Netloom's custom kinds also get
 * `netloom-layers.js`, the three custom layer classes for any TF.js 4 (call
 * `registerNetloomLayers(tf)` before loading): a layers model names its classes, never their code.
 */
import { readWeightsManifest } from '../../shared/graph/weights';
import type { ProjectBundle } from '../../shared/ir/project';
import { toKerasModel } from '../../shared/keras/index';
import { ExportError, planGraph } from './plan';
import type { ExportOptions } from './types';

export const TFJS_WEIGHTS_FILE = 'weights.bin';

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

export const CUSTOM_LAYERS_JS = `// Netloom's custom TF.js layers, for loading an exported model outside Netloom:
//   import * as tf from '@tensorflow/tfjs';
//   import { registerNetloomLayers } from './netloom-layers.js';
//   registerNetloomLayers(tf);
//   const model = await tf.loadLayersModel('file://model.json'); // or an http(s) URL
// The maths is the engine's (electron/engine/layers): Keras 3 MultiHeadAttention, a keras-hub style
// TransformerEncoder (pre- or post-norm, LayerNorm epsilon 1e-5, exact GELU) and token + position
// embeddings.

export function registerNetloomLayers(tf) {
  const MASK = -1e9;
  const asList = (s) => (Array.isArray(s[0]) ? s : [s]);
  const first = (s) => (Array.isArray(s[0]) ? s[0] : s);

  function project(x, kernel, bias, h, k) {
    const [b, t, d] = x.shape;
    let y = tf.matMul(x.reshape([b * t, d]), kernel.reshape([d, h * k]));
    if (bias) y = y.add(bias.reshape([h * k]));
    return y.reshape([b, t, h, k]).transpose([0, 2, 1, 3]);
  }

  function attention(q0, k0, v0, w, o) {
    return tf.tidy(() => {
      const h = o.numHeads;
      const [b, tq, dq] = q0.shape;
      const tk = k0.shape[1];
      const q = project(q0, w.query_kernel, w.query_bias, h, o.keyDim).mul(1 / Math.sqrt(o.keyDim));
      const k = project(k0, w.key_kernel, w.key_bias, h, o.keyDim);
      const v = project(v0, w.value_kernel, w.value_bias, h, o.valueDim);
      let scores = tf.matMul(q, k, false, true);
      if (o.causal) {
        const m = new Float32Array(tq * tk);
        for (let i = 0; i < tq; i++) for (let j = i + 1; j < tk; j++) m[i * tk + j] = MASK;
        scores = scores.add(tf.tensor2d(m, [tq, tk]));
      }
      let p = tf.softmax(scores, -1);
      if (o.training && o.dropout > 0) p = tf.dropout(p, o.dropout);
      const ctx = tf.matMul(p, v).transpose([0, 2, 1, 3]).reshape([b * tq, h * o.valueDim]);
      let out = tf.matMul(ctx, w.attention_output_kernel.reshape([h * o.valueDim, dq]));
      if (w.attention_output_bias) out = out.add(w.attention_output_bias);
      return out.reshape([b, tq, dq]);
    });
  }

  const layerNorm = (x, g, b, eps) =>
    tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(g).add(b);
    });
  const gelu = (x) => tf.tidy(() => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)));
  const drop = (x, rate, training) => (training && rate > 0 ? tf.dropout(x, rate) : x);
  const glorot = () => tf.initializers.glorotUniform({});
  const zeros = () => tf.initializers.zeros();
  const ones = () => tf.initializers.ones();

  function attentionWeights(layer, dq, dk, dv, h, k, v, bias) {
    const w = {};
    const add = (name, shape, init) => (w[name] = layer.addWeight(name, shape, 'float32', init));
    add('query_kernel', [dq, h, k], glorot());
    if (bias) add('query_bias', [h, k], zeros());
    add('key_kernel', [dk, h, k], glorot());
    if (bias) add('key_bias', [h, k], zeros());
    add('value_kernel', [dv, h, v], glorot());
    if (bias) add('value_bias', [h, v], zeros());
    add('attention_output_kernel', [h, v, dq], glorot());
    if (bias) add('attention_output_bias', [dq], zeros());
    return w;
  }
  const read = (w) => Object.fromEntries(Object.entries(w).map(([n, v]) => [n, v.read()]));

  class NetloomMultiHeadAttention extends tf.layers.Layer {
    static className = 'NetloomMultiHeadAttention';
    constructor(a) {
      super({ name: a.name, trainable: a.trainable ?? true });
      this.numHeads = a.numHeads;
      this.keyDim = a.keyDim;
      this.valueDim = a.valueDim || a.keyDim;
      this.rate = a.dropout ?? 0;
      this.useBias = a.useBias ?? true;
      this.causal = a.causal ?? false;
    }
    build(s) {
      const [q, k = q, v = k] = asList(s);
      const d = (x) => x[x.length - 1];
      this.w = attentionWeights(this, d(q), d(k), d(v), this.numHeads, this.keyDim, this.valueDim, this.useBias);
      this.built = true;
    }
    computeOutputShape(s) {
      return asList(s)[0];
    }
    call(inputs, kwargs) {
      const l = Array.isArray(inputs) ? inputs : [inputs];
      const q = l[0];
      const k = l[1] ?? q;
      const v = l[2] ?? k;
      return attention(q, k, v, read(this.w), {
        numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim, causal: this.causal,
        dropout: this.rate, training: kwargs.training === true,
      });
    }
    getConfig() {
      return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim,
        dropout: this.rate, useBias: this.useBias, causal: this.causal };
    }
  }

  class NetloomTransformerEncoderBlock extends tf.layers.Layer {
    static className = 'NetloomTransformerEncoderBlock';
    constructor(a) {
      super({ name: a.name, trainable: a.trainable ?? true });
      this.numHeads = a.numHeads;
      this.keyDim = a.keyDim;
      this.ffDim = a.ffDim;
      this.rate = a.dropout ?? 0;
      this.normalizeFirst = a.normalizeFirst ?? true;
      this.activation = a.activation === 'gelu' ? 'gelu' : 'relu';
    }
    build(s) {
      const x = first(s);
      const d = x[x.length - 1];
      const w = attentionWeights(this, d, d, d, this.numHeads, this.keyDim, this.keyDim, true);
      const add = (name, shape, init) => (w[name] = this.addWeight(name, shape, 'float32', init));
      add('norm1_gamma', [d], ones());
      add('norm1_beta', [d], zeros());
      add('ffn1_kernel', [d, this.ffDim], glorot());
      add('ffn1_bias', [this.ffDim], zeros());
      add('ffn2_kernel', [this.ffDim, d], glorot());
      add('ffn2_bias', [d], zeros());
      add('norm2_gamma', [d], ones());
      add('norm2_beta', [d], zeros());
      this.w = w;
      this.built = true;
    }
    computeOutputShape(s) {
      return first(s);
    }
    call(inputs, kwargs) {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const training = kwargs.training === true;
        const w = read(this.w);
        const n1 = (t) => layerNorm(t, w.norm1_gamma, w.norm1_beta, 1e-5);
        const n2 = (t) => layerNorm(t, w.norm2_gamma, w.norm2_beta, 1e-5);
        const att = (t) => attention(t, t, t, w, { numHeads: this.numHeads, keyDim: this.keyDim,
          valueDim: this.keyDim, causal: false, dropout: this.rate, training });
        const ffn = (t) => {
          const [b, n, d] = t.shape;
          const hid = tf.matMul(t.reshape([b * n, d]), w.ffn1_kernel).add(w.ffn1_bias);
          const a = this.activation === 'gelu' ? gelu(hid) : tf.relu(hid);
          return tf.matMul(a, w.ffn2_kernel).add(w.ffn2_bias).reshape([b, n, d]);
        };
        if (this.normalizeFirst) {
          const y = x.add(drop(att(n1(x)), this.rate, training));
          return y.add(drop(ffn(n2(y)), this.rate, training));
        }
        const y = n1(x.add(drop(att(x), this.rate, training)));
        return n2(y.add(drop(ffn(y), this.rate, training)));
      });
    }
    getConfig() {
      return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, ffDim: this.ffDim,
        dropout: this.rate, normalizeFirst: this.normalizeFirst, activation: this.activation };
    }
  }

  class NetloomPositionalEmbedding extends tf.layers.Layer {
    static className = 'NetloomPositionalEmbedding';
    constructor(a) {
      super({ name: a.name, trainable: a.trainable ?? true });
      this.vocabSize = a.vocabSize;
      this.maxLength = a.maxLength;
      this.embedDim = a.embedDim;
    }
    build() {
      this.tokens = this.addWeight('token_embeddings', [this.vocabSize, this.embedDim], 'float32',
        tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
      this.positions = this.addWeight('position_embeddings', [this.maxLength, this.embedDim], 'float32', glorot());
      this.built = true;
    }
    computeOutputShape(s) {
      const x = first(s);
      return [x[0] ?? null, x[1] ?? null, this.embedDim];
    }
    call(inputs) {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const ids = x.dtype === 'int32' ? x : x.toInt();
        const t = ids.shape[1];
        if (t > this.maxLength) throw new Error(this.name + ': sequences longer than ' + this.maxLength);
        return tf.gather(this.tokens.read(), ids).add(this.positions.read().slice([0, 0], [t, this.embedDim]));
      });
    }
    getConfig() {
      return { ...super.getConfig(), vocabSize: this.vocabSize, maxLength: this.maxLength, embedDim: this.embedDim };
    }
  }

  for (const cls of [NetloomMultiHeadAttention, NetloomTransformerEncoderBlock, NetloomPositionalEmbedding])
    tf.serialization.registerClass(cls);
  return { NetloomMultiHeadAttention, NetloomTransformerEncoderBlock, NetloomPositionalEmbedding };
}
`;

export async function exportTfjs(
  bundle: ProjectBundle,
  _options: ExportOptions,
  version: string,
): Promise<Map<string, Uint8Array | string>> {
  const plan = planGraph(bundle.project.graph);
  const out = new Map<string, Uint8Array | string>();
  // The topology always comes from the graph (never from the file beside the weights), and the
  // weights were checked to fit it before any exporter runs (exportProject).
  const json: ModelJson = { modelTopology: toKerasModel(bundle.project.graph).model, weightsManifest: [] };
  if (bundle.weights) {
    const manifest = readWeightsManifest(bundle.weights.modelJson, bundle.weights.weightsBin.byteLength);
    if (!manifest.ok) throw new ExportError(`The trained weights are damaged: ${manifest.problem.message}`);
    json.weightsManifest = [{ paths: [TFJS_WEIGHTS_FILE], weights: manifest.entries }];
    out.set(TFJS_WEIGHTS_FILE, bundle.weights.weightsBin);
  }
  json.format = 'layers-model';
  json.generatedBy = `Netloom ${version}`;
  json.convertedBy = null;
  out.set('model.json', JSON.stringify(json));
  const custom = plan.nodes.some((n) =>
    ['MultiHeadAttention', 'TransformerEncoderBlock', 'PositionalEmbedding'].includes(n.kind),
  );
  if (custom) out.set('netloom-layers.js', CUSTOM_LAYERS_JS);
  out.set(
    'README.md',
    `# ${bundle.project.name} — TF.js layers model

Generated by Netloom ${version}. \`model.json\` + \`${TFJS_WEIGHTS_FILE}\` are a TF.js layers model${
      bundle.weights
        ? ' with the weights trained in Netloom'
        : ' (no trained weights: the project has not been trained, so loading initialises them)'
    }.

    import * as tf from '@tensorflow/tfjs';${custom ? "\n    import { registerNetloomLayers } from './netloom-layers.js';\n    registerNetloomLayers(tf); // the model uses Netloom's custom layers" : ''}
    const model = await tf.loadLayersModel('file://path/to/model.json'); // tfjs-node; an http(s) URL in a browser

Inputs are channels last (\`[batch, height, width, channels]\`), sequences \`[batch, time, features]\`,
token ids int32 \`[batch, time]\`.${
      custom
        ? `

This graph uses Netloom's custom layers (${[...new Set(plan.nodes.filter((n) => ['MultiHeadAttention', 'TransformerEncoderBlock', 'PositionalEmbedding'].includes(n.kind)).map((n) => n.kind))].join(', ')}). A layers model names its classes but
not their code, so \`tf.loadLayersModel\` needs them registered first: \`netloom-layers.js\` has them for
any TF.js 4. The tensorflowjs converter (\`tensorflowjs_converter --input_format tfjs_layers_model
--output_format keras\`) needs Keras equivalents for these classes: the Keras export's \`model.py\`
has them.`
        : ''
    }
`,
  );
  return out;
}
