/**
 * Turning a free-hand drawing into what an image model expects, and grayscale values into pixels.
 * Pure: no DOM (the component hands over the canvas's alpha channel).
 *
 * MNIST-style preprocessing: the ink's bounding box is scaled to fit a square that fills `fill` of the
 * target (20 of 28 pixels for MNIST, all 8 for the 8×8 digits), placed with the ink's centre of mass
 * at the centre (as MNIST's digits were: a 20×20 box centred by mass in 28×28; with `fill` 1 there is
 * no margin to move in, so the box is centred), then area-averaged down so strokes keep their grey
 * edges. Values are 0 (background) .. 1 (ink).
 */

export interface DownsampleOptions {
  /** Share of the target side the drawing's longer side should fill (MNIST: 20/28). */
  fill?: number;
  /** Centre the drawing by its bounding box (true) or keep it where it was drawn (false). */
  fit?: boolean;
}

/** The fill a dataset was prepared with: MNIST digits fit a 20×20 box in 28×28; 8×8 digits fill it. */
export function defaultFill(width: number, height: number): number {
  return width >= 20 && height >= 20 ? 20 / 28 : 1;
}

/** Bounding box of pixels with ink > threshold, or null when the drawing is empty. */
export function inkBounds(
  ink: ArrayLike<number>,
  width: number,
  height: number,
  threshold = 0.02,
): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (ink[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** The ink's centre of mass (pixel centres), within its bounding box. */
function inkCentre(
  ink: ArrayLike<number>,
  width: number,
  box: { x0: number; y0: number; x1: number; y1: number },
): { x: number; y: number } | null {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const v = ink[y * width + x]!;
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  return m > 0 ? { x: mx / m, y: my / m } : null;
}

/**
 * Downsamples `ink` (srcW × srcH values 0..1, row-major) to dstW × dstH values 0..1 by area
 * averaging; with `fit` the ink's bounding box is first centred and scaled to `fill` of the target.
 */
export function downsampleInk(
  ink: ArrayLike<number>,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  opts: DownsampleOptions = {},
): number[] {
  const fit = opts.fit ?? true;
  const fill = opts.fill ?? defaultFill(dstW, dstH);
  // The source window that maps onto the whole target.
  let wx0 = 0;
  let wy0 = 0;
  let ww = srcW;
  let wh = srcH;
  const box = fit ? inkBounds(ink, srcW, srcH) : null;
  if (box) {
    const side = Math.max(box.x1 - box.x0, box.y1 - box.y0) / fill;
    const mass = fill < 1 ? inkCentre(ink, srcW, box) : null;
    const cx = mass?.x ?? (box.x0 + box.x1) / 2;
    const cy = mass?.y ?? (box.y0 + box.y1) / 2;
    // Square window around the ink, stretched to the target's aspect ratio.
    ww = side * Math.max(1, dstW / dstH);
    wh = side * Math.max(1, dstH / dstW);
    wx0 = cx - ww / 2;
    wy0 = cy - wh / 2;
  }
  const out = new Array<number>(dstW * dstH).fill(0);
  const sx = ww / dstW;
  const sy = wh / dstH;
  for (let ty = 0; ty < dstH; ty++) {
    const ay = wy0 + ty * sy;
    const by = ay + sy;
    for (let tx = 0; tx < dstW; tx++) {
      const ax = wx0 + tx * sx;
      const bx = ax + sx;
      let sum = 0;
      for (let y = Math.max(0, Math.floor(ay)); y < Math.min(srcH, Math.ceil(by)); y++) {
        const oy = Math.min(by, y + 1) - Math.max(ay, y);
        if (oy <= 0) continue;
        for (let x = Math.max(0, Math.floor(ax)); x < Math.min(srcW, Math.ceil(bx)); x++) {
          const ox = Math.min(bx, x + 1) - Math.max(ax, x);
          if (ox > 0) sum += ink[y * srcW + x]! * ox * oy;
        }
      }
      out[ty * dstW + tx] = Math.min(1, Math.max(0, sum / (sx * sy)));
    }
  }
  return out;
}

/** Values scaled to 0..1: left alone when already there, divided by the maximum otherwise (0..16, 0..255). */
export function normaliseGray(values: readonly number[]): number[] {
  let max = 0;
  let min = 0;
  for (const v of values)
    if (Number.isFinite(v)) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
  if (min >= 0 && max <= 1) return values.map((v) => (Number.isFinite(v) ? v : 0));
  const range = max - min || 1;
  return values.map((v) => (Number.isFinite(v) ? (v - min) / range : 0));
}

/**
 * RGBA pixels for a grayscale image (values 0..1, ink = 1): ink drawn dark on light when `inkDark`
 * (how people expect a digit on paper), light on dark otherwise (how MNIST stores it).
 */
export function grayToRgba(values: readonly number[], inkDark = true): Uint8ClampedArray {
  const norm = normaliseGray(values);
  const out = new Uint8ClampedArray(norm.length * 4);
  norm.forEach((v, i) => {
    const g = Math.round((inkDark ? 1 - v : v) * 255);
    out[i * 4] = g;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = g;
    out[i * 4 + 3] = 255;
  });
  return out;
}

/** The first channel of each pixel of an h × w × c image (row-major, channels last). */
export function grayOf(input: readonly number[], h: number, w: number, c: number): number[] {
  if (c <= 1) return input.slice(0, h * w);
  const out: number[] = [];
  for (let p = 0; p < h * w; p++) out.push(input[p * c] ?? 0);
  return out;
}
