/**
 * 2-D data: each unit of a Dense/Activation layer as a heatmap of its output over the input plane
 * (as TensorFlow Playground draws its neurons), live while the network trains.
 */
import { useEffect, useRef } from 'react';
import { UNIT_GRID_N, type UnitGrid } from '../../shared/inspect/types';
import { drawHeatmap, sizeCanvas } from './draw';

const SIDE = 22;

function UnitMap({ id, unit, values }: { id: string; unit: number; values: number[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current && sizeCanvas(ref.current, SIDE, SIDE);
    if (ctx) drawHeatmap(ctx, values, UNIT_GRID_N, UNIT_GRID_N, { x: 0, y: 0, w: SIDE, h: SIDE });
  }, [values]);
  return (
    <canvas
      ref={ref}
      className="probe-canvas unit-map"
      style={{ width: SIDE, height: SIDE }}
      data-testid={`unit-heatmap-${id}-${unit}`}
      title={`unit ${unit}: its output over the input plane (blue positive, orange negative)`}
    />
  );
}

export function UnitMaps({ grid }: { grid: UnitGrid }) {
  return (
    <div className="unit-maps" data-testid={`unit-maps-${grid.id}`}>
      {grid.values.map((v, u) => (
        <UnitMap key={u} id={grid.id} unit={u} values={v} />
      ))}
      {grid.total > grid.values.length && (
        <span className="muted unit-more">
          {grid.values.length} of {grid.total} units
        </span>
      )}
    </div>
  );
}
