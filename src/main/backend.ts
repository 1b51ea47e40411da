import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  commands,
  ContractError,
  ErrorCode,
  isCommandName,
  type AppHealth,
  type AppInfo,
  type CommandName,
  type Result,
  type ServiceStatus,
  type StateEvent,
} from '../shared/contract';
import { FaultLog, isDiskFull } from './diagnostics/faults';
import { injectFaultsFromEnv, installLastResortHandlers } from './diagnostics/last-resort';
import { MemoryTrimmer } from './diagnostics/memory-trim';
import { ProcessMetrics } from './diagnostics/process-metrics';
import { EventHub } from './events/event-hub';
import { createHandlers, type Handlers } from './handlers';
import { HostRegistry } from './hosts/host-registry';
import { createLogger, logLimits, type AppLog } from './log';
import { NotificationCenter } from './notifications/notification-center';
import { EncryptedFileSecretStore, keyFileCipher, type SecretCipher } from './secrets/secret-store';
import type { Services } from './services';
import { JsonFilePersistence, type SettingsPersistence } from './settings/persistence';
import { SettingsStore } from './settings/settings-store';
import { compile, toFieldErrors } from './validation/validator';
import { validationError } from '../shared/contract';
import { APP_VERSION, AGENT_VERSION } from './version';
import { RemoteTaskScheduler } from './tasks';
import { RemoteHosts } from './hosts/remote-hosts';
import type { ServiceModule, StartedService } from './service-module';
import { deploymentModule } from './deployment';
import { inventoryModule } from './inventory';
import { jobsModule } from './jobs';
import { metricsModule } from './metrics';
import { reachabilityModule } from './reachability';
import { timelineModule } from './timeline';
import { hygieneModule } from './hygiene';
import { mergeHandlers } from './handlers';
import { schedulerMetricGroups, schedulerSummary } from './diagnostics/scheduler-metrics';
import { watchDiskFull } from './sqlite-transaction';
import { writeStartSnapshot } from './transport/start-snapshot';
import type { InventorySnapshot } from '../shared/contract';

export interface BackendOptions {
  dataDir: string;
  runtime: AppInfo['runtime'];
  /** electron-store in Electron; defaults to {dataDir}/settings.json. */
  settingsPersistence?: SettingsPersistence;
  /** safeStorage in Electron; defaults to AES-GCM with {dataDir}/secret.key. */
  secretCipher?: SecretCipher;
  /** Echo the app log to stderr (serve mode). */
  echoLog?: boolean;
  /** The service modules to start, in order; tests pass modules built with their own options. */
  modules?: ServiceModule[];
  /**
   * Contacting hosts (agent checks, the startup refresh) waits for this. The app's start passes
   * "the page has its cached inventory, or a second went by": that work's first burst (a
   * callback per host) would otherwise run while the first snapshot is being sent.
   */
  hostContact?: Promise<void>;
  /**
   * Install the process-wide last-resort handlers for uncaught errors and unhandled rejections
   * (the Electron main process and `aether-v serve` do; tests that embed a backend do not).
   */
  lastResortHandlers?: boolean;
  /** Whether an OS keychain protects passwords (Electron's safeStorage backend), for Diagnostics. */
  keychain?: { available: boolean; detail: string };
}

export interface Backend {
  invoke(command: string, request: unknown): Promise<Result<unknown>>;
  /** Started service modules by name, for tests and the Electron shell. */
  readonly modules: ReadonlyMap<string, StartedService>;
  /** Which service handles each command ('foundation', a module name, or 'unavailable'). */
  readonly handlerSources: Readonly<Record<CommandName, string>>;
  subscribe(listener: (event: StateEvent) => void): () => void;
  readonly services: Services;
  readonly log: AppLog;
  /** Faults the process survived, shown in Diagnostics. */
  readonly faults: FaultLog;
  close(): Promise<void>;
}

/** Started in this order; each may use the ones before it (ServiceContext.started). */
// metrics and reachability listen to the inventory's events, so they start first and miss none of them.
const SERVICE_MODULES: ServiceModule[] = [deploymentModule, metricsModule, reachabilityModule, inventoryModule, jobsModule, timelineModule, hygieneModule];

/**
 * The composition root: plain Node, no electron import. Builds the services in dependency order
 * (settings → notifications → scheduler → deployment → inventory → jobs). A configuration
 * problem puts the backend in diagnostic mode, which the UI explains, instead of crashing.
 */
