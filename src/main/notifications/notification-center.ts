import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ContractError, ErrorCode, type AppNotification } from '../../shared/contract';
import type { EventHub } from '../events/event-hub';
import { JsonFilePersistence } from '../settings/persistence';

const KEEP = 500;

export interface NotifyInput {
  level: AppNotification['level'];
  title: string;
  message: string;
  /** Notifications with the same key are updated in place (e.g. deployment progress). */
  key?: string;
  hostId?: string;
  jobId?: string;
}

/**
 * In-app notifications: the bell, the tray's native notifications and browser toasts all read
 * from here. Persisted so they survive a restart; the newest 500 are kept.
 */
export class NotificationCenter {
  private items: AppNotification[] = [];
  private readonly file: JsonFilePersistence;
  private readonly listeners = new Set<(n: AppNotification, isNew: boolean) => void>();
  private readonly saveFailureListeners = new Set<(error: unknown) => void>();

  constructor(
    file: string,
    private readonly hub: EventHub,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = new JsonFilePersistence(file);
    hub.registerSource('notifications', () => this.list());
  }

  async load(): Promise<void> {
    if (!existsSync(this.file.location)) return;
    try {
      const parsed = JSON.parse(await readFile(this.file.location, 'utf8')) as { items?: AppNotification[] };
      this.items = Array.isArray(parsed.items) ? parsed.items.slice(0, KEEP) : [];
    } catch {
      // A damaged notifications file only loses old notifications; start empty rather than fail.
      this.items = [];
    }
  }

  /** Called for every new or updated notification (the Electron shell shows native ones). */
  onNotify(listener: (n: AppNotification, isNew: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called when saving notifications.json fails (a full disk, most likely). The notification
   * itself is kept in memory and shown; the next successful save writes it. The backend reports
   * it as a fault, so a failed background save is never an unhandled rejection.
   */
  onSaveFailure(listener: (error: unknown) => void): () => void {
    this.saveFailureListeners.add(listener);
    return () => this.saveFailureListeners.delete(listener);
  }

  list(): AppNotification[] {
    return structuredClone(this.items);
  }

  notify(input: NotifyInput): AppNotification {
    const at = this.now().toISOString();
    const existing = input.key ? this.items.find((n) => n.key === input.key) : undefined;
    let item: AppNotification;
    if (existing) {
      Object.assign(existing, { level: input.level, title: input.title, message: input.message, updatedAt: at, read: false });
      item = existing;
    } else {
      item = { id: randomUUID(), createdAt: at, updatedAt: at, read: false, ...input };
      this.items.unshift(item);
    }
    const dropped = this.items.splice(KEEP).map((n) => n.id);
    this.hub.publishDelta('notifications', { upsert: [structuredClone(item)], remove: dropped });
    for (const listener of this.listeners) listener(structuredClone(item), !existing);
    this.saveInBackground();
    return structuredClone(item);
  }

  markRead(ids: string[]): number {
    const wanted = ids.length === 0 ? undefined : new Set(ids);
    const changed = this.items.filter((n) => !n.read && (!wanted || wanted.has(n.id)));
    for (const n of changed) n.read = true;
    this.hub.publishDelta('notifications', { upsert: structuredClone(changed), remove: [] });
    if (changed.length) this.saveInBackground();
    return changed.length;
  }

  dismiss(id: string): boolean {
    const index = this.items.findIndex((n) => n.id === id);
    if (index < 0) throw new ContractError(ErrorCode.NotFound, `No notification with id ${id}; it may already be dismissed.`);
    this.items.splice(index, 1);
    this.hub.publishDelta('notifications', { upsert: [], remove: [id] });
    this.saveInBackground();
    return true;
  }

  unreadCount(): number {
    return this.items.filter((n) => !n.read).length;
  }

  flush(): Promise<void> {
    return this.save();
  }

  /** For changes nobody awaits: a failure goes to the save-failure listeners, not into the void. */
  private saveInBackground(): void {
    this.save().catch((error: unknown) => {
      for (const listener of this.saveFailureListeners) {
        try {
          listener(error);
        } catch {
          // A listener that fails must not become the unhandled rejection this method prevents.
        }
      }
    });
  }

  private save(): Promise<void> {
    return this.file.write({ version: 1, items: this.items });
  }
}
