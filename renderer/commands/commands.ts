/**
 * Every command of the editor as data (Excalidraw's actions style): id, label, the shortcut as
 * shown, the key presses that run it, and `run`. The toolbar, the keyboard, the Ctrl+K menu and
 * Electron's native menu (`app.command` events) all read this one table.
 */
import { redo, undo } from '../store/history';
import { useAppStore } from '../store/store';
import type { CanvasView } from '../app/view';
import { compareWith, guardUnsaved, openProject, pickComparison, save, saveAs } from '../app/files';
import { copyToClipboard, pasteFromClipboard } from './clipboard';

export const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
export const mod = isMac ? '⌘' : 'Ctrl+';

/** What a command acts on beyond the store: the canvas's viewport. */
export interface CommandContext {
  view: CanvasView;
}

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

export interface Command {
  id: string;
  label: string;
  /** The shortcut as shown in the menu and tooltips. */
  keys?: string;
  bindings?: readonly KeyBinding[];
  run(ctx: CommandContext): void;
}

const store = () => useAppStore.getState();
const withMod = (key: string, shift?: boolean): KeyBinding =>
  shift === undefined ? { key, mod: true } : { key, mod: true, shift };
const anywhere = (b: KeyBinding): KeyBinding => ({ ...b, inFields: true });

export const COMMANDS: readonly Command[] = [
  {
    id: 'new',
    label: 'New…',
    keys: `${mod}N`,
    bindings: [anywhere(withMod('n'))],
    run: () => guardUnsaved(() => store().openDialog({ kind: 'gallery' })),
  },
  {
    id: 'open',
    label: 'Open…',
    keys: `${mod}O`,
    bindings: [anywhere(withMod('o'))],
    run: ({ view }) => openProject(view),
  },
  {
    id: 'save',
    label: 'Save',
    keys: `${mod}S`,
    bindings: [anywhere(withMod('s', false))],
    run: () => void save(),
  },
  {
    id: 'saveAs',
    label: 'Save As…',
    keys: `${mod}Shift+S`,
    bindings: [anywhere(withMod('s', true))],
    run: () => void saveAs(),
  },
  {
    id: 'export',
    label: 'Export…',
    keys: `${mod}E`,
    bindings: [anywhere(withMod('e'))],
    run: () => store().openDialog({ kind: 'export' }),
  },
  { id: 'compare', label: 'Compare with a project…', run: () => pickComparison() },
  {
    id: 'compareSaved',
    label: 'Compare with the last saved version',
    run: () => void compareWith(null),
  },
  { id: 'compareOff', label: 'Close the comparison', run: () => store().setDiffBase(null) },
  { id: 'undo', label: 'Undo', keys: `${mod}Z`, bindings: [withMod('z', false)], run: undo },
  {
    id: 'redo',
    label: 'Redo',
    keys: isMac ? '⌘Shift+Z' : 'Ctrl+Y',
    bindings: [withMod('z', true), withMod('y')],
    run: redo,
  },
  // Cut, copy and paste also come as the system clipboard's events (see shortcuts.ts).
  {
    id: 'cut',
    label: 'Cut',
    keys: `${mod}X`,
    run: () => void copyToClipboard().then(() => store().deleteSelection()),
  },
  { id: 'copy', label: 'Copy', keys: `${mod}C`, run: () => void copyToClipboard() },
  { id: 'paste', label: 'Paste', keys: `${mod}V`, run: () => void pasteFromClipboard() },
  {
    id: 'duplicate',
    label: 'Duplicate',
    keys: `${mod}D`,
    bindings: [withMod('d')],
    run: () => store().duplicateSelection(),
  },
  {
    id: 'delete',
    label: 'Delete',
    keys: 'Del',
    bindings: [
      { key: 'delete', mod: false },
      { key: 'backspace', mod: false },
    ],
    run: () => store().deleteSelection(),
  },
  {
    id: 'selectAll',
    label: 'Select all',
    keys: `${mod}A`,
    bindings: [withMod('a')],
    run: () => store().selectAll(),
  },
  {
    id: 'layout',
    label: 'Auto layout',
    keys: `${mod}L`,
    bindings: [withMod('l')],
    run: ({ view }) => {
      store().autoLayout();
      requestAnimationFrame(() => view.fit());
    },
  },
  {
    id: 'fit',
    label: 'Fit view',
    keys: 'Shift+1',
    bindings: [{ key: '!', shift: true, keepDefault: true }],
    run: ({ view }) => view.fit(),
  },
  { id: 'zoomIn', label: 'Zoom in', keys: `${mod}=`, run: ({ view }) => view.zoomIn() },
  { id: 'zoomOut', label: 'Zoom out', keys: `${mod}-`, run: ({ view }) => view.zoomOut() },
  { id: 'minimap', label: 'Toggle minimap', run: () => store().toggleMinimap() },
  { id: 'theme', label: 'Toggle dark theme', run: () => store().toggleTheme() },
  {
    id: 'addLayer',
    label: 'Add layer…',
    keys: `${mod}K`,
    bindings: [anywhere(withMod('k'))],
    run: () => store().openDialog({ kind: 'command' }),
  },
];

export const commandById = (id: string): Command | undefined => COMMANDS.find((c) => c.id === id);

/** Runs the command with that id (an unknown id, e.g. from an older native menu, does nothing). */
export function runCommand(id: string, ctx: CommandContext): void {
  commandById(id)?.run(ctx);
}

/** A toolbar tooltip: the command's label and its shortcut, "Save (Ctrl+S)". */
export function tooltip(id: string): string | undefined {
  const c = commandById(id);
  return c?.keys ? `${c.label.replace(/…$/, '')} (${c.keys})` : c?.label;
}
