/** The keyboard: key presses run the command table's bindings; copy, cut and paste come as events. */
import { useEffect, useRef } from 'react';
import { onCopyEvent, onPasteEvent } from './clipboard';
import { COMMANDS, type Command, type CommandContext, type KeyBinding } from './commands';

const isTyping = (t: HTMLElement | null) =>
  !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

function matches(b: KeyBinding, e: KeyboardEvent, typing: boolean): boolean {
  const m = e.metaKey || e.ctrlKey;
  return (
    b.key === e.key.toLowerCase() &&
    (b.mod === undefined || b.mod === m) &&
    (b.shift === undefined || b.shift === e.shiftKey) &&
    (!typing || !!b.inFields)
  );
}

/** The command a key press runs, and how (null: none). */
export function commandForKey(
  e: KeyboardEvent,
  commands: readonly Command[] = COMMANDS,
): { command: Command; binding: KeyBinding } | null {
  const typing = isTyping(e.target as HTMLElement | null);
  for (const command of commands)
    for (const binding of command.bindings ?? [])
      if (matches(binding, e, typing)) return { command, binding };
  return null;
}

/** Binds the keyboard and the clipboard events to the commands while the editor is shown. */
export function useShortcuts(ctx: CommandContext): void {
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const hit = commandForKey(e);
      if (!hit) return;
      if (!hit.binding.keepDefault) e.preventDefault();
      hit.command.run(ctxRef.current);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopyEvent);
    document.addEventListener('cut', onCopyEvent);
    document.addEventListener('paste', onPasteEvent);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopyEvent);
      document.removeEventListener('cut', onCopyEvent);
      document.removeEventListener('paste', onPasteEvent);
    };
  }, []);
}
