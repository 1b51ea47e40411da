import { Type } from '@sinclair/typebox';
import { AppHealth, AppInfo, Metrics } from '../diagnostics';
import { ConnectionTestResult, HostInput, HostPatch, HostView } from '../hosts';
import { AppNotification } from '../notifications';
import { Settings, SettingsPatch } from '../settings';
import { TopicName } from '../events';
import { command, Empty, ById } from '../command-def';

/** Foundation: app, settings, hosts, notifications, diagnostics, event snapshots. */
export const foundationCommands = {
  'app.info': command(Empty, AppInfo, 'versions, runtime and where data lives'),
  'app.health': command(Empty, AppHealth, 'normal or diagnostic mode, with the problems and service states'),

  'settings.get': command(Empty, Settings, 'the current settings'),
  'settings.update': command(SettingsPatch, Settings, 'change some settings; returns all of them'),

  'hosts.list': command(Empty, Type.Array(HostView), 'configured hosts with their live status'),
  'hosts.add': command(HostInput, HostView, 'add a host; the password goes to the secret store'),
  'hosts.update': command(HostPatch, HostView, 'change a host; omit the password to keep it'),
  'hosts.remove': command(ById, Type.Object({ removed: Type.Boolean() }), 'remove a host and its stored password'),
  'hosts.testConnection': command(
    // By id: the saved entry. `draft`: a new host's form. `edited`: an edit form's values over the
    // saved entry (the saved password only if no credential-bound field changed).
    Type.Union([ById, Type.Object({ draft: HostInput }, { additionalProperties: false }), Type.Object({ edited: HostPatch }, { additionalProperties: false })]),
    ConnectionTestResult,
    'WS-Man Identify (no password sent), sign-in with a command, then a Hyper-V check; says which step failed',
  ),

  'notifications.list': command(Empty, Type.Array(AppNotification), 'notifications, newest first'),
  'notifications.markRead': command(
    Type.Object({ ids: Type.Array(Type.String(), { maxItems: 10_000 }) }, { additionalProperties: false }),
    Type.Object({ updated: Type.Integer() }),
    'mark notifications read (an empty list marks all)',
  ),
  'notifications.dismiss': command(ById, Type.Object({ dismissed: Type.Boolean() }), 'remove a notification'),

  'diagnostics.metrics': command(Empty, Metrics, 'process, service and scheduler metrics'),

  'events.snapshot': command(
    Type.Object({ topic: TopicName }, { additionalProperties: false }),
    Type.Object({ topic: TopicName, revision: Type.Integer(), payload: Type.Unknown() }),
    'the current snapshot of a topic, for a client that saw a revision gap',
  ),
} as const;
