import { describe, expect, it } from 'vitest';
import { ProjectFileError } from '../../shared/ir/errors';
import { migrate, MIGRATIONS, type Migration } from '../../shared/ir/migrations';
import { parseProjectJson } from '../../shared/ir/project';
import { FORMAT_VERSION } from '../../shared/ir/schema';

describe('migrations', () => {
  // A made-up history: v1 called the graph "network", v2 stored positions as [x, y].
  const table: Record<number, Migration> = {
    1: ({ network, ...rest }) => ({ ...rest, graph: network }),
    2: (p) => {
      const graph = p.graph as { nodes: { pos: [number, number] }[] };
      return {
        ...p,
        graph: { nodes: graph.nodes.map(({ pos, ...n }) => ({ ...n, position: { x: pos[0], y: pos[1] } })) },
      };
    },
  };

  it('upgrades one step at a time to the target version', () => {
    const v1 = { formatVersion: 1, network: { nodes: [{ id: 'a', pos: [1, 2] }] } };
    expect(migrate(v1, table, 3)).toEqual({
      formatVersion: 3,
      graph: { nodes: [{ id: 'a', position: { x: 1, y: 2 } }] },
    });
  });

  it('leaves a current file alone', () => {
    const v3 = { formatVersion: 3, graph: { nodes: [] } };
    expect(migrate(v3, table, 3)).toEqual(v3);
  });

  it('refuses a future version with a clear message naming formatVersion', () => {
    const err = (() => {
      try {
        migrate({ formatVersion: 4 }, table, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProjectFileError);
    expect((err as ProjectFileError).code).toBe('FUTURE_VERSION');
    expect((err as ProjectFileError).describe()).toBe(
      'project.json: formatVersion: This project was saved by a newer Netloom (format version 4); this version reads up to 3. Update Netloom to open it.',
    );
  });

  it('refuses a gap in the table and a missing version', () => {
    expect(() => migrate({ formatVersion: 1 }, { 2: (p) => p }, 3)).toThrow(
      /No migration from format version 1 to 2/,
    );
    expect(() => migrate({}, table, 3)).toThrow(/formatVersion must be a positive whole number/);
  });

  it('the real table covers every version below the current one', () => {
    for (let v = 1; v < FORMAT_VERSION; v++)
      expect(MIGRATIONS[v], `migration ${v}→${v + 1}`).toBeTypeOf('function');
    expect(() =>
      parseProjectJson(JSON.stringify({ format: 'netloom-project', formatVersion: FORMAT_VERSION + 1 })),
    ).toThrow(/newer Netloom/);
  });
});
