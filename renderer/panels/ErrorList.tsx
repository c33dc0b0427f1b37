/** Every issue the checker found, located; click to select the node, apply a fix in one click. */
import type { GraphFix } from '../../shared/graph/check';
import { useReport } from '../store/hooks';
import { useAppStore } from '../store/store';

export function ErrorList({ onFix }: { onFix: (fix: GraphFix) => void }) {
  const report = useReport();
  const select = useAppStore((s) => s.select);
  const empty = useAppStore((s) => s.nodes.length === 0);
  return (
    <section className="panel errors" data-testid="errors" aria-label="Problems">
      <h2>
        Problems <span className="count">{report.issues.length}</span>
      </h2>
      {empty && (
        <p className="muted">Drag an Input from the palette to start, or pick a template (New, Ctrl+N).</p>
      )}
      {!empty && report.issues.length === 0 && (
        <p className="ok">No problems: the graph is ready to train.</p>
      )}
      <ul>
        {report.issues.map((i, n) => (
          <li
            key={n}
            className={`issue ${i.severity}`}
            data-testid="error-item"
            onClick={() => i.nodeId && select([i.nodeId])}
          >
            <span className="where">
              {i.nodeId ?? (i.edgeId ? `edge ${i.edgeId}` : 'graph')}
              {i.port ? ` · ${i.port}` : ''}
              {i.param ? ` · ${i.param}` : ''}
            </span>
            <span className="msg">{i.message}</span>
            {i.fix && (
              <button
                className="fix"
                data-testid="apply-fix"
                onClick={(e) => {
                  e.stopPropagation();
                  onFix(i.fix!);
                }}
              >
                {i.fix.label}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
