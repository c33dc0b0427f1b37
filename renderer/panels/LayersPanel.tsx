/**
 * The Layers panel (Train view): per layer and epoch, the size of its weights and gradients, how far
 * a step moves it, its activations and dead units, as a table of sparklines with the selected
 * layer's weight and gradient histograms under it; and the checkpoint scrubber, which moves the
 * probe views, the decision boundary and this table back through the epochs of the last run.
 */
import { useShallow } from 'zustand/react/shallow';
import type { LayerEpoch, LayerStats } from '../../shared/inspect/layerStats';
import { kindLabel } from '../store/graph';
import { HistogramChart } from '../inspect/HistogramChart';
import { Sparkline } from '../inspect/Sparkline';
import { useWeights } from '../store/hooks';
import { useAppStore } from '../store/store';

const store = () => useAppStore.getState();

export const fmtStat = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '—'
    : v === 0
      ? '0'
      : Math.abs(v) >= 0.01 && Math.abs(v) < 10_000
        ? v.toPrecision(3)
        : v.toExponential(1);

/** What is unusual about a layer's figures, in words (empty: nothing). */
export function layerWarnings(s: LayerStats): string[] {
  const out: string[] = [];
  if (s.deadFraction >= 0.5)
    out.push(`${Math.round(s.deadFraction * 100)}% of its units output 0 for every probe sample (dead).`);
  if (s.updateRatio !== null && s.updateRatio > 0.05)
    out.push('A step changes its weights by more than 5%: the learning rate may be too high.');
  if (s.updateRatio !== null && s.updateRatio > 0 && s.updateRatio < 1e-6)
    out.push('A step barely changes its weights: the learning rate may be too low, or gradients vanish.');
  if (s.gradNorm !== null && s.gradNorm < 1e-7) out.push('Almost no gradient reaches it.');
  return out;
}

/** The epoch whose figures are shown: the scrubbed one, else the last. */
export function shownEpoch(
  history: readonly LayerEpoch[],
  checkpoint: number | null,
): LayerEpoch | undefined {
  return (checkpoint !== null ? history.find((h) => h.epoch === checkpoint) : undefined) ?? history.at(-1);
}

function Scrubber({ history }: { history: readonly LayerEpoch[] }) {
  const { checkpoint, running } = useAppStore(
    useShallow((s) => ({ checkpoint: s.checkpoint, running: s.status === 'running' })),
  );
  const weights = useWeights();
  const kept = history.filter((h) => h.checkpointBytes !== undefined);
  if (kept.length === 0) return null;
  const bytes = kept.reduce((n, h) => n + (h.checkpointBytes ?? 0), 0);
  const at =
    checkpoint === null
      ? kept.length - 1
      : Math.max(
          0,
          kept.findIndex((h) => h.epoch === checkpoint),
        );
  const last = history.at(-1)!.epoch;
  const disabled = running || weights.state === 'stale';
  return (
    <div className="checkpoint-scrubber" data-testid="checkpoint-scrubber">
      <label>
        <span>Epoch</span>
        <input
          type="range"
          min={0}
          max={kept.length - 1}
          step={1}
          value={at}
          disabled={disabled}
          data-testid="checkpoint-range"
          aria-valuetext={`epoch ${kept[at]!.epoch}`}
          onChange={(e) => {
            const h = kept[Number(e.target.value)]!;
            void store().scrubTo(h.epoch);
          }}
        />
        <span className="mono" data-testid="checkpoint-epoch">
          {kept[at]!.epoch} / {last}
        </span>
        <button
          type="button"
          disabled={disabled || checkpoint === null}
          onClick={() => void store().scrubTo(null)}
          data-testid="checkpoint-now"
        >
          Now
        </button>
      </label>
      <p className="muted small" data-testid="checkpoint-status">
        {checkpoint !== null
          ? `The probe views, boundary and figures show epoch ${checkpoint}, not the weights now.`
          : running
            ? 'Move back through the epochs when the run ends.'
            : 'Drag to see the views as they were at an earlier epoch.'}{' '}
        {kept.length} snapshot{kept.length === 1 ? '' : 's'} of this run in memory (
        {(bytes / 1024 / 1024).toFixed(1)} MB; at most 50 and 64 MB), not saved in the project.
      </p>
    </div>
  );
}

