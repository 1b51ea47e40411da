import type { InventoryVm } from '../../../shared/contract';
import type { Backend } from '../../backend/backend';
import { splitTags, tagProblem } from '../../../shared/tag-rules';

/** The problem with what was typed (naming the tag), or the tags to send. */
export function parseTagInput(text: string): { ok: true; tags: string[] } | { ok: false; message: string } {
  const tags = splitTags(text);
  if (!tags.length) return { ok: false, message: 'Type one or more tags, separated by spaces or commas.' };
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem) return { ok: false, message: problem };
  }
  return { ok: true, tags };
}

/** Sends one tags.update for these VMs; resolves to an error message, or undefined when done. */
export async function updateTags(backend: Backend | undefined, vms: readonly InventoryVm[], add: string[], remove: string[]): Promise<string | undefined> {
  if (!backend) return 'Not connected to the backend.';
  const targets = vms.filter((v) => !v.placeholder).map((v) => ({ hostId: v.hostId, vmId: v.vmId }));
  if (!targets.length) return 'None of these VMs can be tagged yet (they are still being created).';
  const result = await backend.invoke('tags.update', { targets, add, remove });
  return result.ok ? undefined : result.error.message;
}
