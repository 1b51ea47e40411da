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
