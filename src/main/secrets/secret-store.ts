import { randomBytes, createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where passwords live. Host entries hold only a reference into this store. */
export interface SecretStore {
  put(ref: string, secret: string): Promise<void>;
  get(ref: string): Promise<string | undefined>;
  delete(ref: string): Promise<void>;
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

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  get protection(): string {
    return this.cipher.protection;
  }

  async put(ref: string, secret: string): Promise<void> {
    const entries = await this.load();
    entries[ref] = this.cipher.encrypt(secret).toString('base64');
    await this.save(entries);
  }

  async get(ref: string): Promise<string | undefined> {
    const sealed = (await this.load())[ref];
    return sealed === undefined ? undefined : this.cipher.decrypt(Buffer.from(sealed, 'base64'));
  }

  async delete(ref: string): Promise<void> {
    const entries = await this.load();
    if (!(ref in entries)) return;
    delete entries[ref];
    await this.save(entries);
  }

  private async load(): Promise<Record<string, string>> {
    if (this.entries) return this.entries;
    if (!existsSync(this.file)) return (this.entries = {});
    const parsed = JSON.parse(await readFile(this.file, 'utf8')) as SecretFile;
    if (parsed.version !== 1 || typeof parsed.entries !== 'object') throw new Error(`${this.file} is not a secrets file this version understands`);
    return (this.entries = parsed.entries);
  }

  private save(entries: Record<string, string>): Promise<void> {
    const body = JSON.stringify({ version: 1, entries } satisfies SecretFile, null, 2);
    // Serialise writes so two quick updates never interleave their temp files.
    this.writing = this.writing.then(async () => {
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, body, { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.file);
    });
    return this.writing;
  }
}
