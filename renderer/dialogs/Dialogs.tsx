/** Modal dialogs: the serve-mode file browser, the template gallery, errors, and confirmations. */
import { EXPORT_FORMAT_INFO, type ExportFormat } from '../../shared/export/formats';
import { Command } from 'cmdk';
import { useEffect, useMemo, useState } from 'react';
import type { FileEntry } from '../../shared/ipc/contract';
import { checkGraph } from '../../shared/graph/check';
import { LAYER_KINDS, type LayerKind, layerSpec } from '../../shared/layers/index';
import { buildTemplate, TEMPLATE_IDS, TEMPLATES, type TemplateId } from '../../shared/templates/index';
import { formatCount } from '../../shared/layers/shape';
import { api } from '../ipc/client';

export function Modal({
  title,
  onClose,
  children,
  testId,
}: {
  title: string;
  onClose: () => void;
  children: React.ReactNode;
  testId?: string;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header>
          <h2>{title}</h2>
          <button className="icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function ErrorDialog({
  title,
  message,
  where,
  onClose,
}: {
  title: string;
  message: string;
  where?: string | undefined;
  onClose: () => void;
}) {
  return (
    <Modal title={title} onClose={onClose} testId="error-dialog">
      <p className="error-message" data-testid="error-dialog-message">
        {message}
      </p>
      {where && (
        <p className="muted">
          Where: <span className="mono">{where}</span>
        </p>
      )}
      <footer>
        <button className="primary" onClick={onClose} autoFocus>
          OK
        </button>
      </footer>
    </Modal>
  );
}

export function ConfirmDialog({
  title,
  message,
  confirm,
  onConfirm,
  onClose,
}: {
  title: string;
  message: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal title={title} onClose={onClose} testId="confirm-dialog">
      <p>{message}</p>
      <footer>
        <button onClick={onClose}>Cancel</button>
        <button className="danger" data-testid="confirm-ok" onClick={onConfirm} autoFocus>
          {confirm}
        </button>
      </footer>
    </Modal>
  );
}

