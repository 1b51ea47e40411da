import type { HostOptions, HostView, JobField, OsFamily } from '../../../shared/contract';

/** Until the backend answers `inventory.hostOptions` (or when it cannot): free text. */
export const NO_OPTIONS: HostOptions = { known: false, networks: [], storage: [] };

export function optionsFor(field: JobField, options: HostOptions): string[] {
  if (field.type !== 'string' || !field.source) return [];
  return field.source === 'host.networks' ? options.networks : options.storage;
}

export function appliesTo(field: JobField, family: OsFamily): boolean {
  return !field.appliesTo || field.appliesTo.includes(family);
}

/** Why the form cannot be used for this host right now, or undefined when it can. */
export function unavailableReason(host: Pick<HostView, 'displayName' | 'status'> | undefined): string | undefined {
  if (host?.status === 'preparing') return `The agent is being deployed to ${host.displayName}; the form is available once the host is ready.`;
  return undefined;
}
