import { useState } from 'react';
import { create } from 'zustand';
import type { InventoryVm } from '../../../shared/contract';
import { checkVmOperationState, VM_BULK_EDIT_OPERATIONS, vmOperationDef, type VmBulkEditOperation } from '../../../shared/contract/vm-operations';
import { useInventory } from '../../stores/inventory-store';
import { useJobs } from '../../stores/jobs-store';
import { Dialog } from '../jobs/Dialog';
import { targetsOf } from '../jobs/bulk-model';
import { Choices, TextField } from './fields';
import { parseDraft, type Draft } from './form-model';
import './vm-ops.css';
import { CopyPsButton } from '../copy-ps/CopyPsButton'; // health: Copy as PowerShell
import { copyParams } from '../copy-ps/draft-params'; // health

/**
 * Edit operations the table allows in bulk (checkpoint.create): one set of parameters for every
 * selected VM, asked here, then the bulk preview (which VMs run, which are skipped and why) as for
 * power actions.
 */
export const useBulkOperation = create<{ request?: { operation: VmBulkEditOperation; keys: string[] } }>(() => ({}));

/** Per bulk operation, how many of the selected VMs the table allows it on (the bar's counts). */
export function bulkOperationCounts(vms: Iterable<Pick<InventoryVm, 'state' | 'placeholder'>>): Record<VmBulkEditOperation, number> {
  const counts = Object.fromEntries(VM_BULK_EDIT_OPERATIONS.map((op) => [op, 0])) as Record<VmBulkEditOperation, number>;
  for (const vm of vms) {
    if (vm.placeholder) continue;
    for (const op of VM_BULK_EDIT_OPERATIONS) if (checkVmOperationState(vm.state, op).allowed) counts[op]++;
  }
  return counts;
}

export function openBulkOperation(operation: VmBulkEditOperation, keys: string[]): void {
  useBulkOperation.setState({ request: { operation, keys } });
}

export function BulkOperationDialog() {
  const request = useBulkOperation((s) => s.request);
  if (!request) return null;
  return <BulkForm key={`${request.operation}|${request.keys.join(',')}`} operation={request.operation} keys={request.keys} />;
}

const close = () => useBulkOperation.setState({ request: undefined });

function BulkForm({ operation, keys }: { operation: VmBulkEditOperation; keys: string[] }) {
  const def = vmOperationDef(operation);
  const [draft, setDraft] = useState<Draft>(() => initialBulkDraft(operation));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (name: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== name)));
  };
  const submit = () => {
    const parsed = parseDraft(operation, draft);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    close();
    // The preview asks the backend which VMs it will run on; Run queues it.
    useJobs.setState({ bulkRequest: { operation, params: parsed.params, targets: targetsOf(keys, useInventory.getState().model.vms) } });
  };
  return (
    <Dialog title={`${def.label.replace(/…$/, '')}: ${keys.length} selected VMs`} onClose={close}>
      <form
        className="op-form"
        data-testid={`bulk-op-form-${operation}`}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <BulkFields operation={operation} draft={draft} errors={errors} set={set} />
        <div className="row-actions">
          <button type="submit" className="primary" data-testid="bulk-op-next">
            Preview…
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
          {/* health: one script for the selection, grouped by host */}
          <CopyPsButton operation={operation} vms={keys.map((k) => useInventory.getState().model.vms.get(k)).filter((v): v is InventoryVm => !!v && checkVmOperationState(v.state, operation).allowed)} params={() => copyParams(operation, draft)} />
        </div>
      </form>
    </Dialog>
  );
}

function initialBulkDraft(operation: VmBulkEditOperation): Draft {
  switch (operation) {
    case 'checkpoint.create':
      return { name: `${new Date().toISOString().slice(0, 16).replace('T', ' ')}`, type: 'standard' };
  }
}

function BulkFields({ operation, ...f }: { operation: VmBulkEditOperation; draft: Draft; errors: Record<string, string>; set(name: string, value: string | boolean): void }) {
  switch (operation) {
    case 'checkpoint.create':
      return (
        <>
          <TextField name="name" label="Name (the same for every VM)" autoFocus {...f} />
          <Choices
            name="type"
            label="Type"
            options={[
              { value: 'standard', label: 'Standard (includes memory when running)' },
              { value: 'production', label: 'Production (application-consistent, through the guest)' },
            ]}
            {...f}
          />
        </>
      );
  }
}
