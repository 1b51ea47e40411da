import { CommandPalette, usePaletteShortcut } from '../palette';
import { BulkPreviewDialog } from './BulkPreviewDialog';
import { ConfirmDialog } from './ConfirmDialog';
import { DeleteVmDialog } from './DeleteVmDialog';

/** Dialogs any view can open through the jobs store (delete, bulk preview, the question before a destructive action) and the command palette. */
export function JobsOverlays() {
  usePaletteShortcut();
  return (
    <>
      <DeleteVmDialog />
      <BulkPreviewDialog />
      <CommandPalette />
      <ConfirmDialog />
    </>
  );
}
