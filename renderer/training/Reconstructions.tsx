/**
 * An autoencoder's results: validation samples above what the network rebuilt from them, each with
 * its mean squared error. Clicking one probes that sample on the canvas (every layer's activations,
 * the bottleneck's code among them).
 */
import type { Evaluation } from '../../shared/training/evaluation';
import { GrayImage } from './GrayImage';
import { grayOf } from './lib/drawing';
import './training.css';

export interface ReconstructionsProps {
  items: NonNullable<Evaluation['reconstructions']>;
  /** Height, width, channels of one sample. */
  shape: readonly [number, number, number];
  onSelect?: (index: number) => void;
}

export function Reconstructions({ items, shape, onSelect }: ReconstructionsProps) {
  const [h, w, c] = shape;
  const scale = Math.max(1, Math.round(48 / w));
  // Rebuilt values can stray outside 0..1 (a linear output): clamp them for display only.
  const clamp = (v: number[]) => v.map((x) => Math.min(1, Math.max(0, x)));
  return (
    <section className="reconstructions" data-testid="reconstructions" aria-label="Reconstructions">
      <h2>Reconstructions</h2>
      <p className="muted">
        Validation samples (top) and what the network rebuilt from its bottleneck (below).
      </p>
      <div className="reconstruction-grid">
        {items.map((r, i) => (
          <button
            key={r.index}
            type="button"
            className="reconstruction"
            data-testid={`reconstruction-${i}`}
            title={`Row ${r.index}: mean squared error ${r.mse.toFixed(4)}. Click to probe it.`}
            onClick={() => onSelect?.(r.index)}
          >
            <GrayImage values={grayOf(r.input, h, w, c)} width={w} height={h} scale={scale} title="input" />
            <GrayImage
              values={clamp(grayOf(r.output, h, w, c))}
              width={w}
              height={h}
              scale={scale}
              title="rebuilt"
            />
            <span className="mono muted">{r.mse.toFixed(4)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
