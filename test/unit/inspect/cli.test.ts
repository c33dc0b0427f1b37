/**
 * `netloom inspect`: the refusals (untrained project, a sample that does not exist, --row without
 * --data, an unknown node) and, on text data, the words of the sample on the attention nodes.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { inspectProject } from '../../../electron/services/inspect';
import type { InspectResult } from '../../../shared/inspect/types';
import { buildTemplate } from '../../../shared/templates/index';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('netloom inspect', () => {
  it('refuses an untrained project, a missing sample or node, and --row without --data', async () => {
    const netloom = netloomIn(tempDir('inspect-refusals'));
    expect(
      (await netloom('new', '--template', 'perceptron', '--data', 'builtin:iris', '--out', 'p.nnproj')).code,
    ).toBe(0);
    const untrained = await netloom('inspect', 'p.nnproj');
    expect(untrained.code).toBe(1);
    expect(untrained.stderr).toMatch(/no trained weights.*netloom train/);
    expect((await netloom('train', 'p.nnproj', '--epochs', '1')).code).toBe(0);
    const missing = await netloom('inspect', 'p.nnproj', '--sample', '150');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Sample 150 does not exist: there are 150 rows (0 to 149).');
    const node = await netloom('inspect', 'p.nnproj', '--layers', 'nope');
    expect(node.code).toBe(1);
    expect(node.stderr).toContain('No node "nope"');
    expect((await netloom('inspect', 'p.nnproj', '--row', '2')).code).toBe(2);
    expect((await netloom('inspect', 'p.nnproj', '--sample', '-1')).code).toBe(2);
    const ok = await netloom('inspect', 'p.nnproj', '--sample', '149');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^sample 149 \(validation\), class \w+/);
    expect(ok.stdout).toMatch(/output_1\s+Output\s+\[batch, 3\]/);
  });

  it("a row of a CSV, read with the training columns' statistics", async () => {
    const dir = tempDir('inspect-csv');
    copyFileSync(path.resolve('test/fixtures/csv/iris-small.csv'), path.join(dir, 'iris.csv'));
    writeFileSync(
      path.join(dir, 'new.csv'),
      'sepal_length,sepal_width,petal_length,petal_width\n5,3.4,1.5,0.2\n6.9,3.1,5.4,2.1\n',
    );
    const netloom = netloomIn(dir);
    expect((await netloom('new', '--template', 'mlp', '--data', 'iris.csv', '--out', 'p.nnproj')).code).toBe(
      0,
    );
    expect((await netloom('train', 'p.nnproj', '--epochs', '2')).code).toBe(0);
    const r = await netloom('inspect', 'p.nnproj', '--data', 'new.csv', '--row', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as InspectResult;
    expect(res.sample).toEqual({ file: 'new.csv', row: 1 });
    expect(res.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    // The standardised row: 6.9 is above the training mean of sepal length.
    expect(res.input![0]).toBeGreaterThan(0);
    const missing = await netloom('inspect', 'p.nnproj', '--data', 'new.csv', '--row', '2');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Row 2 does not exist: there are 2 rows (0 to 1).');
  });

  it('an e-mail: the attention nodes carry its words, each head row sums to 1', async () => {
    const project = buildTemplate('transformer', { inputShape: [40], outputs: 2, vocabSize: 300 });
    project.data = { source: 'builtin', dataset: 'spamassassin', options: { vocabSize: 300, maxLength: 40 } };
    const compiled = await compileGraph(project.graph);
    const weights = await saveModelArtifacts(compiled.model);
    compiled.model.dispose();
    const res = await inspectProject({ project, weights }, { sample: 3 }, { projectFile: null });
    expect(res.tokens).toHaveLength(40);
    expect(res.sample.truthLabel).toMatch(/^(ham|spam)$/);
    const attn = res.nodes.filter((n) => n.attention);
    expect(attn.map((n) => n.kind)).toEqual(['TransformerEncoderBlock', 'TransformerEncoderBlock']);
    for (const n of attn) {
      expect(n.tokens).toEqual(res.tokens);
      expect(n.attention).toHaveLength(2);
      expect(n.attention![0]).toHaveLength(40);
      for (const row of n.attention![1]!)
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    expect(res.tokens!.filter((t) => t !== '<pad>').length).toBeGreaterThan(5);
  });
});
