import { commandNames, ContractError, ErrorCode, type CommandName, type RequestOf, type ResponseOf } from '../shared/contract';
import type { foundationCommands } from '../shared/contract/areas/foundation';
import type { StartedService } from './service-module';
import type { Services } from './services';
import { draftTarget, editedTarget, testHostConnection } from './hosts/connection-test';

export type Handler<C extends CommandName> = (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in CommandName]: Handler<C> };

export type FoundationCommand = keyof typeof foundationCommands;
export type FoundationHandlers = { [C in FoundationCommand]: Handler<C> };

/**
 * Foundation handlers plus each service module's; every contract command must end up with exactly
 * one handler (checked here at start and by the contract tests).
 */
export function mergeHandlers(foundation: FoundationHandlers, services: StartedService[]): { handlers: Handlers; sources: Record<CommandName, string> } {
  const merged: Partial<Record<CommandName, unknown>> = { ...foundation };
  const sources = Object.fromEntries(Object.keys(foundation).map((name) => [name, 'foundation'])) as Record<CommandName, string>;
  for (const service of services) {
    for (const [name, handler] of Object.entries(service.handlers ?? {})) {
      if (name in merged) throw new Error(`command ${name} has two handlers (${sources[name as CommandName]} and ${service.name})`);
      if (!commandNames.includes(name as CommandName)) throw new Error(`${service.name} handles ${name}, which is not in the contract`);
      merged[name as CommandName] = handler;
      sources[name as CommandName] = service.name;
    }
  }
  // Commands of a service that is not built or failed to start answer with a clear error.
  for (const name of commandNames) {
    if (merged[name]) continue;
    sources[name] = 'unavailable';
    merged[name] = () => {
      throw new ContractError(ErrorCode.Unavailable, `${name} is unavailable: its service is not running (see Diagnostics).`);
    };
  }
  return { handlers: merged as Handlers, sources };
}

/** The foundation's commands; the compiler enforces one handler for each. */
export function createHandlers(s: Services): FoundationHandlers {
  return {
    'app.info': () => s.info(),
    'app.health': () => s.health(),

    'settings.get': () => s.settings.getSettings(),
    'settings.update': async (patch) => {
      const next = await s.settings.updateSettings(patch);
      s.onSettingsChanged(next);
      return next;
    },

    'hosts.list': () => s.hosts.list(),
    'hosts.add': (input) => s.hosts.add(input),
    'hosts.update': (patch) => s.hosts.update(patch),
    'hosts.remove': async ({ id }) => {
      const removed = await s.hosts.remove(id);
      await s.remote.forget(id);
      return { removed };
    },
    'hosts.testConnection': async (request) => {
      if ('draft' in request) return testHostConnection(draftTarget(request.draft));
      if ('edited' in request) {
        const stored = s.hosts.entry(request.edited.id);
        return testHostConnection(await editedTarget(stored, request.edited, async () => (await s.hosts.credentials(stored.id)).password));
      }
      const entry = s.hosts.entry(request.id);
      const { password } = await s.hosts.credentials(request.id);
      const result = await testHostConnection({ ...entry, password });
      s.hosts.setStatus(entry.id, result.ok ? 'connected' : 'unreachable', {
        ...(result.ok ? { seenAt: new Date() } : { error: result.message }),
      });
      return result;
    },

    'notifications.list': () => s.notifications.list(),
    'notifications.markRead': ({ ids }) => ({ updated: s.notifications.markRead(ids) }),
    'notifications.dismiss': ({ id }) => ({ dismissed: s.notifications.dismiss(id) }),

    'diagnostics.metrics': () => s.metrics(),

    'events.snapshot': ({ topic }) => s.hub.snapshot(topic),
  };
}
