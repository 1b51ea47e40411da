import { useState, type ReactNode } from 'react';
import type { InventoryVm, VmDetails } from '../../../shared/contract';
import { Observed } from '../../components/Freshness';
import { StateBadge } from '../../components/vm-table/StateBadge';
import { useApp } from '../../stores/app-store';
import { useInventoryHost } from '../../stores/inventory-derived';
import { useInventory } from '../../stores/inventory-store';
import { HostSyncBanner } from './HostSyncBanner';
import { vmClusterText } from './ClusterMembership';
import { VmActions } from '../jobs/VmActions'; // jobs: VM action buttons + pending operation
import { useVmDetails, type VmDetailsState } from './useVmDetails';
import { cpuUsageText, heldMemoryText } from '../../components/vm-usage';
import { confirmedAt } from '../../stores/vm-freshness';
import { uptimeText } from '../../components/vm-table/columns';
import { VmCharts } from '../../components/charts/VmCharts';
import { heartbeatInWords } from '../../../shared/heartbeat-words';
import { ConnectPanel } from '../connect/ConnectPanel'; // connect: RDP, SSH, Hyper-V console
import { VmWarnings } from '../health/Warnings'; // health
import { CopyPsPickerButton } from '../copy-ps'; // health: Copy as PowerShell
import { CheckpointsTab, OperationButtons, OperationJobs, RowOperationButton, checkpointSummary } from '../vm-ops'; // edits, checkpoints, moves
import { VmTagChips } from '../tags'; // tags
import { VmTimeline } from '../timeline'; // the Timeline tab

const TABS = ['Hardware', 'Disks', 'Networks', 'Checkpoints', 'Notes', 'Timeline'] as const;
type Tab = (typeof TABS)[number];

const dash = (v: string | number | null | undefined, unit = '') => (v === null || v === undefined || v === '' ? '—' : `${v}${unit}`);
const gb = (mb: number | null) => (mb === null ? '—' : `${(mb / 1024).toFixed(mb % 1024 ? 1 : 0)} GB`);

/** One VM: state badge, host, IPs, OS, cluster, created; tabs for hardware, disks, networks, notes. */
export function VmDetailView({ vmKey }: { vmKey: string }) {
  useInventory((s) => s.version);
  const model = useInventory.getState().model;
  // A VM that moved to another node since this page opened is followed to its new row.
  const currentKey = model.currentKey(vmKey);
  const vm = currentKey === undefined ? undefined : model.vms.get(currentKey);
  const host = useApp((s) => (vm ? s.hosts[vm.hostId] : undefined));
  const inventoryHost = useInventoryHost(vm?.hostId);
  const navigate = useApp((s) => s.navigate);
  const [tab, setTab] = useState<Tab>('Hardware');
  const details = useVmDetails(vm);
  if (!vm) return <p className="muted">This VM is no longer in the inventory (it was deleted or its host was removed).</p>;
  const confirmed = confirmedAt(vm, inventoryHost);

  return (
    <section aria-labelledby="vm-title" className={vm.stale ? 'vm-detail stale-section' : 'vm-detail'}>
      {host && <HostSyncBanner host={host} inventoryHost={inventoryHost} />}
      <h1 id="vm-title">{vm.name}</h1>
      <p>
        <StateBadge vm={vm} /> <Observed at={confirmed} staleSince={vm.stale ? vm.staleSince : null} />
      </p>
      <VmWarnings hostId={vm.hostId} warnings={details.status === 'loaded' ? details.details.warnings : undefined} /> {/* health: the agent's warnings */}
      <VmActions vm={vm} /> {/* jobs */}
      {!vm.placeholder && <CopyPsPickerButton keys={[vm.key]} />} {/* health: Copy as PowerShell */}
      {!vm.placeholder && <ConnectPanel vm={vm} />}
      {vm.clustered && <OperationButtons vm={vm} groups={['move']} />}
      <OperationJobs vm={vm} />
      <VmTagChips vm={vm} />
      <dl className="facts" data-testid="vm-facts">
        <dt>Host</dt>
        <dd>
          <button className="link" onClick={() => navigate({ name: 'host', id: vm.hostId })}>
            {host?.displayName ?? vm.hostId}
          </button>
        </dd>
        <dt>IP addresses</dt>
        <dd>{vm.ipAddresses.length ? vm.ipAddresses.join(', ') : '—'}</dd>
        <dt>Operating system</dt>
        <dd>{dash(vm.operatingSystem)}</dd>
        <dt>Cluster</dt>
        <dd data-testid="vm-cluster">{vmClusterText(vm, inventoryHost)}</dd>
        <dt>Created</dt>
        <dd>{vm.createdAt ? new Date(vm.createdAt).toLocaleString() : '—'}</dd>
        <dt>Checkpoints</dt>
        <dd data-testid="vm-checkpoints">{checkpointSummary(vm.checkpointCount, vm.oldestCheckpointAt)}</dd>
        <dt>Uptime</dt>
        <dd>{uptimeText(vm)}</dd>
        <dt>VM ID</dt>
        <dd className="mono">{vm.vmId}</dd>
      </dl>
      <div role="tablist" aria-label="VM details" className="tabs">
        {TABS.map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tab} className="tab-panel">
        {tab === 'Timeline' && <VmTimeline vm={vm} />}
        {tab !== 'Timeline' && <WithDetails state={details}>
          {(d) => (
            <>
              {tab === 'Hardware' && <Hardware vm={vm} details={d} />}
              {tab === 'Disks' && <Disks vm={vm} details={d} />}
              {tab === 'Networks' && <Networks vm={vm} details={d} />}
              {tab === 'Checkpoints' && <CheckpointsTab vm={vm} details={d} />}
              {tab === 'Notes' && (
                <>
                  <OperationButtons vm={vm} groups={['hardware']} only={['notes']} />
                  {d.notes ? <pre className="notes">{d.notes}</pre> : <p className="muted">No notes.</p>}
                </>
              )}
            </>
          )}
        </WithDetails>}
      </div>
      {!vm.placeholder && <VmCharts hostId={vm.hostId} vmId={vm.vmId} />}
    </section>
  );
}