export async function createBackend(options: BackendOptions): Promise<Backend> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const log = createLogger(options.dataDir, { echo: options.echoLog ?? false });
  const hub = new EventHub();
  const problems: string[] = [];
  const faults = new FaultLog();
  const uninstallLastResort = options.lastResortHandlers ? installLastResortHandlers(log, faults) : () => undefined;

  const settings = new SettingsStore(options.settingsPersistence ?? new JsonFilePersistence(path.join(options.dataDir, 'settings.json')));
  const loaded = await settings.load();
  problems.push(...loaded.problems);
  log.configure(logLimits(settings.getSettings().log));

  let cipher: SecretCipher | undefined = options.secretCipher;
  if (!cipher) {
    try {
      cipher = keyFileCipher(path.join(options.dataDir, 'secret.key'));
    } catch (error) {
      problems.push(`Secret store: ${(error as Error).message}`);
    }
  }
  const secrets = new EncryptedFileSecretStore(path.join(options.dataDir, 'secrets.json'), cipher ?? unavailableCipher());

  const notifications = new NotificationCenter(path.join(options.dataDir, 'notifications.json'), hub);
  await notifications.load();
  // Every survived fault reaches Diagnostics (health topic); a full disk also tells the admin.
  // A storm of the same fault republishes health at most every 250 ms.
  let healthDue: NodeJS.Timeout | undefined;
  faults.onFault((fault, isNew) => {
    healthDue ??= setTimeout(() => {
      healthDue = undefined;
      hub.publishSnapshot('health');
    }, 250);
    healthDue.unref();
    if (fault.kind === 'disk-full' && isNew) {
      notifications.notify({
        key: `disk-full:${fault.source}`,
        level: 'error',
        title: 'Disk full',
        message: `The disk holding ${options.dataDir} is full: ${/^(uncaughtException|unhandledRejection)$/.test(fault.source) ? 'a file' : fault.source} could not be saved. Free some space on that drive; what was saved before is intact, and the app retries or you can repeat the change.`,
      });
    }
  });
  // A log that cannot be written (disk full) is said once, not per line.
  log.onWriteFailure((problem) => notifications.notify({ level: 'error', title: 'App log not written', message: problem, key: 'app-log-write' }));
  // notifications.json not saved (a full disk): a Diagnostics fault, told in the bell (kept in memory).
  notifications.onSaveFailure((error) => {
    if (isDiskFull(error)) faults.report('disk-full', 'notifications.json', error);
    else log.warn('notifications not saved', { error: (error as Error)?.message ?? String(error) });
  });
  const hosts = new HostRegistry(settings, secrets, hub, log);
  const processMetrics = new ProcessMetrics();
  const scheduler = new RemoteTaskScheduler();
  // The JOB lane is as wide as the "parallel job workers" setting, now and whenever it changes.
  const sizeJobLane = (workers: number) => scheduler.setLaneSize('JOB', { concurrency: workers, minConcurrency: Math.min(2, workers), maxConcurrency: Math.max(12, workers) });
  sizeJobLane(settings.getSettings().jobs.workers);
  const remote = new RemoteHosts(hosts, scheduler, settings, log);
  const memory = new MemoryTrimmer(log);

  // A full disk under inventory.db or jobs.db, whichever service was writing.
  const unwatchDiskFull = watchDiskFull(options.dataDir, (file, error) => faults.report('disk-full', path.basename(file), error));

  const hostContact = options.hostContact ?? Promise.resolve();
  const started = new Map<string, StartedService>();
  for (const module of options.modules ?? SERVICE_MODULES) {
    // Opening stores is synchronous work; between modules the event loop serves what waits on it
    // (the browser-mode server sends the page while the backend starts, see startBrowserApp).
    await yieldToEventLoop();
    const startedAt = performance.now();
    try {
      const service = await module.start({ dataDir: options.dataDir, settings, hosts, notifications, hub, scheduler, remote, log, memory, started, hostContact });
      started.set(module.name, service);
      problems.push(...(service.problems ?? []));
      log.info('service started', { service: module.name, durationMs: Math.round(performance.now() - startedAt) });
    } catch (error) {
      const message = `${module.name} failed to start: ${(error as Error).message}`;
      problems.push(message);
      log.error(message, { stack: (error as Error).stack });
      started.set(module.name, {
        name: module.name,
        status: () => ({ name: module.name, state: 'failed', detail: message }),
        stop: async () => undefined,
      });
    }
  }

  const serviceStates = (): ServiceStatus[] => [
    { name: 'settings', state: loaded.ok ? 'running' : 'failed', detail: loaded.ok ? settings.location : loaded.problems.join('; ') },
    { name: 'notifications', state: 'running', detail: `${notifications.unreadCount()} unread` },
    { name: 'scheduler', state: 'running', detail: schedulerSummary(scheduler) },
    ...[...started.values()].map((s) => s.status()),
  ];
  const health = (): AppHealth => ({
    mode: problems.length ? 'diagnostic' : 'normal',
    healthy: problems.length === 0,
    problems: [...problems],
    services: serviceStates(),
    faults: faults.list(),
  });
  hub.registerSource('health', health);

  const services: Services = {
    hub,
    settings,
    hosts,
    remote,
    notifications,
    info: () => ({
      name: 'Aether-V Desktop',
      version: APP_VERSION,
      agentVersion: AGENT_VERSION,
      runtime: options.runtime,
      nodeVersion: process.version,
      platform: `${process.platform}-${process.arch}`,
      dataDir: options.dataDir,
      secretStorage: secrets.protection,
      keychain: options.keychain ?? {
        available: false,
        detail: options.runtime === 'browser' ? 'not used in browser mode: passwords are encrypted with a key file in the data directory' : 'unknown',
      },
    }),
    health,
    metrics: () => ({
      ...processMetrics.read(),
      services: serviceStates(),
      groups: [...schedulerMetricGroups(scheduler), ...[...started.values()].flatMap((s) => s.metrics?.() ?? []), memory.metrics(), log.metrics()],
    }),
    onSettingsChanged: (next) => {
      sizeJobLane(next.jobs.workers);
      log.configure(logLimits(next.log));
      hub.publishSnapshot('health');
    },
  };

  const { handlers, sources: handlerSources } = mergeHandlers(createHandlers(services), [...started.values()]);
  if (options.lastResortHandlers) injectFaultsFromEnv();
  if (problems.length) log.warn('backend started in diagnostic mode', { problems });
  else log.info('backend started', { dataDir: options.dataDir, runtime: options.runtime });

  return {
    services,
    log,
    faults,
    modules: started,
    handlerSources,
    subscribe: (listener) => hub.subscribe(listener),
    invoke: (command, request) => dispatch(handlers, log, command, request, faults),
    async close() {
      let lastInventory: InventorySnapshot | undefined;
      for (const service of [...started.values()].reverse()) {
        // The inventory as it closes (every service that writes to it has stopped), kept for the next start.
        if (service.name === 'inventory') lastInventory = inventorySnapshotOf(service);
        await service.stop().catch((e: Error) => log.warn(`stopping ${service.name}: ${e.message}`));
      }
      // After inventory.db is closed: the file records the database as it now stays (start-snapshot.ts).
      if (lastInventory) writeStartSnapshot(options.dataDir, lastInventory, APP_VERSION);
      await scheduler.close();
      await remote.close();
      processMetrics.close();
      memory.stop();
      await notifications.flush();
      uninstallLastResort();
      unwatchDiskFull();
      if (healthDue) clearTimeout(healthDue);
      log.info('backend stopped');
    },
  };
}

