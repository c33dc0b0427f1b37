/** An edge labelled with the tensor shape it carries (and, when asked, a Dense layer's weights). */
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import { formatShape } from '../../shared/layers/shape';
import { useAppStore } from '../store/store';
import { useCanvasReport, useFar } from './context';
import { EdgeWeights } from './EdgeWeights';

function ShapeEdgeImpl(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd } =
    props;
  const report = useCanvasReport();
  const far = useFar();
  // A small Dense layer's weights on its input edge, when asked for (and the weights fit the graph).
  const kernel = useAppStore((s) => (s.showEdgeWeights && !far ? s.edgeWeights[props.target] : undefined));
  const shape = far ? undefined : report.edgeShapes.get(id);
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(markerEnd ? { markerEnd } : {})}
        className={selected ? 'edge-selected' : ''}
      />
      {kernel && shape?.at(-1) === kernel.rows && (
        <EdgeWeights id={id} kernel={kernel} sx={sourceX} sy={sourceY} tx={targetX} ty={targetY} />
      )}
      {shape && (
        <EdgeLabelRenderer>
          <div
            className="edge-label mono"
            data-testid={`edge-shape-${id}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {formatShape(shape)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeImpl);
