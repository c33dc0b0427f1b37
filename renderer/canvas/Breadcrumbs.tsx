/** Inside an open block: where the canvas is (Graph › block › inner block), and the way back. */
import { Panel } from '@xyflow/react';
import { openChain } from '../store/slices/blocks';
import { useAppStore } from '../store/store';

/** Closes open blocks until `depth` of them remain open. */
function backTo(depth: number) {
  const s = useAppStore.getState();
  for (let open = openChain(s.scope).length; open > depth; open--) useAppStore.getState().closeBlock();
}

export function Breadcrumbs() {
  const scope = useAppStore((s) => s.scope);
  const blocks = useAppStore((s) => s.blocks);
  if (!scope) return null;
  const chain = openChain(scope).reverse();
  const name = (id: string) => blocks.find((b) => b.id === id)?.name ?? id;
  return (
    <Panel position="top-center" className="breadcrumbs" data-testid="breadcrumbs">
      <nav aria-label="Where you are">
        <button className="link" data-testid="breadcrumb-root" onClick={() => backTo(0)}>
          Graph
        </button>
        {chain.slice(0, -1).map((id, i) => (
          <span key={id}>
            <span aria-hidden="true"> › </span>
            <button className="link" data-testid={`breadcrumb-${id}`} onClick={() => backTo(i + 1)}>
              {name(id)}
            </button>
          </span>
        ))}
        <span aria-hidden="true"> › </span>
        <strong data-testid="breadcrumb-block">{name(chain.at(-1)!)}</strong>
        <span className="muted small"> (editing the definition: every use of it changes)</span>
      </nav>
    </Panel>
  );
}
