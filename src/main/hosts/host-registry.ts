import { randomUUID } from 'node:crypto';
import {
  ContractError,
  credentialBoundChanges,
  ErrorCode,
  passwordRequiredMessage,
  validationError,
  type HostEntry,
  type HostInput,
  type HostPatch,
  type HostView,
} from '../../shared/contract';
import type { EventHub } from '../events/event-hub';
import type { Logger } from '../log';
import { secretDigest } from '../secrets/digest';
import { SecretUnreadable, type SecretStore } from '../secrets/secret-store';
import type { SettingsStore } from '../settings/settings-store';

export type HostStatus = HostView['status'];
interface RuntimeStatus {
  status: HostStatus;
  lastError?: string;
  lastSeenAt?: string;
}

export interface HostCredentials {
  username: string;
  password: string;
}

const DEFAULT_PORT = { https: 5986, http: 5985 } as const;

/**
 * Configured hosts: entries live in the settings document, passwords in the secret store under
 * `credentialRef`, live status in memory. Rules the schema alone cannot express live here.
 */
export class HostRegistry {
  private readonly runtime = new Map<string, RuntimeStatus>();
  /** Per host, a digest (never the password) of the password the log currently masks. */
  private readonly maskedPasswords = new Map<string, string>();

  constructor(
    private readonly settings: SettingsStore,
    private readonly secrets: SecretStore,
    private readonly hub: EventHub,
    /** Every password that enters or leaves the secret store is registered here, so no log line shows it. */
    private readonly log?: Pick<Logger, 'addSecret' | 'forgetSecrets'>,
  ) {
    hub.registerSource('hosts', () => this.list());
  }

  list(): HostView[] {
    return this.settings.getHosts().map((entry) => this.view(entry));
  }

  entry(id: string): HostEntry {
    const found = this.settings.getHost(id);
    if (!found) throw new ContractError(ErrorCode.NotFound, `No host with id ${id}; it may have been removed. Reload the hosts list.`);
    return found;
  }

  async credentials(id: string): Promise<HostCredentials> {
    const entry = this.entry(id);
    let password: string | undefined;
    try {
      password = await this.secrets.get(entry.credentialRef);
    } catch (error) {
      if (!(error instanceof SecretUnreadable)) throw error;
      throw new ContractError(
        ErrorCode.NotFound,
        `Host ${entry.displayName}: the stored password can no longer be decrypted (the secret key or the OS keychain changed). Edit the host in Settings and enter it again.`,
        { host: entry.displayName },
      );
    }
    this.rememberSecret(id, password);
    if (password === undefined) {
      throw new ContractError(ErrorCode.NotFound, `Host ${entry.displayName}: no stored password. Edit the host in Settings and enter it again.`, {
        host: entry.displayName,
      });
    }
    return { username: entry.username, password };
  }

  async add(input: HostInput): Promise<HostView> {
    const id = randomUUID();
    const transport = input.transport ?? 'https';
    const entry: HostEntry = {
      id,
      displayName: input.displayName.trim(),
      address: input.address.trim().toLowerCase(),
      port: input.port ?? DEFAULT_PORT[transport],
      transport,
      auth: input.auth ?? 'ntlm',
      allowUnencryptedBasic: input.allowUnencryptedBasic ?? false,
      username: input.username.trim(),
      enabled: input.enabled ?? true,
      credentialRef: `host:${id}`,
      ...(input.cluster?.trim() ? { cluster: input.cluster.trim() } : {}),
      ...(input.tlsFingerprintSha256 ? { tlsFingerprintSha256: normaliseFingerprint(input.tlsFingerprintSha256) } : {}),
    };
    const hosts = this.settings.getHosts();
    this.checkRules(entry, hosts);
    // Refuse before touching the secret store, so a refused add leaves no orphaned password.
    this.settings.assertWritable();
    this.log?.addSecret(input.password, secretScope(id));
    await this.secrets.put(entry.credentialRef, input.password);
    this.rememberSecret(id, input.password);
    try {
      await this.settings.replaceHosts([...hosts, entry]);
    } catch (error) {
      // The host was not saved (e.g. disk full): leave no password behind for an entry that does not exist.
      await this.secrets.delete(entry.credentialRef).catch(() => undefined);
      throw error;
    }
    this.publish([entry.id]);
    return this.view(entry);
  }

