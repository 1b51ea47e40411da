export { CopyPsDialog, pickerOperations, pickerScript } from './CopyPsDialog';
export { CopyPsButton, CopyPsPickerButton } from './CopyPsButton';
export { copyPowerShell, openCopyPs, closeCopyPs, useCopyPs } from './copy-store';
export { psBulkItems, psContext, psTargets, nameCounts } from './ps-targets';
