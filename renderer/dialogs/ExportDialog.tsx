/** Export: choose a format and a destination folder (serve mode: inside the served folder). */
import { useState } from 'react';
import { EXPORT_FORMAT_INFO, type ExportFormat } from '../../shared/export/formats';
import { api } from '../ipc/client';
import { type Listing, ParentEntry, useListing } from './FileBrowser';
import { Modal } from './Modal';

function FormatChoice({ format, onChange }: { format: ExportFormat; onChange: (f: ExportFormat) => void }) {
  return (
    <div className="export-formats">
      {EXPORT_FORMAT_INFO.map((c) => (
        <label key={c.id} className="export-format">
          <input
            type="radio"
            name="export-format"
            value={c.id}
            data-testid={`export-format-${c.id}`}
            checked={format === c.id}
            onChange={() => onChange(c.id)}
          />
          <span>
            <strong>{c.label}</strong> <span className="muted">{c.note}</span>
          </span>
        </label>
      ))}
    </div>
  );
}

/** Serve mode: the folders of the served tree to export into. */
function ServedFolders({
  listing,
  onOpen,
}: {
  listing: Listing | null;
  onOpen: (dir: string | null) => void;
}) {
  return (
    <>
      <div className="fb-path mono">Into: {listing?.dir ?? '…'}</div>
      <ul className="fb-list short">
        <ParentEntry listing={listing} onOpen={onOpen} />
        {listing?.entries
          .filter((e) => e.kind === 'dir')
          .map((e) => (
            <li key={e.path}>
              <button className="fb-entry dir" onClick={() => onOpen(e.path)}>
                📁 {e.name}
              </button>
            </li>
          ))}
      </ul>
    </>
  );
}

/** Desktop: the system's folder dialog, or beside the project. */
function ChosenFolder({ picked, onPick }: { picked: string | null; onPick: (path: string) => void }) {
  return (
    <p>
      <button
        onClick={() =>
          void api.request('dialog.chooseFolder', {}).then(({ path }) => {
            if (path) onPick(path);
          })
        }
      >
        Choose a folder…
      </button>{' '}
      <span className="mono">{picked ?? 'beside the project'}</span>
    </p>
  );
}

export function ExportDialog({
  mode,
  baseName,
  onExport,
  onClose,
}: {
  mode: 'electron' | 'serve';
  baseName: string;
  /** Resolves to the error message, or null when the export is done. */
  onExport: (format: ExportFormat, dir: string, force: boolean) => Promise<string | null>;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ExportFormat>('pytorch');
  const folders = useListing(mode === 'serve');
  const [name, setName] = useState(`${baseName}-pytorch`);
  const [force, setForce] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
  const dir = folders.listing?.dir;
  const target =
    mode === 'serve' ? `${dir && dir !== '.' ? `${dir}/` : ''}${name}` : picked ? `${picked}/${name}` : name;
  const error = failed ?? folders.error;
  const run = () => {
    setBusy(true);
    setFailed(null);
    void onExport(format, target, force).then((err) => {
      setBusy(false);
      if (err) setFailed(err);
    });
  };
  return (
    <Modal title="Export" onClose={onClose} testId="export-dialog">
      <FormatChoice
        format={format}
        onChange={(f) => {
          // The default name follows the format in the same update (never in an effect, which
          // could land while the person is already typing a name of their own).
          setFormat(f);
          setName((old) => (old === `${baseName}-${format}` ? `${baseName}-${f}` : old));
        }}
      />
      {mode === 'serve' ? (
        <ServedFolders listing={folders.listing} onOpen={folders.setDir} />
      ) : (
        <ChosenFolder picked={picked} onPick={setPicked} />
      )}
      <label className="field">
        <span className="field-label">Folder name</span>
        <input data-testid="export-name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span className="field-label">Replace</span>
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
        <span className="field-help">
          Replace an earlier Netloom export in this folder (never a folder Netloom did not write).
        </span>
      </label>
      {error && (
        <p className="error-message" data-testid="export-error">
          {error}
        </p>
      )}
      <footer>
        <button onClick={onClose}>Cancel</button>
        <button className="primary" data-testid="export-run" disabled={busy || !name.trim()} onClick={run}>
          {busy ? 'Exporting…' : 'Export'}
        </button>
      </footer>
    </Modal>
  );
}
