/**
 * The toolbar: Design / Train, the file, history and canvas commands (from the command table), recent
 * files, the project's name and the theme switch. When the window is too narrow for every button, the
 * least used ones move, in a fixed order, into an overflow menu (⋯) instead of wrapping or clipping.
 */
import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';
import { guardUnsaved, openPath } from '../app/files';
import { type CommandContext, commandById, runCommand, tooltip } from '../commands/commands';
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
  /** Moved into the overflow menu (the window is too narrow). */
  hidden?: boolean;
}) {
  return (
    <button
      data-testid={props.testId ?? `cmd-${props.id.toLowerCase()}`}
      data-overflow={props.id}
      onClick={() => runCommand(props.id, props.ctx)}
      disabled={props.disabled}
      title={props.title}
      hidden={props.hidden}
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

/** The buttons that may move into the overflow menu, the first to go first. */
const OVERFLOW_ORDER = [
  'ungroup',
  'group',
  'layout',
  'fit',
  'export',
  'saveAs',
  'redo',
  'undo',
  'open',
  'addLayer',
] as const;
type Overflowing = (typeof OVERFLOW_ORDER)[number];
const LABELS: Record<Overflowing, string> = {
  group: 'Group',
  ungroup: 'Ungroup',
  layout: 'Layout',
  fit: 'Fit',
  export: 'Export…',
  saveAs: 'Save As…',
  redo: 'Redo',
  undo: 'Undo',
  open: 'Open…',
  addLayer: 'Add layer…',
};
/** Room the project name keeps (it shrinks to this before buttons move). */
const NAME_MIN = 120;

/**
 * How many of OVERFLOW_ORDER must move so the rest fits: measured from the buttons' own widths
 * (taken while they show) against the toolbar's, again whenever the toolbar is resized or rendered.
 */
function useOverflow(bar: React.RefObject<HTMLElement | null>): number {
  const [hide, setHide] = useState(0);
  const widths = useRef(new Map<string, number>());
  const measureRef = useRef<() => void>(() => undefined);
  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const measure = () => {
      const gap = 6;
      // Padding, the name's own padding and border, and a margin against rounding.
      let fixed = 24 + NAME_MIN + 40;
      for (const child of Array.from(el.children) as HTMLElement[]) {
        const id = child.dataset.overflow;
        const movable = id !== undefined && (OVERFLOW_ORDER as readonly string[]).includes(id);
        if (child.classList.contains('project-name') || child.classList.contains('spacer')) continue;
        if (child.classList.contains('toolbar-overflow')) continue;
        if (movable && !child.hidden) widths.current.set(id, child.offsetWidth);
        if (!movable && !child.hidden) fixed += child.offsetWidth + gap;
      }
      let need = fixed + 44;
      for (const id of OVERFLOW_ORDER) need += (widths.current.get(id) ?? 60) + gap;
      let n = 0;
      while (n < OVERFLOW_ORDER.length && need > el.clientWidth) {
        need -= (widths.current.get(OVERFLOW_ORDER[n]!) ?? 60) + gap;
        n++;
      }
      setHide(n);
    };
    measureRef.current = measure;
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [bar]);
  // Content changes too (recent files appear, a label changes): measure after every render; the
  // state only changes when the count does.
  useLayoutEffect(() => measureRef.current());
  return hide;
}

function OverflowMenu({ ids, ctx }: { ids: readonly Overflowing[]; ctx: CommandContext }) {
  const [open, setOpen] = useState(false);
  if (ids.length === 0) return null;
  return (
    <div className="toolbar-overflow">
      <button
        data-testid="toolbar-overflow"
        aria-haspopup="menu"
        aria-expanded={open}
        title="More commands"
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div className="toolbar-overflow-menu" role="menu" onMouseLeave={() => setOpen(false)}>
          {ids.map((id) => (
            <button
              key={id}
              role="menuitem"
              data-testid={`overflow-${id}`}
              onClick={() => {
                setOpen(false);
                runCommand(id, ctx);
              }}
            >
              {LABELS[id]}
              {commandById(id)?.keys && <kbd>{commandById(id)!.keys}</kbd>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

export function Toolbar({ ctx }: { ctx: CommandContext }) {
  const past = useUndoDepth();
  const future = useRedoDepth();
  const name = useAppStore((s) => s.meta.name);
  const theme = useAppStore((s) => s.theme);
  const bar = useRef<HTMLElement>(null);
  const hideCount = useOverflow(bar);
  const hidden = new Set<string>(OVERFLOW_ORDER.slice(0, hideCount));
  const h = (id: Overflowing) => hidden.has(id);
  return (
    <header className="toolbar" role="toolbar" ref={bar}>
      <span className="brand">Netloom</span>
      <ViewSwitch />
      <CommandButton id="new" ctx={ctx} title={tooltip('new')}>
        New
      </CommandButton>
      <CommandButton id="open" ctx={ctx} title={tooltip('open')} hidden={h('open')}>
        Open
      </CommandButton>
      <RecentFiles ctx={ctx} />
      <CommandButton id="save" ctx={ctx} title={tooltip('save')}>
        Save
      </CommandButton>
      <CommandButton id="saveAs" ctx={ctx} hidden={h('saveAs')}>
        Save As
      </CommandButton>
      <CommandButton id="export" ctx={ctx} title={tooltip('export')} hidden={h('export')}>
        Export
      </CommandButton>
      <span className="sep" />
      <CommandButton id="undo" ctx={ctx} disabled={past === 0} title={tooltip('undo')} hidden={h('undo')}>
        Undo
      </CommandButton>
      <CommandButton id="redo" ctx={ctx} disabled={future === 0} title="Redo" hidden={h('redo')}>
        Redo
      </CommandButton>
      <CommandButton id="layout" ctx={ctx} title={tooltip('layout')} hidden={h('layout')}>
        Layout
      </CommandButton>
      <CommandButton id="fit" ctx={ctx} hidden={h('fit')}>
        Fit
      </CommandButton>
      <CommandButton id="group" ctx={ctx} title={tooltip('group')} hidden={h('group')}>
        Group
      </CommandButton>
      <CommandButton id="ungroup" ctx={ctx} title={tooltip('ungroup')} hidden={h('ungroup')}>
        Ungroup
      </CommandButton>
      <CommandButton
        id="addLayer"
        ctx={ctx}
        testId="cmd-add"
        title={tooltip('addLayer')}
        hidden={h('addLayer')}
      >
        + Layer
      </CommandButton>
      <OverflowMenu ids={OVERFLOW_ORDER.filter(h)} ctx={ctx} />
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
