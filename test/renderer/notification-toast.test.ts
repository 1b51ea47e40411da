import { describe, expect, test } from 'vitest';
import type { AppNotification } from '../../src/shared/contract';
import { notificationToast } from '../../src/renderer/stores/host-toasts';

describe('which notifications toast in the window', () => {
  const n = (over: Partial<AppNotification>): AppNotification => ({
    id: '1', level: 'error', title: 'Could not start web-01', message: 'hv01: INVALID_STATE: already running', createdAt: 'x', updatedAt: 'x', read: false, hostId: 'hv01', jobId: 'j1', ...over,
  });

  test('a failed job toasts in both modes, with its title and reason', () => {
    const expected = { level: 'error', text: 'Could not start web-01: hv01: INVALID_STATE: already running' };
    expect(notificationToast(undefined, n({}), false)).toEqual(expected);
    expect(notificationToast(undefined, n({}), true)).toEqual(expected);
  });

  test('Electron leaves everything else to the tray; browser mode keeps its host transitions', () => {
    const unreachable = n({ jobId: undefined, title: 'Host hv01 unreachable', level: 'error' });
    expect(notificationToast(undefined, unreachable, true)).toBeUndefined();
    expect(notificationToast(undefined, unreachable, false)?.level).toBe('error');
    // A job notification that succeeded, or one updated in place, does not toast in Electron.
    expect(notificationToast(undefined, n({ level: 'success' }), true)).toBeUndefined();
    expect(notificationToast(n({}), n({ read: true }), true)).toBeUndefined();
  });
});
