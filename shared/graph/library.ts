/**
 * Moving blocks between a project and the user's library: a block goes out with the definitions
 * it uses inside it; it comes in under fresh ids (references inside remapped) and a name that is
 * free in the project.
 */
import { BLOCK_KIND, type BlockDef } from '../ir/schema';

export interface BlockBundle {
  block: BlockDef;
  uses: BlockDef[];
}

/** The definitions `def` uses inside it, transitively (not itself). */
export function blockWithUses(blocks: readonly BlockDef[], id: string): BlockBundle | null {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const block = byId.get(id);
  if (!block) return null;
  const seen = new Set([id]);
  const uses: BlockDef[] = [];
  const visit = (b: BlockDef) => {
    for (const n of b.nodes) {
      const ref = n.kind === BLOCK_KIND ? n.params.block : undefined;
      const inner = typeof ref === 'string' ? byId.get(ref) : undefined;
      if (!inner || seen.has(inner.id)) continue;
      seen.add(inner.id);
      uses.push(inner);
      visit(inner);
    }
  };
  visit(block);
  return { block, uses };
}

/** `blocks` with the bundle's definitions added under fresh ids; `id`: the main block's new id. */
export function withBlockBundle(
  blocks: readonly BlockDef[],
  bundle: BlockBundle,
): { blocks: BlockDef[]; id: string } {
  const ids = new Set(blocks.map((b) => b.id));
  const names = new Set(blocks.map((b) => b.name));
  const rename = new Map<string, string>();
  for (const b of [bundle.block, ...bundle.uses]) {
    let i = 1;
    while (ids.has(`block_${i}`)) i++;
    ids.add(`block_${i}`);
    rename.set(b.id, `block_${i}`);
  }
  const added = [bundle.block, ...bundle.uses].map((b) => {
    let name = b.name;
    for (let k = 2; names.has(name); k++) name = `${b.name} (${k})`;
    names.add(name);
    return {
      ...b,
      id: rename.get(b.id)!,
      name,
      nodes: b.nodes.map((n) => {
        const ref = n.kind === BLOCK_KIND ? n.params.block : undefined;
        return typeof ref === 'string' && rename.has(ref)
          ? { ...n, params: { ...n.params, block: rename.get(ref)! } }
          : n;
      }),
    };
  });
  return { blocks: [...blocks, ...added], id: rename.get(bundle.block.id)! };
}
