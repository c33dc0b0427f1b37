/**
 * What a node has learned, from its weights: each tensor as a heatmap (a bias or scale as bars) and a
 * histogram; a Conv2D's filters as small images (colour when they read an RGB image); a Dense layer
 * that reads a flattened image as each unit's template over that image; an Embedding's vectors on
 * their first two principal components with their words. Props in, nothing else.
 */
import type { NodeWeights, WeightTensor } from '../../shared/inspect/weights';
import { drawBars, drawHeatmap, magnitude } from './draw';
import { HistogramChart } from './HistogramChart';
import { Plot } from './Plot';

const WIDTH = 300;
const MAX_FILTERS = 64;
const MAX_TEMPLATES = 16;

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(1);

/** Filter `o` of a [kh, kw, in, out] kernel, input channel `c` (or the mean over them when c < 0). */
function filterSlice(v: readonly number[], shape: readonly number[], o: number, c: number): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(kh * kw);
  for (let i = 0; i < kh * kw; i++) {
    if (c >= 0) out[i] = v[(i * cin + c) * cout + o]!;
    else {
      let s = 0;
      for (let k = 0; k < cin; k++) s += v[(i * cin + k) * cout + o]!;
      out[i] = s / cin;
    }
  }
  return out;
}

/** Conv2D filters as a grid of images: RGB when they read three channels, else a diverging map. */
function ConvFilters({ id, t }: { id: string; t: WeightTensor }) {
  const values = t.values!;
  const [kh, kw, cin, cout] = t.shape as [number, number, number, number];
  const count = Math.min(cout, MAX_FILTERS);
  const cols = Math.min(8, count);
  const gap = 3;
  const cell = (WIDTH - gap * (cols - 1)) / cols;
  const height = Math.ceil(count / cols) * (cell + gap) - gap;
  const rgb = cin === 3;
  return (
    <>
      <Plot
        width={WIDTH}
        height={height}
        testId={`conv-filters-${id}`}
        deps={[values]}
        draw={(ctx) => {
          for (let o = 0; o < count; o++) {
            const x = (o % cols) * (cell + gap);
            const y = Math.floor(o / cols) * (cell + gap);
            if (!rgb) {
              const f = filterSlice(values, t.shape, o, cin === 1 ? 0 : -1);
              drawHeatmap(ctx, f, kh, kw, { x, y, w: cell, h: cell });
              continue;
            }
            // Each filter stretched to its own range, as the classic pictures of first-layer filters.
            const ch = [0, 1, 2].map((c) => filterSlice(values, t.shape, o, c));
            const lo = Math.min(...ch.map((a) => Math.min(...a)));
            const hi = Math.max(...ch.map((a) => Math.max(...a)));
            const span = hi - lo || 1;
            const pw = cell / kw;
            const ph = cell / kh;
            for (let i = 0; i < kh * kw; i++) {
              const [r, g, b] = ch.map((a) => Math.round(((a[i]! - lo) / span) * 255));
              ctx.fillStyle = `rgb(${r},${g},${b})`;
              ctx.fillRect(x + (i % kw) * pw, y + Math.floor(i / kw) * ph, pw + 0.5, ph + 0.5);
            }
          }
        }}
      />
      <p className="probe-caption">
        {count} of {cout} filters, {kh}×{kw}
        {rgb
          ? ' in colour (each stretched to its own range)'
          : cin === 1
            ? ''
            : `, mean over ${cin} input channels`}
      </p>
    </>
  );
}

/** A Dense kernel over a flattened image: each unit's weights laid out as the image (what it looks for). */
function Templates({ id, t, image }: { id: string; t: WeightTensor; image: readonly number[] }) {
  const values = t.values!;
  const [h, w, c] = image as [number, number, number];
  const units = t.shape[1]!;
  const count = Math.min(units, MAX_TEMPLATES);
  const cols = Math.min(8, count);
  const gap = 3;
  const cell = (WIDTH - gap * (cols - 1)) / cols;
  const cellH = (cell * h) / w;
  return (
    <>
      <Plot
        width={WIDTH}
        height={Math.ceil(count / cols) * (cellH + gap) - gap}
        testId={`unit-templates-${id}`}
        deps={[values]}
        draw={(ctx) => {
          for (let u = 0; u < count; u++) {
            const map = new Float32Array(h * w);
            for (let p = 0; p < h * w; p++) {
              let s = 0;
              for (let k = 0; k < c; k++) s += values[(p * c + k) * units + u]!;
              map[p] = s / c;
            }
            const x = (u % cols) * (cell + gap);
            const y = Math.floor(u / cols) * (cellH + gap);
            drawHeatmap(ctx, map, h, w, { x, y, w: cell, h: cellH });
          }
        }}
      />
      <p className="probe-caption">
        Units 0–{count - 1} of {units}: each one&apos;s weights over the {h}×{w} input (blue adds, orange
        subtracts)
      </p>
    </>
  );
}

