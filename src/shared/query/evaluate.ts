import type { InventoryVm } from '../contract/inventory';
import { heartbeatInWords } from '../heartbeat-words';
import { FIELD_UNITS, type CompareOp, type NumberField, type QueryNode, type TextField } from './ast';

/** What a query needs besides the VM row: names and clusters of hosts, the VM's tags, the clock. */
export interface QueryContext {
  hostName(hostId: string): string;
  clusterOf(hostId: string): string | null;
  tags(vm: InventoryVm): readonly string[];
  /** Milliseconds since the epoch (age is measured against it). */
  now: number;
}

export type VmPredicate = (vm: InventoryVm, ctx: QueryContext) => boolean;

/**
 * Compiles a parsed query into nested closures: every pattern becomes a RegExp once, here, and
 * values shared by many VMs (a host's name, a heartbeat status) are matched once per distinct
 * value and remembered. 50,000 rows then take a few milliseconds (bench/query.ts).
 */
export function compileQuery(query: QueryNode): VmPredicate {
  switch (query.kind) {
    case 'and': {
      const terms = query.terms.map(compileQuery);
      if (terms.length === 0) return () => true;
      if (terms.length === 1) return terms[0]!;
      if (terms.length === 2) {
        const [a, b] = terms as [VmPredicate, VmPredicate];
        return (vm, ctx) => a(vm, ctx) && b(vm, ctx);
      }
      return (vm, ctx) => {
        for (const t of terms) if (!t(vm, ctx)) return false;
        return true;
      };
    }
    case 'or': {
      const terms = query.terms.map(compileQuery);
      return (vm, ctx) => {
        for (const t of terms) if (t(vm, ctx)) return true;
        return false;
      };
    }
    case 'not': {
      const term = compileQuery(query.term);
      return (vm, ctx) => !term(vm, ctx);
    }
    case 'text':
      return freeText(pattern(query.value, 'part'));
    case 'match':
      return matchField(query.field, query.value);
    case 'compare':
      return compareField(query.field, query.op, query.amount * unitSize(query.field, query.unit));
  }
}

/**
 * A `*` pattern as a case-insensitive RegExp: `whole` must match the entire value (`host:hv0*`),
 * `part` any part of it (free text, `os:`, `notes:`).
 */
export function pattern(value: string, scope: 'whole' | 'part'): RegExp {
  const body = value
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(scope === 'whole' ? `^${body}$` : body, 'is');
}

function freeText(re: RegExp): VmPredicate {
  return (vm) => {
    if (re.test(vm.name) || re.test(vm.vmId)) return true;
    for (const ip of vm.ipAddresses) if (re.test(ip)) return true;
    return vm.notes !== null && re.test(vm.notes);
  };
}

/**
 * Remembers a yes/no per host (2,000 for 50,000 VMs). Names and clusters come from the context,
 * so a new context starts a new memory.
 */
function perKey<K>(decide: (key: K, ctx: QueryContext) => boolean): (key: K, ctx: QueryContext) => boolean {
  let memo = new Map<K, boolean>();
  let memoCtx: QueryContext | undefined;
  return (key, ctx) => {
    if (ctx !== memoCtx) {
      memo = new Map();
      memoCtx = ctx;
    }
    let yes = memo.get(key);
    if (yes === undefined) {
      yes = decide(key, ctx);
      memo.set(key, yes);
    }
    return yes;
  };
}

/** As perKey, for answers that depend on the value alone (a state, an OS, a heartbeat): no context check per row. */
function perValue<K>(decide: (key: K) => boolean): (key: K) => boolean {
  const memo = new Map<K, boolean>();
  return (key) => {
    let yes = memo.get(key);
    if (yes === undefined) {
      yes = decide(key);
      // Values are few in practice; a flood of distinct ones (a bug upstream) must not grow this forever.
      if (memo.size < 10_000) memo.set(key, yes);
    }
    return yes;
  };
}

