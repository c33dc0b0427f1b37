/**
 * Colours shared by the training and evaluation views, so that class 2 is the same colour in the
 * data scatter, the decision boundary, the confusion matrix and the misclassified list. Pure: no DOM.
 */

export type RGB = readonly [number, number, number];

/** Tableau 10: distinguishable, colour-blind friendlier than the defaults, fine on light and dark. */
export const CLASS_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

/** Chart series: training (accent blue), validation (orange), then the class palette. */
export const SERIES_COLORS = ['#3158d8', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2'] as const;

/** Colour of class `i` (cycles through the palette, then golden-angle hues beyond 10 classes). */
export function classColor(i: number): string {
  const k = Math.max(0, Math.floor(i));
  if (k < CLASS_COLORS.length) return CLASS_COLORS[k]!;
  const hue = Math.round((k * 137.508) % 360);
  return hslToHex(hue, 55, 55);
}

export function seriesColor(i: number): string {
  return SERIES_COLORS[Math.max(0, Math.floor(i)) % SERIES_COLORS.length]!;
}

export function hslToHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255);
  };
  return rgbToHex([f(0), f(8), f(4)]);
}

/** `#rgb`, `#rrggbb` (or `#rrggbbaa`, alpha ignored) -> [r, g, b]; null when it is not a hex colour. */
export function parseHex(color: string): RGB | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim());
  if (!m) return null;
  let h = m[1]!;
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Parses `#hex` or `rgb(r, g, b)` / `rgba(...)`; null otherwise. */
export function parseColor(color: string): RGB | null {
  const hex = parseHex(color);
  if (hex) return hex;
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(color.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function rgbToHex(c: RGB): string {
  return `#${c
    .map((v) =>
      Math.round(clamp(v, 0, 255))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** The colour with an alpha (hex colours get `#rrggbbaa`; anything else is returned unchanged). */
export function withAlpha(color: string, alpha: number): string {
  const c = parseHex(color);
  if (!c) return color;
  return `${rgbToHex(c)}${Math.round(clamp(alpha, 0, 1) * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

/** Linear mix: t = 0 gives `a`, t = 1 gives `b`. */
export function mix(a: RGB, b: RGB, t: number): [number, number, number] {
  const u = clamp(t, 0, 1);
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Relative luminance (sRGB), 0 = black, 1 = white: decides dark or light text on a colour. */
export function luminance(c: RGB): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}
