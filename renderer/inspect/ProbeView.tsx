/**
 * What one node computes for the probed sample, in a view fitted to its kind and shape: a bar strip
 * of unit values, a [time × units] heatmap, a grid of feature maps, the attention weights per head
 * with the sample's words, the class probabilities of an Output. `size` "node" is the small view on
 * the canvas; "large" the inspector's, with labels and selectors.
 */
import { useMemo, useState } from 'react';
import { flatten, type InspectResult, type NodeActivation } from '../../shared/inspect/types';
import { drawBars, drawFeatureMaps, drawHeatmap } from './draw';
import { Plot } from './Plot';
import { RecurrentView } from './RecurrentView';

type Size = 'node' | 'large';

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3));

/** The strongest units of a vector, for the large view's labels. */
function topUnits(values: number[], k: number): { unit: number; value: number }[] {
  return values
    .map((value, unit) => ({ unit, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, k);
}

function Vector({ node, size }: { node: NodeActivation; size: Size }) {
  const values = useMemo(() => flatten(node.values), [node.values]);
  const w = size === 'node' ? 196 : 300;
  return (
    <>
      <Plot
        width={w}
        height={size === 'node' ? 28 : 80}
        draw={(ctx) => drawBars(ctx, values, w, size === 'node' ? 28 : 80)}
        deps={[values]}
        title={`${values.length} units`}
      />
      {size === 'large' && values.length > 1 && (
        <p className="muted probe-caption">
          Strongest:{' '}
          {topUnits(values, 5)
            .map((u) => `#${u.unit} ${fmt(u.value)}`)
            .join(' · ')}
        </p>
      )}
    </>
  );
}

function Matrix({ node, size }: { node: NodeActivation; size: Size }) {
  const values = useMemo(() => flatten(node.values), [node.values]);
  const [rows, cols] = node.shape as [number, number];
  const w = size === 'node' ? 196 : 300;
  const h = size === 'node' ? 40 : Math.min(300, Math.max(60, rows * 3));
  return (
    <>
      <Plot
        width={w}
        height={h}
        draw={(ctx) => drawHeatmap(ctx, values, rows, cols, { x: 0, y: 0, w, h })}
        deps={[values]}
        title={`${rows} steps × ${cols} units`}
      />
      {size === 'large' && (
        <p className="muted probe-caption">
          Rows: {rows} time steps (top to bottom) · columns: {cols} units
        </p>
      )}
    </>
  );
}

function FeatureMaps({ node, size }: { node: NodeActivation; size: Size }) {
  const values = useMemo(() => flatten(node.values), [node.values]);
  const channels = node.shape[2] ?? 1;
  const [all, setAll] = useState(false);
  const count = Math.min(channels, size === 'node' ? 16 : all ? 64 : 16);
  const cols = Math.min(8, Math.max(size === 'node' ? 4 : 3, count));
  const w = size === 'node' ? 196 : 300;
  const [h0, w0] = node.shape as [number, number];
  const cell = (w - 2 * (cols - 1)) / cols;
  const h = Math.ceil(count / cols) * ((cell * h0) / w0 + 2) - 2;
  return (
    <div
      data-testid={size === 'node' ? `feature-maps-${node.id}` : `feature-maps-large-${node.id}`}
      data-maps={count}
    >
      <Plot
        width={w}
        height={h}
        draw={(ctx) => drawFeatureMaps(ctx, values, node.shape, count, cols, w)}
        deps={[values, count]}
        title={`${count} of ${channels} feature maps`}
      />
      {size === 'large' && (
        <p className="muted probe-caption">
          {count} of {channels} feature maps ({h0}×{w0}), each on its own scale.{' '}
          {channels > 16 && (
            <button type="button" className="link" onClick={() => setAll(!all)}>
              {all ? 'Fewer' : `More (${Math.min(64, channels)})`}
            </button>
          )}
        </p>
      )}
    </div>
  );
}

/** Positions to show: the sample's words without the front padding (all positions for non-text). */
function shownPositions(n: number, tokens?: string[]): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!tokens) return all;
  const real = all.filter((i) => tokens[i] !== '<pad>');
  return real.length ? real : all;
}

