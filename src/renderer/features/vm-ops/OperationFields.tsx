import type { HostView, InventoryHost, InventoryVm, VmDetails } from '../../../shared/contract';
import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import { CheckField, Choices, SelectField, TextArea, TextField } from './fields';
import type { Draft } from './form-model';
import { moveTargets, moveTargetText, vmMemoryNeedGb } from './move-model';
import { checkpointRows } from './checkpoint-tree';

/**
 * The fields of each edit operation's dialog (OperationDialog): one case per operation, so the
 * compiler names an operation added to the table without its fields.
 */
export type FieldsProps = {
  operation: VmEditOperation;
  vm: InventoryVm;
  details: VmDetails | undefined;
  hosts: InventoryHost[];
  hostViews: Record<string, HostView>;
  draft: Draft;
  errors: Record<string, string>;
  set(name: string, value: string | boolean): void;
};

function diskOptions(details: VmDetails | undefined) {
  return (details?.disks ?? []).map((d) => ({
    value: d.id,
    label: `${d.name} — ${d.path}${d.capacityGb !== null ? ` (${d.capacityGb} GB)` : ''}`,
  }));
}
function nicOptions(details: VmDetails | undefined) {
  return (details?.nics ?? []).map((n) => ({
    value: n.id,
    label: `${n.name}${n.switchName ? ` on ${n.switchName}` : ''}${n.vlan !== null ? `, VLAN ${n.vlan}` : ''}`,
  }));
}
function checkpointOptions(details: VmDetails | undefined) {
  return checkpointRows(details?.checkpoints ?? [], details?.currentCheckpointId ?? null).flatMap((r) =>
    r.kind === 'checkpoint'
      ? [
          {
            value: r.checkpoint.id,
            label: `${'  '.repeat(r.depth)}${r.checkpoint.name} (${new Date(r.checkpoint.createdAt).toLocaleString()})`,
          },
        ]
      : [],
  );
}

/** The switch picker: the host's reported switches; a text field when the host has not reported them. */
function SwitchField(p: FieldsProps & { allowKeep?: boolean }) {
  const switches = p.hosts.find((h) => h.hostId === p.vm.hostId)?.switches;
  const { draft, errors, set } = p;
  if (!switches)
    return (
      <TextField
        name="switchName"
        label="Virtual switch"
        hint="the host has not reported its switches yet: type the name"
        {...{ draft, errors, set }}
      />
    );
  return (
    <SelectField
      name="switchName"
      label="Virtual switch"
      options={switches.map((s) => ({ value: s, label: s }))}
      placeholder={p.allowKeep ? '(keep the current switch)' : 'Choose a switch…'}
      {...{ draft, errors, set }}
    />
  );
}

/** The pickers of the VM's disks, adapters and checkpoints, each used by several operations. */
function DiskPicker(p: FieldsProps) {
  return (
    <SelectField
      name="diskId"
      label="Disk"
      options={diskOptions(p.details)}
      placeholder="Choose a disk…"
      draft={p.draft}
      errors={p.errors}
      set={p.set}
    />
  );
}
function NicPicker(p: FieldsProps) {
  return (
    <SelectField
      name="nicId"
      label="Network adapter"
      options={nicOptions(p.details)}
      placeholder="Choose an adapter…"
      draft={p.draft}
      errors={p.errors}
      set={p.set}
    />
  );
}
function CheckpointPicker(p: FieldsProps) {
  return (
    <SelectField
      name="checkpointId"
      label="Checkpoint"
      options={checkpointOptions(p.details)}
      placeholder="Choose a checkpoint…"
      draft={p.draft}
      errors={p.errors}
      set={p.set}
    />
  );
}

