/**
 * Shows the dialog the store says is open (`dialog` in the window slice) and wires it to the
 * document workflows (app/files.ts), the commands and the graph.
 */
import type { LayerKind } from '../../shared/layers/index';
import { compareWith, exportProject, newProject, openPath, saveTo } from '../app/files';
import { COMMANDS, type CommandContext, runCommand } from '../commands/commands';
import { useAppStore } from '../store/store';
import type { DialogState } from '../store/slices/ui';
import { CommandMenu } from './CommandMenu';
import { ExportDialog } from './ExportDialog';
import { FileBrowser } from './FileBrowser';
import { ConfirmDialog, ErrorDialog } from './Modal';
import { ShortcutSheet } from './ShortcutSheet';
import { TemplateGallery } from './TemplateGallery';

const fileSafe = (name: string) => name.replace(/[^\w.-]+/g, '-');

/** A layer picked in the command menu: where the menu was opened (or the middle), connected from there. */
function addFromMenu(kind: LayerKind, d: Extract<DialogState, { kind: 'command' }>, ctx: CommandContext) {
  const s = useAppStore.getState();
  s.closeDialog();
  const at = d.at ? { x: d.at.x - 110, y: d.at.y } : ctx.view.centre();
  const id = s.addNode(kind, at);
  ctx.view.reveal(id);
  if (d.connectFrom)
    s.connect({ source: d.connectFrom, target: id, sourceHandle: 'out', targetHandle: 'in' });
}

export function DialogHost({ ctx }: { ctx: CommandContext }) {
  const dialog = useAppStore((s) => s.dialog);
  const mode = useAppStore((s) => s.mode);
  const name = useAppStore((s) => s.meta.name);
  const close = useAppStore((s) => s.closeDialog);
  switch (dialog.kind) {
    case 'none':
      return null;
    case 'error':
      return (
        <ErrorDialog title={dialog.title} message={dialog.message} where={dialog.where} onClose={close} />
      );
    case 'confirm':
      return (
        <ConfirmDialog
          title={dialog.title}
          message={dialog.message}
          confirm={dialog.confirm}
          onConfirm={dialog.onConfirm}
          primary={dialog.primary}
          onClose={() => {
            close();
            dialog.onCancel?.();
          }}
        />
      );
    case 'browse':
      return (
        <FileBrowser
          mode={dialog.mode}
          suggestedName={`${fileSafe(name || 'untitled')}.nnproj`}
          onPick={(p) =>
            void (dialog.mode === 'open'
              ? openPath(p, ctx.view)
              : dialog.mode === 'compare'
                ? compareWith(p)
                : saveTo(p))
          }
          onClose={close}
        />
      );
    case 'export':
      return (
        <ExportDialog
          mode={mode}
          baseName={fileSafe(name || 'netloom').toLowerCase()}
          onClose={close}
          onExport={exportProject}
        />
      );
    case 'gallery':
      return (
        <TemplateGallery onPick={(id, dataset) => void newProject(id, ctx.view, dataset)} onClose={close} />
      );
    case 'shortcuts':
      return <ShortcutSheet commands={COMMANDS} onRun={(id) => runCommand(id, ctx)} onClose={close} />;
    case 'command':
      return (
        <CommandMenu
          onPick={(kind) => addFromMenu(kind, dialog, ctx)}
          onClose={close}
          commands={COMMANDS}
          onCommand={(id) => runCommand(id, ctx)}
        />
      );
  }
}
