/**
 * The editor switches themes with `data-theme` on <html>. Canvas-drawn views (charts, heatmaps)
 * cannot use CSS variables directly, so they read them and redraw when the theme changes.
 */
import { useEffect, useState } from 'react';

/** A number that changes whenever the theme (`data-theme` on <html>) changes. */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const obs = new MutationObserver(() => setVersion((v) => v + 1));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    return () => obs.disconnect();
  }, []);
  return version;
}

const FALLBACK: Record<string, string> = {
  '--bg': '#f6f7f9',
  '--panel': '#ffffff',
  '--text': '#1d2330',
  '--muted': '#6b7385',
  '--border': '#d9dde5',
  '--accent': '#3158d8',
  '--error': '#c62828',
  '--ok': '#1b7f3b',
  '--warn': '#b26a00',
};

/** The value of a CSS custom property as seen from `el` (fallback: the light theme's value). */
export function cssVar(el: Element | null, name: string): string {
  const v = el ? getComputedStyle(el).getPropertyValue(name).trim() : '';
  return v || FALLBACK[name] || '#888888';
}
