/**
 * The artifact server with provisioning media: the images built from agent/guest/ are in the same
 * manifest as the agent scripts, with their SHA-256, served over real HTTP, and installed on a lab
 * host by the real installer script (which verifies every hash), bytes intact.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startArtifactServer,
  type ArtifactLogEvent,
  type ArtifactServer,
} from '../../src/main/deployment/artifact-server';
import type { AgentManifest } from '../../src/main/deployment/manifest';
import { encodeScriptInput, INSTALLER_SCRIPT, resolveAgentDir } from '../../src/main/deployment/scripts';
import { PROVISIONING_MEDIA } from '../../src/main/provisioning';
import { WinrmClient } from '../../src/main/winrm';
import { startLab, type Lab } from '../lab';
import { startTestBackend } from '../support/backend';
import { resultOf } from '../support/result-line';
import { tempDir } from '../support/temp';
import { makeWritable, walk, xorrisoExtract, xorrisoList } from './iso-tools';

const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/agent', import.meta.url));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const MEDIA = ['LinuxProvisioning.iso', 'WindowsProvisioning.iso'];

let temp: ReturnType<typeof tempDir>;
let agentDir: string;
let cacheDir: string;
let events: ArtifactLogEvent[];

beforeEach(() => {
  temp = tempDir('aetherv-artifact-media-');
  agentDir = join(temp.dir, 'agent');
  cpSync(FIXTURE_AGENT, agentDir, { recursive: true });
  cacheDir = join(temp.dir, 'data', 'provisioning-media');
  events = [];
});

afterEach(() => {
  makeWritable(temp.dir);
  temp.cleanup();
});

const start = (): Promise<ArtifactServer> =>
  startArtifactServer({
    host: '127.0.0.1',
    port: 0,
    agentDir,
    mediaCacheDir: cacheDir,
    log: (e) => events.push(e),
  });

async function get(
  server: ArtifactServer,
  name: string,
): Promise<{ status: number; etag: string | null; body: Buffer }> {
  const res = await fetch(`${server.url}/agent/${name}`);
  return { status: res.status, etag: res.headers.get('etag'), body: Buffer.from(await res.arrayBuffer()) };
}

/** Writes served bytes to disk and checks xorriso finds the guest folder and the version in them. */
function expectServedImage(bytes: Buffer, file: string, folder: string): void {
  const image = join(temp.dir, file);
  writeFileSync(image, bytes);
  const dest = join(temp.dir, `${file}-extracted`);
  xorrisoExtract(image, dest);
  expect(walk(dest).sort()).toEqual([...walk(folder), 'aetherv-version'].sort());
}

