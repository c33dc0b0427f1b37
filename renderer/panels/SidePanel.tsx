/**
 * A side panel of the Design view (the palette on the left, the sidebar on the right): resized by
 * the splitter on its inner edge, collapsed to a narrow strip by the toggle in its head row, both
 * remembered (usePanelSize). The toggle is the same button in both states (it keeps focus), placed
 * on the panel's inner side when open and alone in the strip when collapsed; the body stays mounted
 * while hidden, so what it holds survives a collapse.
 */
import type { ReactNode } from 'react';
import { COLLAPSED_WIDTH, type PanelName } from '../store/panelLayout';
import { Splitter } from './Splitter';
import { usePanelSize } from './usePanelSize';

interface SidePanelProps {
  /** Names its test ids (`<name>`, `collapse-<name>`, `splitter-<name>`) and its remembered size. */
  name: PanelName;
  side: 'left' | 'right';
  /** What the panel is, for screen readers and the button's label ("layer palette"). */
  label: string;
  /** Shown down the collapsed strip. */
  short: string;
  className: string;
  /** The head row beside the toggle (hidden when collapsed). */
  head: ReactNode;
  children: ReactNode;
}

export function SidePanel(p: SidePanelProps) {
  const size = usePanelSize(p.name);
  const id = `${p.name}-panel`;
  // The arrow points the way the panel will go: towards its side to collapse, away to expand.
  const arrow = (p.side === 'left') !== size.collapsed ? '«' : '»';
  const action = `${size.collapsed ? 'Show' : 'Hide'} the ${p.label}`;
  const toggle = (
    <button
      type="button"
      className="panel-toggle"
      data-testid={`collapse-${p.name}`}
      aria-expanded={!size.collapsed}
      aria-controls={`${id}-body`}
      aria-label={action}
      title={action}
      onClick={size.toggle}
    >
      {arrow}
    </button>
  );
  return (
    <aside
      id={id}
      className={`side-panel side-panel-${p.side} ${p.className}`}
      aria-label={p.label[0]!.toUpperCase() + p.label.slice(1)}
      data-testid={p.name}
      data-collapsed={size.collapsed ? 'true' : 'false'}
      style={{ width: size.collapsed ? COLLAPSED_WIDTH : size.width }}
    >
      <div className="side-panel-head">
        {p.side === 'right' && toggle}
        {!size.collapsed && p.head}
        {p.side === 'left' && toggle}
      </div>
      {size.collapsed && (
        <span className="side-panel-strip-label" aria-hidden="true">
          {p.short}
        </span>
      )}
      <div className="side-panel-body" id={`${id}-body`} hidden={size.collapsed}>
        {p.children}
      </div>
      {!size.collapsed && (
        <Splitter
          testId={`splitter-${p.name}`}
          label={`Resize the ${p.label}`}
          controls={id}
          edge={p.side === 'left' ? 'right' : 'left'}
          width={size.width}
          min={size.min}
          max={size.max}
          onResize={size.resize}
          onReset={size.reset}
        />
      )}
    </aside>
  );
}
