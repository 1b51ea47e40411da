/**
 * The provisioning media builder: which images exist, what is inside them (read back with
 * xorriso), the version stamp, the cache under the data directory, and its refusals.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEDIA_VERSION_FILE,
  PROVISIONING_MEDIA,
  prepareProvisioningMedia,
  ProvisioningMediaError,
} from '../../src/main/provisioning';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { tempDir } from '../support/temp';
import { isoinfoDescribe, makeWritable, walk, xorrisoExtract, xorrisoList } from './iso-tools';

const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/agent', import.meta.url));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let temp: ReturnType<typeof tempDir>;
let agentDir: string;
let cacheDir: string;

beforeEach(() => {
  temp = tempDir('aetherv-media-');
  agentDir = join(temp.dir, 'agent');
  cpSync(FIXTURE_AGENT, agentDir, { recursive: true });
  cacheDir = join(temp.dir, 'data', 'provisioning-media');
});

afterEach(() => {
  makeWritable(temp.dir);
  temp.cleanup();
});

/** Extracts `image` and checks it holds exactly `folder`'s files plus the version stamp. */
function expectImageHolds(image: string, folder: string, version: string): void {
  const dest = join(temp.dir, `extract-${Math.random().toString(36).slice(2)}`);
  xorrisoExtract(image, dest);
  expect(walk(dest).sort()).toEqual([...walk(folder), MEDIA_VERSION_FILE].sort());
  for (const path of walk(folder)) {
    expect(sha256(readFileSync(join(dest, path))), path).toBe(sha256(readFileSync(join(folder, path))));
  }
  expect(readFileSync(join(dest, MEDIA_VERSION_FILE), 'utf8')).toBe(`${version}\n`);
}

