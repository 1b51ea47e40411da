/**
 * The lab's side of the agent's VM operations (docs/agent.md): vm.create streams its steps over a
 * few seconds (scaled by slowFactor) and runs the KVP key exchange with real RSA/AES against a
 * simulated guest; vm.action applies contracts §7 with transition delays; vm.delete keeps shared
 * disks. Knobs: missing image, not enough memory, a hang, a host that echoes a secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimVm, VmState } from '../model/types';
import { VM_OPERATION_DEFS, type VmPowerOperation } from '../../../src/shared/contract/vm-operations';
import { settleVmPower } from './power';
import { checkpointOperations } from './jobs/checkpoints';
import { hardwareOperations } from './jobs/hardware';
import { jobKnobs, jobStats } from './jobs/knobs';
import { guestGenerateKey, guestRead, hostPublish, type KvpPool } from './jobs/kvp-guest';
import { moveOperations } from './jobs/move';
import { AgentOperationError, type AgentOperation, type AgentOperationContext } from './types';

export { jobKnobs, jobStats, setJobKnobs, type JobKnobs } from './jobs/knobs';

async function hangIfAsked(ctx: AgentOperationContext): Promise<void> {
  if (!jobKnobs(ctx.host).hang) return;
  ctx.log('waiting for Hyper-V…', 'info');
  await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function findVm(ctx: AgentOperationContext): SimVm {
  const vmId = str(ctx.envelope.fields.vmId)?.toLowerCase();
  if (!vmId) throw new AgentOperationError('INVALID_FIELDS', 'vmId is required.');
  const vm = ctx.host.model.vms.find((v) => v.id === vmId);
  if (!vm) throw new AgentOperationError('VM_NOT_FOUND', `No VM with id ${vmId} on ${ctx.host.computerName}.`);
  return vm;
}

/** States each power action needs: the one table of VM operations (src/shared/contract/vm-operations.ts). */
const ALLOWED: Partial<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(VM_OPERATION_DEFS)
    .filter(([, def]) => def.group === 'power')
    .map(([action, def]) => [action as VmPowerOperation, def.allowed]),
);
/** The log line's verb, as Invoke-VmAction.ps1 words it. */
const VERB: Record<string, string> = { start: 'start', shutdown: 'shut down', turnoff: 'turn off', restart: 'restart', save: 'save', pause: 'pause', resume: 'resume' };
const TRANSITION: Record<string, [VmState | null, VmState]> = {
  start: ['Starting', 'Running'],
  shutdown: ['Stopping', 'Off'],
  turnoff: [null, 'Off'],
  restart: ['Starting', 'Running'],
  save: ['Saving', 'Saved'],
  pause: ['Pausing', 'Paused'],
  resume: ['Resuming', 'Running'],
};

const vmAction: AgentOperation = async (ctx) => {
  const s = jobStats(ctx.host);
  s.actions++;
  s.actionsRunning++;
  s.maxActionsRunning = Math.max(s.maxActionsRunning, s.actionsRunning);
  try {
    await hangIfAsked(ctx);
    const vm = findVm(ctx);
    const action = str(ctx.envelope.fields.action) ?? '';
    if (!ALLOWED[action]) throw new AgentOperationError('INVALID_FIELDS', `Unknown action '${action}'.`);
    const previousState = vm.state;
    if (!ALLOWED[action]!.includes(vm.state)) throw new AgentOperationError('INVALID_STATE', `Cannot ${action} VM ${vm.name} while it is ${vm.state}.`, { vmId: vm.id, state: vm.state });
    const [transitional, final] = TRANSITION[action]!;
    ctx.log(`${VERB[action]} VM '${vm.name}' (was ${previousState})`, 'info', action);
    if (transitional) vm.state = transitional;
    await ctx.sleep(jobKnobs(ctx.host).actionMs);
    vm.state = final;
    settleVmPower(ctx.host.model, vm, previousState, action);
    vm.operatingSystem = final === 'Running' ? (vm.osFamily === 'linux' ? 'Ubuntu 22.04' : 'Windows Server 2022 Datacenter') : vm.operatingSystem;
    return { vmId: vm.id, vmName: vm.name, action, previousState, state: vm.state };
  } finally {
    s.actionsRunning--;
  }
};

