// @vitest-environment jsdom
import { expect, test } from 'vitest';
import { DiagnosticsView } from '../../src/renderer/features/diagnostics/DiagnosticsView';
import { useApp } from '../../src/renderer/stores/app-store';
import type { AppHealth, AppInfo } from '../../src/shared/contract';
import { domPerTest, stubBackend } from './dom-harness';

const dom = domPerTest();

const info: AppInfo = {
  name: 'Aether-V Desktop', version: '1.0.0', agentVersion: '1.0.0', runtime: 'electron', nodeVersion: 'v24', platform: 'linux-x64', dataDir: '/data',
  secretStorage: 'AES-256-GCM; key in /data/secret.key',
  keychain: { available: false, detail: 'Electron safeStorage uses basic_text (no keychain service is running)' },
};

test('Diagnostics lists the faults the backend survived and says when there is no OS keychain', () => {
  const health: AppHealth = {
    mode: 'normal', healthy: true, problems: [], services: [],
    faults: [
      { kind: 'disk-full', source: 'jobs.db', message: 'database or disk is full', firstAt: '2026-06-01T10:00:00Z', lastAt: '2026-06-01T10:05:00Z', count: 3 },
      { kind: 'uncaught-exception', source: 'uncaughtException', message: 'boom in a timer', firstAt: '2026-06-01T09:00:00Z', lastAt: '2026-06-01T09:00:00Z', count: 1 },
    ],
  };
  useApp.setState({ backend: stubBackend(), info, health });
  dom.render(<DiagnosticsView />);

  const rows = [...dom.container.querySelectorAll('[data-testid="faults"] tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent));
  expect(rows).toEqual([
    ['Disk full', 'jobs.db', 'database or disk is full', '3'],
    ['Uncaught error', 'uncaughtException', 'boom in a timer', '1'],
  ]);
  expect(dom.container.querySelector('[data-testid="keychain"]')!.textContent).toBe('no — Electron safeStorage uses basic_text (no keychain service is running)');
});

test('Diagnostics says "none" when no fault happened', () => {
  useApp.setState({ backend: stubBackend(), info, health: { mode: 'normal', healthy: true, problems: [], services: [], faults: [] } });
  dom.render(<DiagnosticsView />);
  expect(dom.container.querySelector('[data-testid="faults"]')).toBeNull();
  expect(dom.container.querySelector('[data-testid="faults-none"]')!.textContent).toContain('None');
});
