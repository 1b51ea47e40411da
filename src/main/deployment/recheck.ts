/**
 * When deployment checks a host again by itself after a failure: on the inventory's backoff (one
 * policy for every automatic host retry), so a host that was down at start, or a deployment that
 * failed on a network hiccup, recovers without a click. Failures only the admin can fix are checked
 * again at the backoff's cap only, so a wrong password never costs more than one logon attempt per
 * cap interval (5 min by default) and a read-only install directory is not reinstalled every 10 s.
 */
import { ContractError } from '../../shared/contract';
import { WinrmError } from '../winrm';
import { RemoteTaskError } from '../tasks';
import { backoffDelayMs, type BackoffPolicy } from '../inventory/timing';
import { DeploymentFailed } from './host-ops';

export type FailureKind = 'transient' | 'needs-admin';

/** Installer/deployment codes that stay wrong until someone changes the host, the app or its settings. */
const NEEDS_ADMIN_CODES = new Set([
  'ARTIFACT_SERVER_DOWN', // only a restart of the app starts it
  'INSTALL_DIR_NOT_WRITABLE', // access denied on the host
  'INVALID_FIELDS',
  'BAD_ENVELOPE',
  'VERSION_MISMATCH_AFTER_DEPLOY',
]);

/**
 * Transient unless the error says the credentials, the configuration or the host's rights are
 * wrong. Unknown errors count as transient: retrying on the backoff is cheap, never retrying is
 * the fault this exists to fix.
 */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof DeploymentFailed) return NEEDS_ADMIN_CODES.has(error.code) ? 'needs-admin' : 'transient';
  if (error instanceof WinrmError) return error.code === 'AUTH_FAILED' || error.code === 'INSECURE_CONFIG' ? 'needs-admin' : 'transient';
  // e.g. "no stored password": nothing the host does will fix it.
  if (error instanceof ContractError) return 'needs-admin';
  return 'transient';
}

/** The host could not be talked to at all (as opposed to: it answered and the deployment failed). */
export function isTransportError(error: unknown): boolean {
  if (error instanceof RemoteTaskError) return error.code === 'TASK_TIMEOUT';
  if (error instanceof WinrmError) return ['HOST_UNREACHABLE', 'TLS_FAILED', 'AUTH_FAILED', 'TIMEOUT'].includes(error.code);
  return false;
}

/** Delay before the next automatic check after `failures` consecutive failures (≥ 1). */
export function recheckDelayMs(kind: FailureKind, failures: number, policy: BackoffPolicy, random: () => number): number {
  if (kind === 'transient') return backoffDelayMs(failures, policy, random);
  // Held at the cap from the first failure: as slow as the inventory ever retries a failing host.
  return backoffDelayMs(Number.MAX_SAFE_INTEGER, policy, random);
}
