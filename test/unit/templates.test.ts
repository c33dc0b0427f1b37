import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../shared/graph/check';
import { readProjectFile } from '../../shared/ir/project';
import { buildTemplate, TEMPLATE_IDS, TemplateOptionError } from '../../shared/templates/index';
import { TEMPLATE_DIR, templateBytes } from '../../scripts/write-templates';

describe('templates', () => {
  it.each(TEMPLATE_IDS.map((t) => [t]))('%s builds a valid graph with its defaults', (id) => {
    const report = checkGraph(buildTemplate(id).graph);
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('mlp with input 784 and 10 outputs has 118,282 parameters', () => {
    const p = buildTemplate('mlp', { inputShape: [784], outputs: 10 });
    expect(checkGraph(p.graph).totals.params).toBe(118_282);
  });

  it('cnn is LeNet-5 on 28×28 (61,706 parameters) and adapts to 8×8 digits', () => {
    expect(checkGraph(buildTemplate('cnn').graph).totals.params).toBe(61_706);
    const small = checkGraph(buildTemplate('cnn', { inputShape: [64], outputs: 10 }).graph);
    expect(small.valid).toBe(true);
  });

  it.each([
    ['perceptron', [4], 3],
    ['perceptron', [2], 1],
    ['mlp', [28, 28, 1], 10],
    ['cnn', [32, 32, 3], 100],
    ['lstm', [50], 2],
    ['lstm', [20, 3], 1],
    ['gru', [64], 5],
    ['transformer', [40], 4],
    ['autoencoder', [28, 28, 1], 1],
  ] as const)('%s takes input %j with %i outputs', (id, shape, outputs) => {
    const p = buildTemplate(id, { inputShape: shape, outputs });
    const r = checkGraph(p.graph);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const out = r.nodes.get(r.outputs[0]!)!;
    if (id !== 'autoencoder') expect(out.outputShape).toEqual(['batch', outputs]);
  });

  it('explains options a template cannot take', () => {
    expect(() => buildTemplate('cnn', { inputShape: [10] })).toThrow(TemplateOptionError);
    expect(() => buildTemplate('transformer', { inputShape: [10, 3] })).toThrow(/token ids/);
    expect(() => buildTemplate('mlp', { outputs: 0 })).toThrow(/outputs/);
  });

  it('assets/templates/*.nnproj are in sync with the code (npm run templates)', () => {
    for (const [name, bytes] of templateBytes()) {
      const onDisk = readFileSync(path.join(TEMPLATE_DIR, name));
      expect(Buffer.from(bytes).equals(onDisk), `${name} is stale: run npm run templates`).toBe(true);
      expect(readProjectFile(onDisk).project.graph.nodes.length).toBeGreaterThan(2);
    }
  });
});
