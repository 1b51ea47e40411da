import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { crc32, writeZip } from '../../src/main/jobs';
import { allowedVmActions, checkVmAction } from '../../src/shared/contract';
import { guestGenerateKey, guestRead, hostPublish, type KvpPool } from '../lab/agent/jobs/kvp-guest';
import { tempDir } from '../support/temp';

test('the VM action matrix (contracts §7) as the renderer and backend share it', () => {
  expect(allowedVmActions('Running').sort()).toEqual(['pause', 'restart', 'save', 'shutdown', 'turnoff']);
  expect(allowedVmActions('Off')).toEqual(['start']);
  expect(allowedVmActions('Paused').sort()).toEqual(['resume', 'start', 'turnoff']);
  expect(allowedVmActions('Saved').sort()).toEqual(['start', 'turnoff']);
  expect(allowedVmActions('Creating')).toEqual([]);
  expect(checkVmAction('Running', 'start')).toMatchObject({ allowed: false, code: 'ALREADY_IN_STATE' });
  expect(checkVmAction('Saving', 'start')).toMatchObject({ allowed: false, code: 'INVALID_STATE', reason: expect.stringContaining('allowed when Off, Saved, Paused') });
  expect(checkVmAction('Paused', 'delete')).toMatchObject({ allowed: false, code: 'INVALID_STATE' });
  expect(checkVmAction('Paused', 'delete', { force: true })).toEqual({ allowed: true });
  expect(checkVmAction('Starting', 'delete', { force: true }).allowed).toBe(false);
});

test('CRC-32 check value, and a zip that Python zipfile reads back byte for byte', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  const t = tempDir();
  try {
    const entries = [
      { name: 'a.log', data: Buffer.from('hello\n'.repeat(1000)) },
      { name: 'jobs-ü.ndjson', data: Buffer.from('{"x":1}\n') },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ];
    const file = path.join(t.dir, 'x.zip');
    writeFileSync(file, writeZip(entries));
    const script = 'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
    const read = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file]).toString()) as Record<string, string>;
    expect(read).toEqual(Object.fromEntries(entries.map((e) => [e.name, e.data.toString()])));
  } finally {
    t.cleanup();
  }
});

test('KVP exchange: real RSA/AES round trip with chunking; a tampered value fails the HMAC checksum', () => {
  const keys = guestGenerateKey();
  const pool: KvpPool = new Map();
  const longKey = 'ssh-ed25519 ' + 'A'.repeat(250) + ' ✓ ops@example';
  hostPublish(pool, keys.publicKeyB64, { guest_la_pw: 'S3cret-pw!', ansible_ssh_key: longKey, guest_v4_dns2: '   ' });
  expect([...pool.keys()].filter((k) => k.startsWith('hlvmm.data.ansible_ssh_key._'))).toHaveLength(3);
  expect(pool.has('hlvmm.data.guest_v4_dns2')).toBe(false);
  expect([...pool.values()].join('')).not.toContain('S3cret-pw!');
  expect(guestRead(pool, keys)).toEqual({ guest_la_pw: 'S3cret-pw!', ansible_ssh_key: longKey });

  const other: KvpPool = new Map();
  hostPublish(other, keys.publicKeyB64, { guest_la_pw: 'different' });
  pool.set('hlvmm.data.guest_la_pw', other.get('hlvmm.data.guest_la_pw')!); // encrypted with another AES key
  expect(() => guestRead(pool, keys)).toThrow(/error (decrypting:provisioning_data|validating:checksum)/);
});
