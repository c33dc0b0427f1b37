/**
 * The shortcut sheet (?): every command of the table, by menu, with its shortcut; a click runs it.
 * Canvas gestures that are no commands are listed under it.
 */
import { COMMAND_TABLE, type CommandInfo, type MenuName } from '../../shared/commands';
import type { Command } from '../commands/commands';
import { Modal } from './Modal';

const GROUPS: { menu: MenuName | undefined; title: string }[] = [
  { menu: 'file', title: 'File' },
  { menu: 'edit', title: 'Edit' },
  { menu: 'view', title: 'View' },
  { menu: undefined, title: 'Canvas' },
];

const GESTURES: [string, string][] = [
  ['Drag from the palette', 'Add a layer where it is dropped'],
  ['Drag from a port to empty canvas', 'Add a layer connected to it (search)'],
  ['Shift + drag', 'Select with a box'],
  ['Ctrl/⌘ + click', 'Add to the selection'],
];

export function ShortcutSheet({
  commands,
  onRun,
  onClose,
}: {
  commands: readonly Command[];
  onRun: (id: string) => void;
  onClose: () => void;
}) {
  const menuOf = (c: Command) => (COMMAND_TABLE[c.id] as CommandInfo).menu;
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="shortcut-sheet">
      <div className="shortcut-sheet">
        {GROUPS.map(({ menu, title }) => (
          <section key={title}>
            <h3>{title}</h3>
            <table>
              <tbody>
                {commands
                  .filter((c) => menuOf(c) === menu)
                  .map((c) => (
                    <tr key={c.id} data-testid={`shortcut-${c.id}`}>
                      <td>
                        <button
                          type="button"
                          className="link"
                          onClick={() => {
                            onClose();
                            onRun(c.id);
                          }}
                        >
                          {c.label}
                        </button>
                      </td>
                      <td className="num">
                        {c.keys ? <kbd>{c.keys}</kbd> : <span className="muted">—</span>}
                      </td>
                    </tr>
                  ))}
                {menu === undefined &&
                  GESTURES.map(([how, what]) => (
                    <tr key={how}>
                      <td>{what}</td>
                      <td className="num muted">{how}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <p className="muted">Every command is also in Ctrl+K (⌘K), with its shortcut.</p>
    </Modal>
  );
}
