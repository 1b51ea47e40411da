// The installer and the version reader, run for real: the app's fixed scripts go over WinRM to a
// lab host that runs them in PowerShell. Start-Job children download every file from the real
// artifact server into the host's disk, hashes are checked, and `version` is written last.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArtifactServer, type ArtifactServer } from '../../src/main/deployment/artifact-server';
import { encodeScriptInput, INSTALLER_SCRIPT, resolveAgentDir, VERSION_SCRIPT } from '../../src/main/deployment/scripts';
import { resultOf } from '../support/result-line';
import { startRealAgentLab, type RealAgentLab } from './support';

const DIR = 'D:\\Aether-V (Test)\\agent';

describe('deployment scripts in real PowerShell', () => {
  let rig: RealAgentLab;
  let server: ArtifactServer;
  const install = (extra: Record<string, unknown> = {}) =>
    rig.client().powershell(INSTALLER_SCRIPT.text, {
      stdin: encodeScriptInput({
        installDir: DIR,
        baseUrl: server.advertisedBaseUrl,
        agentVersion: server.manifest.agentVersion,
        attempts: 2,
        retryIntervalS: 1,
        files: server.manifest.files,
        ...extra,
      }),
    });
  const readVersion = async () => resultOf((await rig.client().powershell(VERSION_SCRIPT.text, { stdin: encodeScriptInput({ installDir: DIR }) })).stdout);

  beforeAll(async () => {
    rig = await startRealAgentLab({ hosts: 1, vmsPerHost: 0, clusters: 0 });
    await rig.host().setKnobs({ slowFactor: 0.05 });
    server = await startArtifactServer({ host: '127.0.0.1', port: 0, agentDir: resolveAgentDir(), log: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await rig?.close();
  });

  it('installs every file with Start-Job downloads, verified by hash, version last; the reader returns its bytes', async () => {
    expect((await readVersion()).data).toEqual({ exists: false, base64: null });
    const outcome = await install();
    const result = resultOf(outcome.stdout);
    expect(result.status, JSON.stringify(result.error)).toBe('ok');
    expect(outcome.exitCode).toBe(0);
    expect(result.data.files).toHaveLength(server.manifest.files.length);
    const host = rig.host();
    for (const file of server.manifest.files) {
      const content = host.files.get(`${DIR}\\${file.name}`);
      expect(content, file.name).toBeDefined();
      expect(createHash('sha256').update(content!).digest('hex'), file.name).toBe(file.sha256);
    }
    expect(host.files.exists(`${DIR}\\version.download`)).toBe(false);
    expect(outcome.stdout).toMatch(/AETHERV-LOG .*"step":"version"/);
    const version = await readVersion();
    expect(Buffer.from(version.data.base64, 'base64').toString('utf8').trim()).toBe(server.manifest.agentVersion);
  }, 120_000);

  it('a file whose hash does not match fails the install with HASH_MISMATCH and leaves no version file', async () => {
    const files = server.manifest.files.map((f) => (f.name === 'AetherV.Common.ps1' ? { ...f, sha256: '0'.repeat(64) } : f));
    const outcome = await install({ files, attempts: 1 });
    const result = resultOf(outcome.stdout);
    expect(outcome.exitCode).toBe(1);
    expect(result.error.code).toBe('HASH_MISMATCH');
    expect(result.error.message).toContain('AetherV.Common.ps1');
    expect(rig.host().files.exists(`${DIR}\\version`)).toBe(false);
    expect((await readVersion()).data.exists).toBe(false);
  }, 120_000);

  it('download jobs that cannot start fail the install with their reason, not a silent "no result"', async () => {
    await rig.host().setKnobs({ jobsFail: true });
    try {
      const result = resultOf((await install({ attempts: 1 })).stdout);
      expect(result.error.code).toBe('DOWNLOAD_FAILED');
      expect(result.error.message).toContain('refuses to start background processes');
      expect(rig.host().files.exists(`${DIR}\\version`)).toBe(false);
    } finally {
      await rig.host().setKnobs({ jobsFail: false });
    }
  }, 120_000);

  it('an artifact server that cannot be reached fails with DOWNLOAD_FAILED after the attempts', async () => {
    // A port on loopback that nothing listens on: the artifact server's own, once closed.
    const gone = await startArtifactServer({ host: '127.0.0.1', port: 0, agentDir: resolveAgentDir(), log: () => undefined });
    const baseUrl = gone.advertisedBaseUrl;
    await gone.close();
    const outcome = await install({ baseUrl, attempts: 2 });
    const result = resultOf(outcome.stdout);
    expect(result.error.code).toBe('DOWNLOAD_FAILED');
    expect(result.error.details.files.every((f: { ok: boolean; attempts: number }) => !f.ok && f.attempts === 2)).toBe(true);
    expect(rig.host().files.exists(`${DIR}\\version`)).toBe(false);
  }, 120_000);
});
