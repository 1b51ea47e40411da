import type { InventoryVm, VmDetails } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';

/**
 * The dialogs' drafts (what the inputs hold) and their conversion to an operation's parameters.
 * Only what the form itself can know is checked here (a number is a whole number, a required
 * choice was made); ranges and the host's facts (switches, paths, memory, state) are the backend's
 * check, whose answer names the field (`params.<name>`) and is shown at it.
 */
export type Draft = Record<string, string | boolean>;
export type Parsed<K extends VmEditOperation> =
  { ok: true; params: VmOperationParams[K] } | { ok: false; errors: Record<string, string> };

const str = (d: Draft, k: string): string => (typeof d[k] === 'string' ? (d[k] as string).trim() : '');
const bool = (d: Draft, k: string): boolean => d[k] === true;

class Reader {
  readonly errors: Record<string, string> = {};
  constructor(private readonly draft: Draft) {}
  whole(k: string, what: string): number {
    const text = str(this.draft, k);
    if (!/^\d+$/.test(text)) {
      this.errors[k] = text ? `${what} must be a whole number` : `enter ${what}`;
      return 0;
    }
    return Number(text);
  }
  optionalWhole(k: string, what: string): number | undefined {
    return str(this.draft, k) === '' ? undefined : this.whole(k, what);
  }
  required(k: string, what: string): string {
    const text = str(this.draft, k);
    if (!text) this.errors[k] = `choose ${what}`;
    return text;
  }
  vlan(k: string): number | null {
    return str(this.draft, k) === '' ? null : this.whole(k, 'the VLAN id');
  }
}

const done = <K extends VmEditOperation>(r: Reader, params: VmOperationParams[K]): Parsed<K> =>
  Object.keys(r.errors).length ? { ok: false, errors: r.errors } : { ok: true, params };

/** The draft of one operation as its parameters, or the fields' errors. */
export function parseDraft<K extends VmEditOperation>(op: K, draft: Draft): Parsed<K> {
  const r = new Reader(draft);
  const parse = PARSERS[op] as (r: Reader, d: Draft) => VmOperationParams[K];
  const params = parse(r, draft);
  return done<K>(r, params);
}

const PARSERS: { [K in VmEditOperation]: (r: Reader, d: Draft) => VmOperationParams[K] } = {
  processors: (r) => ({ count: r.whole('count', 'the number of processors') }),
  memory: (r, d) => {
    const dynamic = bool(d, 'dynamic');
    const startupMb = r.whole('startupMb', 'the startup memory');
    if (!dynamic) return { startupMb, dynamic };
    const minimumMb = r.optionalWhole('minimumMb', 'the minimum');
    const maximumMb = r.optionalWhole('maximumMb', 'the maximum');
    const bufferPercent = r.optionalWhole('bufferPercent', 'the buffer');
    return {
      startupMb,
      dynamic,
      ...(minimumMb !== undefined ? { minimumMb } : {}),
      ...(maximumMb !== undefined ? { maximumMb } : {}),
      ...(bufferPercent !== undefined ? { bufferPercent } : {}),
    };
  },
  notes: (_r, d) => ({ notes: typeof d.notes === 'string' ? d.notes : '' }),
  'disk.add': (r, d) => {
    if (d.mode === 'existing')
      return { mode: 'existing', path: r.required('path', 'the path of an existing virtual disk') };
    const folder = str(d, 'folder');
    return { mode: 'new', sizeGb: r.whole('sizeGb', 'the size in GB'), ...(folder ? { folder } : {}) };
  },
  'disk.expand': (r) => ({
    diskId: r.required('diskId', 'a disk'),
    sizeGb: r.whole('sizeGb', 'the new size in GB'),
  }),
  'disk.remove': (r, d) => ({ diskId: r.required('diskId', 'a disk'), deleteFile: bool(d, 'deleteFile') }),
  'nic.add': (r, d) => {
    const switchName = r.required('switchName', 'a virtual switch');
    const vlan = r.vlan('vlan');
    const macAddress = d.macMode === 'static' ? r.required('macAddress', 'a MAC address (or dynamic)') : null;
    return { switchName, vlan, macAddress };
  },
  'nic.update': (r, d) => {
    const nicId = r.required('nicId', 'a network adapter');
    const switchName = str(d, 'switchName');
    return { nicId, ...(switchName ? { switchName } : {}), vlan: r.vlan('vlan') };
  },
  'nic.remove': (r) => ({ nicId: r.required('nicId', 'a network adapter') }),
  'checkpoint.create': (r, d) => ({
    name: r.required('name', 'a name'),
    type: d.type === 'production' ? 'production' : 'standard',
  }),
  'checkpoint.apply': (r) => ({ checkpointId: r.required('checkpointId', 'a checkpoint') }),
  'checkpoint.rename': (r) => ({
    checkpointId: r.required('checkpointId', 'a checkpoint'),
    name: r.required('name', 'a name'),
  }),
  'checkpoint.delete': (r, d) => ({
    checkpointId: r.required('checkpointId', 'a checkpoint'),
    subtree: bool(d, 'subtree'),
  }),
  move: (r, d) => ({
    targetHostId: r.required('targetHostId', 'a node'),
    migrationType: d.migrationType === 'quick' ? 'quick' : 'live',
  }),
};

