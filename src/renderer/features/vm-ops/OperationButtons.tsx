import type { InventoryVm } from '../../../shared/contract';
import type { VmEditOperation, VmOperationGroup } from '../../../shared/contract/vm-operations';
import { useInventory } from '../../stores/inventory-store';
import { vmOperationButtons } from './operation-model';
import { chooseOperation } from './operation-store';
import './vm-ops.css';

/**
 * The VM page's buttons for edit operations of some groups (or just `only`), enabled from the one
 * table; a disabled one says why in its tooltip and to screen readers.
 */
export function OperationButtons({
  vm,
  groups,
  only,
}: {
  vm: InventoryVm;
  groups: readonly VmOperationGroup[];
  only?: readonly VmEditOperation[];
}) {
  useInventory((s) => s.hostsVersion);
  const hosts = useInventory.getState().model.hosts.values();
  const buttons = vmOperationButtons(vm, groups, hosts).filter((b) => !only || only.includes(b.operation));
  return (
    <div className="op-buttons" role="group" aria-label={`Change ${vm.name}`}>
      {buttons.map((b) => (
        <button
          key={b.operation}
          disabled={!b.enabled}
          title={b.reason ?? b.label}
          aria-description={b.reason}
          data-testid={`op-${b.operation}`}
          onClick={() => chooseOperation(vm, b.operation)}
        >
          {b.label}
        </button>
      ))}
    </div>
  );
}

/** A small per-row button (a disk's Expand…, a checkpoint's Apply…), enabled from the same table. */
export function RowOperationButton({
  vm,
  operation,
  targetId,
  what,
  label,
}: {
  vm: InventoryVm;
  operation: VmEditOperation;
  targetId: string;
  what: string;
  label: string;
}) {
  const button = vmOperationButtons(vm, ['hardware', 'checkpoint']).find((b) => b.operation === operation);
  if (!button) return null;
  return (
    <button
      disabled={!button.enabled}
      title={button.reason ?? `${button.label.replace(/…$/, '')}: ${what}`}
      data-testid={`row-${operation}`}
      onClick={() => chooseOperation(vm, operation, targetId, what)}
    >
      {label}
    </button>
  );
}
