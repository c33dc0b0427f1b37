/** Unsaved work from an earlier session (autosave): recover it, or discard it. */
import { discardRecovery, recoverFirst } from '../app/files';
import type { CanvasView } from '../app/view';
import { useAppStore } from '../store/store';

export function RecoverBanner({ view }: { view: CanvasView }) {
  const pending = useAppStore((s) => s.pending);
  if (pending.length === 0) return null;
  return (
    <div className="banner" data-testid="recover-banner">
      Unsaved work from an earlier session: {pending.map((p) => p.path ?? p.name).join(', ')}.
      <button onClick={() => recoverFirst(view)}>Recover</button>
      <button onClick={discardRecovery}>Discard</button>
    </div>
  );
}
