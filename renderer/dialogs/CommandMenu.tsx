import { Command } from 'cmdk';
import { LAYER_KINDS, type LayerKind, layerSpec } from '../../shared/layers/index';

/** Search-to-add (cmdk): on Ctrl+K, and when a connection is dropped on empty canvas. */
export function CommandMenu({
  onPick,
  onClose,
  commands,
  onCommand,
}: {
  onPick: (kind: LayerKind) => void;
  onClose: () => void;
  commands: readonly { id: string; label: string; keys?: string | undefined }[];
  onCommand: (id: string) => void;
}) {
  return (
    <div
      className="modal-backdrop"
      data-testid="cmd-palette"
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
    >
      <Command className="cmdk" label="Add a layer or run a command" data-testid="command-menu" loop>
        <Command.Input
          autoFocus
          placeholder="Add a layer or run a command…"
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <Command.List>
          <Command.Empty>Nothing matches.</Command.Empty>
          <Command.Group heading="Add layer">
            {LAYER_KINDS.map((k) => (
              <Command.Item
                key={k}
                value={`${k} ${layerSpec(k).label} ${layerSpec(k).doc}`}
                onSelect={() => onPick(k)}
                data-testid={`cmdk-${k}`}
              >
                <span>{layerSpec(k).label}</span>
                <span className="muted">{layerSpec(k).doc}</span>
              </Command.Item>
            ))}
          </Command.Group>
          <Command.Group heading="Commands">
            {commands.map((c) => (
              <Command.Item
                key={c.id}
                value={`command ${c.label}`}
                data-testid={`cmdk-cmd-${c.id}`}
                onSelect={() => {
                  onClose();
                  onCommand(c.id);
                }}
              >
                <span>{c.label}</span>
                {c.keys && <kbd>{c.keys}</kbd>}
              </Command.Item>
            ))}
          </Command.Group>
        </Command.List>
      </Command>
    </div>
  );
}
