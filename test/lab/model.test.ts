import { describe, expect, it } from 'vitest';
import { generateLabModel, NON_ASCII_VM_NAMES } from './model';

describe('lab model', () => {
  const options = { hosts: 4, vmsPerHost: 12, seed: 42, clusters: 2 };

  it('is deterministic for a seed and differs for another seed', () => {
    expect(generateLabModel(options)).toEqual(generateLabModel(options));
    const other = generateLabModel({ ...options, seed: 43 });
    expect(other.hosts[0].vms.map((v) => v.id)).not.toEqual(generateLabModel(options).hosts[0].vms.map((v) => v.id));
  });

  it('contains the non-ASCII VM names', () => {
    const names = generateLabModel(options).hosts.flatMap((h) => h.vms.map((v) => v.name));
    expect(names).toContain('Überwachung-01');
    expect(names).toContain('测试-db');
    expect(NON_ASCII_VM_NAMES.slice(0, 2)).toEqual(['Überwachung-01', '测试-db']);
  });

  it('spreads hosts over clusters and keeps one host standalone', () => {
    const model = generateLabModel(options);
    expect(model.clusters.map((c) => c.name)).toEqual(['CLU-A', 'CLU-B']);
    expect(model.hosts.map((h) => h.cluster)).toEqual(['CLU-A', 'CLU-B', 'CLU-A', undefined]);
    expect(model.clusters.flatMap((c) => c.hosts).sort()).toEqual(['hv01', 'hv02', 'hv03']);
  });

  it('produces unique GUIDs and names per host, and consistent VM facts', () => {
    const model = generateLabModel({ hosts: 3, vmsPerHost: 60, seed: 7, clusters: 1 });
    const ids = model.hosts.flatMap((h) => h.vms.map((v) => v.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const host of model.hosts) {
      expect(new Set(host.vms.map((v) => v.name)).size).toBe(host.vms.length);
      expect(host.memoryAvailableMiB).toBeLessThanOrEqual(host.memoryTotalMiB);
    }
    for (const vm of model.hosts.flatMap((h) => h.vms)) {
      expect(vm.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(vm.disks.length).toBeGreaterThan(0);
      for (const disk of vm.disks) expect(disk.path.endsWith(disk.name)).toBe(true);
      for (const nic of vm.nics) expect(nic.macAddress).toMatch(/^00155D[0-9A-F]{6}$/);
      if (vm.state === 'Off') {
        expect(vm.memoryAssignedMiB).toBe(0);
        expect(vm.operatingSystem).toBeNull();
      }
      if (vm.dynamicMemoryEnabled) expect(vm.memoryMinimumMiB).toBeLessThanOrEqual(vm.memoryStartupMiB);
    }
    const states = new Set(model.hosts.flatMap((h) => h.vms.map((v) => v.state)));
    expect(states.has('Running') && states.has('Off')).toBe(true);
  });
});
