import { useState } from 'react';
import { useApp } from '../../stores/app-store';
import { ago, newestFirst } from '../../components/time';
import { messageBesideTitle } from '../../../shared/notification-text';

export function NotificationBell() {
  const notifications = useApp((s) => s.notifications);
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const navigate = useApp((s) => s.navigate); // jobs: click → job
  const [open, setOpen] = useState(false);
  const items = Object.values(notifications).sort(newestFirst);
  const unread = items.filter((n) => !n.read).length;

  const call = async (promise: Promise<{ ok: boolean; error?: { message: string } }> | undefined) => {
    const result = await promise;
    if (result && !result.ok) toast('error', result.error!.message);
  };

  return (
    <div className="bell">
      <button aria-label={`Notifications, ${unread} unread`} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="bell">
        <BellIcon />
        {unread > 0 && <span className="badge" data-testid="unread-badge">{unread}</span>}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button disabled={unread === 0} onClick={() => void call(backend?.invoke('notifications.markRead', { ids: [] }))}>
              Mark all read
            </button>
          </div>
          {items.length === 0 && <p className="muted">No notifications.</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} className={`level-${n.level} ${n.read ? 'read' : 'unread'}`}>
                <div>
                  <strong>{n.title}</strong> <span className="when">{ago(n.updatedAt)}</span>
                </div>
                <div>{messageBesideTitle(n)}</div>
                {n.jobId && (
                  // jobs: open the job this notification is about
                  <button
                    className="link"
                    data-testid="notification-job"
                    onClick={() => {
                      setOpen(false);
                      if (!n.read) void call(backend?.invoke('notifications.markRead', { ids: [n.id] }));
                      navigate({ name: 'job', id: n.jobId! });
                    }}
                  >
                    Open job
                  </button>
                )}
                <div className="row-actions">
                  {!n.read && <button onClick={() => void call(backend?.invoke('notifications.markRead', { ids: [n.id] }))}>Mark read</button>}
                  <button onClick={() => void call(backend?.invoke('notifications.dismiss', { id: n.id }))}>Dismiss</button>
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Drawn inline: an emoji bell depends on the system having an emoji font (many Linux desktops do not). */
function BellIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" style={{ verticalAlign: '-2px' }}>
      <path
        fill="currentColor"
        d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1a1 1 0 1 0-2 0v1.1A5 5 0 0 0 3 7v4l-1.5 1.5V13h13v-.5L13 11z"
      />
    </svg>
  );
}
