/**
 * A node's learned weights as the inspector gets them: read from the saved weight files, they equal
 * the model's own weights; the embedding map's principal components are those of the vectors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { inspectWeights } from '../../../electron/services/inspect';
import { pca2 } from '../../../shared/inspect/weights';
import { buildTemplate } from '../../../shared/templates/index';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('learned weights', () => {
  it("every tensor of a node, equal to the model's weights, with histogram and statistics", async () => {
    const project = buildTemplate('cnn', { inputShape: [28, 28, 1], outputs: 10 });
    const c = await compileGraph(project.graph);
    const weights = await saveModelArtifacts(c.model);
    const conv = project.graph.nodes.find((n) => n.kind === 'Conv2D')!;
    const got = inspectWeights({ project, weights }, conv.id);
    const own = c.model.getLayer(conv.id).getWeights();
    expect(got.tensors.map((t) => t.name)).toEqual(['kernel', 'bias']);
    got.tensors.forEach((t, i) => {
      expect(t.shape).toEqual(own[i]!.shape);
      const data = own[i]!.dataSync();
      expect(t.values).toHaveLength(data.length);
      t.values!.forEach((v, j) => expect(v).toBe(data[j]));
      expect(t.histogram.counts.reduce((a, b) => a + b, 0)).toBe(data.length);
      expect(t.stats.max).toBe(Math.max(...data));
    });
    expect(() => inspectWeights({ project, weights }, 'nope')).toThrow('No node "nope"');
    expect(() => inspectWeights({ project }, conv.id)).toThrow(/no trained weights/);
    c.model.dispose();
  });

  it("a PositionalEmbedding gets a 2-D map of its word vectors (not the positions')", async () => {
    const project = buildTemplate('transformer', { inputShape: [32], outputs: 2 });
    const c = await compileGraph(project.graph);
    const weights = await saveModelArtifacts(c.model);
    const emb = project.graph.nodes.find((n) => n.kind === 'PositionalEmbedding')!;
    const words = Array.from({ length: 3 }, (_, i) => `w${i}`);
    const got = inspectWeights({ project, weights }, emb.id, words);
    const table = got.tensors.find((t) => t.name === 'token_embeddings')!;
    expect(got.embedding!.total).toBe(table.shape[0]);
    expect(got.embedding!.points).toHaveLength(Math.min(300, table.shape[0]!));
    expect(got.embedding!.tokens.slice(0, 4)).toEqual(['w0', 'w1', 'w2', '#3']);
    expect(got.embedding!.explained[0]).toBeGreaterThanOrEqual(got.embedding!.explained[1]);
    c.model.dispose();
  });

  it('PCA finds the directions of largest variance', () => {
    // ±3 along axis 2, ±2 along axis 0, ±0.1 along the rest, as orthogonal (Walsh) patterns so the
    // sample covariance is exactly diagonal: the components are axes 2 and 0.
    const rows = 400;
    const cols = 5;
    const m = new Float32Array(rows * cols);
    const scale = [2, 0.1, 3, 0.1, 0.1];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) m[r * cols + c] = 1 + scale[c]! * (Math.floor(r / 2 ** c) % 2 ? 1 : -1);
    const { points, explained } = pca2(m, rows, cols);
    let mean2 = 0;
    let mean0 = 0;
    for (let r = 0; r < rows; r++) {
      mean2 += m[r * cols + 2]! / rows;
      mean0 += m[r * cols]! / rows;
    }
    for (let r = 0; r < rows; r += 17) {
      expect(Math.abs(points[r * 2]!)).toBeCloseTo(Math.abs(m[r * cols + 2]! - mean2), 4);
      expect(Math.abs(points[r * 2 + 1]!)).toBeCloseTo(Math.abs(m[r * cols]! - mean0), 4);
    }
    // Variances 9 and 4 of 13.03 in all.
    expect(explained[0]).toBeCloseTo(9 / 13.03, 4);
    expect(explained[1]).toBeCloseTo(4 / 13.03, 4);
  });
});