/** The tabs need the VM's details; until they arrive (or if they cannot), say so instead. */
function WithDetails({ state, children }: { state: VmDetailsState; children: (details: VmDetails) => ReactNode }) {
  if (state.status === 'loading') return <p className="muted">Loading details…</p>;
  if (state.status === 'error') return <p className="error" role="alert">Could not read this VM's details: {state.message}</p>;
  return <>{children(state.details)}</>;
}

function Hardware({ vm, details }: { vm: InventoryVm; details: VmDetails }) {
  return (
    <>
      <OperationButtons vm={vm} groups={['hardware']} only={['processors', 'memory']} />
      <dl className="facts">
      <dt>Virtual processors</dt>
      <dd>{dash(vm.processorCount)}</dd>
      <dt>CPU usage</dt>
      <dd>{cpuUsageText(vm)}</dd>
      <dt>Memory</dt>
      <dd>
        {vm.dynamicMemory
          ? `Dynamic: startup ${gb(vm.memoryStartupMb)}, min ${gb(details.memoryMinMb)}, max ${gb(details.memoryMaxMb)}`
          : `Static: ${gb(vm.memoryStartupMb)}`}
      </dd>
      <dt>Memory assigned / demand</dt>
      <dd>
        {heldMemoryText(vm, vm.memoryAssignedMb)} / {heldMemoryText(vm, vm.memoryDemandMb)}
      </dd>
      <dt>Heartbeat</dt>
      <dd>{dash(heartbeatInWords(vm.heartbeat))}</dd>
      <dt>Generation</dt>
      <dd>{dash(vm.generation)}</dd>
      <dt>Configuration version</dt>
      <dd>{dash(details.configurationVersion)}</dd>
      </dl>
    </>
  );
}

function Disks({ vm, details }: { vm: InventoryVm; details: VmDetails }) {
  const add = <OperationButtons vm={vm} groups={['hardware']} only={['disk.add']} />;
  if (!details.disks.length)
    return (
      <>
        {add}
        <p className="muted">No virtual disks.</p>
      </>
    );
  return (
    <>
    {add}
    <table className="table" data-testid="vm-disks">
      <thead>
        <tr>
          <th>Name</th>
          <th>Path</th>
          <th>Type</th>
          <th>Capacity</th>
          <th>File size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {details.disks.map((d) => (
          <tr key={d.id}>
            <td>{d.name}</td>
            <td className="mono">{d.path}</td>
            <td>{dash(d.type)}</td>
            <td>{dash(d.capacityGb, ' GB')}</td>
            <td>{d.fileSizeGb === null ? '—' : `${d.fileSizeGb.toFixed(1)} GB`}</td>
            <td>
              <span className="op-cell-actions">
              <RowOperationButton vm={vm} operation="disk.expand" targetId={d.id} what={`disk ${d.path}`} label="Expand…" />
              <RowOperationButton vm={vm} operation="disk.remove" targetId={d.id} what={`disk ${d.path}`} label="Remove…" />
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}

function Networks({ vm, details }: { vm: InventoryVm; details: VmDetails }) {
  const add = <OperationButtons vm={vm} groups={['hardware']} only={['nic.add']} />;
  if (!details.nics.length)
    return (
      <>
        {add}
        <p className="muted">No network adapters.</p>
      </>
    );
  return (
    <>
    {add}
    <table className="table" data-testid="vm-nics">
      <thead>
        <tr>
          <th>Adapter</th>
          <th>Switch</th>
          <th>VLAN</th>
          <th>MAC address</th>
          <th>IP addresses</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {details.nics.map((n) => (
          <tr key={n.id}>
            <td>{n.name}</td>
            <td>{dash(n.switchName)}</td>
            <td>{dash(n.vlan)}</td>
            <td className="mono">{n.macAddress}</td>
            <td>{n.ipAddresses.join(', ') || '—'}</td>
            <td>
              <span className="op-cell-actions">
              <RowOperationButton vm={vm} operation="nic.update" targetId={n.id} what={`network adapter ${n.name}`} label="Change…" />
              <RowOperationButton vm={vm} operation="nic.remove" targetId={n.id} what={`network adapter ${n.name}`} label="Remove…" />
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}
