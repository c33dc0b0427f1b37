/**
 * Drawing activations on a canvas (one canvas per view, never a DOM element per value): a bar strip
 * of unit values, a heatmap of a matrix, a grid of feature maps. Colours as TensorFlow Playground:
 * orange for negative, blue for positive, white at zero; values scaled by the largest magnitude.
 */

/** A canvas sized `w`×`h` CSS pixels for the screen's pixel density; its 2-D context in CSS units. */
export function sizeCanvas(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D | null {
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  const pw = Math.round(w * dpr);
  const ph = Math.round(h * dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

const NEG: [number, number, number] = [245, 147, 34];
const POS: [number, number, number] = [8, 119, 189];

/** The colour of `v` on a diverging scale where ±`scale` is full colour. */
export function divergingColor(v: number, scale: number): string {
  if (!Number.isFinite(v)) return 'rgb(200,0,0)';
  const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  const [r, g, b] = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  const mix = (c: number) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** The largest magnitude of `values` (1 when all are 0). */
export function magnitude(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]!);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m || 1;
}

/** Unit values as vertical bars from a zero line (at the middle when some are negative). */
export function drawBars(
  ctx: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  w: number,
  h: number,
): void {
  const n = values.length;
  if (n === 0) return;
  const scale = magnitude(values);
  let negative = false;
  for (let i = 0; i < n; i++) if (values[i]! < 0) negative = true;
  const zero = negative ? h / 2 : h;
  const span = negative ? h / 2 : h;
  const bw = w / n;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const len = Number.isFinite(v) ? (Math.abs(v) / scale) * span : span;
    ctx.fillStyle = divergingColor(v === 0 ? 0 : Math.sign(v) * scale, scale);
    ctx.fillRect(i * bw, v >= 0 ? zero - len : zero, Math.max(1, bw - (bw > 3 ? 1 : 0)), Math.max(len, 0.5));
  }
  ctx.fillStyle = 'rgba(128,128,128,0.6)';
  ctx.fillRect(0, zero - 0.5, w, 1);
}

/** A rows×cols matrix (row-major) as a heatmap filling `w`×`h` at (x, y). */
export function drawHeatmap(
  ctx: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  box: { x: number; y: number; w: number; h: number },
  scale = magnitude(values),
): void {
  const cw = box.w / cols;
  const ch = box.h / rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      ctx.fillStyle = divergingColor(values[r * cols + c]!, scale);
      // Cells overlap by a hair so no seams show between them.
      ctx.fillRect(box.x + c * cw, box.y + r * ch, cw + 0.5, ch + 0.5);
    }
}

/** Channel `c` of an [h, w, channels] activation, row-major. */
export function channel(values: ArrayLike<number>, shape: readonly number[], c: number): Float32Array {
  const [h, w, ch] = shape as [number, number, number];
  const out = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) out[i] = values[i * ch + c]!;
  return out;
}

/**
 * The first `count` channels of an [h, w, channels] activation as a grid of small maps, `cols` a
 * row, each scaled by its own magnitude (as CNN Explainer does). Returns the grid's height.
 */
export function drawFeatureMaps(
  ctx: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  shape: readonly number[],
  count: number,
  cols: number,
  w: number,
): number {
  const [h, wd] = shape as [number, number, number];
  const gap = 2;
  const cell = (w - gap * (cols - 1)) / cols;
  const cellH = (cell * h) / wd;
  for (let c = 0; c < count; c++) {
    const x = (c % cols) * (cell + gap);
    const y = Math.floor(c / cols) * (cellH + gap);
    drawHeatmap(ctx, channel(values, shape, c), h, wd, { x, y, w: cell, h: cellH });
  }
  return Math.ceil(count / cols) * (cellH + gap) - gap;
}
