/**
 * Copy and paste of nodes through the system clipboard: the commands (toolbar, menus) use the async
 * clipboard API; the keyboard goes through the copy / cut / paste events, which work without
 * clipboard permissions. Where the clipboard cannot be read, the last copy in this window is used.
 */
import { CLIPBOARD_MIME, getClipboardFallback } from '../store/slices/graph';
import { useAppStore } from '../store/store';

export async function copyToClipboard(): Promise<void> {
  const text = useAppStore.getState().copySelection();
  if (text) await navigator.clipboard?.writeText(text).catch(() => undefined);
}

export async function pasteFromClipboard(): Promise<void> {
  const text = await (navigator.clipboard?.readText() ?? Promise.resolve(null)).catch(() => null);
  if (!text || !useAppStore.getState().paste(text)) {
    const fallback = getClipboardFallback();
    if (fallback) useAppStore.getState().paste(fallback);
  }
}

const isField = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);

/** The document's copy and cut events: the selected nodes, unless a text field has the focus. */
export function onCopyEvent(e: ClipboardEvent): void {
  if (isField(e.target)) return;
  const text = useAppStore.getState().copySelection();
  if (!text) return;
  e.preventDefault();
  e.clipboardData?.setData('text/plain', text);
  e.clipboardData?.setData(CLIPBOARD_MIME, text);
  if (e.type === 'cut') useAppStore.getState().deleteSelection();
}

/** The document's paste event: nodes, unless a text field has the focus. */
export function onPasteEvent(e: ClipboardEvent): void {
  if (isField(e.target)) return;
  const text =
    e.clipboardData?.getData(CLIPBOARD_MIME) ||
    e.clipboardData?.getData('text/plain') ||
    getClipboardFallback();
  if (text && useAppStore.getState().paste(text)) e.preventDefault();
}
