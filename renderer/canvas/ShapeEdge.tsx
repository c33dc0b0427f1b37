/** An edge labelled with the tensor shape it carries. */
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import { formatShape } from '../../shared/layers/shape';
import { useCanvasReport, useFar } from './context';

function ShapeEdgeImpl(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd } =
    props;
  const report = useCanvasReport();
  const far = useFar();
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
