/**
 * The handle on a side panel's inner edge, a focusable vertical separator: drag it to resize the
 * panel, ArrowLeft/ArrowRight move it by 16 px, Home/End to the narrowest/widest, double-click for
 * the default width. `edge` is the panel's edge it sits on: moving it towards the canvas widens the
 * panel. While dragging, the pointer is captured and the body gets `resizing` (resize cursor
 * everywhere, no text selection).
 */
import { type KeyboardEvent, type PointerEvent, useEffect, useRef } from 'react';

export const RESIZE_STEP = 16;

interface SplitterProps {
  testId: string;
  label: string;
  /** The id of the panel it resizes. */
  controls: string;
  edge: 'left' | 'right';
  width: number;
  min: number;
  max: number;
  onResize(width: number): void;
  onReset(): void;
}

export function Splitter(p: SplitterProps) {
  const drag = useRef<{ x: number; width: number } | null>(null);
  // Moving the handle right widens a panel whose right edge it is, and narrows one on the right.
  const sign = p.edge === 'right' ? 1 : -1;
  const end = () => {
    drag.current = null;
    document.body.classList.remove('resizing');
  };
  // Unmounted mid-drag (the panel collapsed): the body's state goes with it.
  useEffect(() => end, []);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    // No text selection and no native drag: a palette item that widens under the pointer would
    // otherwise start a drag of its own (Chromium finds the drag source where the button went down).
    e.preventDefault();
    e.currentTarget.focus();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, width: p.width };
    document.body.classList.add('resizing');
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (d) p.onResize(d.width + sign * (e.clientX - d.x));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft')
      p.onResize(p.width + sign * (e.key === 'ArrowRight' ? RESIZE_STEP : -RESIZE_STEP));
    else if (e.key === 'Home') p.onResize(p.min);
    else if (e.key === 'End') p.onResize(p.max);
    else return;
    e.preventDefault();
  };
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={p.label}
      aria-controls={p.controls}
      aria-valuenow={p.width}
      aria-valuemin={p.min}
      aria-valuemax={p.max}
      tabIndex={0}
      className={`splitter splitter-${p.edge}`}
      data-testid={p.testId}
      title="Drag to resize; double-click for the default width"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onLostPointerCapture={end}
      onDoubleClick={p.onReset}
      onKeyDown={onKeyDown}
    />
  );
}
