/**
 * Ask the trained network about one example: type feature values (tabular inputs), or draw a digit
 * (8×8 or 28×28 grayscale image inputs; the drawing is centred and downsampled like the training
 * images), then see the class probabilities as bars (or the predicted values for regression).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { classColor } from './lib/colors';
import { defaultFill, downsampleInk } from './lib/drawing';
import { formatMetric } from './lib/format';
import { GrayImage } from './GrayImage';
import { cssVar } from './useTheme';
import './training.css';

export type PredictInput =
  | { kind: 'features'; names: readonly string[]; defaults?: readonly number[] }
  | { kind: 'image'; width: number; height: number; fill?: number };

export type PredictResult =
  { probabilities: readonly number[]; classes: readonly string[] } | { values: readonly number[] };

export interface PredictBoxProps {
  input: PredictInput;
  onPredict: (values: number[]) => void;
  result?: PredictResult;
  /** A prediction is on its way. */
  busy?: boolean;
  /** Why predicting failed or is not possible yet (e.g. "Train the network first."). */
  error?: string;
  /** Names of regression outputs, for `{ values }` results. */
  outputNames?: readonly string[];
  /** Predict automatically when a stroke ends (image inputs). Default true. */
  live?: boolean;
}

const DRAW_SIZE = 224;

