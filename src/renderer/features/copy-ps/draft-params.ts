import type { VmEditOperation } from '../../../shared/contract/vm-operations';
import type { VmOperationParams } from '../../../shared/contract/vm-operation-params';
import { parseDraft, type Draft } from '../vm-ops/form-model';

/**
 * An operation dialog's draft as the generator's parameters, through the dialog's own parsing, so
 * the copied command holds exactly what Submit would send; a field not valid yet is named instead.
 */
export function copyParams<K extends VmEditOperation>(operation: K, draft: Draft | undefined): { ok: true; params: VmOperationParams[K] } | { ok: false; message: string } {
  if (!draft) return { ok: false, message: 'the form is still loading' };
  const parsed = parseDraft(operation, draft);
  if (parsed.ok) return { ok: true, params: parsed.params };
  const [field, message] = Object.entries(parsed.errors)[0] ?? ['', 'a field is not valid yet'];
  return { ok: false, message: field ? `fix ${field} first: ${message}` : message };
}
