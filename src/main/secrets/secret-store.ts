import { randomBytes, createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ContractError } from '../../shared/contract';
import path from 'node:path';

/** Where passwords live. Host entries hold only a reference into this store. */
export interface SecretStore {
  put(ref: string, secret: string): Promise<void>;
  get(ref: string): Promise<string | undefined>;
  delete(ref: string): Promise<void>;
  /**
   * Whether `get(ref)` would return a password: an entry exists and decrypts with the current key.
   * Synchronous, for views; an entry that can no longer be decrypted (key replaced, keychain
   * unavailable) counts as no password, because it cannot be used.
   */
  has(ref: string): boolean;
  /** How secrets are protected, in words, for app.info and the README. */
  readonly protection: string;
}

/** Turns plaintext into ciphertext and back; AES-GCM with a key file, or Electron's safeStorage. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  readonly protection: string;
}

/** AES-256-GCM with a random 32-byte key in a file created with mode 0600 (browser mode). */
export function keyFileCipher(keyFile: string): SecretCipher {
  let key: Buffer;
  if (existsSync(keyFile)) {
    key = readFileSync(keyFile);
    if (key.length !== 32) throw new Error(`${keyFile} is not a 32-byte key; move it aside to create a new one (stored passwords will need re-entering)`);
  } else {
    key = randomBytes(32);
    mkdirSync(path.dirname(keyFile), { recursive: true });
    // 'wx' fails if another process created the key meanwhile, instead of silently replacing it.
    writeFileSync(keyFile, key, { mode: 0o600, flag: 'wx' });
  }
  return {
    protection: `AES-256-GCM; key in ${keyFile} (mode 0600, readable by your OS account only)`,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]);
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

interface SecretFile {
  version: 1;
  entries: Record<string, string>;
}

/** A JSON file of base64 ciphertexts, written atomically (temp file + rename), mode 0600. */
export class EncryptedFileSecretStore implements SecretStore {
  private entries: Record<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Whether each stored ciphertext decrypts, so `has` decrypts an entry once, not per view. */
  private readonly decrypts = new Map<string, boolean>();

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  get protection(): string {
    return this.cipher.protection;
  }

  async put(ref: string, secret: string): Promise<void> {
    const sealed = this.cipher.encrypt(secret).toString('base64');
    await this.change((entries) => {
      entries[ref] = sealed;
      return true;
    });
  }

  async get(ref: string): Promise<string | undefined> {
    const sealed = (await this.load())[ref];
    if (sealed === undefined) return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch (error) {
      if (error instanceof ContractError) throw error; // e.g. the secret store is unavailable
      throw new SecretUnreadable(ref, error);
    }
  }

  has(ref: string): boolean {
    let entries: Record<string, string>;
    try {
      entries = this.loadNow();
    } catch {
      return false;
    }
    const sealed = entries[ref];
    if (sealed === undefined) return false;
    let ok = this.decrypts.get(sealed);
    if (ok === undefined) {
      try {
        this.cipher.decrypt(Buffer.from(sealed, 'base64'));
        ok = true;
      } catch {
        ok = false;
      }
      this.decrypts.set(sealed, ok);
    }
    return ok;
  }

  async delete(ref: string): Promise<void> {
    await this.change((entries) => {
      if (!(ref in entries)) return false;
      delete entries[ref];
      return true;
    });
  }

  private async load(): Promise<Record<string, string>> {
    if (this.entries) return this.entries;
    if (!existsSync(this.file)) return (this.entries = {});
    return (this.entries = this.parse(await readFile(this.file, 'utf8')));
  }

  /** The same as `load`, synchronously: the file is small and `has` serves synchronous views. */
  private loadNow(): Record<string, string> {
    if (this.entries) return this.entries;
    if (!existsSync(this.file)) return (this.entries = {});
    return (this.entries = this.parse(readFileSync(this.file, 'utf8')));
  }

  private parse(text: string): Record<string, string> {
    const parsed = JSON.parse(text) as SecretFile;
    if (parsed?.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) throw new Error(`${this.file} is not a secrets file this version understands`);
    return parsed.entries;
  }

  /**
   * One change at a time, in order: each works on a copy that becomes the store's state only once
   * the file holding it is safely written, so a failed write (disk full) leaves both the file and
   * what `has`/`get` report as they were, and no later change is lost to an earlier failure.
   */
  private change(edit: (entries: Record<string, string>) => boolean): Promise<void> {
    const run = this.writing.catch(() => undefined).then(async () => {
      const next = { ...(await this.load()) };
      if (!edit(next)) return;
      await this.write(next);
      this.entries = next;
      // Drop cached verdicts for ciphertexts no longer stored (a replaced or deleted password).
      const live = new Set(Object.values(next));
      for (const sealed of this.decrypts.keys()) if (!live.has(sealed)) this.decrypts.delete(sealed);
    });
    this.writing = run;
    return run;
  }

  private async write(entries: Record<string, string>): Promise<void> {
    const body = JSON.stringify({ version: 1, entries } satisfies SecretFile, null, 2);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temp, body, { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

/** A stored secret that no longer decrypts: the key file was replaced or the keychain changed. */
export class SecretUnreadable extends Error {
  constructor(
    readonly ref: string,
    cause: unknown,
  ) {
    super(`the stored secret ${ref} cannot be decrypted with this machine's key (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = 'SecretUnreadable';
  }
}
