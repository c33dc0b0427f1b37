/**
 * The toolbar: Design / Train, the file, history and canvas commands (from the command table), recent
 * files, the project's name and the theme switch.
 */
import type { ReactNode } from 'react';
import { guardUnsaved, openPath } from '../app/files';
import { type CommandContext, runCommand, tooltip } from '../commands/commands';
import { useRedoDepth, useUndoDepth } from '../store/hooks';
import { useAppStore } from '../store/store';

function CommandButton(props: {
  id: string;
  ctx: CommandContext;
  children: ReactNode;
  /** Default: `cmd-` and the id in lower case. */
  testId?: string;
  /** Default: none; `tooltip(id)` gives the label with the shortcut. */
  title?: string | undefined;
  disabled?: boolean;
}) {
  return (
    <button
      data-testid={props.testId ?? `cmd-${props.id.toLowerCase()}`}
      onClick={() => runCommand(props.id, props.ctx)}
      disabled={props.disabled}
      title={props.title}
    >
      {props.children}
    </button>
  );
}

function ViewSwitch() {
  const view = useAppStore((s) => s.view);
  const running = useAppStore((s) => s.status === 'running');
  const setUi = useAppStore((s) => s.setUi);
  return (
    <nav className="views" aria-label="Views">
      <button
        className={view === 'design' ? 'active' : ''}
        data-testid="view-design"
        onClick={() => setUi({ view: 'design' })}
      >
        Design
      </button>
      <button
        className={view === 'train' ? 'active' : ''}
        data-testid="view-train"
        onClick={() => setUi({ view: 'train' })}
      >
        Train{running ? ' ●' : ''}
      </button>
    </nav>
  );
}

function RecentFiles({ ctx }: { ctx: CommandContext }) {
  const recent = useAppStore((s) => s.recent);
  if (recent.length === 0) return null;
  return (
    <select
      className="recent"
      data-testid="cmd-recent"
      value=""
      onChange={(e) => e.target.value && guardUnsaved(() => void openPath(e.target.value, ctx.view))}
    >
      <option value="">Open recent…</option>
      {recent.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function Toolbar({ ctx }: { ctx: CommandContext }) {
  const past = useUndoDepth();
  const future = useRedoDepth();
  const name = useAppStore((s) => s.meta.name);
  const theme = useAppStore((s) => s.theme);
  return (
    <header className="toolbar" role="toolbar">
      <span className="brand">Netloom</span>
      <ViewSwitch />
      <CommandButton id="new" ctx={ctx} title={tooltip('new')}>
        New
      </CommandButton>
      <CommandButton id="open" ctx={ctx} title={tooltip('open')}>
        Open
      </CommandButton>
      <RecentFiles ctx={ctx} />
      <CommandButton id="save" ctx={ctx} title={tooltip('save')}>
        Save
      </CommandButton>
      <CommandButton id="saveAs" ctx={ctx}>
        Save As
      </CommandButton>
      <CommandButton id="export" ctx={ctx} title={tooltip('export')}>
        Export
      </CommandButton>
      <span className="sep" />
      <CommandButton id="undo" ctx={ctx} disabled={past === 0} title={tooltip('undo')}>
        Undo
      </CommandButton>
      <CommandButton id="redo" ctx={ctx} disabled={future === 0} title="Redo">
        Redo
      </CommandButton>
      <CommandButton id="layout" ctx={ctx} title={tooltip('layout')}>
        Layout
      </CommandButton>
      <CommandButton id="fit" ctx={ctx}>
        Fit
      </CommandButton>
      <CommandButton id="addLayer" ctx={ctx} testId="cmd-add" title={tooltip('addLayer')}>
        + Layer
      </CommandButton>
      <span className="spacer" />
      <input
        className="project-name"
        aria-label="Project name"
        data-testid="project-name"
        value={name}
        onChange={(e) => useAppStore.getState().setProjectName(e.target.value)}
      />
      <CommandButton id="theme" ctx={ctx} title="Light / dark theme">
        {theme === 'dark' ? '☀' : '☾'}
      </CommandButton>
    </header>
  );
}
