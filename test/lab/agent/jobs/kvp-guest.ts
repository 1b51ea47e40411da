/**
 * Both sides of the KVP provisioning key exchange (contracts §4, docs/agent.md), with real crypto:
 * the guest makes an RSA-2048 key and publishes its PKCS#1 public key; the host wraps a fresh
 * AES-256 key with RSA PKCS#1 v1.5, encrypts every data value with AES-256-CBC (own IV, chunks of
 * 100 code points) and publishes an HMAC-SHA256 checksum keyed with the AES key; the guest
 * unwraps, reassembles, decrypts and verifies — failing like the real guest ("error validating:checksum").
 */
import { constants, createCipheriv, createDecipheriv, createHmac, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, createPublicKey, type KeyObject } from 'node:crypto';

export type KvpPool = Map<string, string>;

const CHUNK = 100;
const MAX_CHUNKS = 30;

export interface GuestKeys {
  privateKey: KeyObject;
  publicKeyB64: string;
}

export function guestGenerateKey(): GuestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyB64: publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64') };
}

function encryptValue(key: Buffer, text: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

function decryptValue(key: Buffer, b64: string): string {
  const raw = Buffer.from(b64, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, raw.subarray(0, 16));
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
}

export function checksum(key: Buffer, values: Record<string, string>): string {
  const keys = Object.keys(values).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac('sha256', key).update(keys.map((k) => values[k]).join('|'), 'utf8').digest('base64');
}

/** Host side: publishes the wrapped AES key, the encrypted values and the checksum into `pool` (host → guest). */
export function hostPublish(pool: KvpPool, guestPublicKeyB64: string, data: Record<string, string>): void {
  const publicKey = createPublicKey({ key: Buffer.from(guestPublicKeyB64, 'base64'), format: 'der', type: 'pkcs1' });
  const aes = randomBytes(32);
  const values = Object.fromEntries(Object.entries(data).filter(([, v]) => v.trim() !== '').map(([k, v]) => [`hlvmm.data.${k}`, v.trim()]));
  pool.set('hlvmm.meta.provisioning_system_checksum', checksum(aes, values));
  pool.set('hlvmm.meta.shared_aes_key', publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, aes).toString('base64'));
  for (const name of Object.keys(values).sort()) {
    const points = [...values[name]!];
    if (points.length <= CHUNK) pool.set(name, encryptValue(aes, values[name]!));
    else {
      const chunks = Math.ceil(points.length / CHUNK);
      if (chunks > MAX_CHUNKS) throw new Error(`${name} is longer than ${CHUNK * MAX_CHUNKS} characters`);
      for (let i = 0; i < chunks; i++) pool.set(`${name}._${i}`, encryptValue(aes, points.slice(i * CHUNK, (i + 1) * CHUNK).join('')));
    }
  }
}

/** RSA PKCS#1 v1.5 unwrap: raw RSA, then the padding removed by hand (Node refuses v1.5 private decryption). */
function unwrapKey(privateKey: KeyObject, wrappedB64: string): Buffer {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(wrappedB64, 'base64'));
  if (block[0] !== 0 || block[1] !== 2) throw new Error('error decrypting:shared_aes_key');
  const end = block.indexOf(0, 2);
  if (end < 10) throw new Error('error decrypting:shared_aes_key');
  const key = block.subarray(end + 1);
  if (key.length !== 32) throw new Error('error decrypting:shared_aes_key');
  return key;
}

/** Guest side: returns the decrypted data (short key names) or throws "error <verb>:<step>". */
export function guestRead(pool: KvpPool, keys: GuestKeys): Record<string, string> {
  const wrapped = pool.get('hlvmm.meta.shared_aes_key');
  if (!wrapped) throw new Error('error reading:provisioning_data');
  const aes = unwrapKey(keys.privateKey, wrapped);
  const names = new Set<string>();
  for (const k of pool.keys()) if (k.startsWith('hlvmm.data.')) names.add(k.replace(/\._\d+$/, ''));
  const values: Record<string, string> = {};
  try {
    for (const name of names) {
      if (pool.has(name)) values[name] = decryptValue(aes, pool.get(name)!);
      else {
        let text = '';
        for (let i = 0; i < MAX_CHUNKS && pool.has(`${name}._${i}`); i++) text += decryptValue(aes, pool.get(`${name}._${i}`)!);
        values[name] = text;
      }
    }
  } catch {
    throw new Error('error decrypting:provisioning_data');
  }
  const included = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
  if (checksum(aes, included) !== pool.get('hlvmm.meta.provisioning_system_checksum')) throw new Error('error validating:checksum');
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k.slice('hlvmm.data.'.length), v]));
}
