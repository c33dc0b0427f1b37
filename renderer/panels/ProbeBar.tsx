/**
 * Picking the sample to look inside the network with: a row of the data by number (previous, next,
 * random), or one clicked in the misclassified list or drawn/typed in "Try it". `ProbeBar` is the
 * picker (`probe-sample`), on the canvas in the Design view and in the Train view's "See inside"
 * section (`ProbePanel`), which also says what the sample is and what the network made of it.
 */
import { useEffect, useState } from 'react';
import { flatten, type InspectResult } from '../../shared/inspect/types';
import { useWeights } from '../store/hooks';
import { useAppStore } from '../store/store';

const store = () => useAppStore.getState();

/** What the probed sample is: its row, true class, and the network's answer. */
function describe(probe: InspectResult | null, given: boolean): string | null {
  if (!probe) return null;
  const s = probe.sample;
  const out = probe.nodes.find((n) => n.kind === 'Output');
  let answer = '';
  if (out && probe.classes) {
    const v = flatten(out.values);
    const probs = v.length === 1 ? [1 - v[0]!, v[0]!] : v;
    const best = probs.indexOf(Math.max(...probs));
    answer = ` → predicted ${probe.classes[best] ?? best} (${((probs[best] ?? 0) * 100).toFixed(1)}%)`;
  }
  const what = given
    ? 'Your input'
    : `Row ${s.index}${s.validation ? ' (validation)' : ' (training)'}${s.truthLabel !== undefined ? `, class ${s.truthLabel}` : ''}`;
  return `${what}${answer}`;
}

export function ProbeBar({ compact = false }: { compact?: boolean }) {
  const sample = useAppStore((s) => s.probeSample);
  const input = useAppStore((s) => s.probeInput);
  const count = useAppStore((s) => s.summary?.count ?? null);
  const busy = useAppStore((s) => s.probeBusy);
  const error = useAppStore((s) => s.probeError);
  const probe = useAppStore((s) => s.probe);
  const weights = useWeights();
  const running = useAppStore((s) => s.status === 'running');
  const [draft, setDraft] = useState(sample === null ? '' : String(sample));
  useEffect(() => setDraft(sample === null ? '' : String(sample)), [sample]);
  // While a run trains, the views follow its weights live (even before it has saved any).
  const ready = weights.state === 'fit' || running;
  const go = (i: number) => void store().probeAt(count !== null ? (i + count) % count : Math.max(0, i));
  const commit = () => {
    const i = Number(draft);
    if (draft.trim() !== '' && Number.isInteger(i) && i >= 0) go(i);
  };
  return (
    <div className={`probe-picker${compact ? ' compact' : ''}`} data-testid="probe-sample">
      <label>
        {compact ? 'Probe row' : 'Sample row'}{' '}
        <input
          type="number"
          min={0}
          {...(count !== null ? { max: count - 1 } : {})}
          value={draft}
          placeholder={input ? 'drawn' : '—'}
          disabled={!ready}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
          data-testid="probe-index"
          aria-label="Row of the data to look inside the network with"
        />
      </label>
      <button
        type="button"
        disabled={!ready}
        onClick={() => go((sample ?? 0) - 1)}
        title="Previous row"
        data-testid="probe-prev"
      >
        ◀
      </button>
      <button
        type="button"
        disabled={!ready}
        onClick={() => go(sample === null ? 0 : sample + 1)}
        title="Next row"
        data-testid="probe-next"
      >
        ▶
      </button>
      <button
        type="button"
        disabled={!ready}
        onClick={() => go(Math.floor(Math.random() * (count ?? 100)))}
        title="A random row"
        data-testid="probe-random"
      >
        Random
      </button>
      {(sample !== null || input) && (
        <button type="button" className="link" onClick={() => store().clearProbe()} data-testid="probe-clear">
          Hide
        </button>
      )}
      <span
        className="probe-status muted"
        data-testid="probe-status"
        role="status"
        title={describe(probe, input !== null) ?? undefined}
      >
        {!ready
          ? weights.state === 'stale'
            ? 'The weights no longer fit the graph.'
            : 'Train the network to look inside it.'
          : busy
            ? 'Running…'
            : (error ??
              (describe(probe, input !== null) &&
                `${describe(probe, input !== null)}${running && probe?.nodes.length ? ' · live' : ''}`) ??
              (compact ? '' : 'Pick a row: every layer on the canvas shows what it computes for it.'))}
      </span>
    </div>
  );
}

/** The Train view's "See inside" section: the picker and a way to the canvas views. */
export function ProbePanel() {
  const probe = useAppStore((s) => s.probe);
  return (
    <>
      <h2>See inside</h2>
      <ProbeBar />
      {probe && (
        <p className="muted">
          Each layer on the canvas now shows its activation for this sample; select one for a larger view.{' '}
          <button
            type="button"
            className="link"
            onClick={() => store().setUi({ view: 'design' })}
            data-testid="probe-show-canvas"
          >
            Show on the canvas
          </button>
        </p>
      )}
    </>
  );
}
