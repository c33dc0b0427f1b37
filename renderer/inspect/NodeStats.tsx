/**
 * A node's training statistics on the canvas: a sparkline of its gradient norm per epoch (log
 * scale; a weightless layer shows its output's spread instead), the figure of the epoch shown, and
 * the rest of that epoch's figures on hover. Props in, nothing else.
 */
import type { LayerEpoch, LayerStats } from '../../shared/inspect/layerStats';
import { Sparkline } from './Sparkline';

const fmt = (v: number | null): string =>
  v === null
    ? '—'
    : v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 10_000)
      ? v.toExponential(1)
      : v.toPrecision(2);

export function NodeStats({
  id,
  history,
  checkpoint,
}: {
  id: string;
  history: readonly LayerEpoch[];
  checkpoint: number | null;
}) {
  const at = (h: LayerEpoch): LayerStats | undefined => h.layers.find((l) => l.id === id);
  const shown =
    (checkpoint !== null ? history.find((h) => h.epoch === checkpoint) : undefined) ?? history.at(-1);
  const s = shown ? at(shown) : undefined;
  if (!shown || !s) return null;
  const hasWeights = s.gradNorm !== null;
  const values = history.map((h) => {
    const x = at(h);
    return x ? (hasWeights ? x.gradNorm : x.activationStd) : null;
  });
  const title =
    `Epoch ${shown.epoch}: ` +
    (hasWeights
      ? `‖W‖ ${fmt(s.weightNorm)} · ‖grad‖ ${fmt(s.gradNorm)} · step/‖W‖ ${fmt(s.updateRatio)} · `
      : '') +
    `output ${fmt(s.activationMean)} ± ${fmt(s.activationStd)} · dead ${Math.round(s.deadFraction * 100)}%`;
  return (
    <div
      className={`node-stats${s.deadFraction >= 0.5 ? ' warn' : ''}`}
      data-testid={`layer-stats-${id}`}
      title={title}
    >
      <Sparkline
        values={values}
        width={84}
        height={16}
        log={hasWeights}
        mark={history.indexOf(shown)}
        title={hasWeights ? 'gradient norm per epoch' : 'output spread per epoch'}
      />
      <span className="mono">
        {hasWeights ? `‖g‖ ${fmt(s.gradNorm)}` : `σ ${fmt(s.activationStd)}`}
        {s.deadFraction > 0 ? ` · ${Math.round(s.deadFraction * 100)}% dead` : ''}
      </span>
    </div>
  );
}
