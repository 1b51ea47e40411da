import { CommandPalette, usePaletteShortcut } from '../palette';
import { BulkPreviewDialog } from './BulkPreviewDialog';
import { ConfirmDialog } from './ConfirmDialog';
import { DeleteVmDialog } from './DeleteVmDialog';
import { OperationDialog } from '../vm-ops/OperationDialog';
import { BulkOperationDialog } from '../vm-ops/BulkOperationDialog';

/** Dialogs any view can open (delete, bulk preview, an edit operation's form, the question before a destructive action) and the command palette. */
export function JobsOverlays() {
  usePaletteShortcut();
  return (
    <>
      <DeleteVmDialog />
      <BulkPreviewDialog />
      <CommandPalette />
      <OperationDialog />
      <BulkOperationDialog />
      <ConfirmDialog />
    </>
  );
}
