import { useState } from 'react';
import type { InventoryVm } from '../../../shared/contract';
import { checkVmOperationState, vmOperationDef } from '../../../shared/contract/vm-operations';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { Dialog } from '../jobs/Dialog';
import { useVmDetails } from '../inventory/useVmDetails';
import { initialDraft, parseDraft, targetWords, type Draft } from './form-model';
import { runVmOperation } from './operate';
import { vmBlockedReason } from './operation-model';
import { closeOperationDialog, useOperationDialog, type OperationRequest } from './operation-store';
import { OperationFields } from './OperationFields';
import { hostFactsFor, preCheck } from './pre-check';
import './vm-ops.css';
import { CopyPsButton } from '../copy-ps/CopyPsButton'; // health: Copy as PowerShell
import { copyParams } from '../copy-ps/draft-params'; // health

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
          {/* health: the command for the values typed so far */}
          <CopyPsButton operation={operation} vms={[vm]} params={() => copyParams(operation, current)} />
        </div>
      </form>
    </Dialog>
  );
}
