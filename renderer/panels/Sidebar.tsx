/**
 * The design view's sidebar: the Inspector and Summary tabs, the comparison (when one is open) under
 * the tabs' row, and the Problems list at the bottom. A resizable, collapsible side panel (SidePanel),
 * whose head row holds the tabs and the collapse button.
 */
import { useState } from 'react';
import type { GraphFix } from '../../shared/graph/check';
import { DiffView } from '../canvas/DiffView';
import { useAppStore } from '../store/store';
import { ErrorList } from './ErrorList';
import { Inspector } from './Inspector';
import { SidePanel } from './SidePanel';
import { Summary } from './Summary';

const TABS = [
  ['inspector', 'Inspector'],
  ['summary', 'Summary'],
] as const;

function applyFix(fix: GraphFix): void {
  const s = useAppStore.getState();
  s.insertBefore(fix.before.nodeId, fix.before.port, fix.insert.kind, fix.insert.params);
  s.notify(`Applied: ${fix.label}`);
}

export function Sidebar() {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('inspector');
  return (
    <SidePanel
      name="sidebar"
      side="right"
      label="sidebar"
      short="Inspector"
      className="sidebar"
      head={
        <nav className="tabs">
          {TABS.map(([id, label]) => (
            <button
              key={id}
              className={tab === id ? 'active' : ''}
              onClick={() => setTab(id)}
              data-testid={`tab-${id}`}
            >
              {label}
            </button>
          ))}
        </nav>
      }
    >
      <DiffView />
      <div className="sidebar-body">{tab === 'inspector' ? <Inspector /> : <Summary />}</div>
      <ErrorList onFix={applyFix} />
    </SidePanel>
  );
}
