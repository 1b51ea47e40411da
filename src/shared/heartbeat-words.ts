/**
 * Hyper-V's heartbeat status (VMHeartbeatStatus) in the words Hyper-V Manager uses, for tables and
 * the VM page; the raw value stays in the data (sorting, exports, queries).
 */
const HEARTBEAT_WORDS: Record<string, string> = {
  OkApplicationsHealthy: 'OK (applications healthy)',
  OkApplicationsUnknown: 'OK (no application data)',
  OkApplicationsCritical: 'OK, applications critical',
  NoContact: 'No contact',
  LostCommunication: 'Lost communication',
  Error: 'Error',
  Paused: 'Paused',
  Disabled: 'Disabled',
  Unknown: 'Unknown',
};

/** Words for a heartbeat value; an unexpected value is shown as it came, null as undefined. */
export function heartbeatInWords(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return HEARTBEAT_WORDS[value] ?? value;
}
