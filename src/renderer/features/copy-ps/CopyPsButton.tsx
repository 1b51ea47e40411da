import type { InventoryVm } from '../../../shared/contract';
import { vmOperationDef, type VmOperation } from '../../../shared/contract/vm-operations';
import { PsIncomplete, powerShellFor, powerShellForSelection, type PsParams } from '../../../shared/powershell-copy';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { copyPowerShell, openCopyPs } from './copy-store';
import { psBulkItems, psContext, psTargets } from './ps-targets';

/** The VM page's and the bulk bar's entry: opens the picker for these VMs. */
export function CopyPsPickerButton({ keys, compact = false }: { keys: readonly string[]; compact?: boolean }) {
  return (
    <button type="button" className={compact ? 'link' : undefined} onClick={() => openCopyPs({ kind: 'picker', keys: [...keys] })} data-testid="copy-ps-open" title="The Hyper-V PowerShell an admin could run for this themselves">
      Copy as PowerShell…
    </button>
  );
}

/**
 * In an operation dialog: copies the command for the values typed so far. `params` returns them
 * parsed, or a message naming what is missing (the dialog's own validation).
 */
export function CopyPsButton<K extends VmOperation>({ operation, vms, params }: { operation: K; vms: readonly InventoryVm[]; params: () => { ok: true; params: Partial<PsParams[K]> } | { ok: false; message: string } }) {
  const toast = useApp((s) => s.toast);
  const copy = async () => {
    const parsed = params();
    if (!parsed.ok) {
      toast('warning', `Copy as PowerShell: ${parsed.message}`);
      return;
    }
    const model = useInventory.getState().model;
    const src = { vms: model.vms.values(), hosts: useApp.getState().hosts, inventoryHosts: model.hosts };
    try {
      const text =
        vms.length === 1
          ? powerShellFor(operation, psTargets(vms, src)[0]!, parsed.params, psContext(vms[0]!, src))
          : powerShellForSelection(operation, psBulkItems(vms, src), parsed.params);
      await copyPowerShell(text, vms.length === 1 ? `${vmOperationDef(operation).verb} ${vms[0]!.name}` : `${vmOperationDef(operation).verb} ${vms.length} VMs`);
    } catch (error) {
      if (error instanceof PsIncomplete) toast('warning', `Copy as PowerShell: ${error.message}`);
      else throw error;
    }
  };
  return (
    <button type="button" onClick={() => void copy()} data-testid="op-copy-ps" title="The Hyper-V PowerShell for the values typed so far">
      Copy as PowerShell
    </button>
  );
}
