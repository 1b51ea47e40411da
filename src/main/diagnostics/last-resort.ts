import type { Logger } from '../log';
import { isDiskFull, type FaultLog } from './faults';

type FaultProcess = Pick<NodeJS.Process, 'on' | 'off'>;

/**
 * The last line of defence in the backend process (Electron main, `aether-v serve`): an error no
 * code caught is logged and shown in Diagnostics instead of ending the process. Node's default
 * for both events is to exit, which would stop every other service (inventory, running jobs, the
 * browser-mode server) because of one bug in one of them; each service keeps its own state
 * consistent through SQLite transactions, so carrying on is safer than dying mid-job.
 * Returns the uninstaller.
 */
export function installLastResortHandlers(log: Logger, faults: FaultLog, proc: FaultProcess = process): () => void {
  const onException = (error: unknown, origin: string) => {
    const kind = isDiskFull(error) ? 'disk-full' : 'uncaught-exception';
    faults.report(kind, origin, error);
    log.error('uncaught error (the app keeps running; see Diagnostics)', { origin, error: (error as Error)?.stack ?? String(error) });
  };
  const onRejection = (reason: unknown) => {
    const kind = isDiskFull(reason) ? 'disk-full' : 'unhandled-rejection';
    faults.report(kind, 'unhandledRejection', reason);
    log.error('unhandled promise rejection (the app keeps running; see Diagnostics)', { error: (reason as Error)?.stack ?? String(reason) });
  };
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}

/**
 * Test-only fault injection: `AETHERV_INJECT_FAULTS=uncaught,rejection` throws one uncaught error
 * and/or leaves one promise rejection unhandled shortly after the backend starts. Harmless in a
 * shipped build: it only fires when the person running the app sets the variable, and all it does
 * is exercise the handlers above (nothing is written, no command is added to the contract).
 */
export function injectFaultsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const wanted = new Set((env.AETHERV_INJECT_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  if (wanted.has('uncaught')) {
    setTimeout(() => {
      throw new Error('injected test fault (AETHERV_INJECT_FAULTS=uncaught)');
    }, 50);
  }
  if (wanted.has('rejection')) {
    setTimeout(() => void Promise.reject(new Error('injected test rejection (AETHERV_INJECT_FAULTS=rejection)')), 50);
  }
}
