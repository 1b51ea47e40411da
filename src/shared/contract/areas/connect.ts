import { Type, type Static } from '@sinclair/typebox';
import { command, Empty } from '../command-def';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** open: a TCP connect succeeded; closed: refused or timed out; unknown: not probed (off, no address, probing off, not yet). */
export const PortReach = Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('unknown')]);
export type PortReach = Static<typeof PortReach>;

/**
 * One VM's RDP/SSH reachability from this workstation, keyed like the inventory's VMs
 * (`${hostId}:${vmId}`). `address` is the first reported address where either port answered;
 * `rdpAddress`/`sshAddress` the first where that port did. `checkedAt` is when the last probe ended.
 */
export const VmReach = Type.Object({
  key: Type.String(),
  rdp: PortReach,
  ssh: PortReach,
  address: Nullable(Type.String()),
  rdpAddress: Nullable(Type.String()),
  sshAddress: Nullable(Type.String()),
  checkedAt: Nullable(Type.String()),
});
export type VmReach = Static<typeof VmReach>;

const VmRef = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: 200, hint: 'the id of a configured host' }),
    vmId: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', hint: "the VM's Hyper-V ID (a GUID)" }),
  },
  { additionalProperties: false },
);
export type VmRef = Static<typeof VmRef>;

/** What this workstation can open: the Hyper-V console needs Windows and vmconnect.exe. */
export const ConnectInfo = Type.Object({
  vmconnect: Type.Object({ available: Type.Boolean(), reason: Type.String() }),
});
export type ConnectInfo = Static<typeof ConnectInfo>;

export const RdpOpened = Type.Object({ address: Type.String(), filename: Type.String(), path: Type.String() });
export type RdpOpened = Static<typeof RdpOpened>;

export const ConsoleOpened = Type.Object({ host: Type.String(), vmName: Type.String() });
export type ConsoleOpened = Static<typeof ConsoleOpened>;

/** Connecting to a guest (src/main/reachability): the probes' results travel on the 'reachability' topic. */
export const connectCommands = {
  'connect.info': command(Empty, ConnectInfo, 'what this workstation can open (the Hyper-V console needs Windows and vmconnect.exe)'),
  'connect.rdp': command(VmRef, RdpOpened, "writes a .rdp file for the VM's first RDP-reachable address to a temporary folder and opens it (Electron)"),
  'connect.console': command(VmRef, ConsoleOpened, "opens the VM's Hyper-V console (vmconnect.exe <host> <VM name>; Windows only)"),
} as const;
