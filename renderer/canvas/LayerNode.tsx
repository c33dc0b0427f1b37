/**
 * The ONE node component: everything it shows comes from the layer spec and the checker's report —
 * label, key parameters, output shape, parameter count, ports, and an error badge whose message
 * shows on hover.
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { paramLabel } from '../../shared/layers/define';
import { type LayerKind, layerSpec } from '../../shared/layers/index';
import { formatCount, formatShape } from '../../shared/layers/shape';
import { ProbeView } from '../inspect/ProbeView';
import { NodeStats } from '../inspect/NodeStats';
import { UnitMaps } from '../inspect/UnitMaps';
import type { LayerNodeT } from '../store/graph';
import { diffStatusOf, selectDiff, selectWeights } from '../store/selectors';
import { useAppStore } from '../store/store';
import { ErrorBadge } from './BlockNode';
import { useCanvasReport, useFar } from './context';

export function formatParamValue(v: unknown): string {
  if (Array.isArray(v)) return v.map((d) => (d === null ? '?' : String(d))).join('×');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** What the views of the inside show at this node (only with weights that fit the graph, or a run). */
function useInspection(id: string) {
  const live = (s: ReturnType<typeof useAppStore.getState>) =>
    s.status === 'running' || selectWeights(s).state === 'fit';
  const probe = useAppStore((s) => (s.probe && live(s) ? s.probe : null));
  const units = useAppStore((s) => (s.units && live(s) ? s.units.find((u) => u.id === id) : undefined));
  const layerHistory = useAppStore((s) => (s.layerHistory.length && live(s) ? s.layerHistory : null));
  return { probe, activation: probe?.nodes.find((n) => n.id === id), units, layerHistory };
}

function LayerNodeImpl({ id, data, selected }: NodeProps<LayerNodeT>) {
  const report = useCanvasReport();
  const far = useFar();
  const { probe, activation, units, layerHistory } = useInspection(id);
  const checkpoint = useAppStore((s) => s.checkpoint);
  const diff = useAppStore((s) => diffStatusOf(selectDiff(s), id)); // added or changed since the compared network
  const diffClass = diff ? ` diff-${diff}` : '';
  const across = useAppStore((s) => s.layoutDirection === 'LR');
  const compact = useAppStore((s) => s.compactNodes);
  const inSide = across ? Position.Left : Position.Top;
  const outSide = across ? Position.Right : Position.Bottom;
  const spec = layerSpec(data.kind as LayerKind); // type 'layer' only: blocks and ports draw elsewhere
  const r = report.nodes.get(id);
  if (far) {
    const bad = r?.issues.some((i) => i.severity === 'error');
    return (
      <div
        className={`layer-node far cat-${spec.category}${selected ? ' selected' : ''}${bad ? ' has-error' : ''}${diffClass}`}
        data-testid={`node-${id}`}
        data-diff={diff}
        data-kind={data.kind}
      >
        <Handle id="in" type="target" position={Position.Top} isConnectable={false} />
        <span className="layer-node-kind">{spec.label}</span>
        {spec.hasOutput !== false && (
          <Handle id="out" type="source" position={outSide} isConnectable={false} />
        )}
      </div>
    );
  }
  const cfg = {
    ...Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.default])),
    ...data.params,
  };
  const ports = (() => {
    try {
      return spec.ports(cfg as never);
    } catch {
      return [{ name: 'in' }];
    }
  })();
  const errors = (r?.issues ?? []).filter((i) => i.severity === 'error');
  const warnings = (r?.issues ?? []).filter((i) => i.severity === 'warning');
  const key = spec.keyParams
    .map((k) => `${paramLabel(k, spec.params[k]!)} ${formatParamValue(cfg[k])}`)
    .join(' · ');
  const shape = r?.outputShape ? formatShape(r.outputShape) : '—';
  return (
    <div
      className={`layer-node cat-${spec.category}${selected ? ' selected' : ''}${errors.length ? ' has-error' : ''}${diffClass}${compact ? ' compact' : ''}`}
      data-testid={`node-${id}`}
      data-diff={diff}
      data-kind={data.kind}
    >
      {ports.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type="target"
          position={inSide}
          style={
            across
              ? { top: `${((i + 1) / (ports.length + 1)) * 100}%` }
              : { left: `${((i + 1) / (ports.length + 1)) * 100}%` }
          }
          title={p.fallback ? `${p.name} (optional: defaults to ${p.fallback})` : p.name}
          data-testid={`handle-${id}-${p.name}`}
        >
          {ports.length > 1 && <span className="port-label">{p.name}</span>}
        </Handle>
      ))}
      <div className="layer-node-head">
        <span className="layer-node-kind">{spec.label}</span>
        <span className="layer-node-id">{data.name ?? id}</span>
        <ErrorBadge id={id} errors={errors} />
        {errors.length === 0 && warnings.length > 0 && (
          <span className="badge badge-warn" title={warnings.map((e) => e.message).join('\n')}>
            ?
          </span>
        )}
      </div>
      {key && !compact && <div className="layer-node-params">{key}</div>}
      <div className="layer-node-foot">
        <span className="mono" data-testid={`node-shape-${id}`}>
          {data.kind === 'Output'
            ? `target ${formatShape(['batch', ...((cfg.targetShape as number[]) ?? [])])}`
            : shape}
        </span>
        {!compact && (
          <span className="mono muted" data-testid={`node-params-${id}`}>
            {formatCount(r?.params?.total ?? 0)} params
          </span>
        )}
      </div>
      {layerHistory && !compact && <NodeStats id={id} history={layerHistory} checkpoint={checkpoint} />}
      {errors.length > 0 && !compact && (
        <div className="layer-node-error" title={errors[0]!.message}>
          {errors[0]!.message}
        </div>
      )}
      {((probe && activation) || units) && (
        <div className="node-side">
          {units && <UnitMaps grid={units} />}
          {probe && activation && <ProbeView node={activation} probe={probe} size="node" />}
        </div>
      )}
      {spec.hasOutput !== false && (
        <Handle id="out" type="source" position={outSide} data-testid={`handle-${id}-out`} />
      )}
    </div>
  );
}

export const LayerNode = memo(LayerNodeImpl);
