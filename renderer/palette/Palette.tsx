/**
 * The palette: layer kinds grouped by category, with a search box. Drag onto the canvas, or
 * double-click / Enter to add at the centre. A resizable, collapsible side panel (SidePanel).
 */
import { useMemo, useState } from 'react';
import { CATEGORIES } from '../../shared/layers/define';
import { LAYER_KINDS, type LayerKind, layerSpec } from '../../shared/layers/index';
import { SidePanel } from '../panels/SidePanel';

import type { LibraryEntry } from '../../shared/ipc/contract';
import { BlockLibrary } from './BlockLibrary';

export const DND_MIME = 'application/x-netloom-kind';

export function Palette({
  onAdd,
  onAddBlock,
  onAddEntry,
}: {
  onAdd: (kind: LayerKind) => void;
  onAddBlock: (block: string) => void;
  onAddEntry: (entry: LibraryEntry) => void;
}) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    return CATEGORIES.map((c) => ({
      ...c,
      kinds: LAYER_KINDS.filter((k) => {
        const s = layerSpec(k);
        return s.category === c.id && (!q || `${k} ${s.label} ${s.doc}`.toLowerCase().includes(q));
      }),
    })).filter((g) => g.kinds.length > 0);
  }, [query]);
  return (
    <SidePanel
      name="palette"
      side="left"
      label="layer palette"
      short="Layers"
      className="palette"
      head={
        <input
          className="palette-search"
          placeholder="Search layers…"
          aria-label="Search layers"
          value={query}
          data-testid="palette-search"
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            const first = groups[0]?.kinds[0];
            if (e.key === 'Enter' && first) onAdd(first);
          }}
        />
      }
    >
      <div className="palette-groups">
        {groups.map((g) => (
          <section key={g.id}>
            <h3>{g.label}</h3>
            {g.kinds.map((k) => {
              const s = layerSpec(k);
              return (
                <div
                  key={k}
                  className={`palette-item cat-${s.category}`}
                  data-testid={`palette-item-${k}`}
                  draggable
                  tabIndex={0}
                  title={s.doc}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DND_MIME, k);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onDoubleClick={() => onAdd(k)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') onAdd(k);
                  }}
                >
                  <span className="palette-label">{s.label}</span>
                  <span className="palette-doc">{s.doc}</span>
                </div>
              );
            })}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No layer matches “{query}”.</p>}
        <BlockLibrary onAdd={onAddBlock} onAddEntry={onAddEntry} />
      </div>
    </SidePanel>
  );
}
