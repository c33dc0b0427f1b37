/**
 * Every command of the editor (Excalidraw's actions style): the shared table's id, label, shortcut
 * and key presses (shared/commands.ts, which Electron's native menus are built from too) joined with
 * what each does here. The toolbar, the keyboard, the Ctrl+K menu, the shortcut sheet and the native
 * menu (`app.command` events) all read it.
 */
import {
  COMMAND_IDS,
  COMMAND_TABLE,
  type CommandId,
  type CommandInfo,
  type KeyBinding,
  shortcutText,
} from '../../shared/commands';
import { redo, undo } from '../store/history';
import { useAppStore } from '../store/store';
import type { CanvasView } from '../app/view';
import { compareWith, guardUnsaved, openProject, pickComparison, save, saveAs } from '../app/files';
import { copyToClipboard, pasteFromClipboard } from './clipboard';

export const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export type { KeyBinding } from '../../shared/commands';

/** What a command acts on beyond the store: the canvas's viewport. */
export interface CommandContext {
  view: CanvasView;
}

export interface Command {
  id: CommandId;
  label: string;
  /** The shortcut as shown in the menu and tooltips. */
  keys?: string | undefined;
  bindings?: readonly KeyBinding[] | undefined;
  run(ctx: CommandContext): void;
}

const store = () => useAppStore.getState();

/** What each command does; every id of the shared table needs one (a missing one does not compile). */
const RUNS: Record<CommandId, (ctx: CommandContext) => void> = {
  new: () => guardUnsaved(() => store().openDialog({ kind: 'gallery' })),
  open: ({ view }) => openProject(view),
  save: () => void save(),
  saveAs: () => void saveAs(),
  export: () => store().openDialog({ kind: 'export' }),
  compare: () => pickComparison(),
  compareSaved: () => void compareWith(null),
  compareOff: () => store().setDiffBase(null),
  undo,
  redo,
  cut: () => void copyToClipboard().then(() => store().deleteSelection()),
  copy: () => void copyToClipboard(),
  paste: () => void pasteFromClipboard(),
  duplicate: () => store().duplicateSelection(),
  delete: () => store().deleteSelection(),
  selectAll: () => store().selectAll(),
  group: () => store().groupSelection(),
  ungroup: () => {
    const blocks = store().nodes.filter((n) => n.selected && n.data.kind === 'Block');
    if (blocks.length === 0) return store().notify('Select a block to ungroup.', 'error');
    for (const b of blocks) store().ungroup(b.id);
  },
  closeBlock: () => store().closeBlock(),
  alignLeft: () => store().arrange('left'),
  alignCentre: () => store().arrange('centre'),
  alignTop: () => store().arrange('top'),
  alignMiddle: () => store().arrange('middle'),
  distributeAcross: () => store().arrange('across'),
  distributeDown: () => store().arrange('down'),
  layout: ({ view }) => {
    store().autoLayout();
    requestAnimationFrame(() => view.fit());
  },
  layoutTB: (ctx) => {
    store().setLayoutDirection('TB');
    RUNS.layout(ctx);
  },
  layoutLR: (ctx) => {
    store().setLayoutDirection('LR');
    RUNS.layout(ctx);
  },
  compactNodes: () => store().toggleCompactNodes(),
  fit: ({ view }) => view.fit(),
  zoomIn: ({ view }) => view.zoomIn(),
  zoomOut: ({ view }) => view.zoomOut(),
  minimap: () => store().toggleMinimap(),
  theme: () => store().toggleTheme(),
  addLayer: () => store().openDialog({ kind: 'command' }),
  shortcuts: () => store().openDialog({ kind: 'shortcuts' }),
};

export const COMMANDS: readonly Command[] = COMMAND_IDS.map((id) => {
  const info: CommandInfo = COMMAND_TABLE[id];
  return { id, label: info.label, keys: shortcutText(id, isMac), bindings: info.bindings, run: RUNS[id] };
});

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
