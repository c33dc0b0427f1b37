/**
 * `diffGraphs` and `netloom diff`: nodes matched by id (a changed kind is a different layer),
 * parameters compared by value, positions ignored, and the parameter count delta; the CLI prints the
 * same, and its JSON keeps the fields the contract names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffGraphs, formatDiff, isEmptyDiff } from '../../shared/graph/diff';
import { writeProjectFile } from '../../shared/ir/project';
import { buildTemplate } from '../../shared/templates/index';
import { netloomIn } from './helpers/cli';

const netloom = netloomIn();
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-diff-'));

describe('diffGraphs', () => {
  it('MLP → CNN: the CNN’s convolutions added, the Dense sizes changed, 56,576 fewer parameters', () => {
    const d = diffGraphs(buildTemplate('mlp').graph, buildTemplate('cnn').graph);
    expect(d.added).toEqual(['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2', 'flatten_1']);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([
      { id: 'input_1', kind: 'Input', params: { shape: [[784], [28, 28, 1]] } },
      { id: 'dense_1', kind: 'Dense', params: { units: [128, 120] } },
      { id: 'dense_2', kind: 'Dense', params: { units: [128, 84] } },
    ]);
    expect(d.edges.removed).toEqual(['input_1 → dense_1.in']);
    expect(d.paramsBefore).toBe(118_282);
    expect(d.paramsAfter).toBe(61_706);
    expect(d.paramsDelta).toBe(-56_576);
    expect(formatDiff(d)).toContain('~ dense_1 (Dense): units 128 → 120');
  });

  it('a parameter left at its default in one file and written out in the other is no change', () => {
    const g = buildTemplate('mlp').graph;
    const sparse = {
      ...g,
      nodes: g.nodes.map((n) => (n.kind === 'Dense' ? { ...n, params: { units: n.params.units } } : n)),
    };
    const d = diffGraphs(sparse, g);
    // The template's Dense layers set only units and activation away from the defaults.
    expect(d.changed.every((c) => Object.keys(c.params).every((k) => k === 'activation'))).toBe(true);
  });

  it('a node that keeps its id but changes kind is removed and added', () => {
    const a = buildTemplate('lstm').graph;
    const b = buildTemplate('gru').graph;
    const d = diffGraphs(a, b);
    expect(d.removed).toContain('lstm_1');
    expect(d.added).toContain('gru_1');
    expect(d.kinds).toMatchObject({ lstm_1: 'LSTM', gru_1: 'GRU' });
  });

  it('a graph against itself, moved and reordered, has no differences', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('perceptron', 'mlp', 'cnn', 'transformer', 'autoencoder' as const),
        fc.integer(),
        (id, seed) => {
          const g = buildTemplate(id).graph;
          const moved = {
            nodes: [...g.nodes].reverse().map((n, i) => ({ ...n, position: { x: seed % 97, y: i * 3 } })),
            edges: [...g.edges].reverse(),
          };
          const d = diffGraphs(g, moved);
          expect(isEmptyDiff(d)).toBe(true);
          expect(d.paramsDelta).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('netloom diff', () => {
  it('prints the differences, and --json with added, removed, changed and paramsDelta', async () => {
    const a = path.join(dir, 'a.nnproj');
    const b = path.join(dir, 'b.nnproj');
    writeFileSync(a, writeProjectFile({ project: buildTemplate('mlp') }));
    writeFileSync(b, writeProjectFile({ project: buildTemplate('cnn') }));
    const text = await netloom('diff', a, b);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('+ conv2d_1 (Conv2D)');
    expect(text.stdout).toContain('Parameters: 118,282 → 61,706 (−56,576)');
    const json = await netloom('diff', a, b, '--json');
    expect(json.code).toBe(0);
    const d = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(d.added).toEqual(['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2', 'flatten_1']);
    expect(d.removed).toEqual([]);
    expect(d.changed).toContainEqual({ id: 'dense_2', kind: 'Dense', params: { units: [128, 84] } });
    expect(d.paramsDelta).toBe(-56_576);
    const missing = await netloom('diff', a, path.join(dir, 'nope.nnproj'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