export function OperationFields(p: FieldsProps) {
  const { draft, errors, set } = p;
  const f = { draft, errors, set };
  switch (p.operation) {
    case 'processors':
      return (
        <TextField
          name="count"
          label="Virtual processors"
          numeric
          autoFocus
          hint={`now ${p.vm.processorCount ?? 'unknown'}`}
          {...f}
        />
      );
    case 'memory':
      return (
        <>
          <TextField name="startupMb" label="Startup memory (MB)" numeric {...f} />
          <CheckField name="dynamic" label="Dynamic memory" {...f} />
          {draft.dynamic === true && (
            <div className="grid">
              <TextField name="minimumMb" label="Minimum (MB)" numeric {...f} />
              <TextField name="maximumMb" label="Maximum (MB)" numeric {...f} />
              <TextField name="bufferPercent" label="Buffer (%)" numeric placeholder="unchanged" {...f} />
            </div>
          )}
          {p.vm.state === 'Running' && (
            <p className="hint">
              While the VM runs, Hyper-V only lets dynamic memory widen: a lower minimum, a higher maximum,
              another buffer.
            </p>
          )}
        </>
      );
    case 'notes':
      return <TextArea name="notes" label="Notes" {...f} />;
    case 'disk.add':
      return (
        <>
          <Choices
            name="mode"
            label="Disk"
            options={[
              { value: 'new', label: 'New virtual disk (dynamic VHDX)' },
              { value: 'existing', label: 'Existing virtual disk file' },
            ]}
            {...f}
          />
          {draft.mode === 'existing' ? (
            <TextField name="path" label="Path on the host" placeholder="D:\Hyper-V\Disks\data.vhdx" {...f} />
          ) : (
            <>
              <TextField name="sizeGb" label="Size (GB)" numeric autoFocus {...f} />
              <TextField
                name="folder"
                label="Folder (optional)"
                placeholder="the folder of the VM's first disk"
                {...f}
              />
            </>
          )}
        </>
      );
    case 'disk.expand':
      return (
        <>
          <DiskPicker {...p} />
          <TextField
            name="sizeGb"
            label="New size (GB)"
            numeric
            hint="larger than the current size: a disk is never shrunk"
            {...f}
          />
        </>
      );
    case 'disk.remove':
      return (
        <>
          <DiskPicker {...p} />
          <CheckField
            name="deleteFile"
            label="Also delete the disk's file (never a file another VM uses)"
            {...f}
          />
        </>
      );
    case 'nic.add':
      return (
        <>
          <SwitchField {...p} />
          <TextField name="vlan" label="VLAN (optional)" numeric placeholder="untagged" {...f} />
          <Choices
            name="macMode"
            label="MAC address"
            options={[
              { value: 'dynamic', label: 'Dynamic' },
              { value: 'static', label: 'Static' },
            ]}
            {...f}
          />
          {draft.macMode === 'static' && (
            <TextField name="macAddress" label="Static MAC address" placeholder="00-15-5D-01-02-03" {...f} />
          )}
        </>
      );
    case 'nic.update':
      return (
        <>
          <NicPicker {...p} />
          <SwitchField {...p} allowKeep />
          <TextField name="vlan" label="VLAN" numeric placeholder="untagged" hint="empty: untagged" {...f} />
        </>
      );
    case 'nic.remove':
      return <NicPicker {...p} />;
    case 'checkpoint.create':
      return (
        <>
          <TextField name="name" label="Name" autoFocus {...f} />
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
    case 'checkpoint.apply':
      return <CheckpointPicker {...p} />;
    case 'checkpoint.rename':
      return (
        <>
          <CheckpointPicker {...p} />
          <TextField name="name" label="New name" autoFocus {...f} />
        </>
      );
    case 'checkpoint.delete':
      return (
        <>
          <CheckpointPicker {...p} />
          <CheckField name="subtree" label="With every checkpoint below it" {...f} />
        </>
      );
    case 'move':
      return <MoveFields {...p} />;
  }
}

/** The node picker: the other nodes of the VM's cluster, their free memory and whether the VM fits. */
function MoveFields(p: FieldsProps) {
  const { draft, errors, set } = p;
  const targets = moveTargets(p.vm, p.hosts, p.hostViews);
  const need = vmMemoryNeedGb(p.vm);
  return (
    <>
      <div
        role="radiogroup"
        aria-label="Target node"
        className={`field op-nodes ${errors.targetHostId ? 'field-invalid' : ''}`}
        data-testid="op-targetHostId"
      >
        <span className="choices-label">Target node</span>
        {targets.length === 0 && (
          <p className="muted">No other node of this VM's cluster is configured here.</p>
        )}
        {targets.map((t) => (
          <label key={t.hostId} className="check move-target" data-testid={`move-target-${t.hostId}`}>
            <input
              type="radio"
              name="op-targetHostId"
              value={t.hostId}
              checked={draft.targetHostId === t.hostId}
              disabled={!!t.unavailable}
              onChange={() => set('targetHostId', t.hostId)}
            />
            <strong>{t.name}</strong>
            <small className={t.fits === false ? 'error' : 'muted'}>{moveTargetText(t, need)}</small>
          </label>
        ))}
        {errors.targetHostId && (
          <small className="error" role="alert" data-testid="op-error-targetHostId">
            {errors.targetHostId}
          </small>
        )}
      </div>
      <Choices
        name="migrationType"
        label="Migration"
        options={[
          {
            value: 'live',
            label: 'Live (keeps running)',
            ...(p.vm.state === 'Running'
              ? {}
              : { disabled: `live migration needs the VM Running; it is ${p.vm.state}` }),
          },
          { value: 'quick', label: 'Quick (saved, moved, resumed)' },
        ]}
        {...{ draft, errors, set }}
      />
    </>
  );
}