function Row({
  s,
  history,
  selected,
  mark,
}: {
  s: LayerStats;
  history: readonly LayerEpoch[];
  selected: boolean;
  mark: number | undefined;
}) {
  const node = useAppStore((st) => st.nodes.find((n) => n.id === s.id));
  const series = (f: (x: LayerStats) => number | null) =>
    history.map((h) => {
      const x = h.layers.find((l) => l.id === s.id);
      return x ? f(x) : null;
    });
  const warnings = layerWarnings(s);
  return (
    <tr
      className={`${selected ? 'selected' : ''}${warnings.length ? ' warn' : ''}`}
      onClick={() => store().select([s.id])}
      data-testid={`layers-row-${s.id}`}
      title={warnings.join('\n') || undefined}
    >
      <th scope="row">
        <span className="layers-name">{node?.data.name ?? s.id}</span>
        <span className="muted small">{node ? kindLabel(node.data.kind) : ''}</span>
      </th>
      <td>
        <Sparkline values={series((x) => x.weightNorm)} width={56} height={18} mark={mark} />
        <span className="mono">{fmtStat(s.weightNorm)}</span>
      </td>
      <td>
        <Sparkline values={series((x) => x.gradNorm)} width={56} height={18} log mark={mark} />
        <span className="mono">{fmtStat(s.gradNorm)}</span>
      </td>
      <td className="mono">{fmtStat(s.updateRatio)}</td>
      <td className="mono">
        {fmtStat(s.activationMean)} ± {fmtStat(s.activationStd)}
      </td>
      <td className="mono">{`${Math.round(s.deadFraction * 100)}%`}</td>
    </tr>
  );
}

export function LayersPanel() {
  const { history, checkpoint, live, running } = useAppStore(
    useShallow((s) => ({
      history: s.layerHistory,
      checkpoint: s.checkpoint,
      live: s.liveLayers,
      running: s.status === 'running',
    })),
  );
  const selectedId = useAppStore((s) => s.nodes.find((n) => n.selected)?.id ?? null);
  const weights = useWeights();
  if ((history.length === 0 && !(running && live)) || weights.state === 'stale') return null;
  // While a long epoch runs: its latest quarter-epoch figures (not kept in the history).
  const within =
    running && live && live.epoch > (history.at(-1)?.epoch ?? 0)
      ? {
          epoch: live.epoch,
          layers: live.layers,
          label: `Epoch ${live.epoch}, batch ${live.batch} of ${live.batches}`,
        }
      : null;
  const epoch = within ?? shownEpoch(history, checkpoint)!;
  const mark = within ? undefined : history.indexOf(epoch as LayerEpoch);
  const selected =
    epoch.layers.find((l) => l.id === selectedId) ?? epoch.layers.find((l) => l.weightHistogram);
  return (
    <section className="layers-panel" data-testid="layers-panel" aria-label="Layers">
      <h2>Layers</h2>
      <Scrubber history={history} />
      <p className="muted small" data-testid="layers-epoch">
        {within ? `${within.label} (so far)` : `Epoch ${epoch.epoch}`}: gradients and the step of the last
        batch measured; activations on the same 64 samples each time.
      </p>
      <div className="layers-table-wrap">
        <table className="layers-table">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col" title="L2 norm of the layer's weights">
                ‖W‖
              </th>
              <th scope="col" title="L2 norm of their gradients (log scale)">
                ‖grad‖
              </th>
              <th
                scope="col"
                title="How much one step changes the weights, relative to their size (about 1e-3 is healthy)"
              >
                step/‖W‖
              </th>
              <th scope="col" title="Mean ± standard deviation of the layer's output">
                output
              </th>
              <th scope="col" title="Units whose output is 0 for every probe sample">
                dead
              </th>
            </tr>
          </thead>
          <tbody>
            {epoch.layers.map((s) => (
              <Row key={s.id} s={s} history={history} selected={s.id === selected?.id} mark={mark} />
            ))}
          </tbody>
        </table>
      </div>
      {selected && (selected.weightHistogram || selected.gradHistogram) && (
        <div className="layers-histograms">
          {selected.weightHistogram && (
            <HistogramChart
              histogram={selected.weightHistogram}
              title={`${selected.id} weights, epoch ${epoch.epoch}`}
              testId={`layers-weight-histogram-${selected.id}`}
            />
          )}
          {selected.gradHistogram && (
            <HistogramChart
              histogram={selected.gradHistogram}
              title={`${selected.id} gradients`}
              testId={`layers-grad-histogram-${selected.id}`}
            />
          )}
        </div>
      )}
    </section>
  );
}
