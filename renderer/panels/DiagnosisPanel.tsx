/**
 * The Train view's Diagnosis: findings about the run shown (its curves and layer statistics, live
 * while it trains), the evaluation and the graph (shared/training/diagnosis.ts), each in plain words
 * with where it happened and, where there is one, a button that applies its fix (one undo step for
 * graph changes).
 */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { diagnose, type EpochPoint, type Finding, type Fix } from '../../shared/training/diagnosis';
import type { Curves } from '../store/curves';
import { wholeGraph } from '../store/graph';
import type { LayerEpoch } from '../../shared/inspect/layerStats';
import { useAppStore } from '../store/store';

const store = () => useAppStore.getState();

/** The run's epochs as the diagnosis reads them, from the curves and the layer statistics. */
function epochPoints(c: Curves, layers: readonly LayerEpoch[]): EpochPoint[] {
  const byEpoch = new Map<number, EpochPoint>();
  const at = (epoch: number) => {
    let p = byEpoch.get(epoch);
    if (!p) byEpoch.set(epoch, (p = { epoch }));
    return p;
  };
  for (const [e, v] of c.epochLoss) at(e).loss = v;
  for (const [e, v] of c.valLoss) at(e).valLoss = v;
  if (c.metricName === 'accuracy') {
    for (const [e, v] of c.epochMetric) at(e).accuracy = v;
    for (const [e, v] of c.valMetric) at(e).valAccuracy = v;
  }
  for (const l of layers) at(l.epoch).layers = l.layers;
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function apply(fix: Fix): void {
  const s = store();
  if (fix.kind === 'training') s.setTraining({ ...s.meta.training, ...fix.patch });
  else if (fix.kind === 'params') {
    const node = s.nodes.find((n) => n.id === fix.node);
    if (node) s.setParams(fix.node, { ...node.data.params, ...fix.params });
  } else s.insertBefore(fix.before.nodeId, fix.before.port, fix.insert.kind, fix.insert.params);
  s.notify(`Applied: ${fix.label}`);
}

function FindingRow({ f }: { f: Finding }) {
  const where = [f.node, f.epoch !== undefined ? `epoch ${f.epoch}` : undefined].filter(Boolean).join(' · ');
  return (
    <li className={`finding finding-${f.severity}`} data-testid={`finding-${f.code}`}>
      <div className="finding-head">
        <strong>{f.code}</strong>
        {where && <span className="muted small">{where}</span>}
      </div>
      <p>{f.message}</p>
      {f.fix && (
        <button type="button" onClick={() => apply(f.fix!)} data-testid={`finding-fix-${f.code}`}>
          {f.fix.label}
        </button>
      )}
    </li>
  );
}

export function DiagnosisPanel() {
  const s = useAppStore(
    useShallow((st) => ({
      nodes: st.nodes,
      edges: st.edges,
      blocks: st.blocks,
      scope: st.scope,
      config: st.meta.training,
      curves: st.curves,
      layers: st.layerHistory,
      status: st.status,
      evaluation: st.evaluation,
      epochs: st.progress?.epoch,
      last: st.runs.at(-1),
    })),
  );
  const findings = useMemo(() => {
    const epochs = epochPoints(s.curves, s.layers);
    if (epochs.length === 0 && s.status !== 'diverged') return [];
    const graph = wholeGraph(s);
    // A run that ended here, or (a reopened project) the last saved run the curves show.
    const end =
      s.status === 'done' || s.status === 'diverged'
        ? { type: s.status, ...(s.epochs !== undefined ? { epoch: s.epochs } : {}) }
        : s.status === 'idle' && s.last && (s.last.status === 'done' || s.last.status === 'diverged')
          ? { type: s.last.status, epoch: s.last.epochs }
          : undefined;
    return diagnose({
      graph,
      config: s.config,
      epochs,
      ...(end ? { end } : {}),
      ...(s.evaluation ? { evaluation: s.evaluation } : {}),
    });
  }, [s]);
  if (findings.length === 0) return null;
  return (
    <section className="diagnosis" data-testid="findings" aria-label="Diagnosis">
      <h3>Diagnosis</h3>
      <ul>
        {findings.map((f, i) => (
          <FindingRow key={`${f.code}-${f.node ?? ''}-${i}`} f={f} />
        ))}
      </ul>
    </section>
  );
}
