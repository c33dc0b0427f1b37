/** A Keras-style model summary: layer, kind, output shape, parameters with their arithmetic; totals and FLOPs. */
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
      <table>
        <thead>
          <tr>
            <th>Layer</th>
            <th>Kind</th>
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
                <td>{n?.data.name ?? id}</td>
                <td>{n?.data.kind}</td>
                <td className="mono">{r?.outputShape ? formatShape(r.outputShape) : '—'}</td>
                <td className="mono num" title={r?.params?.arithmetic}>
                  {r?.params ? r.params.arithmetic : '—'}
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