describe('artifact server: provisioning media', () => {
  it('lists both images in the manifest with the SHA-256 and size of the bytes it serves', async () => {
    const server = await start();
    try {
      const manifest = JSON.parse(
        (await get(server, 'manifest.json')).body.toString('utf8'),
      ) as AgentManifest;
      expect(manifest.agentVersion).toBe('3.4.5');
      expect(manifest.files.map((f) => f.name)).toEqual(['Invoke-Fixture.ps1', ...MEDIA, 'version']);
      for (const name of MEDIA) {
        const entry = manifest.files.find((f) => f.name === name)!;
        const served = await get(server, name);
        expect(served.status).toBe(200);
        expect(served.body.length, name).toBe(entry.size);
        expect(sha256(served.body), name).toBe(entry.sha256);
        expect(served.etag).toBe(`"sha256-${entry.sha256}"`);
        expect(server.fileUrl(name)).toBe(`${server.advertisedBaseUrl}/agent/${name}`);
      }
      expectServedImage(
        (await get(server, 'LinuxProvisioning.iso')).body,
        'linux.iso',
        join(agentDir, 'guest/linux'),
      );
      expectServedImage(
        (await get(server, 'WindowsProvisioning.iso')).body,
        'windows.iso',
        join(agentDir, 'guest/windows'),
      );
      expect(
        events.some((e) =>
          /Built provisioning media LinuxProvisioning\.iso, WindowsProvisioning\.iso/.test(e.message),
        ),
      ).toBe(true);
      // The cache folder is not reachable by any other path.
      const key = readdirSync(cacheDir)[0]!;
      expect((await get(server, `../provisioning-media/${key}/LinuxProvisioning.iso`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('a restart serves the same manifest (same ETag) without rewriting the images', async () => {
    const first = await start();
    const before = await get(first, 'manifest.json');
    await first.close();
    events = [];
    const second = await start();
    try {
      const after = await get(second, 'manifest.json');
      expect(after.etag).toBe(before.etag);
      expect(after.body.equals(before.body)).toBe(true);
      expect(events.some((e) => /Built provisioning media/.test(e.message))).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('refuses to start when the agent folder also holds an image the app builds', async () => {
    writeFileSync(join(agentDir, 'LinuxProvisioning.iso'), 'stale hand-made image');
    await expect(start()).rejects.toMatchObject({
      code: 'AGENT_FILE_DUPLICATE',
      message: expect.stringMatching(
        /Agent file LinuxProvisioning\.iso is both .*agent[\\/]LinuxProvisioning\.iso and .*provisioning-media.*; remove the one in the agent folder/,
      ),
    });
  });

  it('refuses to start, naming the file, when a guest folder cannot become an image', async () => {
    writeFileSync(join(agentDir, 'guest/linux/bad:name.sh'), 'x');
    await expect(start()).rejects.toThrow(
      /Cannot build LinuxProvisioning\.iso from agent\/guest\/linux: "bad:name\.sh" contains ':'/,
    );
  });
});

describe('lab host: the installer copies the provisioning media', () => {
  const DIR = 'C:\\ProgramData\\Aether-V\\agent';
  let lab: Lab;
  let client: WinrmClient;
  let labTemp: ReturnType<typeof tempDir>;
  let server: ArtifactServer;

  beforeAll(async () => {
    labTemp = tempDir('aetherv-lab-media-');
    const dir = join(labTemp.dir, 'agent');
    cpSync(FIXTURE_AGENT, dir, { recursive: true });
    server = await startArtifactServer({
      host: '127.0.0.1',
      port: 0,
      agentDir: dir,
      mediaCacheDir: join(labTemp.dir, 'data', 'provisioning-media'),
      log: () => undefined,
    });
    lab = await startLab({ hosts: 1, vmsPerHost: 0, clusters: 0 });
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
    labTemp?.cleanup();
  });

  it('installs both images with the bytes (and hashes) of the manifest', async () => {
    const manifest = server.manifest;
    const outcome = await client.powershell(INSTALLER_SCRIPT.text, {
      stdin: encodeScriptInput({
        installDir: DIR,
        baseUrl: server.advertisedBaseUrl,
        agentVersion: manifest.agentVersion,
        attempts: 2,
        retryIntervalS: 1,
        files: manifest.files,
      }),
    });
    expect(outcome.exitCode).toBe(0);
    expect(resultOf(outcome.stdout).status).toBe('ok');
    const host = lab.host(lab.hosts[0]!.name);
    for (const name of MEDIA) {
      const installed = host.files.get(`${DIR}\\${name}`);
      expect(installed, name).toBeDefined();
      expect(sha256(installed!), name).toBe(manifest.files.find((f) => f.name === name)!.sha256);
    }
    const image = join(labTemp.dir, 'installed-linux.iso');
    writeFileSync(image, host.files.get(`${DIR}\\LinuxProvisioning.iso`)!);
    expect(xorrisoList(image).files.get('/aetherv-version')).toBe('3.4.5\n'.length);
  });
});

describe('the app builds the media into its data directory', () => {
  it('a started backend has <data dir>/provisioning-media/<version>-<hash>/ with an image per guest folder', async () => {
    const app = await startTestBackend();
    try {
      const cache = join(app.dataDir, 'provisioning-media');
      const entries = readdirSync(cache);
      const version = readFileSync(join(resolveAgentDir(), 'version'), 'utf8').trim();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}-[0-9a-f]{16}$`));
      const expected = PROVISIONING_MEDIA.filter((spec) => {
        const folder = join(resolveAgentDir(), spec.folder);
        return existsSync(folder) && walk(folder).length > 0;
      }).map((spec) => spec.file);
      expect(readdirSync(join(cache, entries[0]!)).sort()).toEqual(expected.sort());
    } finally {
      await app.close();
    }
  });
});
