import { create } from 'zustand';
import { useApp } from '../../stores/app-store';

/**
 * The "Copy as PowerShell" dialog: either a picker (VMs given, the admin chooses the operation) or a
 * preview of a text already made (an operation dialog's command when the clipboard refused it).
 */
export type CopyPsRequest = { kind: 'picker'; keys: string[] } | { kind: 'preview'; title: string; text: string };

export const useCopyPs = create<{ request?: CopyPsRequest }>(() => ({}));

export function openCopyPs(request: CopyPsRequest): void {
  useCopyPs.setState({ request });
}

export function closeCopyPs(): void {
  useCopyPs.setState({ request: undefined });
}

/**
 * Puts the script on the clipboard and says so. Where the clipboard is refused (no permission, a
 * browser without it), the preview opens instead so the text can be selected and copied by hand.
 */
export async function copyPowerShell(text: string, what: string): Promise<boolean> {
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    useApp.getState().toast('success', `Copied the PowerShell for ${what} to the clipboard.`);
    return true;
  } catch {
    openCopyPs({ kind: 'preview', title: `PowerShell for ${what}`, text });
    return false;
  }
}
