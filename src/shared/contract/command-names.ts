import type { CommandName } from './commands';

/**
 * Every command's name, as plain data: the Electron preload builds its one-function-per-command
 * bridge from this list without loading the schemas (TypeBox and every command's schema would
 * make the preload ~150 KB, parsed before the page's first script runs). The type below fails to
 * compile when a command is missing here; a test checks the list equals the contract's.
 */
export const COMMAND_NAMES = [
  'app.info', 'app.health', 'settings.get', 'settings.update',
  'hosts.list', 'hosts.add', 'hosts.update', 'hosts.remove', 'hosts.testConnection',
  'notifications.list', 'notifications.markRead', 'notifications.dismiss',
  'diagnostics.metrics', 'events.snapshot',
  'inventory.refresh', 'inventory.syncStats', 'inventory.health', 'inventory.vm', 'inventory.hostOptions',
  'deployment.status', 'deployment.redeploy',
  'jobs.schema', 'jobs.validate', 'jobs.submit', 'vm.action', 'vm.delete', 'vm.operate', 'jobs.list', 'jobs.get', 'jobs.cancel',
  'vm.bulkPreview', 'vm.bulkRun', 'jobs.retryFailed', 'jobs.export',
  'metrics.history', 'metrics.trends',
  'connect.info', 'connect.rdp', 'connect.console',
  'tags.update', 'timeline.vm', 'timeline.host',
  'hygiene.findings', 'hygiene.snooze', 'hygiene.scanOrphanDisks',
] as const satisfies readonly CommandName[];

const everyCommandIsListed: Exclude<CommandName, (typeof COMMAND_NAMES)[number]> extends never ? true : never = true;
void everyCommandIsListed;
