/** A Keras-style model summary: layer and kind, output shape, parameters with their arithmetic; totals and FLOPs. */
import { formatCount, formatShape } from '../../shared/layers/shape';
import { useReport } from '../store/hooks';
import { useAppStore } from '../store/store';

export function Summary() {
  const report = useReport();
  const nodes = useAppStore((s) => s.nodes);
  const select = useAppStore((s) => s.select);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ids = [...report.order, ...nodes.map((n) => n.id).filter((id) => !report.order.includes(id))];
  return (
    <section className="panel summary" aria-label="Model summary" data-testid="summary">
      {/* Three columns that fit the sidebar: the layer (name, kind under it), its output shape,
          its parameters (the count; the arithmetic under it, wrapping). */}
      <table>
        <colgroup>
          <col style={{ width: '42%' }} />
          <col style={{ width: '26%' }} />
          <col style={{ width: '32%' }} />
        </colgroup>
        <thead>
          <tr>
            <th>Layer</th>
            <th>Output shape</th>
            <th className="num">Params</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => {
            const r = report.nodes.get(id);
            const n = byId.get(id);
            return (
              <tr
                key={id}
                onClick={() => select([id])}
                className={r?.issues.some((i) => i.severity === 'error') ? 'row-error' : ''}
              >
                <td>
                  {n?.data.name ?? id}
                  <span className="summary-kind muted">{n?.data.kind}</span>
                </td>
                <td className="mono">{r?.outputShape ? formatShape(r.outputShape) : '—'}</td>
                <td className="mono num" title={r?.params?.arithmetic}>
                  {r?.params ? formatCount(r.params.total) : '—'}
                  {r?.params && r.params.arithmetic !== formatCount(r.params.total) && (
                    <span className="summary-kind summary-arith muted">{r.params.arithmetic}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <dl className="totals">
        <dt>Total params</dt>
        <dd className="mono">{formatCount(report.totals.params)}</dd>
        <dt>Trainable</dt>
        <dd className="mono">{formatCount(report.totals.trainable)}</dd>
        <dt>Non-trainable</dt>
        <dd className="mono">{formatCount(report.totals.nonTrainable)}</dd>
        <dt>FLOPs / sample</dt>
        <dd className="mono">{formatCount(report.totals.flops)}</dd>
      </dl>
    </section>
  );
}
