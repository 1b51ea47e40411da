import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentManifestError,
  buildAgentManifest,
  isAgentPayload,
  serializeAgentManifest,
} from '../../src/main/deployment/manifest';

const repoAgentDir = fileURLToPath(new URL('../../agent/', import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aetherv-manifest-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function agentFolder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return dir;
}

describe('buildAgentManifest', () => {
  it('lists every .ps1 and the version file of the real agent folder, with true sizes and hashes', async () => {
    const manifest = await buildAgentManifest(repoAgentDir);
    const expected = (await readdir(repoAgentDir))
      .filter((n) => n.endsWith('.ps1') || n === 'version')
      .sort();
    expect(manifest.files.map((f) => f.name)).toEqual(expected);
    expect(manifest.files.map((f) => f.name)).toContain('Invoke-AgentOperation.ps1');
    for (const file of manifest.files) {
      const bytes = await readFile(join(repoAgentDir, file.name));
      expect(file.size).toBe(bytes.length);
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(manifest.agentVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('normalises the version file (BOM, v prefix, padding) and leaves out non-payload files', async () => {
    const dir = await agentFolder('normalise', {
      version: '\uFEFFv2.4.000\r\n',
      'B.ps1': 'b',
      'a.ps1': 'a',
      'README.md': 'x',
      'Linux.iso': 'iso',
    });
    const manifest = await buildAgentManifest(dir);
    expect(manifest.agentVersion).toBe('2.4.0');
    expect(manifest.files.map((f) => f.name)).toEqual(['B.ps1', 'Linux.iso', 'a.ps1', 'version']);
  });

  it('refuses a folder without a usable version', async () => {
    await expect(buildAgentManifest(await agentFolder('none', { 'A.ps1': 'a' }))).rejects.toMatchObject({
      code: 'AGENT_VERSION_INVALID',
    });
    await expect(buildAgentManifest(await agentFolder('bad', { version: 'latest' }))).rejects.toBeInstanceOf(
      AgentManifestError,
    );
    await expect(buildAgentManifest(join(root, 'missing'))).rejects.toMatchObject({
      code: 'AGENT_DIR_UNREADABLE',
    });
  });

  it('refuses payload names that would need URL encoding', async () => {
    const dir = await agentFolder('names', { version: '1.0.0', 'My Script.ps1': 'x' });
    await expect(buildAgentManifest(dir)).rejects.toMatchObject({ code: 'AGENT_FILE_NAME_INVALID' });
  });

  it('serialises to stable JSON that parses back to the same manifest', async () => {
    const manifest = await buildAgentManifest(repoAgentDir);
    const text = serializeAgentManifest(manifest);
    expect(JSON.parse(text)).toEqual(manifest);
    expect(serializeAgentManifest(await buildAgentManifest(repoAgentDir))).toBe(text);
  });

  it('isAgentPayload selects scripts, ISOs and version only', () => {
    expect(['x.ps1', 'X.PS1', 'a.iso', 'version'].every(isAgentPayload)).toBe(true);
    expect(['README.md', 'version.txt', 'x.psm1', 'manifest.json'].some(isAgentPayload)).toBe(false);
  });
});
