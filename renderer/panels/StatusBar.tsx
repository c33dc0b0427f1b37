/**
 * The status bar: the document's name (● when unsaved), layers and parameters, errors and warnings,
 * the state of the trained weights, where an imported network came from, the latest notice, and the
 * mode.
 */
import type { Origin } from '../../shared/ir/schema';
import { formatCount } from '../../shared/layers/shape';
import { useDirty, useReport, useWeights } from '../store/hooks';
import { useAppStore } from '../store/store';

const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;

function WeightsState() {
  const locked = useAppStore((s) => s.locked);
  const weights = useWeights();
  if (locked)
    return (
      <span className="warn" data-testid="weights-state" data-state="training">
        training · graph read-only
      </span>
    );
  if (weights.state === 'stale')
    return (
      <span className="bad" data-testid="weights-state" data-state="stale" title={weights.reason}>
        weights stale: undo or train again
      </span>
    );
  if (weights.state === 'fit')
    return (
      <span className="good" data-testid="weights-state" data-state="fit">
        trained
      </span>
    );
  return null;
}

const FORMAT_NAMES: Record<Origin['format'], string> = { onnx: 'ONNX', tfjs: 'TF.js' };

/** Where an imported network came from; without data, a way to the Train view to choose some. */
function ImportNote() {
  const origin = useAppStore((s) => s.meta.origin);
  const noData = useAppStore((s) => s.data === null);
  const setUi = useAppStore((s) => s.setUi);
  if (!origin) return null;
  return (
    <span className="import-note" data-testid="import-note" title="The network was imported from this model">
      Imported from <span className="mono">{origin.file}</span> ({FORMAT_NAMES[origin.format]})
      {noData && (
        <>
          {' — '}
          <button className="link" data-testid="import-choose-data" onClick={() => setUi({ view: 'train' })}>
            choose data to train it
          </button>
        </>
      )}
    </span>
  );
}

export function StatusBar() {
  const dirty = useDirty();
  const report = useReport();
  const docName = useAppStore((s) => (s.path ? s.path.split(/[\\/]/).pop() : s.meta.name));
  const layers = useAppStore((s) => s.nodes.length);
  const notice = useAppStore((s) => s.notice);
  const mode = useAppStore((s) => s.mode);
  const connecting = useAppStore((s) => s.docId === null);
  return (
    <footer className="statusbar">
      <span data-testid="doc-title">
        {dirty ? '● ' : ''}
        {docName}
      </span>
      <span>
        {layers} layers · <span data-testid="total-params">{formatCount(report.totals.params)}</span>{' '}
        parameters
      </span>
      <span className={report.errors ? 'bad' : 'good'}>
        {report.errors ? plural(report.errors, 'error') : 'no errors'}
        {report.warnings ? `, ${plural(report.warnings, 'warning')}` : ''}
      </span>
      <WeightsState />
      <ImportNote />
      {notice && (
        <span className={`notice ${notice.tone}`} data-testid="notice" key={notice.at}>
          {notice.text}
        </span>
      )}
      <span className="spacer" />
      <span className="muted">{mode === 'serve' ? 'serve mode' : 'desktop'}</span>
      {connecting && <span className="muted">connecting…</span>}
    </footer>
  );
}
