import { useState } from 'react';
import { useApp } from '../../stores/app-store';
import { rememberJobs, useJobs } from '../../stores/jobs-store';
import { useInventory } from '../../stores/inventory-store';
import { Dialog } from './Dialog';
import { counted } from '../../../shared/counted';
import { CopyPsButton } from '../copy-ps/CopyPsButton'; // health: Copy as PowerShell

/**
 * Delete a VM: optionally with its disks (the backend never deletes shared disks), turning it off
 * first when it is not Off, and only once the user typed its exact name.
 */
export function DeleteVmDialog() {
  const key = useJobs((s) => s.deleteKey);
  useInventory((s) => s.version);
  const vm = key ? useInventory.getState().model.vms.get(key) : undefined;
  if (!key) return null;
  const close = () => useJobs.setState({ deleteKey: undefined });
  if (!vm) {
    return (
      <Dialog title="Delete VM" onClose={close}>
        <p className="muted">This VM is no longer in the inventory.</p>
      </Dialog>
    );
  }
  return <DeleteForm key={key} vmKey={key} onClose={close} />;
}

function DeleteForm({ vmKey, onClose }: { vmKey: string; onClose(): void }) {
  const vm = useInventory.getState().model.vms.get(vmKey)!;
  const backend = useApp((s) => s.backend);
  const navigate = useApp((s) => s.navigate);
  const [deleteDisks, setDeleteDisks] = useState(false);
  const [force, setForce] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const needsForce = vm.state !== 'Off';
  const ready = typed === vm.name && (!needsForce || force) && !busy;

  const submit = async () => {
    if (!backend || !ready) return;
    setBusy(true);
    const result = await backend.invoke('vm.delete', { hostId: vm.hostId, vmId: vm.vmId, deleteDisks, confirmName: typed, ...(needsForce ? { force: true } : {}) });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    rememberJobs([result.data]);
    onClose();
    navigate({ name: 'job', id: result.data.id });
  };

  return (
    <Dialog title={`Delete ${vm.name}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        data-testid="delete-vm-form"
      >
        <p>
          The VM is removed from its host. This cannot be undone. Current state: <strong>{vm.state}</strong>.
        </p>
        <label className="check">
          <input type="checkbox" checked={deleteDisks} onChange={(e) => setDeleteDisks(e.target.checked)} data-testid="delete-disks" />
          Also delete its disks ({counted(vm.diskCount, 'virtual disk')}; shared disks are never deleted)
        </label>
        {needsForce && (
          <label className="check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="delete-force" />
            Turn it off first (it is {vm.state})
          </label>
        )}
        <div className="field">
          <label htmlFor="delete-confirm">
            Type <strong className="mono">{vm.name}</strong> to confirm
          </label>
          <input id="delete-confirm" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="delete-confirm" autoFocus />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row-actions">
          <button type="submit" className="danger" disabled={!ready} data-testid="delete-submit">
            {busy ? 'Deleting…' : 'Delete VM'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {/* health: the PowerShell for this delete */}
          <CopyPsButton operation="delete" vms={[vm]} params={() => ({ ok: true, params: { deleteDisks, force: needsForce } })} />
        </div>
      </form>
    </Dialog>
  );
}
