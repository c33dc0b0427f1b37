/**
 * The project's block library, under the layers: each block defined in the project, to drag onto
 * the canvas (or double-click) as a new use linked to its definition.
 */
import { BLOCK_INPUT, BLOCK_OUTPUT } from '../../shared/ir/schema';
import { useEffect } from 'react';
import type { LibraryEntry } from '../../shared/ipc/contract';
import { useAppStore } from '../store/store';

export const DND_BLOCK_MIME = 'application/x-netloom-block';
/** A block of the user's library, by name. */
export const DND_LIBRARY_MIME = 'application/x-netloom-library-block';

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** The user's own library (across projects): double-click or drag to copy a block in. */
function UserLibrary({ onAdd }: { onAdd: (entry: LibraryEntry) => void }) {
  const entries = useAppStore((s) => s.userBlocks);
  useEffect(() => {
    void useAppStore
      .getState()
      .loadLibrary()
      .catch(() => undefined);
  }, []);
  return (
    <section data-testid="user-library">
      <h3>My blocks</h3>
      {entries.length === 0 && (
        <p className="muted small">Save a block to your library (its inspector) to use it in any project.</p>
      )}
      {entries.map((e) => (
        <div
          key={e.block.name}
          className="palette-item block-item"
          data-testid={`user-block-${slug(e.block.name)}`}
          draggable
          tabIndex={0}
          title={`${e.block.name}, from your library: drag onto the canvas (or double-click) to copy it into this project.`}
          onDragStart={(ev) => {
            ev.dataTransfer.setData(DND_LIBRARY_MIME, e.block.name);
            ev.dataTransfer.effectAllowed = 'copy';
          }}
          onDoubleClick={() => onAdd(e)}
          onKeyDown={(ev) => ev.key === 'Enter' && onAdd(e)}
        >
          <span className="palette-label">{e.block.name}</span>
          <span className="palette-doc">from your library</span>
        </div>
      ))}
    </section>
  );
}

export function BlockLibrary({
  onAdd,
  onAddEntry,
}: {
  onAdd: (block: string) => void;
  onAddEntry: (entry: LibraryEntry) => void;
}) {
  const blocks = useAppStore((s) => s.blocks);
  return (
    <>
      <section data-testid="block-library">
        <h3>Blocks</h3>
        {blocks.length === 0 && (
          <p className="muted small">Select layers and press Group (Ctrl+G) to make a block you can reuse.</p>
        )}
        {blocks.map((b) => {
          const layers = b.nodes.filter((n) => n.kind !== BLOCK_INPUT && n.kind !== BLOCK_OUTPUT).length;
          return (
            <div
              key={b.id}
              className="palette-item block-item"
              data-testid={`block-item-${b.id}`}
              draggable
              tabIndex={0}
              title={`${b.name}: ${layers} layers. Drag onto the canvas to use it again (linked).`}
              onDragStart={(e) => {
                e.dataTransfer.setData(DND_BLOCK_MIME, b.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDoubleClick={() => onAdd(b.id)}
              onKeyDown={(e) => e.key === 'Enter' && onAdd(b.id)}
            >
              <span className="palette-label">{b.name}</span>
              <span className="palette-doc">{layers} layers</span>
            </div>
          );
        })}
      </section>
      <UserLibrary onAdd={onAddEntry} />
    </>
  );
}