const vmDelete: AgentOperation = async (ctx) => {
  await hangIfAsked(ctx);
  const vm = findVm(ctx);
  const force = ctx.envelope.fields.force === true;
  if (vm.state !== 'Off' && !force) throw new AgentOperationError('INVALID_STATE', `VM ${vm.name} is ${vm.state}; turn it off first or use force.`, { vmId: vm.id, state: vm.state });
  if (vm.state !== 'Off') {
    ctx.log(`turning off ${vm.name}`, 'info', 'stop');
    await ctx.sleep(jobKnobs(ctx.host).actionMs);
    vm.state = 'Off';
  }
  const disksDeleted: string[] = [];
  const disksKept: Array<{ path: string; reason: string }> = [];
  // As Remove-AetherVm.ps1: every disk is either deleted or listed as kept, with the reason.
  for (const d of vm.disks) {
    if (ctx.envelope.fields.deleteDisks !== true) disksKept.push({ path: d.path, reason: 'deleteDisks was false' });
    else if (/shared/i.test(d.name)) disksKept.push({ path: d.path, reason: 'shared disk (persistent reservations)' });
    else disksDeleted.push(d.path);
  }
  ctx.log(`Removing VM '${vm.name}'`, 'info', 'remove');
  await ctx.sleep(jobKnobs(ctx.host).actionMs);
  ctx.host.model.vms = ctx.host.model.vms.filter((v) => v.id !== vm.id);
  for (const path of disksDeleted) ctx.log(`Deleting disk ${path}`, 'info', 'disks');
  for (const k of disksKept) ctx.log(`Kept disk ${k.path}: ${k.reason}`, 'warning', 'disks');
  return { vmId: vm.id, vmName: vm.name, status: 'deleted', disksDeleted, disksKept };
};

const NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

type CreateKind = { kind: 'blank'; bootSource: 'iso' | 'network'; isoPath?: string } | { kind: 'template' | 'customised' };

/** New-AetherVm.ps1's rules for the three kinds of VM (the same refusals, in the same words). */
function createKindOf(f: Record<string, unknown>): CreateKind {
  const refuse = (message: string) => new AgentOperationError('INVALID_FIELDS', message);
  const notGiven = (name: string, why: string) => {
    if (f[name] !== undefined && f[name] !== null) throw refuse(`Field '${name}' does not apply to ${why}; leave it out.`);
  };
  const kind = f.provisioning ?? (f.guest ? 'customised' : 'template');
  if (kind !== 'blank' && kind !== 'template' && kind !== 'customised') throw refuse("Field 'provisioning' must be 'blank', 'template' or 'customised'.");
  if (kind === 'blank') {
    notGiven('imagePath', 'a blank VM (it has no golden image)');
    notGiven('guest', 'a blank VM (its guest is not configured)');
    const bootSource = f.bootSource ?? 'iso';
    if (bootSource !== 'iso' && bootSource !== 'network') throw refuse("Field 'bootSource' must be 'iso' or 'network'.");
    if (bootSource === 'network') {
      notGiven('isoPath', 'network boot');
      if (Number(f.generation ?? 2) !== 2) throw refuse("Field 'bootSource': network boot needs a generation 2 VM; choose generation 2 or boot from an ISO image.");
      return { kind, bootSource };
    }
    const isoPath = str(f.isoPath);
    if (!isoPath) throw refuse("Field 'isoPath' is required to boot a blank VM from an ISO image.");
    if (!/^[A-Za-z]:\\/.test(isoPath) || isoPath.split('\\').includes('..') || !/\.iso$/i.test(isoPath)) throw refuse("Field 'isoPath' must be an absolute Windows path without '..' to an .iso file.");
    return { kind, bootSource, isoPath };
  }
  if (!str(f.imagePath)) throw refuse(`Required field 'imagePath' is missing (a ${kind} VM is a copy of a golden image).`);
  notGiven('bootSource', 'a VM from a template (it boots from its copied disk)');
  notGiven('isoPath', 'a VM from a template (it boots from its copied disk)');
  if (kind === 'template') notGiven('guest', "a VM from a template without customisation (use provisioning 'customised')");
  else if (!f.guest) throw refuse("Field 'guest' is required for a customised VM (its settings are what the guest applies).");
  return { kind };
}

