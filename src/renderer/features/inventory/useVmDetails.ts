import { useEffect, useState } from 'react';
import type { InventoryVm, VmDetails } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';

export type VmDetailsState = { status: 'loading' } | { status: 'loaded'; details: VmDetails } | { status: 'error'; message: string };

/**
 * Disks, NICs, notes and memory limits of one VM, fetched with `inventory.vm` (rows carry only what
 * lists need). Fetched again whenever the row's `detailsHash` changes, so an open page follows a
 * refresh that changed the VM's configuration; hot-state deltas do not refetch.
 */
export function useVmDetails(vm: Pick<InventoryVm, 'hostId' | 'vmId' | 'detailsHash' | 'placeholder'> | undefined): VmDetailsState {
  const backend = useApp((s) => s.backend);
  const [state, setState] = useState<VmDetailsState>({ status: 'loading' });
  const hostId = vm?.hostId;
  const vmId = vm?.vmId;
  const hash = vm?.detailsHash;
  const placeholder = vm?.placeholder ?? false;
  useEffect(() => {
    if (!backend || !hostId || !vmId) return;
    if (placeholder) {
      setState({ status: 'loaded', details: { memoryMinMb: null, memoryMaxMb: null, configurationVersion: null, notes: null, disks: [], nics: [], checkpoints: [], currentCheckpointId: null } });
      return;
    }
    let live = true;
    void backend.invoke('inventory.vm', { hostId, vmId }).then((result) => {
      if (!live) return;
      setState(result.ok ? { status: 'loaded', details: result.data.details } : { status: 'error', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, [backend, hostId, vmId, hash, placeholder]);
  return state;
}
