/**
 * One side panel's size as it shows in this window (store/panelLayout.ts lays both out, so neither
 * squeezes the canvas below its minimum), and the changes a person makes to it, which the ui slice
 * remembers. The window's width is followed, so a narrower window narrows the panels it must.
 */
import { useSyncExternalStore } from 'react';
import { MIN_PANEL_WIDTH, PANEL_DEFAULT_WIDTH, type PanelName, panelLayout } from '../store/panelLayout';
import { useAppStore } from '../store/store';

export interface PanelSize {
  /** The width when open (a collapsed panel keeps it for when it opens again). */
  width: number;
  min: number;
  max: number;
  collapsed: boolean;
  resize(width: number): void;
  /** Back to the default width. */
  reset(): void;
  toggle(): void;
}

const onWindowResize = (cb: () => void) => {
  window.addEventListener('resize', cb);
  return () => window.removeEventListener('resize', cb);
};

export function usePanelSize(name: PanelName): PanelSize {
  const panels = useAppStore((s) => s.panels);
  const setPanel = useAppStore((s) => s.setPanel);
  const windowWidth = useSyncExternalStore(onWindowResize, () => window.innerWidth);
  const box = panelLayout(panels, windowWidth)[name];
  return {
    width: box.width,
    min: MIN_PANEL_WIDTH,
    max: box.max,
    collapsed: panels[name].collapsed,
    resize: (width) =>
      setPanel(name, { width: Math.round(Math.max(MIN_PANEL_WIDTH, Math.min(box.max, width))) }),
    reset: () => setPanel(name, { width: PANEL_DEFAULT_WIDTH[name] }),
    toggle: () => setPanel(name, { collapsed: !panels[name].collapsed }),
  };
}
