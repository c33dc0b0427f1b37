/**
 * The Design view's side panels (the palette on the left, the sidebar on the right): what each
 * remembers (its width, whether it is collapsed) and the widths they show in a window. Pure: the ui
 * slice keeps the state and remembers it, panels/usePanelSize.ts applies it.
 *
 * Each panel is at least MIN_PANEL_WIDTH and at most MAX_PANEL_SHARE of the window wide, and the two
 * together leave the canvas MIN_CANVAS_WIDTH (room for its controls and minimap): when they would
 * not, the wider one gives way first. A collapsed panel is a COLLAPSED_WIDTH strip and keeps its
 * width for when it opens again.
 */

export type PanelName = 'palette' | 'sidebar';

export interface PanelState {
  width: number;
  collapsed: boolean;
}

/** What a panel shows: its width when open, and the widest it may be made now. */
export interface PanelBox {
  width: number;
  max: number;
}

export const PANEL_DEFAULT_WIDTH: Record<PanelName, number> = { palette: 230, sidebar: 340 };
export const MIN_PANEL_WIDTH = 180;
export const MAX_PANEL_SHARE = 0.45;
export const MIN_CANVAS_WIDTH = 320;
export const COLLAPSED_WIDTH = 28;

/** A remembered state (JSON); the fallback's value for whatever is missing or malformed. */
export function parsePanelState(raw: string | null, fallback: PanelState): PanelState {
  let v: unknown;
  try {
    v = raw === null ? null : JSON.parse(raw);
  } catch {
    return fallback;
  }
  if (typeof v !== 'object' || v === null) return fallback;
  const { width, collapsed } = v as Record<string, unknown>;
  return {
    width: typeof width === 'number' && Number.isFinite(width) ? width : fallback.width,
    collapsed: typeof collapsed === 'boolean' ? collapsed : fallback.collapsed,
  };
}

const clamp = (width: number, max: number) => Math.round(Math.max(MIN_PANEL_WIDTH, Math.min(max, width)));
const otherOf = (name: PanelName): PanelName => (name === 'palette' ? 'sidebar' : 'palette');

/** The widths both panels show in a window `windowWidth` wide, and how wide each may be made. */
export function panelLayout(
  panels: Record<PanelName, PanelState>,
  windowWidth: number,
): Record<PanelName, PanelBox> {
  const share = Math.max(MIN_PANEL_WIDTH, Math.floor(windowWidth * MAX_PANEL_SHARE));
  const room = windowWidth - MIN_CANVAS_WIDTH;
  const width = {
    palette: clamp(panels.palette.width, share),
    sidebar: clamp(panels.sidebar.width, share),
  };
  const space = (n: PanelName) => (panels[n].collapsed ? COLLAPSED_WIDTH : width[n]);
  const maxOf = (n: PanelName) => clamp(share, room - space(otherOf(n)));
  // Too wide together: the wider gives way first (the sidebar on a tie), never below the minimum.
  const first: PanelName = width.palette > width.sidebar ? 'palette' : 'sidebar';
  for (const n of [first, otherOf(first)]) if (!panels[n].collapsed) width[n] = Math.min(width[n], maxOf(n));
  return {
    palette: { width: width.palette, max: maxOf('palette') },
    sidebar: { width: width.sidebar, max: maxOf('sidebar') },
  };
}
