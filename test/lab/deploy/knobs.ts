/**
 * Deployment-specific knobs and counters of a simulated host, kept beside SimHost (a WeakMap) so
 * the host class stays about WS-Man. Set them with `setDeployKnobs(lab.host('hv01'), {...})`.
 */
import type { SimHost } from '../host';

export interface DeployKnobs {
  /** Each file's first N download attempts fail ("Unable to connect to the remote server"). */
  failDownloads: number;
  /** Bytes of this file (any file when name is '*') arrive altered for the first `times` attempts. */
  corrupt: { name: string; times: number } | null;
  /** The install directory cannot be cleared or written (access denied). */
  readOnlyInstallDir: boolean;
}

export interface DeployStats {
  /** Installer runs started / finished on this host. */
  installs: number;
  installsFinished: number;
  /** HTTP downloads made (including failed hash checks). */
  downloads: number;
  /** Attempts that failed on purpose (failDownloads) or were corrupted. */
  injectedFailures: number;
  versionReads: number;
}

export const DEFAULT_DEPLOY_KNOBS: DeployKnobs = {
  failDownloads: 0,
  corrupt: null,
  readOnlyInstallDir: false,
};

interface HostDeployState {
  knobs: DeployKnobs;
  stats: DeployStats;
  /** Attempts made per file name, across installer runs (failDownloads counts against this). */
  attemptsByFile: Map<string, number>;
  corruptedByFile: Map<string, number>;
}

const states = new WeakMap<SimHost, HostDeployState>();

export function deployState(host: SimHost): HostDeployState {
  let state = states.get(host);
  if (!state) {
    state = {
      knobs: { ...DEFAULT_DEPLOY_KNOBS },
      stats: { installs: 0, installsFinished: 0, downloads: 0, injectedFailures: 0, versionReads: 0 },
      attemptsByFile: new Map(),
      corruptedByFile: new Map(),
    };
    states.set(host, state);
  }
  return state;
}

/** Changes a host's deployment knobs; counters for failDownloads/corrupt restart from zero. */
export function setDeployKnobs(host: SimHost, patch: Partial<DeployKnobs>): void {
  const state = deployState(host);
  const next = { ...state.knobs, ...patch };
  if (!Number.isInteger(next.failDownloads) || next.failDownloads < 0 || next.failDownloads > 100) {
    throw new RangeError(`deploy knob failDownloads=${String(next.failDownloads)} must be an integer 0–100`);
  }
  if (next.corrupt && (!Number.isInteger(next.corrupt.times) || next.corrupt.times < 0)) {
    throw new RangeError('deploy knob corrupt.times must be a non-negative integer');
  }
  state.knobs = next;
  state.attemptsByFile.clear();
  state.corruptedByFile.clear();
}

export function deployStats(host: SimHost): Readonly<DeployStats> {
  return { ...deployState(host).stats };
}

/** Lab-wide: installer runs in flight right now and the most seen at once (bench:deploy). */
export const labDeployConcurrency = { current: 0, max: 0 };

/** Puts an agent version file on the host as if an earlier (or later) app had deployed there. */
export function presetAgentVersion(host: SimHost, installDir: string, versionText: string | Buffer): void {
  host.files.put(`${installDir}\\version`, versionText);
}