export function ResultView({
  result,
  outputNames,
}: {
  result: PredictResult;
  outputNames?: readonly string[];
}) {
  if ('values' in result)
    return (
      <dl className="predict-values">
        {result.values.map((v, i) => (
          <div key={i}>
            <dt>{outputNames?.[i] ?? (result.values.length === 1 ? 'prediction' : `output ${i + 1}`)}</dt>
            <dd className="mono">{formatMetric(v)}</dd>
          </div>
        ))}
      </dl>
    );
  const p = result.probabilities;
  const top = p.reduce((b, v, i) => (v > (p[b] ?? -Infinity) ? i : b), 0);
  return (
    <div>
      <div className="predict-top">
        <span className="class-dot" style={{ background: classColor(top) }} />
        <strong>{result.classes[top] ?? String(top)}</strong>
        <span className="muted mono count-tag">{((p[top] ?? 0) * 100).toFixed(1)}%</span>
      </div>
      <ul className="prob-bars">
        {p.map((v, i) => (
          <li key={i} className={i === top ? 'top' : ''}>
            <span className="prob-label" title={result.classes[i]}>
              {result.classes[i] ?? String(i)}
            </span>
            <span className="prob-track">
              <span
                className="prob-fill"
                style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%`, background: classColor(i) }}
              />
            </span>
            <span className="prob-value mono">{(v * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function FeatureInputs({
  names,
  defaults,
  disabled,
  onPredict,
}: {
  names: readonly string[];
  defaults?: readonly number[] | undefined;
  disabled: boolean;
  onPredict: (values: number[]) => void;
}) {
  const [texts, setTexts] = useState<string[]>(() => names.map((_, i) => String(defaults?.[i] ?? 0)));
  // Reset only when the features themselves change (props may be fresh arrays on every render).
  const key = `${names.join('\u0000')}\u0001${defaults?.join(',') ?? ''}`;
  useEffect(() => {
    setTexts(names.map((_, i) => String(defaults?.[i] ?? 0)));
  }, [key]); // names/defaults are summarised by key
  const values = texts.map((t) => (t.trim() === '' ? NaN : Number(t)));
  const valid = values.length === names.length && values.every(Number.isFinite);
  const run = () => valid && onPredict(values);
  return (
    <form
      className="predict-features"
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
    >
      {names.map((n, i) => (
        <label key={`${n}-${i}`} className="predict-feature">
          <span title={n}>{n}</span>
          <input
            type="text"
            inputMode="decimal"
            spellCheck={false}
            data-testid={`predict-input-${i}`}
            className={Number.isFinite(values[i]!) ? '' : 'invalid'}
            value={texts[i] ?? ''}
            onChange={(e) => setTexts((t) => t.map((x, j) => (j === i ? e.target.value : x)))}
          />
        </label>
      ))}
      <div className="predict-actions">
        <button type="submit" className="primary" data-testid="predict-run" disabled={disabled || !valid}>
          Predict
        </button>
        {!valid && <span className="field-error">Every feature needs a number.</span>}
      </div>
    </form>
  );
}

/** Beside the drawing: what the network sees (downsampled), Predict and Clear. */
function DrawnSide({
  width,
  height,
  pixels,
  disabled,
  onPredict,
  onClear,
}: {
  width: number;
  height: number;
  pixels: number[] | null;
  disabled: boolean;
  onPredict: (values: number[]) => void;
  onClear: () => void;
}) {
  return (
    <div className="predict-draw-side">
      <div className="muted predict-draw-caption">
        What the network sees ({width}×{height})
      </div>
      <div className="predict-seen">
        {pixels ? (
          <GrayImage
            values={pixels}
            width={width}
            height={height}
            scale={Math.max(2, Math.round(84 / width))}
          />
        ) : (
          <div className="predict-seen-empty muted" style={{ width: 84, height: 84 }}>
            draw a digit
          </div>
        )}
      </div>
      <div className="predict-actions">
        <button
          type="button"
          className="primary"
          data-testid="predict-run"
          disabled={disabled || !pixels}
          onClick={() => pixels && onPredict(pixels)}
        >
          Predict
        </button>
        <button type="button" data-testid="predict-clear" onClick={onClear}>
          Clear
        </button>
      </div>
    </div>
  );
}

function DrawingPad({
  width,
  height,
  fill,
  disabled,
  live,
  onPredict,
}: {
  width: number;
  height: number;
  fill: number;
  disabled: boolean;
  live: boolean;
  onPredict: (values: number[]) => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [pixels, setPixels] = useState<number[] | null>(null);
  const lineWidth = width >= 20 ? 17 : 24;

  const read = useCallback((): number[] | null => {
    const c = ref.current;
    const ctx = c?.getContext('2d', { willReadFrequently: true });
    if (!c || !ctx) return null;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const ink = new Float32Array(c.width * c.height);
    let any = false;
    for (let i = 0; i < ink.length; i++) {
      ink[i] = data[i * 4 + 3]! / 255;
      if (ink[i]! > 0) any = true;
    }
    return any ? downsampleInk(ink, c.width, c.height, width, height, { fill }) : null;
  }, [width, height, fill]);

  const pos = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / r.width) * DRAW_SIZE,
      y: ((e.clientY - r.top) / r.height) * DRAW_SIZE,
    };
  };
  const stroke = (to: { x: number; y: number }) => {
    const ctx = ref.current?.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    const from = last.current ?? to;
    ctx.strokeStyle = cssVar(ref.current, '--text'); // only the alpha channel is read
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + (from === to ? 0.01 : 0), to.y);
    ctx.stroke();
    last.current = to;
  };
  const end = () => {
    if (!last.current) return;
    last.current = null;
    const v = read();
    setPixels(v);
    if (v && live && !disabled) onPredict(v);
  };
  const clear = () => {
    const c = ref.current;
    c?.getContext('2d', { willReadFrequently: true })?.clearRect(0, 0, c.width, c.height);
    setPixels(null);
  };

  return (
    <div className="predict-draw">
      <canvas
        ref={ref}
        width={DRAW_SIZE}
        height={DRAW_SIZE}
        className="draw-canvas"
        data-testid="predict-canvas"
        aria-label="Draw a digit here"
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          last.current = null;
          stroke(pos(e));
        }}
        onPointerMove={(e) => {
          if (last.current) stroke(pos(e));
        }}
        onPointerUp={end}
        onPointerCancel={end}
        onLostPointerCapture={end}
      />
      <DrawnSide
        width={width}
        height={height}
        pixels={pixels}
        disabled={disabled}
        onPredict={onPredict}
        onClear={clear}
      />
    </div>
  );
}

export function PredictBox({
  input,
  onPredict,
  result,
  busy = false,
  error,
  outputNames,
  live = true,
}: PredictBoxProps) {
  return (
    <section className={`predict-box${busy ? ' busy' : ''}`} data-testid="predict-box" aria-busy={busy}>
      {input.kind === 'features' ? (
        <FeatureInputs names={input.names} defaults={input.defaults} disabled={busy} onPredict={onPredict} />
      ) : (
        <DrawingPad
          width={input.width}
          height={input.height}
          fill={input.fill ?? defaultFill(input.width, input.height)}
          disabled={busy}
          live={live}
          onPredict={onPredict}
        />
      )}
      <div className="predict-result" data-testid="predict-result" aria-live="polite">
        {error ? (
          <span className="field-error">{error}</span>
        ) : result ? (
          <ResultView result={result} {...(outputNames ? { outputNames } : {})} />
        ) : (
          <span className="muted">
            {input.kind === 'features' ? 'Enter values and press Predict.' : 'Draw, and the network guesses.'}
          </span>
        )}
      </div>
    </section>
  );
}
