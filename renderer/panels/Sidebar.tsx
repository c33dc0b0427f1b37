/**
 * The design view's sidebar: the comparison (when one is open), the Inspector and Summary tabs, and
 * the Problems list under them.
 */
import { useState } from 'react';
import type { GraphFix } from '../../shared/graph/check';
import { DiffView } from '../canvas/DiffView';
import { useAppStore } from '../store/store';
import { ErrorList } from './ErrorList';
import { Inspector } from './Inspector';
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
    <aside className="sidebar">
      <DiffView />
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
      <div className="sidebar-body">{tab === 'inspector' ? <Inspector /> : <Summary />}</div>
      <ErrorList onFix={applyFix} />
    </aside>
  );
}
