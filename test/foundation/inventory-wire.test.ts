import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InventorySnapshotWire, type InventoryVm } from '../../src/shared/contract';
import { decodeInventorySnapshot, encodeInventorySnapshot, InventoryWireError } from '../../src/shared/inventory-wire';
import { compile } from '../../src/main/validation/validator';
import { fleet, makeHost, makeVm } from '../renderer/fixtures';

const STATES = ['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping', 'Creating', 'Unknown'] as const;

/** VMs whose every field varies: nulls, non-ASCII names, empty and long IP lists, pending operations. */
const arbitraryVm = (hostIds: string[]) =>
  fc
    .record({
      host: fc.constantFrom(...hostIds),
      i: fc.nat(1_000_000),
      name: fc.string({ unit: 'grapheme', maxLength: 20 }),
      state: fc.constantFrom(...STATES),
      cpuPercent: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
      memoryAssignedMb: fc.option(fc.nat(1 << 20), { nil: null }),
      uptimeS: fc.option(fc.nat(), { nil: null }),
      heartbeat: fc.option(fc.constantFrom('OkApplicationsHealthy', 'LostCommunication'), { nil: null }),
      observedAt: fc.constantFrom('2026-11-23T00:00:00.000Z', '2026-11-23T00:00:30.000Z'),
      operatingSystem: fc.option(fc.constantFrom('Windows Server 2022', 'Ubuntu 24.04', 'Überwachungs-OS'), { nil: null }),
      ipAddresses: fc.array(fc.ipV4(), { maxLength: 4 }),
      dynamicMemory: fc.boolean(),
      stale: fc.boolean(),
      pending: fc.option(
        fc.record(
          { jobId: fc.uuid(), action: fc.constantFrom('start', 'stop'), desiredState: fc.option(fc.constantFrom('Running', 'Off'), { nil: null }), requestedAt: fc.constant('2026-11-23T00:00:00.000Z'), deadline: fc.constant('2026-11-23T00:03:00.000Z'), unconfirmed: fc.boolean() },
          { requiredKeys: ['action', 'desiredState', 'requestedAt', 'deadline', 'unconfirmed'] },
        ),
        { nil: null },
      ),
    })
    .map(
      (r): InventoryVm =>
        makeVm(r.host, r.i, {
          name: r.name,
          state: r.state,
          cpuPercent: r.cpuPercent,
          memoryAssignedMb: r.memoryAssignedMb,
          uptimeS: r.uptimeS,
          heartbeat: r.heartbeat,
          observedAt: r.observedAt,
          operatingSystem: r.operatingSystem,
          ipAddresses: r.ipAddresses,
          dynamicMemory: r.dynamicMemory,
          stale: r.stale,
          staleSince: r.stale ? r.observedAt : null,
          pending: r.pending,
        }),
    );

describe('inventory snapshot wire form', () => {
  test('any snapshot decodes to exactly what was encoded, through JSON, and satisfies the contract schema', () => {
    const validWire = compile(InventorySnapshotWire);
    fc.assert(
      fc.property(fc.array(arbitraryVm(['hv01', 'hv02', 'hv03']), { maxLength: 60 }), (vms) => {
        const unique = [...new Map(vms.map((v) => [v.key, v])).values()];
        const snapshot = { hosts: [makeHost('hv01'), makeHost('hv02')], vms: unique };
        const wire = JSON.parse(JSON.stringify(encodeInventorySnapshot(snapshot)));
        expect(validWire(wire)).toBe(true);
        expect(decodeInventorySnapshot(wire)).toEqual(snapshot);
      }),
      { numRuns: 200 },
    );
  });

  test('10,000 VMs travel in well under half the JSON of row objects; repeated values go in dictionaries', () => {
    const f = fleet(20, 500);
    const snapshot = { hosts: f.hosts, vms: f.vms };
    const wire = encodeInventorySnapshot(snapshot);
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(snapshot).length * 0.45);
    expect(wire.vms.columns.hostId).toEqual({ dict: f.hosts.map((h) => h.hostId), index: expect.any(Array) });
    expect('values' in wire.vms.columns.vmId!).toBe(true); // unique per VM: a dictionary would only add
    expect(decodeInventorySnapshot(wire).vms[1234]).toEqual(f.vms[1234]);
  });

  test('a payload missing a column, or with a column of the wrong length, is refused naming the field', () => {
    const wire = encodeInventorySnapshot({ hosts: [], vms: fleet(1, 10).vms });
    const { name: _name, ...withoutName } = wire.vms.columns;
    expect(() => decodeInventorySnapshot({ ...wire, vms: { ...wire.vms, columns: withoutName } })).toThrow(InventoryWireError);
    expect(() => decodeInventorySnapshot({ ...wire, vms: { ...wire.vms, columns: withoutName } })).toThrow(/no "name" column/);
    expect(() => decodeInventorySnapshot({ ...wire, vms: { ...wire.vms, count: 11 } })).toThrow(/"vmId" column has 10 rows, not 11/);
  });

  test('a VM whose key is not hostId:vmId cannot be sent column-wise (the key would change on the way)', () => {
    expect(() => encodeInventorySnapshot({ hosts: [], vms: [{ ...makeVm('hv01', 1), key: 'other' }] })).toThrow(/VM key "other" is not hostId:vmId/);
  });
});
