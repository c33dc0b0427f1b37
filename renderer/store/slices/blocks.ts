/**
 * The blocks slice: the project's block definitions, grouping a selection into a block (Ctrl+G) and
 * back, repeating, opening a block to edit its definition (the canvas shows it; breadcrumbs lead
 * back) and unlinking a use from the definition it shares. Each action is one undo step.
 */
import { groupIntoBlock, ungroupBlock } from '../../../shared/graph/grouping';
import { BLOCK_KIND, type BlockDef, type Graph } from '../../../shared/ir/schema';
import { fromGraph, nextId, type Scope, toGraph, wholeGraph } from '../graph';
import type { GetState, SetState, SliceCreator } from '../state';
import { freeSpot } from '../placement';
import { editing } from './edits';
import { api } from '../../ipc/client';
import type { LibraryEntry } from '../../../shared/ipc/contract';
import { blockWithUses, withBlockBundle } from '../../../shared/graph/library';

export interface BlocksSlice {
  /** Block definitions (while one is open, its content is the canvas's nodes and edges). */
  blocks: BlockDef[];
  /** The open block, or null at the top of the graph. */
  scope: Scope | null;
  groupSelection(): void;
  ungroup(id: string): void;
  /** Opens the Block node `id`'s definition on the canvas. */
  openBlock(id: string): void;
  /** Back to the graph around the open block. */
  closeBlock(): void;
  /** A use of definition `block` at `position` (from the block library). */
  addBlock(block: string, position: { x: number; y: number }, blocks?: BlockDef[]): void;
  /** The Block node `id` gets a definition of its own (a copy), no longer shared. */
  unlinkBlock(id: string): void;
  renameBlock(block: string, name: string): void;
  /** The user's library (across projects), once loaded. */
  userBlocks: LibraryEntry[];
  loadLibrary(): Promise<void>;
  /** Saves definition `block` (with the blocks it uses) to the user's library. */
  saveToLibrary(block: string): Promise<void>;
  /** A block from the user's library: its definitions copied into the project, one use at `position`. */
  addFromLibrary(entry: LibraryEntry, position: { x: number; y: number }): void;
}

/** The open blocks, innermost first. */
export function openChain(scope: Scope | null): string[] {
  const out: string[] = [];
  for (let s = scope; s; s = s.parent) out.push(s.block);
  return out;
}

/** Whether any Block node in the graph or in another definition still uses `block`. */
function used(g: Graph, block: string): boolean {
  const uses = (nodes: Graph['nodes']) =>
    nodes.some((n) => n.kind === BLOCK_KIND && n.params.block === block);
  return uses(g.nodes) || (g.blocks ?? []).some((b) => b.id !== block && uses(b.nodes));
}

/** The user's library (across projects): load, save a block to it, copy one in. */
function libraryActions(
  set: SetState,
  get: GetState,
): Pick<BlocksSlice, 'userBlocks' | 'loadLibrary' | 'saveToLibrary' | 'addFromLibrary'> {
  return {
    userBlocks: [],
    loadLibrary: async () => {
      const { entries } = await api.request('library.list', {});
      set({ userBlocks: entries });
    },
    saveToLibrary: async (block) => {
      const bundle = blockWithUses(wholeGraph(get()).blocks ?? [], block);
      if (!bundle) return;
      try {
        await api.request('library.save', { entry: bundle });
        await get().loadLibrary();
        get().notify(`Saved ${bundle.block.name} to your block library.`);
      } catch (e) {
        get().notify(
          `Could not save to your library: ${e instanceof Error ? e.message : String(e)}`,
          'error',
        );
      }
    },
    addFromLibrary: (entry, position) => {
      if (get().locked) return;
      const { blocks, id } = withBlockBundle(get().blocks, entry);
      get().addBlock(id, position, blocks);
    },
  };
}

