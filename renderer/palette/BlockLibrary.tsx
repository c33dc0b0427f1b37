/**
 * The project's block library, under the layers: each block defined in the project, to drag onto
 * the canvas (or double-click) as a new use linked to its definition.
 */
import { BLOCK_INPUT, BLOCK_OUTPUT } from '../../shared/ir/schema';
import { useAppStore } from '../store/store';

export const DND_BLOCK_MIME = 'application/x-netloom-block';

export function BlockLibrary({ onAdd }: { onAdd: (block: string) => void }) {
  const blocks = useAppStore((s) => s.blocks);
  return (
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
  );
}
