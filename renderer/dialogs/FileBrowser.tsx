/** Serve mode's file dialog (open, save as) and the folder listing it shares with the export dialog. */
import { useEffect, useState } from 'react';
import type { FileEntry } from '../../shared/ipc/contract';
import { formatCount } from '../../shared/layers/shape';
import { api } from '../ipc/client';
import { Modal } from './Modal';

export interface Listing {
  dir: string;
  parent: string | null;
  entries: FileEntry[];
}

/** A folder of the served tree (null: its root) and the folder to go to with `setDir`. */
export function useListing(enabled = true) {
  const [dir, setDir] = useState<string | null>(null);
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    api
      .request('fs.list', { dir })
      .then((l) => {
        setListing(l);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [dir, enabled]);
  return { listing, error, setDir };
}

/** The ".." entry of a listing that has a parent folder. */
export function ParentEntry({
  listing,
  onOpen,
}: {
  listing: Listing | null;
  onOpen: (dir: string | null) => void;
}) {
  if (listing?.parent === null || listing?.parent === undefined) return null;
  return (
    <li>
      <button className="fb-entry dir" onClick={() => onOpen(listing.parent)}>
        ⬑ ..
      </button>
    </li>
  );
}

export function FileBrowser({
  mode,
  suggestedName,
  onPick,
  onClose,
}: {
  mode: 'open' | 'save' | 'compare';
  suggestedName?: string;
  onPick: (path: string) => void;
  onClose: () => void;
}) {
  const { listing, error, setDir } = useListing();
  // Open also takes models to import: an ONNX file or a TF.js model.json.
  const shown = (file: string) =>
    file.endsWith('.nnproj') || (mode === 'open' && /\.(onnx|json)$/i.test(file));
  const [name, setName] = useState(suggestedName ?? 'untitled.nnproj');
  const join = (d: string, f: string) => (d === '.' ? f : `${d}/${f}`);
  return (
    <Modal
      title={
        mode === 'open'
          ? 'Open project or model'
          : mode === 'compare'
            ? 'Compare with a project'
            : 'Save project as'
      }
      onClose={onClose}
      testId="file-browser"
    >
      <div className="fb-path mono" data-testid="fb-dir">
        {listing?.dir ?? '…'}
      </div>
      <ul className="fb-list">
        <ParentEntry listing={listing} onOpen={setDir} />
        {listing?.entries
          .filter((e) => e.kind === 'dir' || shown(e.name))
          .map((e) => (
            <li key={e.path}>
              <button
                className={`fb-entry ${e.kind}`}
                data-testid={`fb-entry-${e.name}`}
                onClick={() =>
                  e.kind === 'dir' ? setDir(e.path) : mode === 'save' ? setName(e.name) : onPick(e.path)
                }
              >
                {e.kind === 'dir' ? '📁 ' : '📄 '}
                {e.name}
                {e.size !== undefined && (
                  <span className="muted"> {formatCount(Math.ceil(e.size / 1024))} KB</span>
                )}
              </button>
            </li>
          ))}
        {listing && listing.entries.length === 0 && <li className="muted">Empty folder.</li>}
      </ul>
      {error && <p className="error-message">{error}</p>}
      {mode === 'save' && (
        <form
          className="fb-save"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) onPick(join(listing?.dir ?? '.', name.trim()));
          }}
        >
          <input data-testid="fb-filename" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          <button className="primary" type="submit" data-testid="fb-save">
            Save
          </button>
        </form>
      )}
    </Modal>
  );
}
