// @vitest-environment jsdom
// Issue 14 item 7: a create job's page shows each provisioning step live from the job's output,
// and a failed step says what the admin can do next.
import { describe, expect, test } from 'vitest';
import type { JobLine, JobRecord } from '../../src/shared/contract';
import { ProvisioningSteps } from '../../src/renderer/features/jobs/ProvisioningSteps';
import { provisioningSteps } from '../../src/renderer/features/jobs/provisioning-steps';
import { domPerTest } from './dom-harness';

const dom = domPerTest();
let seq = 0;
const line = (step: string | null, text = `step ${step}`, stream: JobLine['stream'] = 'log'): JobLine => ({ jobId: 'j1', seq: seq++, stream, level: 'info', text, step, at: '2026-12-03T10:00:00.000Z' });
const create = (state: JobRecord['state']) => ({ type: 'vm.create' as const, state });
const GUEST_RUN = ['validate', 'copy-image', 'copy-iso', 'register', 'start', 'wait-key', 'publish', 'wait-apply', 'cleanup'];

describe('provisioning steps of a create job', () => {
  test('while running, every started step but the newest is done and the newest is current; repeated lines count once', () => {
    const lines = [line('validate'), line('copy-image'), line('copy-image', 'still copying'), line(null, 'no step', 'stdout'), line('copy-iso'), line('register')];
    expect(provisioningSteps(create('running'), lines).map((s) => [s.step, s.status])).toEqual([
      ['validate', 'done'],
      ['copy-image', 'done'],
      ['copy-iso', 'done'],
      ['register', 'current'],
    ]);
  });

  test('a succeeded guest provisioning lists every step done, in the admin\'s words', () => {
    const steps = provisioningSteps(create('succeeded'), GUEST_RUN.map((s) => line(s)));
    expect(steps.every((s) => s.status === 'done')).toBe(true);
    expect(steps.map((s) => s.label)).toEqual([
      'Settings checked on the host',
      'Disk: golden image copied',
      'Provisioning media staged',
      'VM created with its disk, network adapter and media',
      'VM started',
      'Guest key received',
      'Settings sent to the guest',
      'Guest applied the settings',
      'Media detached and cleaned up',
    ]);
  });

  test('a failure names the step it failed in (not the rollback after it) with what to do next', () => {
    const steps = provisioningSteps(create('failed'), ['validate', 'copy-image', 'copy-iso', 'rollback'].map((s) => line(s)));
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['validate', 'done'],
      ['copy-image', 'done'],
      ['copy-iso', 'failed'],
      ['rollback', 'done'],
    ]);
    expect(steps[2]!.advice).toMatch(/^Redeploy the agent/);
    const waited = provisioningSteps(create('failed'), GUEST_RUN.slice(0, 6).map((s) => line(s)));
    expect(waited.at(-1)).toMatchObject({ step: 'wait-key', status: 'failed' });
    expect(waited.at(-1)!.advice).toMatch(/guest never published its key/);
  });

  test('a cancelled job stops at its step without advice; other job types have no steps; an unknown step gets words', () => {
    expect(provisioningSteps(create('cancelled'), [line('validate'), line('register')]).at(-1)).toEqual({ step: 'register', label: 'VM created with its disk, network adapter and media', status: 'stopped' });
    expect(provisioningSteps({ type: 'vm.action', state: 'running' }, [line('start')])).toEqual([]);
    expect(provisioningSteps(create('running'), [line('attach-boot-media')])[0]!.label).toBe('Attach boot media');
  });

  test('the job page lists the steps with their marks, and the advice under a failed one', () => {
    const job = { id: 'j1', type: 'vm.create', state: 'failed' } as JobRecord;
    dom.render(<ProvisioningSteps job={job} lines={GUEST_RUN.slice(0, 8).map((s) => line(s))} />);
    const items = [...dom.container.querySelectorAll('[data-testid="provisioning-steps"] li')];
    expect(items.map((li) => li.getAttribute('data-status'))).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'done', 'failed']);
    expect(items.at(-1)!.textContent).toContain('Guest applied the settings (failed)');
    expect(dom.text('step-advice')).toMatch(/error verb:step/);
  });
});