const vmCreate: AgentOperation = async (ctx) => {
  jobStats(ctx.host).creates++;
  const f = ctx.envelope.fields;
  const k = jobKnobs(ctx.host);
  const vmName = str(f.vmName) ?? '';
  if (!NAME.test(vmName)) throw new AgentOperationError('INVALID_FIELDS', 'vmName is missing or not a valid VM name.');
  const osFamily = f.osFamily === 'linux' ? 'linux' : 'windows';
  if (ctx.host.model.vms.some((v) => v.name.toLowerCase() === vmName.toLowerCase())) throw new AgentOperationError('VM_EXISTS', `A VM named ${vmName} already exists.`);
  const step = async (name: string, message: string) => {
    ctx.log(message, 'info', name);
    await ctx.sleep(k.stepMs);
  };
  const create = createKindOf(f);
  const imagePath = str(f.imagePath) ?? '';
  if (create.kind !== 'blank' && k.missingImage) throw new AgentOperationError('IMAGE_NOT_FOUND', `Golden image ${imagePath} does not exist on ${ctx.host.computerName}.`);
  if (create.kind === 'blank' && create.isoPath && k.missingIso) {
    throw new AgentOperationError('ISO_NOT_FOUND', `ISO image ${create.isoPath} does not exist on ${ctx.host.computerName}; copy it to the host (or a share the host can read) and give its full path.`);
  }
  await hangIfAsked(ctx);
  const vmRoot = `${str(f.vmRootPath) ?? 'C:\\VMs'}\\${vmName}`;
  const hasDisk = create.kind !== 'blank' || typeof f.diskSizeGB === 'number';
  if (create.kind === 'blank') {
    if (hasDisk) await step('new-disk', `Creating an empty ${Number(f.diskSizeGB)} GiB disk ${vmRoot}\\${vmName}.vhdx`);
  } else await step('copy-image', `Copying image ${imagePath} to ${vmRoot}`);
  const guest = create.kind === 'customised' ? ((f.guest ?? undefined) as Record<string, string> | undefined) : undefined;
  if (guest) await step('copy-iso', `Staging ${osFamily === 'linux' ? 'Linux' : 'Windows'}Provisioning.iso`);
  await step('register', `Registering VM ${vmName} (generation ${Number(f.generation ?? 2)}, ${Number(f.cpuCount ?? 2)} vCPU, ${Number(f.memoryGB ?? 4)} GiB)`);
  if (k.notEnoughMemory) {
    ctx.log('Rolling back: removing the VM and its folder', 'warning', 'start');
    throw new AgentOperationError('HYPERV_ERROR', `'${vmName}' failed to start. Not enough memory in the system to start the virtual machine ${vmName}.`);
  }
  const vm: SimVm = {
    id: randomUUID(),
    name: vmName,
    state: 'Running',
    cpuUsagePercent: 3,
    memoryAssignedMiB: Number(f.memoryGB ?? 4) * 1024,
    memoryStartupMiB: Number(f.memoryGB ?? 4) * 1024,
    memoryMinimumMiB: 512,
    memoryMaximumMiB: 1048576,
    dynamicMemoryEnabled: false,
    processorCount: Number(f.cpuCount ?? 2),
    generation: Number(f.generation ?? 2) === 1 ? 1 : 2,
    configurationVersion: '10.0',
    notes: null,
    operatingSystem: null,
    osFamily,
    creationTime: new Date().toISOString(),
    bootedAt: new Date().toISOString(),
    ipAddresses: [],
    disks: hasDisk
      ? [
          {
            id: `Microsoft:${randomUUID().toUpperCase()}\\${randomUUID().toUpperCase()}\\0\\0\\D`,
            name: `${vmName}.vhdx`,
            path: `${vmRoot}\\${vmName}.vhdx`,
            diskType: 'Dynamic',
            capacityBytes: Number(f.diskSizeGB ?? 60) * 1024 ** 3,
            // A new blank disk holds nothing yet; a copied image does.
            fileSizeBytes: create.kind === 'blank' ? 4 * 1024 ** 2 : 9 * 1024 ** 3,
          },
        ]
      : [],
    nics: [{ id: `Microsoft:${randomUUID().toUpperCase()}`, name: 'Network Adapter', switchName: str(f.switchName) ?? null, vlan: typeof f.vlanId === 'number' ? f.vlanId : null, macAddress: randomBytes(6).toString('hex').toUpperCase(), ipAddresses: [] }],
    isClustered: false,
  };
  if (create.kind === 'blank') {
    const id = `Microsoft:${vm.id.toUpperCase()}\\${randomUUID().toUpperCase()}`;
    if (create.isoPath) {
      vm.dvdDrives = [{ id: `${id}\\${vm.generation === 1 ? 1 : 0}\\${vm.generation === 1 ? 0 : hasDisk ? 1 : 0}\\D`, path: create.isoPath, controllerNumber: vm.generation === 1 ? 1 : 0, controllerLocation: vm.generation === 1 || !hasDisk ? 0 : 1 }];
      await step('attach-iso', `Attaching ISO image ${create.isoPath}`);
    }
    if (vm.generation === 2) vm.firmware = { firstBootDeviceId: create.isoPath ? vm.dvdDrives![0]!.id : vm.nics[0]!.id };
  }
  await step('start', `Starting ${vmName}`);
  let provisioned = false;
  if (guest) {
    // The guest boots and answers the handshake; both sides run real crypto.
    const hostPool: KvpPool = new Map();
    hostPool.set('hlvmm.meta.version', '1.0.0');
    hostPool.set('hlvmm.meta.host_provisioning_system_state', 'waitingforpublickey');
    await step('wait-key', 'Waiting for the guest public key');
    const keys = guestGenerateKey();
    if (k.echoSecret && guest.guest_la_pw) ctx.log(`debug: local admin ${guest.guest_la_uid} / ${guest.guest_la_pw}`, 'info', 'wait-key');
    ctx.log('Guest public key received (RSA 2048)', 'info', 'wait-key');
    hostPublish(hostPool, keys.publicKeyB64, { guest_host_name: vmName, ...guest });
    const published = [...hostPool.keys()].filter((key) => key.startsWith('hlvmm.data.')).length;
    await step('publish', `Published ${published} encrypted provisioning values`);
    hostPool.set('hlvmm.meta.host_provisioning_system_state', 'provisioningdatapublished');
    await step('wait-apply', 'Waiting for the guest to apply the provisioning data');
    let data: Record<string, string>;
    try {
      data = guestRead(hostPool, keys);
    } catch (error) {
      throw new AgentOperationError('GUEST_PROVISIONING_FAILED', `The guest reported failure: ${(error as Error).message}`, { vmId: vm.id, guestError: (error as Error).message });
    }
    if (data.guest_v4_ip_addr) vm.ipAddresses = [data.guest_v4_ip_addr];
    vm.nics[0]!.ipAddresses = [...vm.ipAddresses];
    ctx.log(`Guest state: provisioningapplied${data.guest_domain_join_target ? ` (joined ${data.guest_domain_join_target})` : ''}`, 'info', 'wait-apply');
    await step('cleanup', 'Detaching the provisioning DVD and deleting the ISO copy');
    provisioned = true;
  }
  // A blank VM runs its installer (or waits for PXE): no operating system reports in yet.
  vm.operatingSystem = create.kind === 'blank' ? null : osFamily === 'linux' ? 'Ubuntu 22.04' : 'Windows Server 2022 Datacenter';
  ctx.host.model.vms.push(vm);
  // A new VM is a cluster role only when the create asked for it (New-AetherVm's last step).
  const clustered = f.clustered === true;
  if (clustered) {
    ctx.log(`Adding VM '${vmName}' to the cluster`, 'info', 'cluster');
    if (!ctx.host.model.cluster) {
      throw new AgentOperationError('INTERNAL_ERROR', `VM '${vmName}' was created (id ${vm.id}) but The cluster service is not running.  Make sure that the service is running on all nodes in the cluster.`, { vmId: vm.id });
    }
    vm.isClustered = true;
  }
  return { vmId: vm.id, vmName, status: 'created', provisioning: create.kind, vhdPath: vm.disks[0]?.path ?? null, provisioned, clustered };
};

export const jobOperations: Record<string, AgentOperation> = {
  'vm.create': vmCreate,
  'vm.action': vmAction,
  'vm.delete': vmDelete,
  ...hardwareOperations,
  ...checkpointOperations,
  ...moveOperations,
};
