// Tags on VMs (issue 16 item 4): the VM page's chips, the bulk action bar's "Tags…".
export { VmTagChips } from './VmTagChips';
export { BulkTagsButton } from './BulkTagsButton';
