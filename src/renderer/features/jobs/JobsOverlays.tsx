import { CommandPalette, usePaletteShortcut } from '../palette';
import { BulkPreviewDialog } from './BulkPreviewDialog';
import { DeleteVmDialog } from './DeleteVmDialog';

/** Dialogs any view can open through the jobs store (delete, bulk preview) and the command palette. */
export function JobsOverlays() {
  usePaletteShortcut();
  return (
    <>
      <DeleteVmDialog />
      <BulkPreviewDialog />
      <CommandPalette />
    </>
  );
}