/** Serve mode's file dialog: browses the served folder only. */
export function FileBrowser({
  mode,
  suggestedName,
  onPick,
  onClose,
}: {
  mode: 'open' | 'save';
  suggestedName?: string;
  onPick: (path: string) => void;
  onClose: () => void;
}) {
  const [dir, setDir] = useState<string | null>(null);
  const [listing, setListing] = useState<{ dir: string; parent: string | null; entries: FileEntry[] } | null>(
    null,
  );
  const [name, setName] = useState(suggestedName ?? 'untitled.nnproj');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .request('fs.list', { dir })
      .then((l) => {
        setListing(l);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [dir]);
  const join = (d: string, f: string) => (d === '.' ? f : `${d}/${f}`);
  return (
    <Modal
      title={mode === 'open' ? 'Open project' : 'Save project as'}
      onClose={onClose}
      testId="file-browser"
    >
      <div className="fb-path mono" data-testid="fb-dir">
        {listing?.dir ?? '…'}
      </div>
      <ul className="fb-list">
        {listing?.parent !== null && listing?.parent !== undefined && (
          <li>
            <button className="fb-entry dir" onClick={() => setDir(listing.parent)}>
              ⬑ ..
            </button>
          </li>
        )}
        {listing?.entries
          .filter((e) => e.kind === 'dir' || e.name.endsWith('.nnproj'))
          .map((e) => (
            <li key={e.path}>
              <button
                className={`fb-entry ${e.kind}`}
                data-testid={`fb-entry-${e.name}`}
                onClick={() =>
                  e.kind === 'dir' ? setDir(e.path) : mode === 'open' ? onPick(e.path) : setName(e.name)
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

/** A small picture of a template: its layers as a column of boxes, coloured by category. */
export function TemplatePicture({ id }: { id: TemplateId }) {
  const graph = useMemo(() => buildTemplate(id).graph, [id]);
  const h = graph.nodes.length * 18 + 6;
  return (
    <svg
      className="template-picture"
      viewBox={`0 0 120 ${h}`}
      width="120"
      height={Math.min(h, 170)}
      aria-hidden="true"
    >
      {graph.nodes.map((n, i) => {
        const spec = layerSpec(n.kind as LayerKind);
        return (
          <g key={n.id}>
            {i > 0 && <line x1="60" x2="60" y1={i * 18 - 4} y2={i * 18 + 4} className="tp-edge" />}
            <rect
              x="10"
              y={i * 18 + 4}
              width="100"
              height="12"
              rx="3"
              className={`tp-node cat-${spec.category}`}
            />
            <text x="60" y={i * 18 + 13} textAnchor="middle" className="tp-text">
              {spec.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function TemplateGallery({
  onPick,
  onClose,
}: {
  onPick: (id: TemplateId | null) => void;
  onClose: () => void;
}) {
  return (
    <Modal title="New project" onClose={onClose} testId="template-gallery">
      <div className="gallery">
        <button className="gallery-card" data-testid="template-empty" onClick={() => onPick(null)}>
          <div className="template-picture empty">+</div>
          <strong>Empty canvas</strong>
          <span className="muted">Start from nothing: drag an Input from the palette.</span>
        </button>
        {TEMPLATE_IDS.map((id) => {
          const t = TEMPLATES[id];
          const params = checkGraph(buildTemplate(id).graph).totals.params;
          return (
            <button
              key={id}
              className="gallery-card"
              data-testid={`template-${id}`}
              onClick={() => onPick(id)}
            >
              <TemplatePicture id={id} />
              <strong>{t.label}</strong>
              <span>{t.description}</span>
              <span className="muted">{t.teaches}</span>
              <span className="mono muted">{formatCount(params)} parameters</span>
            </button>
          );
        })}
      </div>
    </Modal>
  );
}

/** Search-to-add (cmdk): on Ctrl+K, and when a connection is dropped on empty canvas. */
export function CommandMenu({
  onPick,
  onClose,
  commands,
}: {
  onPick: (kind: LayerKind) => void;
  onClose: () => void;
  commands: { id: string; label: string; keys?: string; run: () => void }[];
}) {
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <Command className="cmdk" label="Add a layer or run a command" data-testid="command-menu" loop>
        <Command.Input
          autoFocus
          placeholder="Add a layer or run a command…"
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <Command.List>
          <Command.Empty>Nothing matches.</Command.Empty>
          <Command.Group heading="Add layer">
            {LAYER_KINDS.map((k) => (
              <Command.Item
                key={k}
                value={`${k} ${layerSpec(k).label} ${layerSpec(k).doc}`}
                onSelect={() => onPick(k)}
                data-testid={`cmdk-${k}`}
              >
                <span>{layerSpec(k).label}</span>
                <span className="muted">{layerSpec(k).doc}</span>
              </Command.Item>
            ))}
          </Command.Group>
          <Command.Group heading="Commands">
            {commands.map((c) => (
              <Command.Item
                key={c.id}
                value={`command ${c.label}`}
                onSelect={() => {
                  onClose();
                  c.run();
                }}
              >
                <span>{c.label}</span>
                {c.keys && <kbd>{c.keys}</kbd>}
              </Command.Item>
            ))}
          </Command.Group>
        </Command.List>
      </Command>
    </div>
  );
}

export const EXPORT_CHOICES = EXPORT_FORMAT_INFO;
export type ExportChoice = ExportFormat;

/** Export: choose a format and a destination folder (serve mode: inside the served folder). */
export function ExportDialog({
  mode,
  baseName,
  onExport,
  onClose,
}: {
  mode: 'electron' | 'serve';
  baseName: string;
  onExport: (format: ExportChoice, dir: string, force: boolean) => Promise<string | null>;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ExportChoice>('pytorch');
  const [dir, setDir] = useState<string | null>(null);
  const [listing, setListing] = useState<{ dir: string; parent: string | null; entries: FileEntry[] } | null>(
    null,
  );
  const [name, setName] = useState(`${baseName}-pytorch`);
  const [force, setForce] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
  useEffect(() => {
    if (mode !== 'serve') return;
    api
      .request('fs.list', { dir })
      .then(setListing)
      .catch((e: Error) => setError(e.message));
  }, [dir, mode]);
  useEffect(() => setName(`${baseName}-${format}`), [baseName, format]);
  const target =
    mode === 'serve'
      ? `${listing?.dir && listing.dir !== '.' ? `${listing.dir}/` : ''}${name}`
      : picked
        ? `${picked}/${name}`
        : name;
  return (
    <Modal title="Export" onClose={onClose} testId="export-dialog">
      <div className="export-formats">
        {EXPORT_CHOICES.map((c) => (
          <label key={c.id} className="export-format">
            <input
              type="radio"
              name="export-format"
              value={c.id}
              data-testid={`export-format-${c.id}`}
              checked={format === c.id}
              onChange={() => setFormat(c.id)}
            />
            <span>
              <strong>{c.label}</strong> <span className="muted">{c.note}</span>
            </span>
          </label>
        ))}
      </div>
      {mode === 'serve' ? (
        <>
          <div className="fb-path mono">Into: {listing?.dir ?? '…'}</div>
          <ul className="fb-list short">
            {listing?.parent !== null && listing?.parent !== undefined && (
              <li>
                <button className="fb-entry dir" onClick={() => setDir(listing.parent)}>
                  ⬑ ..
                </button>
              </li>
            )}
            {listing?.entries
              .filter((e) => e.kind === 'dir')
              .map((e) => (
                <li key={e.path}>
                  <button className="fb-entry dir" onClick={() => setDir(e.path)}>
                    📁 {e.name}
                  </button>
                </li>
              ))}
          </ul>
        </>
      ) : (
        <p>
          <button
            onClick={() =>
              void api.request('dialog.chooseFolder', {}).then(({ path }) => {
                if (path) setPicked(path);
              })
            }
          >
            Choose a folder…
          </button>{' '}
          <span className="mono">{picked ?? 'beside the project'}</span>
        </p>
      )}
      <label className="field">
        <span className="field-label">Folder name</span>
        <input data-testid="export-name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span className="field-label">Replace</span>
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
        <span className="field-help">Replace the folder if it exists and is not empty.</span>
      </label>
      {error && (
        <p className="error-message" data-testid="export-error">
          {error}
        </p>
      )}
      <footer>
        <button onClick={onClose}>Cancel</button>
        <button
          className="primary"
          data-testid="export-run"
          disabled={busy || !name.trim()}
          onClick={() => {
            setBusy(true);
            setError(null);
            void onExport(format, target, force).then((err) => {
              setBusy(false);
              if (err) setError(err);
            });
          }}
        >
          {busy ? 'Exporting…' : 'Export'}
        </button>
      </footer>
    </Modal>
  );
}
