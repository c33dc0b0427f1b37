/**
 * Files dragged from the desktop onto the window (canvas or anywhere): an overlay says what can be
 * dropped while they are over it; dropped, a `.nnproj` opens, an `.onnx` or a TF.js `model.json`
 * with its weight files (dropped at once) is imported, each as a new unsaved document. The page has
 * the files' bytes, not their paths: they go to the services whole (`project.importFiles`).
 */
import { useEffect, useState } from 'react';
import { DROP_MAX_BYTES, DROP_MAX_FILES } from '../../shared/ipc/contract';
import { openDropped, showError } from './files';
import type { CanvasView } from './view';

const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

/** A file's bytes in base64 (the browser encodes it: a data: URL without its prefix). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read.`));
    reader.readAsDataURL(file);
  });
}

/** Checks what was dropped before anything is read; the reason it cannot be opened, or null. */
function refusal(files: File[]): string | null {
  if (files.length > DROP_MAX_FILES)
    return `${files.length} files were dropped; at most ${DROP_MAX_FILES} can be opened at once (a model and its weight files).`;
  const total = files.reduce((a, f) => a + f.size, 0);
  if (total > DROP_MAX_BYTES)
    return `The dropped files are ${Math.ceil(total / 2 ** 20)} MiB together; at most ${DROP_MAX_BYTES / 2 ** 20} MiB can be opened by dropping them.`;
  return null;
}

async function openFiles(files: File[], view: CanvasView): Promise<void> {
  const why = refusal(files);
  const title = 'Cannot open the dropped files';
  if (why) return showError(title, new Error(why));
  let read: { name: string; data: string }[];
  try {
    read = await Promise.all(files.map(async (f) => ({ name: f.name, data: await base64Of(f) })));
  } catch (err) {
    return showError(title, err);
  }
  await openDropped(read, view);
}

/** Listens for files dragged over the window; true while some are over it. */
function useFileDrag(view: CanvasView): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    // dragenter/dragleave fire for every element crossed: counted, the files are over the window
    // until as many leaves as enters.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const dragOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // lets the files be dropped (not opened by the browser as a page)
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) void openFiles(files, view);
    };
    window.addEventListener('dragenter', enter, true);
    window.addEventListener('dragleave', leave, true);
    window.addEventListener('dragover', dragOver, true);
    window.addEventListener('drop', drop, true);
    return () => {
      window.removeEventListener('dragenter', enter, true);
      window.removeEventListener('dragleave', leave, true);
      window.removeEventListener('dragover', dragOver, true);
      window.removeEventListener('drop', drop, true);
    };
  }, [view]);
  return over;
}

/** The drop overlay over the whole window while files are dragged over it. */
export function FileDrop({ view }: { view: CanvasView }) {
  const over = useFileDrag(view);
  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-live="polite">
      <div className="drop-overlay-card">
        <div className="drop-overlay-title">Drop to open</div>
        <div>
          a Netloom project (<span className="mono">.nnproj</span>), an ONNX model (
          <span className="mono">.onnx</span>)
        </div>
        <div>
          or a TF.js <span className="mono">model.json</span> together with its weight files (
          <span className="mono">.bin</span>)
        </div>
        <div className="muted">It opens as a new document; nothing is saved until you save it.</div>
      </div>
    </div>
  );
}
