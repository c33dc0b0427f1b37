/**
 * The window's own state: serve or desktop mode, theme, minimap, Design or Train view, the side
 * panels' widths (remembered), the open dialog, recent files and recoverable work. Not part of the
 * document and not in undo history.
 */
import type { Graph } from '../../../shared/ir/schema';
import { PANEL_DEFAULT_WIDTH, type PanelName, type PanelState, parsePanelState } from '../panelLayout';
import type { SliceCreator } from '../state';

export type Theme = 'light' | 'dark';

export type DialogState =
  | { kind: 'none' }
  | { kind: 'error'; title: string; message: string; where?: string | undefined }
  /** `compare`: pick a project whose network the open one is compared with. */
  | { kind: 'browse'; mode: 'open' | 'save' | 'compare' }
  | { kind: 'gallery' }
  /** The list of every command with its shortcut (?). */
  | { kind: 'shortcuts' }
  | { kind: 'export' }
  | {
      kind: 'confirm';
      title: string;
      message: string;
      confirm: string;
      onConfirm: () => void;
      primary?: { label: string; run: () => void };
      /** Run when the dialog is closed without a choice (Cancel, Escape). */
      onCancel?: () => void;
    }
  /** The Ctrl+K menu; `at` and `connectFrom` when a connection was dropped on empty canvas. */
  | { kind: 'command'; at?: { x: number; y: number } | undefined; connectFrom?: string | undefined };

/** Unsaved work of an earlier session, kept by autosave. */
export interface PendingRecovery {
  docId: string;
  path: string | null;
  name: string;
  savedAt: string;
}

/** The other side of the diff view: a network the open graph is compared with (old → open). */
export interface DiffBase {
  /** What it is, as the diff view names it ("last saved version", a file's path). */
  label: string;
  graph: Graph;
}

export interface UiSlice {
  mode: 'electron' | 'serve';
  /** Auto layout and ports: top to bottom, or left to right (remembered). */
  layoutDirection: 'TB' | 'LR';
  /** Nodes show only their kind, name and output shape (remembered). */
  compactNodes: boolean;
  setLayoutDirection(direction: 'TB' | 'LR'): void;
  toggleCompactNodes(): void;
  /** The palette's and the sidebar's width and collapsed state (remembered; see panelLayout.ts). */
  panels: Record<PanelName, PanelState>;
  setPanel(name: PanelName, patch: Partial<PanelState>): void;
  diffBase: DiffBase | null;
  /** A node the canvas should bring into view (one a fix inserted), with when it was asked. */
  revealRequest: { id: string; at: number } | null;
  setDiffBase(base: DiffBase | null): void;
  theme: Theme;
  minimap: boolean;
  view: 'design' | 'train';
  dialog: DialogState;
  recent: string[];
  pending: PendingRecovery[];
  setUi(patch: Partial<Pick<UiSlice, 'mode' | 'view' | 'recent' | 'pending'>>): void;
  openDialog(dialog: DialogState): void;
  closeDialog(): void;
  toggleTheme(): void;
  toggleMinimap(): void;
}

const THEME_KEY = 'netloom.theme';
const LAYOUT_KEY = 'netloom.layoutDirection';
const COMPACT_KEY = 'netloom.compactNodes';
const remembered = (key: string): string | null =>
  typeof localStorage === 'undefined' ? null : localStorage.getItem(key);
const remember = (key: string, value: string): void => {
  if (typeof localStorage !== 'undefined') localStorage.setItem(key, value);
};
const panelKey = (name: PanelName) => `netloom.panel.${name}`;
const savedPanel = (name: PanelName): PanelState =>
  parsePanelState(remembered(panelKey(name)), { width: PANEL_DEFAULT_WIDTH[name], collapsed: false });
const savedTheme = (): Theme =>
  (typeof localStorage === 'undefined' ? null : (localStorage.getItem(THEME_KEY) as Theme | null)) ?? 'light';

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  mode: 'serve',
  layoutDirection: remembered(LAYOUT_KEY) === 'LR' ? 'LR' : 'TB',
  compactNodes: remembered(COMPACT_KEY) === '1',
  setLayoutDirection: (layoutDirection) => {
    remember(LAYOUT_KEY, layoutDirection);
    set({ layoutDirection });
  },
  toggleCompactNodes: () =>
    set((s) => {
      remember(COMPACT_KEY, s.compactNodes ? '0' : '1');
      return { compactNodes: !s.compactNodes };
    }),
  panels: { palette: savedPanel('palette'), sidebar: savedPanel('sidebar') },
  setPanel: (name, patch) =>
    set((s) => {
      const panel = { ...s.panels[name], ...patch };
      remember(panelKey(name), JSON.stringify(panel));
      return { panels: { ...s.panels, [name]: panel } };
    }),
  diffBase: null,
  revealRequest: null,
  setDiffBase: (diffBase) => set({ diffBase }),
  theme: savedTheme(),
  minimap: true,
  view: 'design',
  dialog: { kind: 'none' },
  recent: [],
  pending: [],
  setUi: (patch) => set(patch),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: { kind: 'none' } }),
  toggleTheme: () => set((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' })),
  toggleMinimap: () => set((s) => ({ minimap: !s.minimap })),
});

/** Shows the theme on <html> and keeps it for the next session. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(THEME_KEY, theme);
}
