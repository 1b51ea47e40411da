// The per-VM and per-host timeline (issue 16 item 5).
export { VmTimeline } from './VmTimeline';
export { HostTimeline } from './HostTimeline';
