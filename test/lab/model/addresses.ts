/**
 * Every address a lab VM reports is inside 127.0.0.0/8 (never 127.0.0.1, which the lab's hosts
 * use), so the app's RDP/SSH probes in tests and the demo never leave this machine.
 */

/**
 * A generated VM's address: 127.<host+1>.<c>.<d>, unique per host, NIC (0–1), slot (0–1: a NIC's
 * second address) and VM. `n` = 10 + the VM's index (up to 16,383, for churn that keeps adding VMs)
 * fills 14 bits of the last two octets; NIC and slot take the third octet's top bits.
 * 127/8 has room for 254 such hosts: a larger fleet (bench:scale's 2,000 hosts) reuses them, host
 * i taking host i mod 254's addresses, so addresses are unique only within each block of 254 hosts.
 */
export function labVmAddress(hostIndex: number, nicIndex: number, vmIndex: number, slot = 0): string {
  const n = 10 + vmIndex;
  if (hostIndex < 0 || !Number.isInteger(hostIndex) || nicIndex < 0 || nicIndex > 1 || slot < 0 || slot > 1 || vmIndex < 0 || n >= 1 << 14) {
    throw new RangeError(`no lab address for host ${hostIndex}, NIC ${nicIndex}, VM ${vmIndex}, slot ${slot}`);
  }
  return `127.${(hostIndex % 254) + 1}.${slot * 128 + nicIndex * 64 + (n >> 8)}.${n & 255}`;
}

/**
 * The address a lab guest reports after provisioning set a static IP: the lab has no network but
 * loopback, so the guest shows up at 127.<b>.<c>.<d> for a static a.b.c.d (an input already in
 * 127.0.0.0/8 is kept). Anything else is reported as given; the app probes only IP addresses.
 */
export function labGuestAddress(staticIp: string): string {
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(staticIp);
  if (!octets) return staticIp;
  if (octets[1] === '127') return staticIp;
  return `127.${octets[2]}.${octets[3]}.${octets[4]}`;
}

/** True for an IPv4 address inside 127.0.0.0/8 (the only addresses tests may probe). */
export function isLoopbackV4(address: string): boolean {
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  return !!octets && octets.slice(1).every((o) => Number(o) <= 255);
}
