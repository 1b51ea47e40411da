import type { HostView, InventoryVm } from '../../../shared/contract';
import type { MenuItem } from '../../components/ContextMenu';
import { useApp, type View } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { useJobs } from '../../stores/jobs-store';
import { urlForView } from '../../router';
import { bulkActionCounts, targetsOf } from '../jobs/bulk-model';
import { confirmsDestructive, runVmAction } from '../jobs/job-commands';
import { ACTION_LABEL, vmActionButtons } from '../jobs/vm-action-model';
import { VM_ACTIONS } from '../../../shared/contract/vm-actions';
import { VM_BULK_EDIT_OPERATIONS, vmOperationDef, type VmOperationGroup } from '../../../shared/contract/vm-operations';
import { bulkOperationCounts, openBulkOperation } from '../vm-ops/BulkOperationDialog';
import { chooseOperation } from '../vm-ops/operation-store';
import { vmOperationButtons } from '../vm-ops/operation-model';
import { openCopyPs } from '../copy-ps/copy-store'; // health: Copy as PowerShell

/**
 * What the right-click menus of VM rows, tree nodes and host rows offer. VM actions come from the
 * same rules as the VM page's buttons (vmActionButtons over the shared matrix) and run through the
 * same function (runVmAction, which asks before a destructive action, and the delete dialog for Delete), so they are allowed, refused
 * and confirmed exactly as there. Only allowed actions are listed.
 */

function navigateTo(view: View): () => void {
  return () => useApp.getState().navigate(view);
}

function copyLink(view: View): MenuItem {
  return {
    id: 'copy-link',
    label: 'Copy link',
    separated: true,
    run: () => {
      const url = urlForView(view);
      const { toast } = useApp.getState();
      // The clipboard API needs a secure context: Electron's app:// and browser mode's 127.0.0.1 both are.
      navigator.clipboard?.writeText(url).then(
        () => toast('success', 'Link copied.'),
        () => toast('error', `Could not copy the link; it is ${url}`),
      );
    },
  };
}

/** The menu for one VM, or — right-clicking a VM that is part of a multi-selection — for the selection. */
export function vmMenuItems(vm: InventoryVm, selectedKeys: ReadonlySet<string> = new Set()): MenuItem[] {
  if (selectedKeys.size > 1 && selectedKeys.has(vm.key)) return selectionMenuItems([...selectedKeys]);
  const view: View = { name: 'vm', key: vm.key };
  const items: MenuItem[] = [{ id: 'open', label: `Open ${vm.name}`, run: navigateTo(view) }];
  for (const b of vmActionButtons(vm, confirmsDestructive(useApp.getState().settings))) {
    if (!b.enabled) continue;
    if (b.action === 'delete') items.push({ id: 'delete', label: b.label, danger: true, separated: true, run: () => useJobs.setState({ deleteKey: vm.key }) });
    else {
      const action = b.action;
      items.push({ id: action, label: b.label, separated: items.length === 1, run: () => void runVmAction(vm, action) });
    }
  }
  items.push(...operationItems(vm));
  items.push(copyLink(view));
  if (!vm.placeholder) items.push({ id: 'copy-ps', label: 'Copy as PowerShell…', run: () => openCopyPs({ kind: 'picker', keys: [vm.key] }) }); // health
  return items;
}

/**
 * Edits, checkpoints and (for a clustered VM) the move, from the one table: each shown, the ones
 * the VM's state does not allow greyed with the table's reason; choosing one opens its dialog.
 */
function operationItems(vm: InventoryVm): MenuItem[] {
  const groups: VmOperationGroup[] = vm.clustered ? ['hardware', 'checkpoint', 'move'] : ['hardware', 'checkpoint'];
  let group = '';
  return vmOperationButtons(vm, groups, useInventory.getState().model.hosts.values()).map((b) => {
    const def = vmOperationDef(b.operation);
    const separated = def.group !== group;
    group = def.group;
    return { id: b.operation, label: b.label, separated, ...(b.reason ? { disabled: b.reason } : {}), run: () => chooseOperation(vm, b.operation) };
  });
}

/** Bulk actions on the table's selection: each allowed on at least one selected VM, through the bulk preview. */
function selectionMenuItems(keys: string[]): MenuItem[] {
  const vms = useInventory.getState().model.vms;
  const selected = keys.map((k) => vms.get(k)).filter((v): v is InventoryVm => !!v);
  const counts = bulkActionCounts(selected);
  const opCounts = bulkOperationCounts(selected);
  const actions: MenuItem[] = VM_ACTIONS.filter((a) => counts[a] > 0).map((action) => ({
    id: action,
    label: `${ACTION_LABEL[action]} ${counts[action]} of ${selected.length} selected VMs…`,
    run: () => useJobs.setState({ bulkRequest: { action, targets: targetsOf(keys, vms) } }),
  }));
  // Edits the table allows in bulk (checkpoint.create): their parameters first, then the same preview.
  const operations: MenuItem[] = VM_BULK_EDIT_OPERATIONS.filter((op) => opCounts[op] > 0).map((operation, i) => ({
    id: operation,
    label: `${vmOperationDef(operation).label.replace(/…$/, '')} ${opCounts[operation]} of ${selected.length} selected VMs…`,
    separated: i === 0 && actions.length > 0,
    run: () => openBulkOperation(operation, keys),
  }));
  // health: one script for the selection, grouped by host.
  const copyPs: MenuItem = { id: 'copy-ps', label: `Copy as PowerShell for ${selected.length} selected VMs…`, separated: true, run: () => openCopyPs({ kind: 'picker', keys }) };
  return [...actions, ...operations, copyPs];
}

async function refreshHost(host: HostView): Promise<void> {
  const { backend, toast } = useApp.getState();
  if (!backend) return;
  const result = await backend.invoke('inventory.refresh', { hostId: host.id });
  if (!result.ok) toast('error', `Refresh ${host.displayName}: ${result.error.message}`);
  else toast('info', `Refreshing ${host.displayName}…`);
}

/** The menu for a host: open, refresh (not for a disabled host), edit in Settings, copy link. */
export function hostMenuItems(host: HostView): MenuItem[] {
  const view: View = { name: 'host', id: host.id };
  const items: MenuItem[] = [{ id: 'open', label: `Open ${host.displayName}`, run: navigateTo(view) }];
  if (host.status !== 'disabled') items.push({ id: 'refresh', label: 'Refresh now', separated: true, run: () => void refreshHost(host) });
  items.push({ id: 'settings', label: 'Edit in Settings', separated: host.status === 'disabled', run: navigateTo({ name: 'settings' }) });
  items.push(copyLink(view));
  return items;
}

/** The menu for a tree group: a cluster's page (standalone hosts have none: the overview). */
export function groupMenuItems(label: string, view: View): MenuItem[] {
  return [{ id: 'open', label: view.name === 'cluster' ? `Open cluster ${label}` : 'Open overview', run: navigateTo(view) }, copyLink(view)];
}
