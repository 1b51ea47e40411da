// VM edit operations in the UI (issue 15): hardware, checkpoints and moves, all derived from the one
// table (shared/contract/vm-operations.ts): buttons, dialogs, the checkpoints tab, the node picker.
export { OperationDialog } from './OperationDialog';
export { OperationButtons, RowOperationButton } from './OperationButtons';
export { OperationJobs } from './OperationJobs';
export { CheckpointsTab } from './CheckpointsTab';
export { chooseOperation, useOperationDialog } from './operation-store';
export { vmOperationButtons, operationProgress, vmBlockedReason } from './operation-model';
export { checkpointAge, checkpointSummary } from './checkpoint-tree';