describe('provisioning media', () => {
  it('builds LinuxProvisioning.iso and WindowsProvisioning.iso from agent/guest/<os>, stamped with the agent version', async () => {
    const media = await prepareProvisioningMedia(agentDir, cacheDir);
    expect(media.files).toEqual(['LinuxProvisioning.iso', 'WindowsProvisioning.iso']);
    expect(media.written).toEqual(media.files);
    expect(media.dir.startsWith(cacheDir)).toBe(true);
    expect(readdirSync(media.dir).sort()).toEqual(media.files);

    const linux = join(media.dir, 'LinuxProvisioning.iso');
    const windows = join(media.dir, 'WindowsProvisioning.iso');
    expectImageHolds(linux, join(agentDir, 'guest/linux'), '3.4.5');
    expectImageHolds(windows, join(agentDir, 'guest/windows'), '3.4.5');
    expect(xorrisoList(linux).volumeId).toBe('AETHERV_LINUX');
    expect(xorrisoList(windows).volumeId).toBe('AETHERV_WINDOWS');
    expect(isoinfoDescribe(windows)).toMatch(/^Volume id: AETHERV_WINDOWS$/m);
    // The empty fixture file is in the image with size 0.
    expect(xorrisoList(windows).files.get('/Empty-Marker.txt')).toBe(0);
  });

  it('stamps the normalised version (no BOM, first line, trimmed): what the host sends over KVP', async () => {
    writeFileSync(join(agentDir, 'version'), '\uFEFF  3.4.6  \r\nsecond line\r\n');
    const media = await prepareProvisioningMedia(agentDir, cacheDir);
    expectImageHolds(join(media.dir, 'LinuxProvisioning.iso'), join(agentDir, 'guest/linux'), '3.4.6');
    expect(media.dir).toMatch(/[\\/]3\.4\.6-[0-9a-f]{16}$/);
  });

  it('builds only the images whose guest folder exists and has files', async () => {
    rmSync(join(agentDir, 'guest/windows'), { recursive: true });
    expect((await prepareProvisioningMedia(agentDir, cacheDir)).files).toEqual(['LinuxProvisioning.iso']);
    mkdirSync(join(agentDir, 'guest/windows/empty-folder'), { recursive: true });
    expect((await prepareProvisioningMedia(agentDir, cacheDir)).files).toEqual(['LinuxProvisioning.iso']);
    rmSync(join(agentDir, 'guest'), { recursive: true });
    const none = await prepareProvisioningMedia(agentDir, cacheDir);
    expect(none.files).toEqual([]);
    expect(readdirSync(none.dir)).toEqual([]);
  });

  it('is reproducible: another workstation (another cache, other mtimes) builds the same bytes', async () => {
    const first = await prepareProvisioningMedia(agentDir, cacheDir);
    const otherAgent = join(temp.dir, 'other-agent');
    cpSync(agentDir, otherAgent, { recursive: true }); // fresh mtimes
    const second = await prepareProvisioningMedia(otherAgent, join(temp.dir, 'other-data'));
    for (const file of first.files) {
      expect(sha256(readFileSync(join(second.dir, file))), file).toBe(
        sha256(readFileSync(join(first.dir, file))),
      );
    }
  });

  it("reuses identical cached images untouched, rewrites a damaged one, and drops other agents' folders", async () => {
    const first = await prepareProvisioningMedia(agentDir, cacheDir);
    const linux = join(first.dir, 'LinuxProvisioning.iso');
    const mtime = statSync(linux).mtimeMs;

    const again = await prepareProvisioningMedia(agentDir, cacheDir);
    expect(again.dir).toBe(first.dir);
    expect(again.written).toEqual([]);
    expect(statSync(linux).mtimeMs).toBe(mtime);

    const good = readFileSync(linux);
    writeFileSync(linux, Buffer.concat([good.subarray(0, 40_000), Buffer.from('damaged')]));
    const repaired = await prepareProvisioningMedia(agentDir, cacheDir);
    expect(repaired.written).toEqual(['LinuxProvisioning.iso']);
    expect(sha256(readFileSync(linux))).toBe(sha256(good));

    // A changed guest script is a new cache entry; the old one (and leftovers) are removed.
    writeFileSync(join(cacheDir, 'stray-file'), 'x');
    writeFileSync(join(agentDir, 'guest/linux/aetherv-guest.sh'), '#!/bin/bash\necho changed\n');
    const changed = await prepareProvisioningMedia(agentDir, cacheDir);
    expect(changed.dir).not.toBe(first.dir);
    expect(readdirSync(cacheDir)).toEqual([changed.dir.slice(cacheDir.length + 1)]);
    expect(existsSync(first.dir)).toBe(false);
    expectImageHolds(join(changed.dir, 'LinuxProvisioning.iso'), join(agentDir, 'guest/linux'), '3.4.5');
  });

  it('refuses a guest folder holding its own aetherv-version', async () => {
    writeFileSync(join(agentDir, 'guest/linux', MEDIA_VERSION_FILE), '9.9.9\n');
    await expect(prepareProvisioningMedia(agentDir, cacheDir)).rejects.toThrow(
      /agent\/guest\/linux\/aetherv-version would hide the version the app stamps into LinuxProvisioning\.iso/,
    );
  });

  it('refuses an agent version that is not a version', async () => {
    writeFileSync(join(agentDir, 'version'), 'latest\n');
    const error = await prepareProvisioningMedia(agentDir, cacheDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningMediaError);
    expect((error as Error).message).toMatch(/agent\/version .* holds "latest", not a version like 1\.2\.3/);
  });

  it('refuses a symbolic link in a guest folder, naming it', async () => {
    symlinkSync('/etc/hostname', join(agentDir, 'guest/linux/link-out'));
    await expect(prepareProvisioningMedia(agentDir, cacheDir)).rejects.toThrow(
      /guest[\\/]linux[\\/]link-out is not a regular file or folder/,
    );
  });

  it('refuses a guest file name the image cannot hold, naming the image, the folder and the path', async () => {
    writeFileSync(join(agentDir, 'guest/windows/What?.ps1'), 'x');
    await expect(prepareProvisioningMedia(agentDir, cacheDir)).rejects.toThrow(
      /Cannot build WindowsProvisioning\.iso from agent\/guest\/windows: "What\?\.ps1" contains '\?'/,
    );
    // Nothing half-built is left under the final names.
    const left = existsSync(cacheDir)
      ? readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d)))
      : [];
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the files New-AetherVm.ps1 looks for', () => {
    const script = readFileSync(join(resolveAgentDir(), 'New-AetherVm.ps1'), 'utf8');
    for (const spec of PROVISIONING_MEDIA) expect(script).toContain(`'${spec.file}'`);
  });

  it('builds from the real agent folder: one image per guest folder that has files, each holding that folder', async () => {
    const real = resolveAgentDir();
    const media = await prepareProvisioningMedia(real, cacheDir);
    const expected = PROVISIONING_MEDIA.filter((spec) => {
      const folder = join(real, spec.folder);
      return existsSync(folder) && walk(folder).length > 0;
    }).map((spec) => spec.file);
    expect(media.files).toEqual(expected);
    const version = readFileSync(join(real, 'version'), 'utf8').trim();
    for (const spec of PROVISIONING_MEDIA.filter((s) => expected.includes(s.file))) {
      expectImageHolds(join(media.dir, spec.file), join(real, spec.folder), version);
    }
  });
});
