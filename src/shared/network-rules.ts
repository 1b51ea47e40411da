// The create-VM network rules, pure so the backend's job validation (which the form's Check and
// Create both call) and any renderer code apply one rule. No node or DOM imports.

/** The create-VM schema's network fields, by id. */
export const NETWORK_FIELDS = {
  address: 'ipv4Address',
  prefixLength: 'ipv4PrefixLength',
  gateway: 'ipv4Gateway',
  switchName: 'switchName',
} as const;

export interface NetworkFieldError {
  field: string;
  rule: 'subnet' | 'switch';
  message: string;
}

/** The virtual switches the host reported; `known` false when it has not reported a complete list. */
export interface HostNetworks {
  known: boolean;
  names: readonly string[];
  hostName: string;
}

function toNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function toText(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Network and broadcast address of `ip`/`prefix` (unsigned arithmetic: no 32-bit sign surprises). */
export function subnetOf(ip: string, prefix: number): { network: number; broadcast: number; cidr: string } | undefined {
  const n = toNumber(ip);
  if (n === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const network = Math.floor(n / size) * size;
  return { network, broadcast: network + size - 1, cidr: `${toText(network)}/${prefix}` };
}

/**
 * A static IPv4 setting that cannot work: the VM address is the network or broadcast address of
 * its subnet (prefixes below /31, where those two are not usable hosts), or the gateway is outside
 * the subnet (the VM could not reach it), or the gateway is the VM's own address.
 */
export function checkStaticIpv4(values: Record<string, unknown>): NetworkFieldError[] {
  const address = values[NETWORK_FIELDS.address];
  const prefix = values[NETWORK_FIELDS.prefixLength];
  const gateway = values[NETWORK_FIELDS.gateway];
  if (typeof address !== 'string' || typeof prefix !== 'number') return [];
  const subnet = subnetOf(address, prefix);
  if (!subnet) return [];
  const errors: NetworkFieldError[] = [];
  const ip = toNumber(address)!;
  const usable = prefix < 31 ? `${toText(subnet.network + 1)} to ${toText(subnet.broadcast - 1)}` : '';
  if (prefix < 31 && ip === subnet.network) {
    errors.push({
      field: NETWORK_FIELDS.address,
      rule: 'subnet',
      message: `is the network address of ${subnet.cidr} (not usable by a VM); choose an address from ${usable}, or correct the prefix length`,
    });
  } else if (prefix < 31 && ip === subnet.broadcast) {
    errors.push({
      field: NETWORK_FIELDS.address,
      rule: 'subnet',
      message: `is the broadcast address of ${subnet.cidr} (not usable by a VM); choose an address from ${usable}, or correct the prefix length`,
    });
  }
  if (typeof gateway === 'string' && toNumber(gateway) !== undefined && prefix < 32) {
    const gw = toNumber(gateway)!;
    if (gw < subnet.network || gw > subnet.broadcast) {
      errors.push({
        field: NETWORK_FIELDS.gateway,
        rule: 'subnet',
        message: `is outside the VM's subnet ${subnet.cidr} (from the IPv4 address and prefix length), so the VM could not reach it; enter a gateway in ${subnet.cidr} or correct the address or prefix length`,
      });
    } else if (gw === ip) {
      errors.push({ field: NETWORK_FIELDS.gateway, rule: 'subnet', message: "is the VM's own IPv4 address; enter the router's address in the subnet" });
    } else if (prefix < 31 && (gw === subnet.network || gw === subnet.broadcast)) {
      errors.push({
        field: NETWORK_FIELDS.gateway,
        rule: 'subnet',
        message: `is the ${gw === subnet.network ? 'network' : 'broadcast'} address of ${subnet.cidr}, not a router; enter the router's address (from ${usable})`,
      });
    }
  }
  return errors;
}

/**
 * A switch the host does not have. Judged only against the complete list the host reported: a host
 * that has not reported one (never inventoried, older agent) gets free text.
 */
export function checkSwitchName(values: Record<string, unknown>, host: HostNetworks | undefined): NetworkFieldError[] {
  const name = values[NETWORK_FIELDS.switchName];
  if (typeof name !== 'string' || name.trim() === '' || !host?.known) return [];
  if (host.names.length === 0) {
    return [{ field: NETWORK_FIELDS.switchName, rule: 'switch', message: `names a switch, but ${host.hostName} reports no virtual switches; leave it empty for no network, or create the switch on the host first` }];
  }
  // Hyper-V compares switch names without regard to case.
  if (host.names.some((n) => n.toLowerCase() === name.trim().toLowerCase())) return [];
  const list = host.names.length > 5 ? `${host.names.slice(0, 5).join(', ')} and ${host.names.length - 5} more` : host.names.join(', ');
  return [
    {
      field: NETWORK_FIELDS.switchName,
      rule: 'switch',
      message: `is not a virtual switch of ${host.hostName} (its inventory reports ${list}); choose one of those, or leave it empty for no network`,
    },
  ];
}
