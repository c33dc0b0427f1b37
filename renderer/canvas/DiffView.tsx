/**
 * The diff view: the open graph compared with another network (another project, or the last saved
 * version). Added and changed nodes are outlined on the canvas (LayerNode reads the same diff);
 * this panel lists them with the parameters that changed, the nodes the other network has and this
 * one does not, the connections, and the parameter count before and after. Clicking a node's line
 * selects it and brings it into view. It follows every edit until closed.
 */
import { useReactFlow } from '@xyflow/react';
import { formatCount } from '../../shared/layers/shape';
import { isEmptyDiff } from '../../shared/graph/diff';
import { selectDiff } from '../store/selectors';
import { useAppStore } from '../store/store';

const show = (v: unknown) => (v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function DiffView() {
  const diff = useAppStore(selectDiff);
  const base = useAppStore((s) => s.diffBase);
  const rf = useReactFlow();
  if (!diff || !base) return null;
  const focus = (id: string) => {
    const s = useAppStore.getState();
    s.select([id]);
    const n = rf.getNode(id);
    if (n) void rf.setCenter(n.position.x + 110, n.position.y + 40, { zoom: rf.getZoom(), duration: 200 });
  };
  const delta = diff.paramsDelta;
  return (
    <aside className="diff-view" data-testid="diff-view" aria-label="Comparison">
      <header>
        <strong>Compared with {base.label}</strong>
        <button
          type="button"
          className="link"
          data-testid="diff-close"
          onClick={() => useAppStore.getState().setDiffBase(null)}
        >
          Close
        </button>
      </header>
      <p className="mono" data-testid="diff-params">
        Parameters {formatCount(diff.paramsBefore)} → {formatCount(diff.paramsAfter)}{' '}
        <span className={delta > 0 ? 'diff-more' : delta < 0 ? 'diff-fewer' : ''}>
          ({delta > 0 ? '+' : delta < 0 ? '−' : '±'}
          {formatCount(Math.abs(delta))})
        </span>
      </p>
      {isEmptyDiff(diff) && <p className="muted">The same network (node positions aside).</p>}
      <ul className="diff-list">
        {diff.added.map((id) => (
          <li key={`+${id}`} className="diff-added" data-testid={`diff-added-${id}`}>
            <button type="button" className="link" onClick={() => focus(id)}>
              + {id}
            </button>{' '}
            <span className="muted">{diff.kinds[id]}</span>
          </li>
        ))}
        {diff.changed.map((c) => (
          <li key={`~${c.id}`} className="diff-changed" data-testid={`diff-changed-${c.id}`}>
            <button type="button" className="link" onClick={() => focus(c.id)}>
              ~ {c.id}
            </button>{' '}
            <span className="muted">{c.kind}</span>
            <ul>
              {Object.entries(c.params).map(([name, [a, b]]) => (
                <li key={name} className="mono">
                  {name === 'inside' && a === null
                    ? `inside: ${show(b)}`
                    : `${name}: ${show(a)} → ${show(b)}`}
                </li>
              ))}
            </ul>
          </li>
        ))}
        {diff.removed.map((id) => (
          <li key={`-${id}`} className="diff-removed" data-testid={`diff-removed-${id}`}>
            − {id}{' '}
            <span className="muted">
              {diff.kinds[id]} (only in {base.label})
            </span>
          </li>
        ))}
      </ul>
      {(diff.edges.added.length > 0 || diff.edges.removed.length > 0) && (
        <p className="muted">
          Connections: {diff.edges.added.length} new, {diff.edges.removed.length} gone.
        </p>
      )}
    </aside>
  );
}
