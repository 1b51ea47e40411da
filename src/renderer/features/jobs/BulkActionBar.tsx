import { useMemo } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { VM_ACTIONS } from '../../../shared/contract/vm-actions';
import { useInventory } from '../../stores/inventory-store';
import { useJobs } from '../../stores/jobs-store';
import { useVmSelection } from '../../stores/selection-store';
import { bulkActionCounts, targetsOf } from './bulk-model';
import { ACTION_LABEL } from './vm-action-model';
import { VM_BULK_EDIT_OPERATIONS, vmOperationDef } from '../../../shared/contract/vm-operations';
import { bulkOperationCounts, openBulkOperation } from '../vm-ops/BulkOperationDialog';
import './jobs.css';
import { counted } from '../../../shared/counted';
import { BulkTagsButton } from '../tags'; // tags on the selection
import { CopyPsPickerButton } from '../copy-ps'; // health: Copy as PowerShell

/**
 * Shown over a VM table with a selection (any hosts, any clusters): one button per action with
 * how many selected VMs it applies to; choosing one opens the preview (nothing runs before Run).
 */
export function BulkActionBar({ scope }: { scope: string }) {
  const keys = useVmSelection((s) => (s.scope === scope ? s.selection.keys : undefined));
  const version = useInventory((s) => s.version);
  const model = useInventory((s) => s.model);
  const selected = useMemo(() => {
    const out: InventoryVm[] = [];
    for (const k of keys ?? []) {
      const vm = model.vms.get(k);
      if (vm) out.push(vm);
    }
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keys, model, version]);
  if (!keys || selected.length === 0) return null;
  const counts = bulkActionCounts(selected);
  const opCounts = bulkOperationCounts(selected);
  const hosts = new Set(selected.map((v) => v.hostId)).size;
  const open = (action: (typeof VM_ACTIONS)[number]) => useJobs.setState({ bulkRequest: { action, targets: targetsOf(keys, model.vms) } });
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Actions on the selected VMs" data-testid="bulk-bar">
      <span>
        {selected.length} selected on {counted(hosts, 'host')}
      </span>
      {VM_ACTIONS.map((a) => (
        <button key={a} disabled={counts[a] === 0} onClick={() => open(a)} data-testid={`bulk-${a}`} title={`${ACTION_LABEL[a]}: applies to ${counts[a]} of ${selected.length}`}>
          {ACTION_LABEL[a]} ({counts[a]})
        </button>
      ))}
      {VM_BULK_EDIT_OPERATIONS.map((op) => (
        <button key={op} disabled={opCounts[op] === 0} onClick={() => openBulkOperation(op, [...keys])} data-testid={`bulk-${op}`} title={`${vmOperationDef(op).label}: applies to ${opCounts[op]} of ${selected.length}`}>
          {vmOperationDef(op).label} ({opCounts[op]})
        </button>
      ))}
      {selected.length === 1 && (
        <button className="danger" onClick={() => useJobs.setState({ deleteKey: selected[0]!.key })} data-testid="bulk-delete-one">
          Delete…
        </button>
      )}
      <BulkTagsButton vms={selected} />
      <CopyPsPickerButton keys={selected.map((v) => v.key)} /> {/* health */}
      <button className="link" onClick={() => useVmSelection.getState().dispatch(scope, { type: 'clear' })}>
        Clear selection
      </button>
    </div>
  );
}