export const createBlocksSlice: SliceCreator<BlocksSlice> = (set, get) => {
  const { edited, refused } = editing(set, get);
  /** The canvas's level as a graph of its own, with every definition. */
  const level = (): Graph => ({ ...toGraph(get().nodes, get().edges), blocks: get().blocks });
  return {
    ...libraryActions(set, get),
    blocks: [],
    scope: null,
    groupSelection: () => {
      if (refused()) return;
      const ids = get()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id);
      const r = groupIntoBlock(level(), ids);
      if (!r.ok) return get().notify(r.reason, 'error');
      const { nodes, edges } = fromGraph(r.graph);
      edited({
        nodes: nodes.map((n) => (n.id === r.id ? { ...n, selected: true } : n)),
        edges,
        blocks: r.graph.blocks ?? [],
      });
      get().notify(`Grouped ${ids.length} layers into ${r.graph.blocks?.at(-1)?.name ?? 'a block'}.`);
    },
    ungroup: (id) => {
      if (refused()) return;
      const block = get().nodes.find((n) => n.id === id)?.data.params.block;
      const def = get().blocks.find((b) => b.id === block);
      const r = ungroupBlock(level(), id);
      if (!r.ok) return get().notify(r.reason, 'error');
      const { nodes, edges } = fromGraph(r.graph);
      let blocks = r.graph.blocks ?? [];
      // A definition still used elsewhere (around the open block, or in another block) stays.
      const scope = get().scope;
      if (
        def &&
        !blocks.some((b) => b.id === def.id) &&
        used(wholeGraph({ nodes, edges, blocks: [...blocks, def], scope }), def.id)
      )
        blocks = [...blocks, def];
      edited({ nodes, edges, blocks });
    },
    openBlock: (id) => {
      const s = get();
      const node = s.nodes.find((n) => n.id === id);
      const def = s.blocks.find((b) => b.id === node?.data.params.block);
      if (!node || !def) return;
      if (openChain(s.scope).includes(def.id)) return s.notify(`${def.name} is already open.`, 'error');
      // Inside a block, its current content goes into its definition first (the new level reads it).
      const blocks = s.scope ? (wholeGraph(s).blocks ?? s.blocks) : s.blocks;
      const inner = fromGraph(blocks.find((b) => b.id === def.id) ?? def);
      set({
        blocks,
        scope: { block: def.id, outer: { nodes: s.nodes, edges: s.edges }, parent: s.scope },
        ...inner,
      });
    },
    closeBlock: () => {
      const s = get();
      if (!s.scope) return;
      const inner = toGraph(s.nodes, s.edges);
      const open = s.scope.block;
      set({
        blocks: s.blocks.map((b) => (b.id === open ? { ...b, nodes: inner.nodes, edges: inner.edges } : b)),
        nodes: s.scope.outer.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        edges: s.scope.outer.edges,
        scope: s.scope.parent,
      });
    },
    addBlock: (block, position, blocks) => {
      if (refused()) return;
      if (openChain(get().scope).includes(block))
        return get().notify('A block cannot contain itself.', 'error');
      const id = nextId(BLOCK_KIND, get().nodes);
      edited({
        ...(blocks ? { blocks } : {}),
        nodes: [
          ...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          {
            id,
            type: 'block',
            position: freeSpot(get().nodes, position),
            selected: true,
            data: { kind: BLOCK_KIND, params: { block, repeat: 1 } },
          },
        ],
      });
    },
    unlinkBlock: (id) => {
      if (refused()) return;
      const node = get().nodes.find((n) => n.id === id);
      const def = get().blocks.find((b) => b.id === node?.data.params.block);
      if (!node || !def) return;
      const copy = nextId('block', get().blocks);
      const names = new Set(get().blocks.map((b) => b.name));
      let name = `${def.name} copy`;
      for (let i = 2; names.has(name); i++) name = `${def.name} copy ${i}`;
      edited({
        blocks: [...get().blocks, { ...structuredClone(def), id: copy, name }],
        nodes: get().nodes.map((n) =>
          n.id === id ? { ...n, data: { ...n.data, params: { ...n.data.params, block: copy } } } : n,
        ),
      });
      get().notify(`${id} now has a definition of its own: ${name}.`);
    },
    renameBlock: (block, name) => {
      const trimmed = name.trim();
      if (!trimmed || refused()) return;
      edited({
        blocks: get().blocks.map((b) => (b.id === block ? { ...b, name: trimmed.slice(0, 100) } : b)),
      });
    },
  };
};
