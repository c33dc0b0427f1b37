/**
 * The canvas's dot grid. React Flow's `<Background>` redraws an svg pattern across the whole pane
 * on every pan frame (the largest raster cost while panning a big graph in software rendering).
 * Here the dots are a CSS background on a layer one cell larger than the pane that is *moved*
 * with a transform: panning only changes the transform (no repaint); zoom changes the cell size.
 * Zoomed out, the spacing coarsens by 5× steps instead of turning into a grey haze.
 */
import { useStore } from '@xyflow/react';
import { gridCell, gridOffset } from './lib/lod';

export function DotGrid() {
  const x = useStore((s) => s.transform[0]);
  const y = useStore((s) => s.transform[1]);
  const zoom = useStore((s) => s.transform[2]);
  const cell = gridCell(zoom);
  return (
    <div
      className="dot-grid"
      data-testid="dot-grid"
      style={{
        width: `calc(100% + ${2 * cell}px)`,
        height: `calc(100% + ${2 * cell}px)`,
        backgroundSize: `${cell}px ${cell}px`,
        transform: `translate(${gridOffset(x, cell)}px, ${gridOffset(y, cell)}px)`,
      }}
    />
  );
}
