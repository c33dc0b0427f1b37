/**
 * netloom-layers.js, the TF.js export's custom layers, is generated from the engine's own layer
 * classes (electron/engine/layers/classes.ts): the committed file is that bundle, and it registers the
 * Keras class name of every custom kind of the catalog (and of the GRU with reset after).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOM_LAYERS_JS } from '../../../electron/export/tfjsLayers.generated';
import { BATCH, defaults, LAYER_KINDS, layerSpec } from '../../../shared/layers/index';
import { bundleLayers, GENERATED_FILE, generatedSource } from '../../../scripts/write-tfjs-layers';

describe('netloom-layers.js', () => {
  it('tfjsLayers.generated.ts is the engine layers bundled (run `npm run tfjs-layers` after editing them)', async () => {
    const js = await bundleLayers();
    expect(CUSTOM_LAYERS_JS).toBe(js);
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generatedSource(js));
  });

  it('defines the class of every custom kind, with plain tfjs only', () => {
    for (const kind of LAYER_KINDS.filter((k) => layerSpec(k).custom)) {
      const spec = layerSpec(kind);
      const inputs = spec.example.inputs.map((s) => [BATCH, ...s.map((d) => d ?? 'seq')]);
      const cls = spec.keras(defaults(spec.params), inputs)?.class_name;
      expect(CUSTOM_LAYERS_JS, kind).toContain(`static className = "${cls}";`);
    }
    // A GRU with reset after is one of Netloom's classes too (tfjs-layers' GRU has no such form).
    const gru = layerSpec('GRU');
    const cls = gru.keras({ ...defaults(gru.params), resetAfter: true }, [[BATCH, 'seq', 4]])?.class_name;
    expect(CUSTOM_LAYERS_JS).toContain(`static className = "${cls}";`);
    expect(CUSTOM_LAYERS_JS).not.toMatch(/seedrandom|simd|require\(/i);
  });
});
