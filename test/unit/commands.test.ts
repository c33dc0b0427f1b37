/**
 * The command table (shared/commands.ts): shortcuts shown and Electron accelerators derived from the
 * same bindings, no two commands on one key press, every command reachable (a menu, Ctrl+K, or both).
 */
import { describe, expect, it } from 'vitest';
import { accelerator, COMMAND_IDS, COMMAND_TABLE, commandInfo, shortcutText } from '../../shared/commands';

describe('the command table', () => {
  it('shows each shortcut the way the platform writes it, and gives Electron the same keys', () => {
    expect(shortcutText('saveAs', false)).toBe('Ctrl+Shift+S');
    expect(shortcutText('saveAs', true)).toBe('⌘Shift+S');
    expect(accelerator('saveAs')).toBe('CmdOrCtrl+Shift+S');
    expect(shortcutText('save', false)).toBe('Ctrl+S');
    expect(accelerator('delete')).toBe('Delete');
    expect(shortcutText('redo', false)).toBe('Ctrl+Y');
    expect(shortcutText('shortcuts', false)).toBe('?');
    expect(accelerator('cut')).toBeUndefined(); // the system clipboard's role
    expect(shortcutText('minimap', false)).toBeUndefined();
  });

  it('binds no key press to two commands', () => {
    const seen = new Map<string, string>();
    for (const id of COMMAND_IDS)
      for (const b of commandInfo(id).bindings ?? []) {
        // Either modifier state a binding accepts (absent = both).
        for (const m of b.mod === undefined ? [true, false] : [b.mod])
          for (const sh of b.shift === undefined ? [true, false] : [b.shift]) {
            const key = `${b.key}|${m}|${sh}`;
            expect(seen.get(key), `${id} and ${seen.get(key)} on ${key}`).toBeUndefined();
            seen.set(key, id);
          }
      }
  });

  it('labels every command, and puts every one with a shortcut but no menu in Ctrl+K only by design', () => {
    for (const id of COMMAND_IDS) expect(COMMAND_TABLE[id].label.length).toBeGreaterThan(2);
    const menuless = COMMAND_IDS.filter((id) => commandInfo(id).menu === undefined);
    expect(menuless).toEqual(['addLayer']);
  });
});