function EmbeddingMapView({ weights }: { weights: NodeWeights }) {
  const map = weights.embedding!;
  const labelled = Math.min(60, map.points.length);
  const xs = map.points.map((p) => p[0]);
  const ys = map.points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const size = WIDTH;
  const pad = 24;
  const sx = (v: number) => pad + ((v - x0) / (x1 - x0 || 1)) * (size - 2 * pad);
  const sy = (v: number) => size - pad - ((v - y0) / (y1 - y0 || 1)) * (size - 2 * pad);
  return (
    <>
      <Plot
        width={size}
        height={size}
        testId={`embedding-pca-${weights.id}`}
        deps={[map]}
        draw={(ctx) => {
          ctx.font = '10px system-ui, sans-serif';
          map.points.forEach(([x, y], i) => {
            ctx.fillStyle = i < labelled ? 'rgb(8,119,189)' : 'rgba(120,120,120,0.5)';
            ctx.beginPath();
            ctx.arc(sx(x), sy(y), i < labelled ? 2.5 : 1.5, 0, Math.PI * 2);
            ctx.fill();
            if (i < labelled) {
              ctx.fillStyle = 'rgba(40,40,40,0.9)';
              ctx.fillText(map.tokens[i]!, sx(x) + 3, sy(y) - 3);
            }
          });
        }}
      />
      <p className="probe-caption">
        The {map.points.length} most frequent of {map.total} words on their first two principal components (
        {Math.round(map.explained[0] * 100)}% and {Math.round(map.explained[1] * 100)}% of the variance); the
        first {labelled} labelled. Words used alike end up close.
      </p>
    </>
  );
}

function Tensor({
  id,
  t,
  k,
  image,
}: {
  id: string;
  t: WeightTensor;
  k: number;
  image: readonly number[] | undefined;
}) {
  const v = t.values;
  const rank = t.shape.length;
  const cols = t.shape[rank - 1] ?? 1;
  const rows = rank > 1 ? t.shape.slice(0, -1).reduce((a, d) => a * d, 1) : 1;
  const conv = rank === 4 && v !== undefined;
  const templates =
    v !== undefined && rank === 2 && image?.length === 3 && image.reduce((a, d) => a * d, 1) === t.shape[0];
  const heatH = Math.min(240, Math.max(24, (rows / cols) * WIDTH));
  return (
    <div className="weight-tensor" data-testid={`weight-tensor-${id}-${k}`}>
      <h4>
        {t.name} <span className="mono muted">[{t.shape.join(', ')}]</span>
      </h4>
      <p className="probe-caption mono">
        min {fmt(t.stats.min)} · max {fmt(t.stats.max)} · mean {fmt(t.stats.mean)} · std {fmt(t.stats.std)}
      </p>
      {conv && <ConvFilters id={id} t={t} />}
      {templates && <Templates id={id} t={t} image={image} />}
      {v !== undefined && rank === 1 && (
        <Plot
          width={WIDTH}
          height={40}
          deps={[v]}
          testId={`weight-heatmap-${id}-${k}`}
          draw={(ctx) => drawBars(ctx, v, WIDTH, 40)}
        />
      )}
      {v !== undefined && rank > 1 && !conv && (
        <Plot
          width={WIDTH}
          height={heatH}
          deps={[v]}
          testId={`weight-heatmap-${id}-${k}`}
          title={`${rows} rows × ${cols} columns; colour = sign, strength = magnitude (±${fmt(magnitude(v))})`}
          draw={(ctx) => drawHeatmap(ctx, v, rows, cols, { x: 0, y: 0, w: WIDTH, h: heatH })}
        />
      )}
      {v === undefined && (
        <p className="muted small">Too many values to draw; the histogram shows all of them.</p>
      )}
      <HistogramChart
        histogram={t.histogram}
        title={`${t.name} values`}
        testId={k === 0 ? `weight-histogram-${id}` : `weight-histogram-${id}-${k}`}
        width={WIDTH}
      />
    </div>
  );
}

export function WeightsView({
  weights,
  image,
}: {
  weights: NodeWeights;
  image?: readonly number[] | undefined;
}) {
  return (
    <div className="weights-view">
      {weights.embedding && <EmbeddingMapView weights={weights} />}
      {weights.tensors.map((t, k) => (
        <Tensor key={t.name} id={weights.id} t={t} k={k} image={image} />
      ))}
    </div>
  );
}
