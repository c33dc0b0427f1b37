/**
 * The inspector, generated from the selected node's layer spec: one field per parameter (validated
 * with the same checks as the file loader, with the spec's help text), the learner's explanation,
 * the output shape and the parameter arithmetic. A field commits on Enter, on blur or on change
 * (selects, checkboxes): each commit is one undo step.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AnyParam } from '../../shared/layers/define';
import { paramLabel } from '../../shared/layers/define';
import { isLayerKind, layerSpec } from '../../shared/layers/index';
import { checkParamValue } from '../../shared/layers/params';
import { formatCount, formatShape } from '../../shared/layers/shape';
import type { ParamValue } from '../../shared/ir/schema';
import type { LayerNodeT } from '../store/graph';
import { useCanvasViewReport } from '../store/hooks';
import { useAppStore } from '../store/store';
import { selectWeights } from '../store/selectors';
import { ProbeView } from '../inspect/ProbeView';
import { BlockInspector } from './BlockInspector';
import { WeightsSection } from './WeightsSection';

function toText(spec: AnyParam, v: unknown): string {
  if (spec.type === 'ints' || spec.type === 'shape')
    return Array.isArray(v) ? v.map((d) => (d === null ? '' : String(d))).join(', ') : '';
  return v === undefined ? '' : String(v);
}

function fromText(spec: AnyParam, text: string): unknown {
  const t = text.trim();
  switch (spec.type) {
    case 'int':
    case 'float':
      return t === '' ? NaN : Number(t);
    case 'ints':
      return t
        .split(/[,x×\s]+/)
        .filter(Boolean)
        .map(Number);
    case 'shape':
      return t === '' ? [] : t.split(',').map((s) => (s.trim() === '' ? null : Number(s.trim())));
    default:
      return t;
  }
}

function Field({
  name,
  spec,
  value,
  onCommit,
}: {
  name: string;
  spec: AnyParam;
  value: unknown;
  onCommit: (v: ParamValue) => void;
}) {
  const [text, setText] = useState(toText(spec, value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(toText(spec, value));
    setError(null);
  }, [spec, value]);
  const label = paramLabel(name, spec);
  const commit = (raw: unknown) => {
    const msg = checkParamValue(name, spec, raw);
    setError(msg ?? null);
    if (!msg && JSON.stringify(raw) !== JSON.stringify(value)) onCommit(raw as ParamValue);
  };
  let input;
  if (spec.type === 'bool') {
    input = (
      <input
        type="checkbox"
        data-testid={`param-${name}`}
        checked={value === true}
        onChange={(e) => commit(e.target.checked)}
      />
    );
  } else if (spec.type === 'enum') {
    input = (
      <select data-testid={`param-${name}`} value={String(value)} onChange={(e) => commit(e.target.value)}>
        {spec.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        data-testid={`param-${name}`}
        className={error ? 'invalid' : ''}
        value={text}
        inputMode={spec.type === 'int' || spec.type === 'float' ? 'decimal' : 'text'}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => commit(fromText(spec, text))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(fromText(spec, text));
          if (e.key === 'Escape') {
            setText(toText(spec, value));
            setError(null);
          }
        }}
      />
    );
  }
  return (
    <label className={`field field-${spec.type}`}>
      <span className="field-label">{label}</span>
      {input}
      <span className="field-help">{error ?? spec.help}</span>
    </label>
  );
}

export function Inspector() {
  const selected = useAppStore(useShallow((s) => s.nodes.filter((n) => n.selected)));
  const setParams = useAppStore((s) => s.setParams);
  const rename = useAppStore((s) => s.renameNode);
  const locked = useAppStore((s) => s.locked);
  const report = useCanvasViewReport();
  if (selected.length !== 1)
    return (
      <section className="panel inspector" aria-label="Inspector">
        <p className="muted">
          {selected.length === 0
            ? 'Select a layer to see and edit its settings.'
            : `${selected.length} layers selected.`}
        </p>
      </section>
    );
  const node: LayerNodeT = selected[0]!;
  const r = report.nodes.get(node.id);
  if (!isLayerKind(node.data.kind)) return <BlockInspector node={node} report={r} />;
  const spec = layerSpec(node.data.kind);
  return (
    <section className="panel inspector" aria-label="Inspector" data-testid="inspector">
      <header>
        <h2>{spec.label}</h2>
        <p className="doc">{spec.doc}</p>
      </header>
      {locked && (
        <p className="muted" data-testid="inspector-locked" role="status">
          Read-only while the network trains: stop the run to change it.
        </p>
      )}
      <fieldset disabled={locked}>
        <label className="field">
          <span className="field-label">Name</span>
          <NameField id={node.id} name={node.data.name ?? ''} onCommit={(v) => rename(node.id, v)} />
          <span className="field-help">Id {node.id}; names the layer in exported code.</span>
        </label>
        {Object.entries(spec.params).map(([name, ps]) => (
          <Field
            key={`${node.id}-${name}`}
            name={name}
            spec={ps}
            value={node.data.params[name] ?? ps.default}
            onCommit={(v) => setParams(node.id, { ...node.data.params, [name]: v })}
          />
        ))}
      </fieldset>
      <div className="facts">
        <div>
          <span className="muted">Output</span>{' '}
          <span className="mono">{r?.outputShape ? formatShape(r.outputShape) : '—'}</span>
        </div>
        <div>
          <span className="muted">Parameters</span>{' '}
          <span className="mono" data-testid="inspector-arithmetic">
            {r?.params ? r.params.arithmetic : '—'}
          </span>
        </div>
        {r?.flops !== undefined && (
          <div>
            <span className="muted">FLOPs / sample</span> <span className="mono">{formatCount(r.flops)}</span>
          </div>
        )}
      </div>
      <ProbeSection id={node.id} />
      <WeightsSection id={node.id} hasParams={(r?.params?.total ?? 0) > 0} />
      <details open className="explain">
        <summary>What it does</summary>
        <p>{spec.explain}</p>
      </details>
    </section>
  );
}

/** The probed sample's activation at the selected node, large, with its statistics. */
function ProbeSection({ id }: { id: string }) {
  const probe = useAppStore((s) =>
    s.probe && (s.status === 'running' || selectWeights(s).state === 'fit') ? s.probe : null,
  );
  const activation = probe?.nodes.find((n) => n.id === id);
  if (!probe || !activation) return null;
  return (
    <section className="probe-section" data-testid="inspector-probe">
      <h3>For the probed sample</h3>
      <ProbeView node={activation} probe={probe} size="large" />
    </section>
  );
}

function NameField({ id, name, onCommit }: { id: string; name: string; onCommit: (v: string) => void }) {
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name, id]);
  return (
    <input
      data-testid="param-name"
      value={text}
      placeholder={id}
      maxLength={100}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== name && onCommit(text)}
      onKeyDown={(e) => e.key === 'Enter' && text !== name && onCommit(text)}
    />
  );
}