function Attention({ node, size }: { node: NodeActivation; size: Size }) {
  const heads = node.attention!;
  const [head, setHead] = useState(0);
  const [query, setQuery] = useState<number | null>(null);
  const tokens = node.tokens;
  const h = heads[Math.min(head, heads.length - 1)]!;
  const pos = useMemo(() => shownPositions(h.length, tokens), [h.length, tokens]);
  const sub = useMemo(() => {
    const out = new Float32Array(pos.length * pos.length);
    pos.forEach((q, i) => pos.forEach((k, j) => (out[i * pos.length + j] = h[q]![k]!)));
    return out;
  }, [h, pos]);
  const side = size === 'node' ? 64 : 300;
  const scale = Math.max(...sub, 1e-6);
  const map = (
    <Plot
      width={side}
      height={side}
      draw={(ctx) => drawHeatmap(ctx, sub, pos.length, pos.length, { x: 0, y: 0, w: side, h: side }, scale)}
      deps={[sub]}
      testId={size === 'large' ? `attention-map-large-${node.id}` : undefined}
      title={`head ${head + 1} of ${heads.length}: query (rows) × key (columns)`}
    />
  );
  if (size === 'node')
    return (
      <div className="probe-attention" data-testid={`attention-map-${node.id}`}>
        {map}
        <span className="muted">
          {heads.length} head{heads.length === 1 ? '' : 's'} · {pos.length}
          {tokens ? ' words' : ' positions'}
        </span>
      </div>
    );
  // The large view: the head selector, the map, and the words shaded by the attention of one word.
  const q = query ?? pos[pos.length - 1]!;
  const row = h[q]!;
  const rowMax = Math.max(...pos.map((k) => row[k]!), 1e-6);
  const label = (i: number) => (tokens ? tokens[i] : `#${i}`);
  return (
    <div className="probe-attention-large">
      <div className="segmented" role="group" aria-label="Attention head">
        {heads.map((_, i) => (
          <button
            key={i}
            type="button"
            className={i === head ? 'active' : ''}
            onClick={() => setHead(i)}
            data-testid={`attention-head-${i + 1}`}
          >
            Head {i + 1}
          </button>
        ))}
      </div>
      {map}
      <p className="muted probe-caption">
        Rows: each word as the query; columns: the words it attends to (darker = more). Click a word below.
      </p>
      <div className="attention-words" data-testid={`attention-words-${node.id}`}>
        {pos.map((k) => (
          <button
            key={k}
            type="button"
            className={`attention-word${k === q ? ' query' : ''}`}
            style={{ background: `rgba(8,119,189,${(row[k]! / rowMax) * 0.85})` }}
            title={`${label(k)}: ${(row[k]! * 100).toFixed(1)}% of "${label(q)}"'s attention`}
            onClick={() => setQuery(k)}
          >
            {label(k)}
          </button>
        ))}
      </div>
      <p className="muted probe-caption" data-testid={`attention-top-${node.id}`}>
        “{label(q)}” attends most to:{' '}
        {[...pos]
          .sort((a, b) => row[b]! - row[a]!)
          .slice(0, 5)
          .map((k) => `${label(k)} ${(row[k]! * 100).toFixed(1)}%`)
          .join(' · ')}
      </p>
    </div>
  );
}

function OutputView({ node, probe, size }: { node: NodeActivation; probe: InspectResult; size: Size }) {
  const values = flatten(node.values);
  const { classes, sample } = probe;
  if (!classes) {
    return (
      <p className="probe-output mono">
        {values.slice(0, 4).map(fmt).join(', ')}
        {sample.target ? ` (target ${sample.target.slice(0, 4).map(fmt).join(', ')})` : ''}
      </p>
    );
  }
  const probs = values.length === 1 ? [1 - values[0]!, values[0]!] : values;
  const rows = probs
    .map((p, c) => ({ p, c }))
    .sort((a, b) => b.p - a.p)
    .slice(0, size === 'node' ? 3 : 20);
  return (
    <ul className="probe-output">
      {rows.map(({ p, c }) => (
        <li
          key={c}
          className={c === sample.truth ? 'truth' : ''}
          title={c === sample.truth ? 'the true class' : ''}
        >
          <span className="probe-class">{classes[c] ?? c}</span>
          <span className="probe-bar" style={{ width: `${Math.round(p * 100)}%` }} />
          <span className="mono">{(p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}

function TextInput({ tokens }: { tokens: string[] }) {
  const words = tokens.filter((t) => t !== '<pad>');
  return <p className="probe-text">{words.join(' ')}</p>;
}

/** The view of one node's activation for the probed sample. */
export function ProbeView({ node, probe, size }: { node: NodeActivation; probe: InspectResult; size: Size }) {
  let body;
  if (node.kind === 'Output') body = <OutputView node={node} probe={probe} size={size} />;
  else if (node.attention) body = <Attention node={node} size={size} />;
  else if (node.values === undefined)
    body = <p className="muted">{node.shape.join('×')}: too large to show (statistics only)</p>;
  else if (node.kind === 'Input' && probe.tokens) body = <TextInput tokens={probe.tokens} />;
  else if (
    node.gates ||
    node.states ||
    ((node.kind === 'LSTM' || node.kind === 'GRU') && node.shape.length === 2)
  )
    body = <RecurrentView node={node} size={size} />;
  else if (node.shape.length === 3) body = <FeatureMaps node={node} size={size} />;
  else if (node.shape.length === 2) body = <Matrix node={node} size={size} />;
  else body = <Vector node={node} size={size} />;
  const s = node.stats;
  return (
    <div
      className={`probe-view probe-${size}`}
      data-testid={size === 'node' ? `probe-view-${node.id}` : `probe-large-${node.id}`}
    >
      {body}
      {size === 'large' && (
        <p className="muted probe-caption mono">
          min {fmt(s.min)} · max {fmt(s.max)} · mean {fmt(s.mean)} · std {fmt(s.std)} · zeros{' '}
          {(s.zeroFraction * 100).toFixed(1)}%
        </p>
      )}
    </div>
  );
}
