import type { AppNotification } from '../../shared/contract';

/**
 * Which notification changes deserve a toast in browser mode (where there are no native
 * notifications): every new warning or error, a new success about a host (it recovered), and a
 * host notification whose level changed — going unreachable and recovering is often one keyed
 * notification updated in place, so "is it new" alone would miss the recovery. Progress updates
 * that only change the message, and marking read, do not toast.
 */
export function hostTransitionToast(before: AppNotification | undefined, after: AppNotification): { level: AppNotification['level']; text: string } | undefined {
  const text = `${after.title}: ${after.message}`;
  if (!before) {
    if (after.level === 'error' || after.level === 'warning' || (after.hostId && after.level === 'success')) return { level: after.level, text };
    return undefined;
  }
  if (after.hostId && before.level !== after.level) return { level: after.level, text };
  return undefined;
}

/**
 * The toast (if any) for a notification change, in either mode. Browser mode toasts what
 * `hostTransitionToast` picks. Electron shows notifications natively from the tray, so the window
 * toasts only a new error about a job (a VM action, create or delete that failed): the admin who
 * asked for it is looking at the VM whose "pending" note just went away, and must see why there.
 */
export function notificationToast(before: AppNotification | undefined, after: AppNotification, nativeNotifications: boolean): { level: AppNotification['level']; text: string } | undefined {
  if (!nativeNotifications) return hostTransitionToast(before, after);
  if (!before && after.level === 'error' && after.jobId) return { level: after.level, text: `${after.title}: ${after.message}` };
  return undefined;
}
