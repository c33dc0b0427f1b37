/**
 * The live probe views: while a run trains, the sample the host sets is inspected with the weights
 * of the moment (at once when it changes, else at most every 250 ms, and after the last batch), and
 * the last inspection equals inspecting the run's own final weights. The shared sample buffer's
 * sequence lock never hands out a torn or cleared sample.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { inspectActivations } from '../../../electron/engine/inspect';
import { LiveProbeBuffer } from '../../../electron/engine/liveProbe';
import { startTrainingInProcess } from '../../../electron/engine/session';
import type { InspectEvent, TrainingEvent } from '../../../shared/training/protocol';
import { buildTemplate } from '../../../shared/templates/index';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('live probe buffer', () => {
  it('hands out the sample last written, nothing once cleared, and refuses another size', () => {
    const b = LiveProbeBuffer.create(3, 'float32');
    expect(b.read()).toBeUndefined();
    b.write([1, 2, 3]);
    const first = b.read()!;
    expect(Array.from(first.x)).toEqual([1, 2, 3]);
    b.write([4, 5, 6]);
    const second = b.read()!;
    expect(Array.from(second.x)).toEqual([4, 5, 6]);
    expect(second.seq).not.toBe(first.seq);
    // The worker's view of the same memory sees the same.
    expect(Array.from(new LiveProbeBuffer(b.buffer, 'float32').read()!.x)).toEqual([4, 5, 6]);
    b.write(null);
    expect(b.read()).toBeUndefined();
    expect(() => b.write([1, 2])).toThrow(RangeError);
  });
});

describe('live probe views during a run', () => {
  it('streams inspections of the set sample; the last equals inspecting the final weights', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const n = 256;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 0.37));
    const events: TrainingEvent[] = [];
    const h = startTrainingInProcess({
      project,
      dataset: {
        id: 's',
        name: 's',
        task: 'classification',
        x,
        y: Int32Array.from({ length: n }, (_, i) => (x[i * 2]! > 0 ? 1 : 0)),
        sampleShape: [2],
        xDtype: 'float32',
        targetSize: 1,
        count: n,
      },
      config: { ...project.training, epochs: 4, batchSize: 16, validationSplit: 0 },
      backend: 'wasm',
      onEvent: (e) => events.push(e),
    });
    const sample = [0.3, -0.7];
    h.setProbe(sample);
    expect(() => h.setProbe([1, 2, 3])).toThrow(RangeError);
    const t0 = Date.now();
    const end = await h.done;
    const elapsed = Date.now() - t0;
    if (end.type !== 'done') throw new Error(`the run ended ${end.type}`);
    const live = events.filter((e): e is InspectEvent => e.type === 'inspect');
    expect(live.length).toBeGreaterThanOrEqual(2);
    // Paced: the first (the sample is new), the forced last, and at most one per 250 ms between.
    expect(live.length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 250));
    const last = live.at(-1)!;
    expect([last.epoch, last.batch]).toEqual([4, 16]);
    const ref = await inspectActivations(
      project.graph,
      end.weights,
      Float32Array.from(sample),
      [2],
      'float32',
    );
    expect(last.nodes.map((v) => v.id)).toEqual(ref.nodes.map((v) => v.id));
    last.nodes.forEach((node, i) => {
      const a = JSON.stringify(node.values);
      expect(a).toBe(JSON.stringify(ref.nodes[i]!.values));
    });
    // The first inspection (early weights) differs from the last.
    expect(JSON.stringify(live[0]!.nodes.at(-1)!.values)).not.toBe(JSON.stringify(last.nodes.at(-1)!.values));
  });
});