/** Hyper-V's heartbeat values by the short words people type (`heartbeat:lost`). */
const HEARTBEAT_ALIASES: Record<string, readonly string[]> = {
  ok: ['OkApplicationsHealthy', 'OkApplicationsUnknown', 'OkApplicationsCritical'],
  healthy: ['OkApplicationsHealthy'],
  critical: ['OkApplicationsCritical'],
  lost: ['LostCommunication'],
  nocontact: ['NoContact'],
};

function matchField(field: TextField, value: string): VmPredicate {
  const whole = pattern(value, 'whole');
  switch (field) {
    case 'name':
      return (vm) => whole.test(vm.name);
    case 'state': {
      // `state:stale` is the drop-down's "Stale": rows whose host did not confirm them.
      const stale = whole.test('stale');
      const stateMatches = perValue<string>((state) => whole.test(state));
      return (vm) => stateMatches(vm.state) || (stale && vm.stale);
    }
    case 'host': {
      const hostMatches = perKey<string>((hostId, ctx) => whole.test(ctx.hostName(hostId)) || whole.test(hostId));
      return (vm, ctx) => hostMatches(vm.hostId, ctx);
    }
    case 'cluster': {
      const clusterMatches = perKey<string>((hostId, ctx) => {
        const cluster = ctx.clusterOf(hostId);
        return cluster !== null && whole.test(cluster);
      });
      return (vm, ctx) => clusterMatches(vm.hostId, ctx);
    }
    case 'os': {
      // The family ("windows", "linux") or any part of the OS name ("2022", "ubuntu").
      const part = pattern(value, 'part');
      const familyMatches = perValue<string>((family) => whole.test(family));
      const osMatches = perValue<string | null>((os) => os !== null && part.test(os));
      return (vm) => familyMatches(vm.osFamily) || osMatches(vm.operatingSystem);
    }
    case 'ip':
      return (vm) => {
        for (const ip of vm.ipAddresses) if (whole.test(ip)) return true;
        return false;
      };
    case 'tag':
      return (vm, ctx) => {
        for (const tag of ctx.tags(vm)) if (whole.test(tag)) return true;
        return false;
      };
    case 'heartbeat': {
      const aliases = HEARTBEAT_ALIASES[value.toLowerCase().replace(/\s+/g, '')] ?? [];
      const none = /^(none|null|-)$/i.test(value);
      const heartbeatMatches = perValue<string | null>((hb) => {
        if (hb === null || hb === '') return none;
        return aliases.includes(hb) || whole.test(hb) || whole.test(heartbeatInWords(hb) ?? '');
      });
      return (vm) => heartbeatMatches(vm.heartbeat);
    }
    case 'notes': {
      const part = pattern(value, 'part');
      return (vm) => vm.notes !== null && part.test(vm.notes);
    }
  }
}

function unitSize(field: NumberField, unit: string | null): number {
  const spec = FIELD_UNITS[field];
  const name = unit ?? spec.defaultUnit;
  return name === null ? 1 : (spec.units[name] ?? 1);
}

function comparer(op: CompareOp, limit: number): (n: number) => boolean {
  switch (op) {
    case '>':
      return (n) => n > limit;
    case '>=':
      return (n) => n >= limit;
    case '<':
      return (n) => n < limit;
    case '<=':
      return (n) => n <= limit;
    case '=':
      return (n) => n === limit;
  }
}

/** `limit` is in the field's base unit (MB, %, seconds, a count). A VM without the value never matches. */
function compareField(field: NumberField, op: CompareOp, limit: number): VmPredicate {
  const holds = comparer(op, limit);
  switch (field) {
    case 'mem':
      return (vm) => vm.memoryAssignedMb !== null && holds(vm.memoryAssignedMb);
    case 'cpu':
      return (vm) => vm.cpuPercent !== null && holds(vm.cpuPercent);
    case 'vcpu':
      return (vm) => vm.processorCount !== null && holds(vm.processorCount);
    case 'uptime':
      return (vm) => vm.uptimeS !== null && holds(vm.uptimeS);
    case 'checkpoints':
      return (vm) => holds(vm.checkpointCount);
    case 'age':
      return (vm, ctx) => {
        if (vm.createdAt === null) return false;
        const created = Date.parse(vm.createdAt);
        return !Number.isNaN(created) && holds((ctx.now - created) / 1000);
      };
  }
}