async function dispatch(handlers: Handlers, log: AppLog, command: string, request: unknown, faults: FaultLog): Promise<Result<unknown>> {
  if (!isCommandName(command)) {
    return { ok: false, error: { code: ErrorCode.UnknownCommand, message: `Unknown command "${command}". The app and its backend may be different versions; restart the app.` } };
  }
  try {
    const validate = compile(commands[command].request);
    if (!validate(request ?? {})) throw validationError(toFieldErrors(validate.errors));
    const handler = handlers[command] as (req: unknown) => unknown;
    const data = await handler(request ?? {});
    if (process.env.AETHERV_VALIDATE_RESPONSES === '1') assertResponse(command, data);
    return { ok: true, data };
  } catch (error) {
    const body = toErrorBody(error, log, command);
    if (body.code === ErrorCode.DiskFull || isDiskFull(error)) faults.report('disk-full', command.startsWith('settings.') || command.startsWith('hosts.') ? 'settings' : command, error);
    // Every registered secret is masked out of what a client is told, whatever threw.
    return { ok: false, error: log.mask(body) };
  }
}

function assertResponse(command: CommandName, data: unknown): void {
  const validate = compile(commands[command].response);
  if (!validate(data)) throw new Error(`response of ${command} breaks the contract: ${JSON.stringify(toFieldErrors(validate.errors))}`);
}

function toErrorBody(error: unknown, log: AppLog, command: string) {
  if (error instanceof ContractError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (isDiskFull(error)) {
    log.error('command failed: disk full', { command, error: (error as Error)?.message ?? String(error) });
    return { code: ErrorCode.DiskFull, message: `${command} could not save its data: the disk is full. Free some space and try again; what was saved before is intact.` };
  }
  const coded = error as { code?: unknown; message?: unknown };
  // WinRM and scheduler errors carry their own stable codes and person-readable messages.
  if (typeof coded?.code === 'string' && /^[A-Z_]+$/.test(coded.code) && typeof coded.message === 'string') {
    return { code: coded.code, message: coded.message };
  }
  log.error('command failed unexpectedly', { command, error: (error as Error)?.stack ?? String(error) });
  return { code: ErrorCode.Internal, message: `Unexpected error in ${command}: ${(error as Error)?.message ?? String(error)}. Details are in the app log.` };
}

function inventorySnapshotOf(service: StartedService): InventorySnapshot | undefined {
  const api = service.api as { snapshot?: () => InventorySnapshot } | undefined;
  try {
    return service.status().state === 'failed' || typeof api?.snapshot !== 'function' ? undefined : api.snapshot();
  } catch {
    return undefined;
  }
}

function unavailableCipher(): SecretCipher {
  const fail = (): never => {
    throw new ContractError(ErrorCode.Unavailable, 'The secret store is unavailable (see Diagnostics); passwords cannot be saved or read.');
  };
  return { protection: 'unavailable', encrypt: fail, decrypt: fail };
}
