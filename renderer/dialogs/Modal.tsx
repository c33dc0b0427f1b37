/** The modal frame every dialog uses (Escape or a click outside closes it), and the error and confirm dialogs. */
import { useEffect } from 'react';

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
  primary,
}: {
  title: string;
  message: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
  /** The safe choice offered first (Save, in the unsaved-changes dialog). */
  primary?: { label: string; run: () => void } | undefined;
}) {
  return (
    <Modal title={title} onClose={onClose} testId="confirm-dialog">
      <p>{message}</p>
      <footer>
        <button onClick={onClose}>Cancel</button>
        <button className="danger" data-testid="confirm-ok" onClick={onConfirm} autoFocus={!primary}>
          {confirm}
        </button>
        {primary && (
          <button className="primary" data-testid="confirm-primary" onClick={primary.run} autoFocus>
            {primary.label}
          </button>
        )}
      </footer>
    </Modal>
  );
}