const text = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** What a dialog starts with: the VM's current values, the given disk/adapter/checkpoint chosen. */
export function initialDraft(
  op: VmEditOperation,
  vm: Pick<InventoryVm, 'processorCount' | 'memoryStartupMb' | 'dynamicMemory' | 'state'>,
  details: VmDetails | undefined,
  targetId?: string,
): Draft {
  const target = targetId ?? '';
  switch (op) {
    case 'processors':
      return { count: text(vm.processorCount) };
    case 'memory':
      return {
        startupMb: text(vm.memoryStartupMb),
        dynamic: vm.dynamicMemory,
        minimumMb: text(details?.memoryMinMb),
        maximumMb: text(details?.memoryMaxMb),
        bufferPercent: '',
      };
    case 'notes':
      return { notes: details?.notes ?? '' };
    case 'disk.add':
      return { mode: 'new', sizeGb: '', folder: '', path: '' };
    case 'disk.expand': {
      const disk = details?.disks.find((d) => d.id === target);
      return { diskId: target, sizeGb: disk?.capacityGb ? String(Math.ceil(disk.capacityGb)) : '' };
    }
    case 'disk.remove':
      return { diskId: target, deleteFile: false };
    case 'nic.add':
      return { switchName: '', vlan: '', macMode: 'dynamic', macAddress: '' };
    case 'nic.update': {
      const nic = details?.nics.find((n) => n.id === target);
      return { nicId: target, switchName: nic?.switchName ?? '', vlan: text(nic?.vlan) };
    }
    case 'nic.remove':
      return { nicId: target };
    case 'checkpoint.create':
      return { name: `${new Date().toISOString().slice(0, 16).replace('T', ' ')}`, type: 'standard' };
    case 'checkpoint.rename':
      return { checkpointId: target, name: details?.checkpoints.find((c) => c.id === target)?.name ?? '' };
    case 'checkpoint.apply':
      return { checkpointId: target };
    case 'checkpoint.delete':
      return { checkpointId: target, subtree: false };
    case 'move':
      return { targetHostId: '', migrationType: vm.state === 'Running' ? 'live' : 'quick' };
  }
}

/** The words naming the disk, adapter or checkpoint an operation touches (for the question). */
export function targetWords(
  op: VmEditOperation,
  details: VmDetails | undefined,
  draft: Draft,
): string | undefined {
  if (!details) return undefined;
  if (typeof draft.diskId === 'string' && draft.diskId) {
    const disk = details.disks.find((d) => d.id === draft.diskId);
    return disk
      ? `disk ${disk.path}${op === 'disk.remove' && draft.deleteFile === true ? ' (and its file)' : ''}`
      : undefined;
  }
  if (typeof draft.nicId === 'string' && draft.nicId) {
    const nic = details.nics.find((n) => n.id === draft.nicId);
    return nic ? `network adapter ${nic.name}${nic.switchName ? ` on ${nic.switchName}` : ''}` : undefined;
  }
  if (typeof draft.checkpointId === 'string' && draft.checkpointId) {
    const cp = details.checkpoints.find((c) => c.id === draft.checkpointId);
    return cp
      ? `checkpoint "${cp.name}"${op === 'checkpoint.delete' && draft.subtree === true ? ' and every checkpoint below it' : ''}`
      : undefined;
  }
  return undefined;
}
