import { useState } from 'react';
import type { HostView, InventoryHost, InventoryVm, VmDetails } from '../../../shared/contract';
import {
  checkVmOperationState,
  vmOperationDef,
  type VmEditOperation,
} from '../../../shared/contract/vm-operations';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { Dialog } from '../jobs/Dialog';
import { useVmDetails } from '../inventory/useVmDetails';
import { CheckField, Choices, SelectField, TextArea, TextField } from './fields';
import { initialDraft, parseDraft, targetWords, type Draft } from './form-model';
import { moveTargets, moveTargetText, vmMemoryNeedGb } from './move-model';
import { runVmOperation } from './operate';
import { vmBlockedReason } from './operation-model';
import { closeOperationDialog, useOperationDialog, type OperationRequest } from './operation-store';
import { checkpointRows } from './checkpoint-tree';
import { hostFactsFor, preCheck } from './pre-check';
import './vm-ops.css';

/**
 * The dialog of one edit operation (mounted once, by JobsOverlays): its fields, each field's error
 * at the field, the refusal in words, and on success the dialog closes while the VM shows the
 * operation pending with a link to its job.
 */
export function OperationDialog() {
  const request = useOperationDialog((s) => s.request);
  useInventory((s) => s.version);
  if (!request) return null;
  const vm = useInventory
    .getState()
    .model.vms.get(useInventory.getState().model.currentKey(request.vmKey) ?? request.vmKey);
  if (!vm) {
    return (
      <Dialog
        title={vmOperationDef(request.operation).label.replace(/…$/, '')}
        onClose={closeOperationDialog}
      >
        <p className="muted">This VM is no longer in the inventory.</p>
      </Dialog>
    );
  }
  return (
    <OperationForm
      key={`${request.vmKey}|${request.operation}|${request.targetId ?? ''}`}
      request={request}
      vm={vm}
    />
  );
}

const TARGET_FIELDS = new Set(['diskId', 'nicId', 'checkpointId']);

function OperationForm({ request, vm }: { request: OperationRequest; vm: InventoryVm }) {
  const { operation } = request;
  const def = vmOperationDef(operation);
  const details = useVmDetails(vm);
  const loaded = details.status === 'loaded' ? details.details : undefined;
  useInventory((s) => s.hostsVersion);
  const inventoryHosts = useInventory.getState().model.hosts;
  const hostViews = useApp((s) => s.hosts);
  const [draft, setDraft] = useState<Draft | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // The draft starts from the VM's current values once its details are known.
  const current =
    draft ??
    (details.status === 'loading' ? undefined : initialDraft(operation, vm, loaded, request.targetId));
  const set = (name: string, value: string | boolean) => {
    // Choosing another disk, adapter or checkpoint starts its other fields from that one's values.
    const retarget = typeof value === 'string' && value && TARGET_FIELDS.has(name) ? initialDraft(operation, vm, loaded, value) : {};
    setDraft({ ...(current ?? {}), ...retarget, [name]: value });
    setErrors((e) => {
      const next = { ...e };
      delete next[name];
      return next;
    });
  };
  const title = `${def.label.replace(/…$/, '')}: ${vm.name}`;
  const blocked = vmBlockedReason(vm);
  const state = checkVmOperationState(vm.state, operation);
  const notNow = blocked ?? (state.allowed ? undefined : state.reason);

  const submit = async () => {
    if (!current || busy) return;
    const parsed = parseDraft(operation, current);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    // The backend's own fact rules first, so the reason shows without a round trip.
    if (loaded) {
      const verdict = preCheck(vm, loaded, hostFactsFor(vm.hostId, inventoryHosts.values(), hostViews), operation, parsed.params);
      if (!verdict.ok) {
        if (verdict.field && verdict.field in current) setErrors({ [verdict.field]: verdict.reason });
        else setRefusal(verdict.reason);
        return;
      }
    }
    setBusy(true);
    setRefusal(undefined);
    const outcome = await runVmOperation(
      vm,
      operation,
      parsed.params,
      targetWords(operation, loaded, current),
    );
    setBusy(false);
    if (outcome.kind === 'queued') closeOperationDialog();
    else if (outcome.kind === 'invalid') {
      setErrors(outcome.fields);
      // A field this form does not show still gets said.
      const shown = new Set(Object.keys(current));
      if (Object.keys(outcome.fields).some((f) => !shown.has(f))) setRefusal(outcome.message);
    } else if (outcome.kind === 'refused') setRefusal(outcome.message);
  };

  const props = { draft: current ?? {}, errors, set };
  return (
    <Dialog title={title} onClose={closeOperationDialog}>
      <form
        className="op-form"
        data-testid={`op-form-${operation}`}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {details.status === 'error' && (
          <p className="error">Could not read this VM's details: {details.message}</p>
        )}
        {!current ? (
          <p className="muted">Loading details…</p>
        ) : (
          <OperationFields
            operation={operation}
            vm={vm}
            details={loaded}
            hosts={[...inventoryHosts.values()]}
            hostViews={hostViews}
            {...props}
          />
        )}
        {notNow && !refusal && (
          <p className="error" role="alert" data-testid="op-not-now">
            {notNow}
          </p>
        )}
        {refusal && (
          <p className="error" role="alert" data-testid="op-refusal">
            {refusal}
          </p>
        )}
        {/* Not disabled while busy (submit() ignores a second press): a disabled button would drop the focus out of the dialog. */}
        <div className="row-actions">
          <button type="submit" className={def.ask ? 'danger' : 'primary'} disabled={!current} aria-busy={busy || undefined} data-testid="op-submit">
            {busy ? def.progress : def.label.replace(/…$/, '')}
          </button>
          <button type="button" onClick={closeOperationDialog}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type FieldsProps = {
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

function OperationFields(p: FieldsProps) {
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
          <SelectField
            name="diskId"
            label="Disk"
            options={diskOptions(p.details)}
            placeholder="Choose a disk…"
            {...f}
          />
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
          <SelectField
            name="diskId"
            label="Disk"
            options={diskOptions(p.details)}
            placeholder="Choose a disk…"
            {...f}
          />
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
          <SelectField
            name="nicId"
            label="Network adapter"
            options={nicOptions(p.details)}
            placeholder="Choose an adapter…"
            {...f}
          />
          <SwitchField {...p} allowKeep />
          <TextField name="vlan" label="VLAN" numeric placeholder="untagged" hint="empty: untagged" {...f} />
        </>
      );
    case 'nic.remove':
      return (
        <SelectField
          name="nicId"
          label="Network adapter"
          options={nicOptions(p.details)}
          placeholder="Choose an adapter…"
          {...f}
        />
      );
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
      return (
        <SelectField
          name="checkpointId"
          label="Checkpoint"
          options={checkpointOptions(p.details)}
          placeholder="Choose a checkpoint…"
          {...f}
        />
      );
    case 'checkpoint.rename':
      return (
        <>
          <SelectField
            name="checkpointId"
            label="Checkpoint"
            options={checkpointOptions(p.details)}
            placeholder="Choose a checkpoint…"
            {...f}
          />
          <TextField name="name" label="New name" autoFocus {...f} />
        </>
      );
    case 'checkpoint.delete':
      return (
        <>
          <SelectField
            name="checkpointId"
            label="Checkpoint"
            options={checkpointOptions(p.details)}
            placeholder="Choose a checkpoint…"
            {...f}
          />
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
