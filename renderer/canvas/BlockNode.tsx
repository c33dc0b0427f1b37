/**
 * A Block node on the canvas (a group of layers used as one: its ports, name, ×N, total parameters
 * and output shape; double-click opens it) and, inside an open block, its input and output ports.
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { blockPortNames } from '../../shared/graph/blocks';
import { BLOCK_INPUT } from '../../shared/ir/schema';
import { formatCount, formatShape } from '../../shared/layers/shape';
import type { LayerNodeT } from '../store/graph';
import { useAppStore } from '../store/store';
import { useCanvasReport } from './context';

/** The red ! on a node with errors, their messages as its tooltip. */
export function ErrorBadge({ id, errors }: { id: string; errors: readonly { message: string }[] }) {
  if (errors.length === 0) return null;
  return (
    <span
      className="badge badge-error"
      data-testid={`node-error-${id}`}
      title={errors.map((e) => e.message).join('\n')}
    >
      !
    </span>
  );
}

function useSides() {
  const across = useAppStore((s) => s.layoutDirection === 'LR');
  return {
    across,
    inSide: across ? Position.Left : Position.Top,
    outSide: across ? Position.Right : Position.Bottom,
  };
}

function BlockNodeImpl({ id, data, selected }: NodeProps<LayerNodeT>) {
  const report = useCanvasReport();
  const def = useAppStore((s) => s.blocks.find((b) => b.id === data.params.block));
  const { across, inSide, outSide } = useSides();
  const r = report.nodes.get(id);
  const ports = def ? blockPortNames(def) : ['in'];
  const errors = (r?.issues ?? []).filter((i) => i.severity === 'error');
  const repeat = Number(data.params.repeat ?? 1);
  return (
    <div
      className={`layer-node block-node${selected ? ' selected' : ''}${errors.length ? ' has-error' : ''}${repeat > 1 ? ' repeated' : ''}`}
      data-testid={`block-${id}`}
      data-kind="Block"
      onDoubleClick={() => useAppStore.getState().openBlock(id)}
      title="Double-click to open the block"
    >
      {ports.map((p, i) => (
        <Handle
          key={p}
          id={p}
          type="target"
          position={inSide}
          style={
            across
              ? { top: `${((i + 1) / (ports.length + 1)) * 100}%` }
              : { left: `${((i + 1) / (ports.length + 1)) * 100}%` }
          }
          data-testid={`handle-${id}-${p}`}
        >
          {ports.length > 1 && <span className="port-label">{p}</span>}
        </Handle>
      ))}
      <div className="layer-node-head">
        <span className="layer-node-kind">Block{repeat > 1 ? ` ×${repeat}` : ''}</span>
        <span className="layer-node-id">{def?.name ?? data.name ?? id}</span>
        <ErrorBadge id={id} errors={errors} />
      </div>
      <div className="layer-node-params">
        {def ? `${def.nodes.filter((n) => !n.kind.startsWith('Block')).length} layers` : 'no definition'}
      </div>
      <div className="layer-node-foot">
        <span className="mono" data-testid={`node-shape-${id}`}>
          {r?.outputShape ? formatShape(r.outputShape) : '—'}
        </span>
        <span className="mono muted" data-testid={`node-params-${id}`}>
          {formatCount(r?.params?.total ?? 0)} params
        </span>
      </div>
      {errors.length > 0 && (
        <div className="layer-node-error" title={errors[0]!.message}>
          {errors[0]!.message}
        </div>
      )}
      <Handle id="out" type="source" position={outSide} data-testid={`handle-${id}-out`} />
    </div>
  );
}

function PortNodeImpl({ id, data, selected }: NodeProps<LayerNodeT>) {
  const report = useCanvasReport();
  const { inSide, outSide } = useSides();
  const input = data.kind === BLOCK_INPUT;
  const shape = report.nodes.get(id)?.outputShape;
  return (
    <div
      className={`block-port${selected ? ' selected' : ''}`}
      data-testid={`node-${id}`}
      data-kind={data.kind}
    >
      {!input && <Handle id="in" type="target" position={inSide} data-testid={`handle-${id}-in`} />}
      <span className="layer-node-kind">
        {input ? `Block input ${String(data.params.index ?? 1)}` : 'Block output'}
      </span>
      <span className="mono small">{shape ? formatShape(shape) : '—'}</span>
      {input && <Handle id="out" type="source" position={outSide} data-testid={`handle-${id}-out`} />}
    </div>
  );
}

export const BlockNode = memo(BlockNodeImpl);
export const PortNode = memo(PortNodeImpl);
