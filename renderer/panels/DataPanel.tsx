/**
 * The Train view's data panel: a built-in dataset or an imported CSV (with its target column), the
 * import's progress, and what the data is: task, sizes, split, warnings and a preview.
 */
import { useEffect, useRef, useState } from 'react';
import type { DataSummary } from '../../shared/ipc/contract';
import type { DataSpec } from '../../shared/ir/schema';
import { useAppStore } from '../store/store';
import { DataPreview } from '../training/DataPreview';

const store = () => useAppStore.getState();
const count = (n: number) => n.toLocaleString('en-US');

function specKey(spec: DataSpec | null): string {
  if (!spec) return '';
  if (spec.source === 'builtin') return spec.dataset;
  return 'csv';
}

function DatasetSelect({ spec, onCsv }: { spec: DataSpec | null; onCsv: () => void }) {
  const datasets = useAppStore((s) => s.datasets);
  const running = useAppStore((s) => s.status === 'running');
  const pick = (id: string) => {
    if (id === '') return void store().loadData(null);
    if (id === 'csv') return onCsv();
    // An autoencoder keeps rebuilding its inputs on the new data.
    const targets = spec?.source === 'builtin' ? spec.targets : undefined;
    void store().loadData({ source: 'builtin', dataset: id, options: {}, ...(targets ? { targets } : {}) });
  };
  return (
    <label className="field">
      <span className="field-label">Dataset</span>
      <select
        data-testid="dataset-select"
        value={specKey(spec)}
        disabled={running}
        onChange={(e) => pick(e.target.value)}
      >
        <option value="">Choose…</option>
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({count(d.size)})
          </option>
        ))}
        <option value="csv">
          {spec?.source === 'csv' ? `CSV: ${spec.file.replace(/^data\//, '')}` : 'Import a CSV…'}
        </option>
      </select>
    </label>
  );
}

/** A CSV's target column (the last one unless the user or the file's preprocessing says otherwise). */
function TargetSelect({
  spec,
  summary,
}: {
  spec: Extract<DataSpec, { source: 'csv' }>;
  summary: DataSummary;
}) {
  const header = summary.preview.kind === 'table' ? summary.preview.header : [];
  if (header.length === 0) return null;
  return (
    <label className="field">
      <span className="field-label">Target</span>
      <select
        data-testid="data-target"
        value={spec.target || (summary.featureNames ? '' : header[header.length - 1])}
        onChange={(e) => void store().loadData({ ...spec, target: e.target.value, preprocessing: undefined })}
      >
        {header.map((h) => (
          <option key={h} value={h}>
            {h}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What the network learns to output from built-in or image data: its labels, or its inputs (an autoencoder). */
function TargetsSelect({ spec }: { spec: Exclude<DataSpec, { source: 'csv' }> }) {
  const running = useAppStore((s) => s.status === 'running');
  return (
    <label className="field">
      <span className="field-label">Learn to output</span>
      <select
        data-testid="data-targets"
        value={spec.targets ?? 'labels'}
        disabled={running}
        title="Its inputs: the targets are the samples themselves (an autoencoder)."
        onChange={(e) => {
          const { targets: _old, ...rest } = spec;
          void store().loadData(e.target.value === 'inputs' ? { ...rest, targets: 'inputs' } : rest);
        }}
      >
        <option value="labels">labels</option>
        <option value="inputs">inputs (autoencoder)</option>
      </select>
    </label>
  );
}

function LoadingBar({ uploading }: { uploading: boolean }) {
  const loading = useAppStore((s) => s.dataLoading);
  if (!loading && !uploading) return null;
  return (
    <div className="data-loading" data-testid="data-loading">
      <progress max={loading?.totalBytes || 1} value={loading?.bytesRead ?? 0} aria-label="Import progress" />
      <span className="muted">{uploading ? 'Sending…' : `${count(loading?.rows ?? 0)} rows read`}</span>
      <button onClick={() => store().cancelDataLoad()} data-testid="data-cancel">
        Cancel
      </button>
    </div>
  );
}

function DataFacts({ summary }: { summary: DataSummary }) {
  return (
    <>
      <p className="data-facts" data-testid="data-summary">
        <strong>{summary.name}</strong> · {summary.reconstruction ? 'targets = inputs' : summary.task} ·{' '}
        {count(summary.count)} samples of [{summary.sampleShape.join(', ')}]
        {summary.classes ? ` · ${summary.classes.length} classes` : ''}
        <br />
        <span className="muted">
          {count(summary.trainCount)} for training, {count(summary.validationCount)} for validation
        </span>
      </p>
      {summary.warnings.map((w) => (
        <p key={w} className="muted">
          ⚠ {w}
        </p>
      ))}
      <DataPreview preview={summary.preview} />
    </>
  );
}

export function DataPanel() {
  const datasets = useAppStore((s) => s.datasets);
  const summary = useAppStore((s) => s.summary);
  const dataError = useAppStore((s) => s.dataError);
  const running = useAppStore((s) => s.status === 'running');
  const spec = useAppStore((s) => s.data);
  const fileInput = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);

  useEffect(() => {
    void store().loadDatasets();
  }, []);

  const chosen = datasets.find((d) => spec?.source === 'builtin' && d.id === spec.dataset);
  const importCsv = (file: File) => {
    setUploading(true);
    void store()
      .importCsv(file)
      .finally(() => setUploading(false));
  };

  return (
    <section className="panel train-data" aria-label="Data">
      <h2>Data</h2>
      <DatasetSelect spec={spec} onCsv={() => fileInput.current?.click()} />
      <input
        ref={fileInput}
        type="file"
        accept=".csv,text/csv"
        data-testid="data-import-csv"
        className="visually-hidden"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) importCsv(f);
        }}
      />
      <button className="link" onClick={() => fileInput.current?.click()} disabled={running}>
        Import a CSV…
      </button>
      {chosen && <p className="muted">{chosen.description}</p>}
      {spec?.source === 'csv' && summary && <TargetSelect spec={spec} summary={summary} />}
      {spec && spec.source !== 'csv' && (summary?.xDtype ?? 'float32') === 'float32' && (
        <TargetsSelect spec={spec} />
      )}
      <LoadingBar uploading={uploading} />
      {dataError && (
        <p className="error-message" data-testid="data-error">
          {dataError}
        </p>
      )}
      {summary && <DataFacts summary={summary} />}
    </section>
  );
}
