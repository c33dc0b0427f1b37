/**
 * One table-driven test over every layer kind (like Keras's `run_layer_test`): the defaults validate;
 * the output shape and parameter count the catalog computes equal what TensorFlow.js reports for the
 * same layer built from the catalog's Keras JSON; the Keras config round-trips through tfjs. Kinds
 * that tfjs lacks (Netloom's custom layers) are checked against hand-computed values.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramCount } from '../../shared/graph/check';
import { defaults, type AnyLayerSpec, type ConfigOf, type ParamSpecs } from '../../shared/layers/define';
import { LAYER_KINDS, LAYERS, layerSpec, type LayerKind } from '../../shared/layers/index';
import { defaultParams, resolveParams } from '../../shared/layers/params';
import { BATCH, type Shape } from '../../shared/layers/shape';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Hand-computed expectations for the layers Netloom implements itself. */
const CUSTOM: Partial<Record<LayerKind, { outputShape: (number | null)[]; params: number }>> = {
  // d = 16, h = 2, key dim 8: query, key and value kernels 16·2·8 + biases 2·8, each;
  // output kernel 2·8·16 + bias 16. 3 × 272 + 272 = 1,088.
  MultiHeadAttention: { outputShape: [null, 10, 16], params: 3 * (16 * 2 * 8 + 2 * 8) + (2 * 8 * 16 + 16) },
  // The attention above (1,088) + FFN 16·32 + 32 and 32·16 + 16 + two LayerNorms 2 × (16 + 16) = 2,224.
  TransformerEncoderBlock: {
    outputShape: [null, 10, 16],
    params: 1088 + (16 * 32 + 32) + (32 * 16 + 16) + 4 * 16,
  },
  // Token table 100 × 8 + position table 16 × 8 = 928.
  PositionalEmbedding: { outputShape: [null, 12, 8], params: 100 * 8 + 16 * 8 },
};

function exampleConfig(spec: AnyLayerSpec): ConfigOf<ParamSpecs> {
  const raw = { ...defaults(spec.params), ...(spec.example.params ?? {}) };
  const res = resolveParams(spec, raw);
  if (!res.ok) throw new Error(`${spec.kind} example params invalid: ${JSON.stringify(res.issues)}`);
  return res.config;
}

function exampleInputs(spec: AnyLayerSpec): Shape[] {
  return spec.example.inputs.map((s) => [BATCH, ...s.map((d) => d ?? 'seq')]);
}

const toTf = (s: Shape) => s.map((d) => (typeof d === 'number' ? d : null));

const TOKEN_KINDS: ReadonlySet<string> = new Set(['Embedding', 'PositionalEmbedding']);