  async update(patch: HostPatch): Promise<HostView> {
    const hosts = this.settings.getHosts();
    const current = this.entry(patch.id);
    const next: HostEntry = { ...current };
    if (patch.displayName !== undefined) next.displayName = patch.displayName.trim();
    if (patch.address !== undefined) next.address = patch.address.trim().toLowerCase();
    if (patch.transport !== undefined) next.transport = patch.transport;
    if (patch.port !== undefined) next.port = patch.port;
    if (patch.auth !== undefined) next.auth = patch.auth;
    if (patch.allowUnencryptedBasic !== undefined) next.allowUnencryptedBasic = patch.allowUnencryptedBasic;
    if (patch.username !== undefined) next.username = patch.username.trim();
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (patch.cluster === null || patch.cluster?.trim() === '') delete next.cluster;
    else if (patch.cluster !== undefined) next.cluster = patch.cluster.trim();
    if (patch.tlsFingerprintSha256 === null) delete next.tlsFingerprintSha256;
    else if (patch.tlsFingerprintSha256 !== undefined) next.tlsFingerprintSha256 = normaliseFingerprint(patch.tlsFingerprintSha256);
    this.checkRules(
      next,
      hosts.filter((h) => h.id !== next.id),
    );
    // Where the password goes may only change together with the password itself.
    const rebound = credentialBoundChanges(current, next);
    if (rebound.length > 0 && patch.password === undefined) {
      const message = passwordRequiredMessage(current.displayName, rebound);
      throw new ContractError(ErrorCode.ValidationFailed, message, {
        host: current.displayName,
        fields: [
          { field: 'password', message: message.replace(/^password: /, '') },
          ...rebound.map((field) => ({ field, message: 'changed: enter the password again to save this change' })),
        ],
      });
    }
    this.settings.assertWritable();
    if (patch.password === undefined) {
      await this.settings.replaceHosts(hosts.map((h) => (h.id === next.id ? next : h)));
    } else {
      // Masked from now on; the old one is forgotten only once the new one is stored.
      this.log?.addSecret(patch.password, secretScope(next.id));
      const previous = await this.secrets.get(next.credentialRef).catch(() => undefined);
      await this.secrets.put(next.credentialRef, patch.password);
      try {
        await this.settings.replaceHosts(hosts.map((h) => (h.id === next.id ? next : h)));
      } catch (error) {
        // The entry kept its old address: it must keep its old password too, or the new password
        // would go to the old address (and the host would stop working).
        await (previous === undefined ? this.secrets.delete(next.credentialRef) : this.secrets.put(next.credentialRef, previous)).catch(() => undefined);
        throw error;
      }
      this.rememberSecret(next.id, patch.password);
    }
    this.publish([next.id]);
    return this.view(next);
  }

  async remove(id: string): Promise<boolean> {
    const entry = this.entry(id);
    await this.settings.replaceHosts(this.settings.getHosts().filter((h) => h.id !== id));
    await this.secrets.delete(entry.credentialRef);
    this.log?.forgetSecrets(secretScope(id));
    this.maskedPasswords.delete(id);
    this.runtime.delete(id);
    this.hub.publishDelta('hosts', { upsert: [], remove: [id] });
    return true;
  }

  /** Services report what they observe; the hosts topic carries it to every client. */
  setStatus(id: string, status: HostStatus, detail: { error?: string; seenAt?: Date } = {}): void {
    const previous = this.runtime.get(id);
    const next: RuntimeStatus = {
      status,
      ...(detail.error ? { lastError: detail.error } : {}),
      lastSeenAt: detail.seenAt?.toISOString() ?? previous?.lastSeenAt,
    };
    this.runtime.set(id, next);
    if (this.settings.getHost(id)) this.publish([id]);
  }

  private publish(ids: string[]): void {
    const views = ids.flatMap((id) => {
      const entry = this.settings.getHost(id);
      return entry ? [this.view(entry)] : [];
    });
    this.hub.publishDelta('hosts', { upsert: views, remove: [] });
  }

  private view(entry: HostEntry): HostView {
    const runtime = this.runtime.get(entry.id);
    const { credentialRef, ...rest } = entry;
    return {
      ...rest,
      hasPassword: this.secrets.has(credentialRef),
      status: entry.enabled ? (runtime?.status ?? 'unknown') : 'disabled',
      ...(runtime?.lastError ? { lastError: runtime.lastError } : {}),
      ...(runtime?.lastSeenAt ? { lastSeenAt: runtime.lastSeenAt } : {}),
    };
  }

  /**
   * The log masks a host's current password (a replaced one is forgotten). Called on every read of
   * the password, so it only touches the log's masker when the password actually changed.
   */
  private rememberSecret(id: string, password: string | undefined): void {
    if (!this.log || password === undefined) return;
    const digest = secretDigest(password);
    if (this.maskedPasswords.get(id) === digest) return;
    this.log.forgetSecrets(secretScope(id));
    this.log.addSecret(password, secretScope(id));
    this.maskedPasswords.set(id, digest);
  }

  /** Cross-field rules: insecure combinations and duplicates. */
  private checkRules(entry: HostEntry, others: readonly HostEntry[]): void {
    if (entry.transport === 'http' && entry.auth === 'basic' && !entry.allowUnencryptedBasic) {
      throw validationError([
        {
          field: 'auth',
          message:
            'Basic authentication over HTTP would send the password in clear text; use NTLM (encrypted over HTTP), switch to HTTPS, or tick "allow unencrypted Basic" if you accept the risk',
        },
      ]);
    }
    if (entry.transport === 'http' && entry.tlsFingerprintSha256) {
      throw validationError([{ field: 'tlsFingerprintSha256', message: 'a certificate fingerprint only applies to HTTPS; clear it or switch to HTTPS' }]);
    }
    const duplicate = others.find((h) => h.address === entry.address && h.port === entry.port);
    if (duplicate) {
      throw new ContractError(
        ErrorCode.Conflict,
        `address: ${entry.address}:${entry.port} is already configured as "${duplicate.displayName}"; edit that entry instead`,
        { fields: [{ field: 'address', message: `already configured as "${duplicate.displayName}"` }] },
      );
    }
  }
}

function secretScope(hostId: string): string {
  return `host:${hostId}`;
}

function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toUpperCase();
}
