/** Inside an open block: where the canvas is (Graph › block), and the way back. */
import { Panel } from '@xyflow/react';
import { useAppStore } from '../store/store';

export function Breadcrumbs() {
  const scope = useAppStore((s) => s.scope);
  const name = useAppStore((s) => s.blocks.find((b) => b.id === s.scope?.block)?.name);
  if (!scope) return null;
  return (
    <Panel position="top-center" className="breadcrumbs" data-testid="breadcrumbs">
      <nav aria-label="Where you are">
        <button
          className="link"
          data-testid="breadcrumb-root"
          onClick={() => useAppStore.getState().closeBlock()}
        >
          Graph
        </button>
        <span aria-hidden="true"> › </span>
        <strong data-testid="breadcrumb-block">{name ?? scope.block}</strong>
        <span className="muted small"> (editing the definition: every use of it changes)</span>
      </nav>
    </Panel>
  );
}