async function buildModel(spec: AnyLayerSpec, cfg: ConfigOf<ParamSpecs>): Promise<tf.LayersModel> {
  const k = spec.keras(cfg, exampleInputs(spec));
  if (!k) throw new Error('no keras layer');
  const inputs = spec.example.inputs.map((shape, i) => ({
    class_name: 'InputLayer',
    name: `in${i}`,
    config: {
      name: `in${i}`,
      batch_input_shape: [null, ...shape],
      dtype: TOKEN_KINDS.has(spec.kind) ? 'int32' : 'float32',
      sparse: false,
    },
    inbound_nodes: [],
  }));
  const json = {
    class_name: 'Model',
    config: {
      name: 'catalog_test',
      layers: [
        ...inputs,
        {
          class_name: k.class_name,
          name: 'layer',
          config: { ...k.config, name: 'layer' },
          inbound_nodes: [inputs.map((inp) => [inp.name, 0, 0, {}])],
        },
      ],
      input_layers: inputs.map((inp) => [inp.name, 0, 0]),
      output_layers: [['layer', 0, 0]],
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await tf.models.modelFromJSON(json as any)) as unknown as tf.LayersModel;
}

describe('layer catalog', () => {
  it('lists every kind exactly once, each spec under its own kind', () => {
    expect(new Set(LAYER_KINDS).size).toBe(LAYER_KINDS.length);
    for (const kind of LAYER_KINDS) expect(LAYERS[kind].kind).toBe(kind);
    expect(Object.keys(LAYERS).sort()).toEqual([...LAYER_KINDS].sort());
  });

  describe.each(LAYER_KINDS.map((k) => [k]))('%s', (kind) => {
    const spec = layerSpec(kind);

    it('has documentation, help for every parameter and valid defaults', () => {
      expect(spec.label.length).toBeGreaterThan(0);
      expect(spec.doc.length).toBeGreaterThan(10);
      expect(spec.explain.length).toBeGreaterThan(60);
      for (const [name, ps] of Object.entries(spec.params)) {
        expect(ps.help.length, `help for ${name}`).toBeGreaterThan(5);
      }
      for (const kp of spec.keyParams) expect(Object.keys(spec.params)).toContain(kp);
      const res = resolveParams(spec, defaultParams(spec));
      expect(res.issues).toEqual([]);
      expect(res.ok).toBe(true);
    });

    it('refuses an unknown parameter by name', () => {
      const res = resolveParams(spec, { ...defaultParams(spec), bogus: 1 });
      expect(res.ok).toBe(false);
      expect(res.issues.map((i) => i.param)).toContain('bogus');
    });

    if (kind === 'Input') {
      it('outputs [batch, ...shape] with no parameters', () => {
        const cfg = exampleConfig(spec);
        expect(spec.outputShape([], cfg)).toEqual([BATCH, 784]);
        expect(paramCount(spec.weights([], cfg)).total).toBe(0);
        const variable = resolveParams(spec, { shape: [null, 8] });
        expect(variable.ok && spec.outputShape([], variable.config)).toEqual([BATCH, 'seq', 8]);
      });
      return;
    }
    if (kind === 'Output') {
      it('passes a matching prediction through and refuses a mismatched one', () => {
        const cfg = exampleConfig(spec);
        expect(spec.outputShape([[BATCH, 10]], cfg)).toEqual([BATCH, 10]);
        expect(() => spec.outputShape([[BATCH, 28, 28, 10]], cfg)).toThrow(
          /\[batch, 28, 28, 10\].*\[batch, 10\]/,
        );
        expect(spec.keras(cfg, [[BATCH, 10]])).toBeNull();
      });
      return;
    }

    const cfg = exampleConfig(spec);
    const inputs = exampleInputs(spec);
    const ours = spec.outputShape(inputs, cfg);
    const ourParams = paramCount(spec.weights(inputs, cfg)).total;

    if (spec.custom) {
      it('matches hand-computed output shape and parameter count', () => {
        const expected = CUSTOM[kind];
        expect(expected, `hand-computed values for ${kind}`).toBeDefined();
        expect(toTf(ours)).toEqual(expected!.outputShape);
        expect(ourParams).toBe(expected!.params);
      });
      return;
    }

    it('matches TensorFlow.js: output shape and parameter count', async () => {
      const model = await buildModel(spec, cfg);
      try {
        expect(toTf(ours)).toEqual(model.outputs[0]!.shape);
        expect(ourParams).toBe(model.countParams());
      } finally {
        model.dispose();
      }
    });

    it('round-trips its Keras config through tfjs', async () => {
      const model = await buildModel(spec, cfg);
      try {
        const json = model.toJSON(undefined, false) as unknown as {
          config: { layers: { name: string; config: Record<string, unknown> }[] };
        };
        const layer = json.config.layers.find((l) => l.name === 'layer')!;
        const k = spec.keras(cfg, inputs)!;
        for (const [key, value] of Object.entries(k.config)) {
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) continue;
          expect(layer.config[key], `${kind}.${key}`).toEqual(value);
        }
      } finally {
        model.dispose();
      }
    });
  });
});
