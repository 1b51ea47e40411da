import type { InventoryVm, PortReach, VmReach } from '../../../shared/contract';
import { ago } from '../../components/time';

export type ReachService = 'rdp' | 'ssh';
export const SERVICE_LABEL: Record<ReachService, string> = { rdp: 'RDP', ssh: 'SSH' };

/** The table's filter on reachability: a port that answered, or a Running VM where neither did. */
export type ReachFilter = 'rdp' | 'ssh' | 'none';
export const REACH_FILTERS: readonly { value: ReachFilter; label: string }[] = [
  // Short: these sit in the State list, whose widest option sets the filter row's width.
  { value: 'rdp', label: 'RDP open' },
  { value: 'ssh', label: 'SSH open' },
  { value: 'none', label: 'No RDP/SSH' },
];

export function matchesReach(vm: Pick<InventoryVm, 'state'>, reach: VmReach | undefined, filter: ReachFilter): boolean {
  if (filter === 'none') return vm.state === 'Running' && reach?.rdp !== 'open' && reach?.ssh !== 'open';
  return reach?.[filter] === 'open';
}

/** The state of one port as the table sorts it: open first when ascending. */
export function reachSortKey(reach: VmReach | undefined, service: ReachService): string {
  const state: PortReach = reach?.[service] ?? 'unknown';
  return state === 'open' ? '0' : state === 'closed' ? '1' : '2';
}

/** The words of a cell: "Open", "Closed", or why nothing is known ("—" with a reason in the tooltip). */
export function reachCell(vm: Pick<InventoryVm, 'state' | 'ipAddresses'>, reach: VmReach | undefined, service: ReachService, enabled: boolean): { text: string; title: string; state: PortReach } {
  const label = SERVICE_LABEL[service];
  if (!enabled) return { text: '—', title: 'Reachability probing is off (Settings)', state: 'unknown' };
  if (vm.state !== 'Running') return { text: '—', title: `Not probed: the VM is ${vm.state}`, state: 'unknown' };
  if (vm.ipAddresses.length === 0) return { text: '—', title: noAddressText, state: 'unknown' };
  const state = reach?.[service] ?? 'unknown';
  if (state === 'unknown' || !reach?.checkedAt) return { text: '…', title: `${label} not probed yet`, state: 'unknown' };
  const at = reach[service === 'rdp' ? 'rdpAddress' : 'sshAddress'];
  const when = new Date(reach.checkedAt).toLocaleTimeString();
  return state === 'open'
    ? { text: 'Open', title: `${label} answered at ${at} (checked ${when})`, state }
    : { text: 'Closed', title: `${label} did not answer on ${vm.ipAddresses.join(', ')} (checked ${when})`, state };
}

export const noAddressText = 'No IP address reported: the VM is off or its integration services do not report one.';

/** Why the buttons are (or are not) enabled, in one sentence. */
export function statusText(vm: Pick<InventoryVm, 'state' | 'ipAddresses'>, reach: VmReach | undefined, enabled: boolean): string {
  if (vm.ipAddresses.length === 0) return noAddressText;
  if (vm.state !== 'Running') return `The VM is ${vm.state}: start it to connect.`;
  if (!enabled) return 'Reachability probing is off (Settings): no address is known to answer.';
  if (!reach?.checkedAt) return `Checking RDP and SSH on ${vm.ipAddresses.join(', ')}…`;
  const checked = `checked ${ago(reach.checkedAt)}`;
  if (!reach.address) return `None of its addresses (${vm.ipAddresses.join(', ')}) answered RDP or SSH from this workstation (${checked}).`;
  return `Reachable at ${reach.address} (${checked}).`;
}
