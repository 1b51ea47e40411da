import type { InventoryHost, InventoryVm, VmAction } from '../../../shared/contract';
import { VM_BULK_EDIT_OPERATIONS, vmOperationDef, type VmBulkEditOperation, type VmEditOperation, type VmOperationGroup } from '../../../shared/contract/vm-operations';
import { bulkOperationCounts } from '../vm-ops/BulkOperationDialog';
import { vmOperationButtons } from '../vm-ops/operation-model';
import { VM_ACTIONS } from '../../../shared/contract/vm-actions';
import type { View } from '../../stores/app-store';
import { bulkActionCounts } from '../jobs/bulk-model';
import { ACTION_LABEL, vmActionButtons } from '../jobs/vm-action-model';
import { vmActionAsks } from '../../../shared/contract/vm-actions';

export type PaletteCommand =
  | { id: string; label: string; group: 'VM'; kind: 'vm-action'; vmKey: string; action: VmAction }
  | { id: string; label: string; group: 'VM'; kind: 'vm-delete'; vmKey: string }
  /** An edit, checkpoint or move (the one table); `disabled`: why the VM's state does not allow it now. */
  | { id: string; label: string; group: 'Change VM'; kind: 'vm-operation'; vmKey: string; operation: VmEditOperation; disabled?: string }
  | { id: string; label: string; group: 'Selection'; kind: 'bulk'; keys: string[]; action: VmAction }
  | { id: string; label: string; group: 'Selection'; kind: 'bulk-operation'; keys: string[]; operation: VmBulkEditOperation }
  | { id: string; label: string; group: 'Go to'; kind: 'navigate'; view: View };

const NAVIGATION: { label: string; view: View }[] = [
  { label: 'Jobs', view: { name: 'jobs' } },
  { label: 'Overview', view: { name: 'overview' } },
  { label: 'New VM', view: { name: 'create-vm' } },
  { label: 'Settings', view: { name: 'settings' } },
  { label: 'Diagnostics', view: { name: 'diagnostics' } },
  { label: 'Sync health', view: { name: 'sync-health' } },
];

const TABLE_VIEWS = new Set<View['name']>(['overview', 'host', 'cluster']);

/**
 * The commands for the current context: the VM on screen (its detail page) or the table's
 * selection — one VM: the actions the shared matrix allows now, and its edits, checkpoints and
 * move (greyed with the table's reason when its state does not allow them); several: each action
 * allowed on at least one of them (the preview then says which are skipped) — then navigation.
 */
export function paletteCommands(ctx: { view: View; selectedKeys: readonly string[]; vms: ReadonlyMap<string, InventoryVm>; confirmDestructiveActions?: boolean; hosts?: Iterable<InventoryHost> }): PaletteCommand[] {
  const asks = ctx.confirmDestructiveActions ?? false;
  const out: PaletteCommand[] = [];
  // A table selection counts only where a VM table is on screen (not behind the settings page).
  const keys = TABLE_VIEWS.has(ctx.view.name) ? ctx.selectedKeys : [];
  const single = ctx.view.name === 'vm' ? ctx.view.key : keys.length === 1 ? keys[0] : undefined;
  const vm = single ? ctx.vms.get(single) : undefined;
  if (vm) {
    for (const b of vmActionButtons(vm)) {
      if (!b.enabled) continue;
      if (b.action === 'delete') out.push({ id: `vm-delete:${vm.key}`, label: `Delete ${vm.name}…`, group: 'VM', kind: 'vm-delete', vmKey: vm.key });
      // "…": a question follows (the same rule as the VM page's buttons).
      else out.push({ id: `vm:${b.action}:${vm.key}`, label: `${ACTION_LABEL[b.action]} ${vm.name}${vmActionAsks(b.action, asks) ? '…' : ''}`, group: 'VM', kind: 'vm-action', vmKey: vm.key, action: b.action });
    }
    const groups: VmOperationGroup[] = vm.clustered ? ['hardware', 'checkpoint', 'move'] : ['hardware', 'checkpoint'];
    for (const b of vmOperationButtons(vm, groups, ctx.hosts ?? [])) {
      // "Add disk… web-20": the table's label, then the VM, so typing either finds it.
      out.push({ id: `op:${b.operation}:${vm.key}`, label: `${b.label} ${vm.name}`, group: 'Change VM', kind: 'vm-operation', vmKey: vm.key, operation: b.operation, ...(b.reason ? { disabled: b.reason } : {}) });
    }
  } else if (keys.length > 1) {
    const selected = keys.map((k) => ctx.vms.get(k)).filter((v): v is InventoryVm => !!v);
    const counts = bulkActionCounts(selected);
    for (const action of VM_ACTIONS) {
      if (counts[action] === 0) continue;
      out.push({ id: `bulk:${action}`, label: `${ACTION_LABEL[action]} ${counts[action]} of ${selected.length} selected VMs…`, group: 'Selection', kind: 'bulk', keys: [...keys], action });
    }
    const opCounts = bulkOperationCounts(selected);
    for (const operation of VM_BULK_EDIT_OPERATIONS) {
      if (opCounts[operation] === 0) continue;
      out.push({ id: `bulk:${operation}`, label: `${vmOperationDef(operation).label.replace(/…$/, '')} ${opCounts[operation]} of ${selected.length} selected VMs…`, group: 'Selection', kind: 'bulk-operation', keys: [...keys], operation });
    }
  }
  for (const n of NAVIGATION) out.push({ id: `go:${n.view.name}`, label: `Go to ${n.label}`, group: 'Go to', kind: 'navigate', view: n.view });
  return out;
}

/** Every word of the query appears in the label (case-insensitive). */
export function matchCommands(commands: readonly PaletteCommand[], query: string): PaletteCommand[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...commands];
  return commands.filter((c) => {
    const label = c.label.toLowerCase();
    return words.every((w) => label.includes(w));
  });
}

/** Ctrl+Shift+P or Ctrl+P (Cmd on macOS) opens the palette. */
export function isPaletteShortcut(e: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'key' | 'altKey'>): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'p';
}
