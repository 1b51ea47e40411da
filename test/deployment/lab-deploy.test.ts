// The lab's host side of deployment, driven by a plain WinrmClient: the fixed scripts are
// recognised only by their exact text, files come over real HTTP and land in the virtual FS.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentManifest } from '../../src/main/deployment/manifest';
import {
  encodeScriptInput,
  INSTALLER_SCRIPT,
  resolveAgentDir,
  VERSION_SCRIPT,
} from '../../src/main/deployment/scripts';
import { startArtifactServer, type ArtifactServer } from '../../src/main/deployment/artifact-server';
import { WinrmClient } from '../../src/main/winrm';
import { startLab, type Lab } from '../lab';
import { deployStats, setDeployKnobs } from '../lab/deploy';
import { resultOf } from '../support/result-line';

const DIR = 'D:\\Aether-V (Test)\\agent';

describe('lab: fixed deployment scripts', () => {
  let lab: Lab;
  let server: ArtifactServer;
  let client: WinrmClient;
  let manifest: AgentManifest;
  const install = (extra: Record<string, unknown> = {}) =>
    client.powershell(INSTALLER_SCRIPT.text, {
      stdin: encodeScriptInput({
        installDir: DIR,
        baseUrl: server.advertisedBaseUrl,
        agentVersion: manifest.agentVersion,
        attempts: 2,
        retryIntervalS: 1,
        files: manifest.files,
        ...extra,
      }),
    });

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 0, clusters: 0 });
    server = await startArtifactServer({
      host: '127.0.0.1',
      port: 0,
      agentDir: resolveAgentDir(),
      log: () => undefined,
    });
    manifest = server.manifest;
    const info = lab.hosts[0]!;
    client = new WinrmClient({
      endpoint: info.httpUrl,
      auth: 'ntlm',
      username: info.username,
      password: info.password,
    });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await lab?.close();
  });

  it('installs every file over HTTP (the long installer travels on stdin) and writes version last', async () => {
    const before = server.downloads.count;
    const outcome = await install();
    expect(outcome.exitCode).toBe(0);
    const result = resultOf(outcome.stdout);
    expect(result.status).toBe('ok');
    expect(result.data.files).toHaveLength(manifest.files.length);
    // The server counts a download when its response 'finish'es, which can come a turn after the
    // lab (same process) has read the last byte and finished the install.
    await vi.waitFor(() => expect(server.downloads.count - before).toBe(manifest.files.length), { timeout: 2_000 });
    expect(outcome.stdout).toMatch(/AETHERV-LOG .*"step":"version"/);
    const host = lab.host(lab.hosts[0]!.name);
    expect(host.files.getText(`${DIR}\\version`)?.trim()).toBe(manifest.agentVersion);
    expect(host.files.exists(`${DIR}\\version.download`)).toBe(false);
  });

  it('the version reader returns the raw bytes of the version file, or exists:false', async () => {
    const read = async () =>
      resultOf(
        (await client.powershell(VERSION_SCRIPT.text, { stdin: encodeScriptInput({ installDir: DIR }) }))
          .stdout,
      );
    const present = await read();
    expect(Buffer.from(present.data.base64, 'base64').toString('utf8').trim()).toBe(manifest.agentVersion);
    lab.host(lab.hosts[0]!.name).files.delete(`${DIR}\\version`);
    expect((await read()).data).toEqual({ exists: false, base64: null });
  });

  it('downloads failing more often than the attempts allow fail with DOWNLOAD_FAILED and no version file', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    setDeployKnobs(host, { failDownloads: 2 });
    const outcome = await install();
    setDeployKnobs(host, { failDownloads: 0 });
    expect(outcome.exitCode).toBe(1);
    const result = resultOf(outcome.stdout);
    expect(result.error.code).toBe('DOWNLOAD_FAILED');
    expect(result.error.message).toMatch(/Unable to connect to the remote server/);
    expect(result.error.details.files.every((f: { ok: boolean }) => !f.ok)).toBe(true);
    expect(host.files.exists(`${DIR}\\version`)).toBe(false);
    expect(deployStats(host).injectedFailures).toBeGreaterThanOrEqual(2 * manifest.files.length);
  });

  it('an edited installer is not simulated: the lab answers like a host that cannot run it', async () => {
    const outcome = await client.powershell(INSTALLER_SCRIPT.text + '\n# edited', {
      stdin: encodeScriptInput({ installDir: DIR }),
    });
    expect(outcome.stdout).not.toMatch(/AETHERV-RESULT/);
    expect(outcome.exitCode).not.toBe(0);
  });
});
