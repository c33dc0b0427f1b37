/**
 * The editor's commands as data, the one table the toolbar, the keyboard, Ctrl+K, the shortcut
 * sheet (?) and Electron's native menus are built from: id, label, the menu it belongs to, and the
 * key presses that run it. What a command does is the renderer's (renderer/commands/commands.ts maps
 * every id to its action; a command without one is a compile error). Electron's main process builds
 * its menus from this table and sends the id back (`app.command`).
 */

/** A key press that runs a command. */
export interface KeyBinding {
  /** `KeyboardEvent.key`, lower-cased. */
  key: string;
  /** Ctrl (⌘ on a Mac): true, it must be held; false, it must not; absent, either. */
  mod?: boolean;
  /** Shift: the same. */
  shift?: boolean;
  /** Also while a text field has the focus (otherwise the key is the field's). */
  inFields?: boolean;
  /** Leave the browser's own handling of the key alone. */
  keepDefault?: boolean;
}

export type MenuName = 'file' | 'edit' | 'view';

export interface CommandInfo {
  label: string;
  /** The native menu it appears in (desktop), in table order. */
  menu?: MenuName;
  /** The key presses that run it; the first is the one shown. */
  bindings?: readonly KeyBinding[];
  /** The shortcut as shown, when not the first binding's (clipboard events, Delete, Shift+1). */
  shown?: { mac: string; other: string };
  /** Electron's menu role instead of a click (the system clipboard). */
  role?: 'cut' | 'copy' | 'paste';
}

const withMod = (key: string, shift?: boolean): KeyBinding =>
  shift === undefined ? { key, mod: true } : { key, mod: true, shift };
const anywhere = (b: KeyBinding): KeyBinding => ({ ...b, inFields: true });
const same = (s: string) => ({ mac: s, other: s });

export const COMMAND_TABLE = {
  new: { label: 'New…', menu: 'file', bindings: [anywhere(withMod('n'))] },
  open: { label: 'Open…', menu: 'file', bindings: [anywhere(withMod('o'))] },
  save: { label: 'Save', menu: 'file', bindings: [anywhere(withMod('s', false))] },
  saveAs: { label: 'Save As…', menu: 'file', bindings: [anywhere(withMod('s', true))] },
  export: { label: 'Export…', menu: 'file', bindings: [anywhere(withMod('e'))] },
  compare: { label: 'Compare with a project…', menu: 'file' },
  compareSaved: { label: 'Compare with the last saved version', menu: 'file' },
  compareOff: { label: 'Close the comparison', menu: 'file' },
  undo: { label: 'Undo', menu: 'edit', bindings: [withMod('z', false)] },
  redo: {
    label: 'Redo',
    menu: 'edit',
    bindings: [withMod('z', true), withMod('y')],
    shown: { mac: '⌘Shift+Z', other: 'Ctrl+Y' },
  },
  // Cut, copy and paste come as the system clipboard's events (renderer/commands/shortcuts.ts).
  cut: { label: 'Cut', menu: 'edit', role: 'cut', shown: { mac: '⌘X', other: 'Ctrl+X' } },
  copy: { label: 'Copy', menu: 'edit', role: 'copy', shown: { mac: '⌘C', other: 'Ctrl+C' } },
  paste: { label: 'Paste', menu: 'edit', role: 'paste', shown: { mac: '⌘V', other: 'Ctrl+V' } },
  duplicate: { label: 'Duplicate', menu: 'edit', bindings: [withMod('d')] },
  delete: {
    label: 'Delete',
    menu: 'edit',
    bindings: [
      { key: 'delete', mod: false },
      { key: 'backspace', mod: false },
    ],
    shown: same('Del'),
  },
  selectAll: { label: 'Select all', menu: 'edit', bindings: [withMod('a')] },
  group: { label: 'Group into a block', menu: 'edit', bindings: [withMod('g', false)] },
  ungroup: { label: 'Ungroup the block', menu: 'edit', bindings: [withMod('g', true)] },
  closeBlock: { label: 'Back to the graph (leave the open block)', menu: 'view' },
  alignLeft: { label: 'Align left edges', menu: 'edit' },
  alignCentre: { label: 'Align centres (vertical line)', menu: 'edit' },
  alignTop: { label: 'Align top edges', menu: 'edit' },
  alignMiddle: { label: 'Align middles (horizontal line)', menu: 'edit' },
  distributeAcross: { label: 'Distribute across (equal gaps)', menu: 'edit' },
  distributeDown: { label: 'Distribute down (equal gaps)', menu: 'edit' },
  layout: { label: 'Auto layout', menu: 'view', bindings: [withMod('l')] },
  layoutTB: { label: 'Lay out top to bottom', menu: 'view' },
  layoutLR: { label: 'Lay out left to right', menu: 'view' },
  compactNodes: { label: 'Toggle compact nodes (kind and shape only)', menu: 'view' },
  fit: {
    label: 'Fit view',
    menu: 'view',
    bindings: [{ key: '!', shift: true, keepDefault: true }],
    shown: same('Shift+1'),
  },
  // The canvas's zoom, not the page's.
  zoomIn: { label: 'Zoom in', menu: 'view', bindings: [withMod('='), withMod('+')] },
  zoomOut: { label: 'Zoom out', menu: 'view', bindings: [withMod('-')] },
  minimap: { label: 'Toggle minimap', menu: 'view' },
  theme: { label: 'Toggle dark theme', menu: 'view' },
  addLayer: { label: 'Add layer…', bindings: [anywhere(withMod('k'))] },
  shortcuts: { label: 'Keyboard shortcuts', menu: 'view', bindings: [{ key: '?' }], shown: same('?') },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMAND_TABLE;
export const COMMAND_IDS = Object.keys(COMMAND_TABLE) as CommandId[];

export const commandInfo = (id: CommandId): CommandInfo => COMMAND_TABLE[id];

const KEY_NAMES: Record<string, string> = { delete: 'Del', backspace: 'Backspace', '?': '?' };

/** The shortcut as shown ("Ctrl+Shift+S", "⌘S"), or undefined for a command without one. */
export function shortcutText(id: CommandId, mac: boolean): string | undefined {
  const c: CommandInfo = COMMAND_TABLE[id];
  if (c.shown) return mac ? c.shown.mac : c.shown.other;
  const b = c.bindings?.[0];
  if (!b) return undefined;
  const key = KEY_NAMES[b.key] ?? b.key.toUpperCase();
  return `${b.mod ? (mac ? '⌘' : 'Ctrl+') : ''}${b.shift ? 'Shift+' : ''}${key}`;
}

/** Electron's accelerator for the command ("CmdOrCtrl+Shift+S"), or undefined. */
export function accelerator(id: CommandId): string | undefined {
  const c: CommandInfo = COMMAND_TABLE[id];
  if (id === 'fit') return 'Shift+1';
  if (id === 'zoomIn') return 'CmdOrCtrl+=';
  if (id === 'zoomOut') return 'CmdOrCtrl+-';
  const b = c.bindings?.[0];
  if (!b || c.role) return undefined;
  const key = b.key === 'delete' ? 'Delete' : b.key.toUpperCase();
  return `${b.mod ? 'CmdOrCtrl+' : ''}${b.shift ? 'Shift+' : ''}${key}`;
}
