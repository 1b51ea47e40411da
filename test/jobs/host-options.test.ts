import { describe, expect, test } from 'vitest';
import { hostOptionsFrom, unavailableReason, vmRootOf } from '../../src/renderer/features/jobs/host-options';
import type { InventorySnapshot } from '../../src/shared/contract';

const vm = (hostId: string, name: string, switches: (string | null)[], disks: string[], placeholder = false) =>
  ({
    hostId,
    name,
    placeholder,
    nics: switches.map((switchName) => ({ switchName })),
    disks: disks.map((path) => ({ path })),
  }) as unknown as InventorySnapshot['vms'][number];

describe('create-VM form: options from what the host reports', () => {
  test('the VM root is the folder that holds the VM folder', () => {
    expect(vmRootOf('D:\\VMs\\web01\\Virtual Hard Disks\\web01.vhdx', 'web01')).toBe('D:\\VMs');
    expect(vmRootOf('C:\\ClusterStorage\\Volume1\\DB01\\db01.vhdx', 'db01')).toBe('C:\\ClusterStorage\\Volume1');
    expect(vmRootOf('E:\\disks\\shared.vhdx', 'web01')).toBe('E:\\disks');
    expect(vmRootOf('E:\\web01\\web01.vhdx', 'web01')).toBe('E:');
  });

  test('networks and storage are the distinct switches and VM roots of the host, placeholders ignored', () => {
    const snapshot = {
      hosts: [{ hostId: 'hv01', sync: { lastSuccessAt: '2025-01-01T00:00:00Z' } }],
      vms: [
        vm('hv01', 'web01', ['External', null], ['D:\\VMs\\web01\\Virtual Hard Disks\\web01.vhdx']),
        vm('hv01', 'web02', ['Internal', 'External'], ['D:\\VMs\\web02\\web02.vhdx']),
        vm('hv01', 'new01', ['Ghost'], ['Z:\\X\\new01\\new01.vhdx'], true),
        vm('hv02', 'other', ['OtherSwitch'], ['F:\\Elsewhere\\other\\other.vhdx']),
      ],
    } as unknown as InventorySnapshot;
    expect(hostOptionsFrom(snapshot, 'hv01')).toEqual({ known: true, networks: ['External', 'Internal'], storage: ['D:\\VMs'] });
    expect(hostOptionsFrom(snapshot, 'hv03')).toEqual({ known: false, networks: [], storage: [] });
  });

  test('the form is blocked, with the reason, only while the host is being prepared', () => {
    expect(unavailableReason({ displayName: 'HV01', status: 'preparing' })).toMatch(/agent is being deployed to HV01/);
    expect(unavailableReason({ displayName: 'HV01', status: 'connected' })).toBeUndefined();
    expect(unavailableReason(undefined)).toBeUndefined();
  });
});
