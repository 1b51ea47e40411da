import { describe, expect, test } from 'vitest';
import { counted } from '../../src/shared/counted';
import { messageBesideTitle } from '../../src/shared/notification-text';
import { cpuUsageText, heldMemoryText } from '../../src/renderer/components/vm-usage';
import { notRefreshedSummary } from '../../src/renderer/features/overview/OverviewView';
import { confirmedAt } from '../../src/renderer/stores/vm-freshness';
import { makeHost, makeVm } from './fixtures';

describe('display text', () => {
  test('counts take the singular for one', () => {
    expect([counted(0, 'host'), counted(1, 'host'), counted(2, 'VM')]).toEqual(['0 hosts', '1 host', '2 VMs']);
  });

  test('a message that starts with its title does not repeat it beside the title', () => {
    expect(messageBesideTitle({ title: 'Agent deployment', message: 'Agent deployment: 4/4 hosts ready, 0 failed' })).toBe('4/4 hosts ready, 0 failed');
    expect(messageBesideTitle({ title: 'Host hv02 unreachable', message: 'Host hv02: connection refused.' })).toBe('Host hv02: connection refused.');
  });

  test("an Off or Saved VM's zero CPU and memory read as no value; a running VM's zero is a reading", () => {
    const at = (state: 'Off' | 'Saved' | 'Running' | 'Paused') => ({ state, cpuPercent: 0 });
    expect([at('Off'), at('Saved'), at('Running'), at('Paused')].map(cpuUsageText)).toEqual(['—', '—', '0 %', '0 %']);
    expect(cpuUsageText({ state: 'Running', cpuPercent: null })).toBe('—');
    expect(cpuUsageText({ state: 'Running', cpuPercent: 28.6 })).toBe('29 %');
    expect(heldMemoryText({ state: 'Off' }, 0)).toBe('—');
    expect(heldMemoryText({ state: 'Running' }, 5734)).toBe('5.6 GB');
    expect(heldMemoryText({ state: 'Running' }, null)).toBe('—');
  });

  test("the overview's banner tells unreachable hosts from hosts that answer but are not refreshed", () => {
    expect(notRefreshedSummary(1, 0)).toBe('1 host is unreachable; its VMs show the last known state.');
    expect(notRefreshedSummary(2, 0)).toBe('2 hosts are unreachable; their VMs show the last known state.');
    expect(notRefreshedSummary(0, 1)).toBe('1 host answers but is not refreshed; its VMs show the last known state.');
    expect(notRefreshedSummary(1, 1)).toBe('2 hosts are not refreshed (1 unreachable, 1 answering but not refreshed); their VMs show the last known state.');
  });

  test('a VM is confirmed by the later of its own change and its host\'s last success; a placeholder only by its own time', () => {
    const host = makeHost('hv00', {}, { lastSuccessAt: '2026-01-01T10:00:00.000Z', lastQuickAt: '2026-01-01T10:04:30.000Z' });
    expect(confirmedAt(makeVm('hv00', 0, { observedAt: '2026-01-01T09:00:00.000Z' }), host)).toBe('2026-01-01T10:04:30.000Z');
    expect(confirmedAt(makeVm('hv00', 0, { observedAt: '2026-01-01T10:05:00.000Z' }), host)).toBe('2026-01-01T10:05:00.000Z');
    expect(confirmedAt(makeVm('hv00', 0, { observedAt: '2026-01-01T09:00:00.000Z', placeholder: true }), host)).toBe('2026-01-01T09:00:00.000Z');
    expect(confirmedAt(makeVm('hv00', 0, { observedAt: '2026-01-01T09:00:00.000Z' }), undefined)).toBe('2026-01-01T09:00:00.000Z');
  });
});
