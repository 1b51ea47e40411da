import { commandNames, ContractError, ErrorCode, type CommandName, type RequestOf, type ResponseOf } from '../shared/contract';
import type { foundationCommands } from '../shared/contract/areas/foundation';
import type { StartedService } from './service-module';
import type { Services } from './services';
import { testHostConnection } from './hosts/connection-test';

export type Handler<C extends CommandName> = (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in CommandName]: Handler<C> };

export type FoundationCommand = keyof typeof foundationCommands;
export type FoundationHandlers = { [C in FoundationCommand]: Handler<C> };

/**
 * Foundation handlers plus each service module's; every contract command must end up with exactly
 * one handler (checked here at start and by the contract tests).
 */
export function mergeHandlers(foundation: FoundationHandlers, services: StartedService[]): Handlers {
  const merged: Partial<Record<CommandName, unknown>> = { ...foundation };
  for (const service of services) {
    for (const [name, handler] of Object.entries(service.handlers ?? {})) {
      if (name in merged) throw new Error(`command ${name} has two handlers (foundation or another service and ${service.name})`);
      merged[name as CommandName] = handler;
    }
  }
  // Commands of a service that failed to start answer with a clear error instead of being missing.
  for (const name of commandNames) {
    merged[name] ??= () => {
      throw new ContractError(ErrorCode.Unavailable, `${name} is unavailable: its service is not running (see Diagnostics).`);
    };
  }
  return merged as Handlers;
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
    'hosts.remove': async ({ id }) => ({ removed: await s.hosts.remove(id) }),
    'hosts.testConnection': async (request) => {
      if ('draft' in request) {
        const draft = request.draft;
        const transport = draft.transport ?? 'https';
        return testHostConnection({
          displayName: draft.displayName,
          address: draft.address,
          port: draft.port ?? (transport === 'https' ? 5986 : 5985),
          transport,
          auth: draft.auth ?? 'ntlm',
          allowUnencryptedBasic: draft.allowUnencryptedBasic ?? false,
          username: draft.username,
          password: draft.password,
          ...(draft.tlsFingerprintSha256 ? { tlsFingerprintSha256: draft.tlsFingerprintSha256 } : {}),
        });
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
