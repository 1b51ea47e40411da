// Jobs UI: the create-VM form, jobs list and detail (live output, export), VM actions single and
// bulk (preview, results), and the overlays (delete dialog, bulk preview, command palette).
export { CreateVmForm, CreateVmNavButton } from './CreateVmForm';
export { JobsListView, JobsNavButton } from './JobsListView';
export { JobDetailView } from './JobDetailView';
export { JobsOverlays } from './JobsOverlays';
export { VmActions } from './VmActions';
export { BulkActionBar } from './BulkActionBar';
