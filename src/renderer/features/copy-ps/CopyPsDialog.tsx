// "Copy as PowerShell" (issue 16 item 7): the Hyper-V PowerShell for an operation on one VM or a
// selection (one script grouped by host), previewed, then copied. Edits, checkpoints and moves with
// parameters copy from their own dialogs (CopyPsButton), with the values typed there.
import { useState } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { VM_OPERATIONS, checkVmOperationState, vmOperationDef, type VmOperation } from '../../../shared/contract/vm-operations';
import { PsIncomplete, powerShellFor, powerShellForSelection } from '../../../shared/powershell-copy';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { Dialog } from '../jobs/Dialog';
import { closeCopyPs, copyPowerShell, useCopyPs } from './copy-store';
import { psBulkItems, psContext, psTargets, type PsSources } from './ps-targets';
import './copy-ps.css';

/** What the picker offers: the power actions, and checkpoint (with a name); delete for one VM only. */
export function pickerOperations(single: boolean): VmOperation[] {
  return VM_OPERATIONS.filter((op) => {
    const def = vmOperationDef(op);
    return def.group === 'power' || op === 'checkpoint.create' || (single && op === 'delete');
  });
}

export interface PickerChoice {
  operation: VmOperation;
  deleteDisks: boolean;
  checkpointName: string;
}

/**
 * The script for a choice: VMs whose state does not allow the operation are left out (as the bulk
 * preview skips them) and counted; one VM is one command, several are grouped by host.
 */
export function pickerScript(vms: readonly InventoryVm[], choice: PickerChoice, src: PsSources): { text: string; skipped: number } | { error: string } {
  const eligible = vms.filter((vm) => !vm.placeholder && checkVmOperationState(vm.state, choice.operation).allowed);
  if (eligible.length === 0) return { error: `None of these VMs can ${vmOperationDef(choice.operation).verb} in its current state.` };
  const params = choice.operation === 'delete' ? { deleteDisks: choice.deleteDisks } : choice.operation === 'checkpoint.create' ? { name: choice.checkpointName.trim(), type: 'standard' as const } : {};
  try {
    const text =
      vms.length === 1
        ? powerShellFor(choice.operation, psTargets(eligible, src)[0]!, params as never, psContext(eligible[0]!, src))
        : powerShellForSelection(choice.operation, psBulkItems(eligible, src), params as never);
    return { text, skipped: vms.length - eligible.length };
  } catch (error) {
    if (error instanceof PsIncomplete) return { error: error.message };
    throw error;
  }
}

export function CopyPsDialog() {
  const request = useCopyPs((s) => s.request);
  if (!request) return null;
  if (request.kind === 'preview') return <Preview title={request.title} text={request.text} />;
  return <Picker keys={request.keys} />;
}

function Preview({ title, text }: { title: string; text: string }) {
  return (
    <Dialog title={title} onClose={closeCopyPs} wide>
      <p className="muted">The clipboard could not be written: select the text and copy it yourself.</p>
      <textarea className="ps-preview" readOnly value={text} rows={Math.min(16, text.split('\n').length + 1)} data-testid="ps-preview" onFocus={(e) => e.currentTarget.select()} />
      <div className="row-actions">
        <button type="button" onClick={closeCopyPs}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

function Picker({ keys }: { keys: string[] }) {
  useInventory((s) => s.version);
  const model = useInventory.getState().model;
  const hosts = useApp((s) => s.hosts);
  const vms = keys.map((k) => model.vms.get(k)).filter((v): v is InventoryVm => !!v);
  const single = vms.length === 1;
  const options = pickerOperations(single);
  const [choice, setChoice] = useState<PickerChoice>({ operation: 'shutdown', deleteDisks: false, checkpointName: 'Checkpoint' });
  const src: PsSources = { vms: model.vms.values(), hosts, inventoryHosts: model.hosts };
  const result = vms.length ? pickerScript(vms, choice, src) : { error: 'These VMs are no longer in the inventory.' };
  const what = single ? `${vmOperationDef(choice.operation).verb} ${vms[0]!.name}` : `${vmOperationDef(choice.operation).verb} ${vms.length} VMs`;

  const copy = async () => {
    if ('text' in result && (await copyPowerShell(result.text, what))) closeCopyPs();
  };

  return (
    <Dialog title={single ? `Copy as PowerShell: ${vms[0]!.name}` : `Copy as PowerShell: ${vms.length} selected VMs`} onClose={closeCopyPs} wide>
      <form
        className="op-form"
        data-testid="copy-ps-picker"
        onSubmit={(e) => {
          e.preventDefault();
          void copy();
        }}
      >
        <label>
          Operation{' '}
          <select value={choice.operation} onChange={(e) => setChoice({ ...choice, operation: e.target.value as VmOperation })} data-testid="copy-ps-operation">
            {options.map((op) => (
              <option key={op} value={op}>
                {vmOperationDef(op).label.replace(/…$/, '')}
              </option>
            ))}
          </select>
        </label>
        {choice.operation === 'delete' && (
          <label>
            <input type="checkbox" checked={choice.deleteDisks} onChange={(e) => setChoice({ ...choice, deleteDisks: e.target.checked })} /> Also delete its disk files
          </label>
        )}
        {choice.operation === 'checkpoint.create' && (
          <label>
            Checkpoint name <input value={choice.checkpointName} maxLength={100} onChange={(e) => setChoice({ ...choice, checkpointName: e.target.value })} data-testid="copy-ps-checkpoint-name" />
          </label>
        )}
        {'error' in result ? (
          <p className="error" role="alert" data-testid="copy-ps-error">
            {result.error}
          </p>
        ) : (
          <>
            {result.skipped > 0 && (
              <p className="muted" data-testid="copy-ps-skipped">
                {result.skipped} of {vms.length} VMs left out: their state does not allow it.
              </p>
            )}
            <textarea className="ps-preview" readOnly value={result.text} rows={Math.min(16, result.text.split('\n').length + 1)} data-testid="ps-preview" />
          </>
        )}
        <p className="muted">Edits, checkpoint changes and moves: use “Copy as PowerShell” in their own dialog, with the values you typed.</p>
        <div className="row-actions">
          <button type="submit" className="primary" disabled={'error' in result} data-testid="copy-ps-copy">
            Copy
          </button>
          <button type="button" onClick={closeCopyPs}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
