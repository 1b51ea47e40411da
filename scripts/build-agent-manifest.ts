/**
 * Build step: writes out/agent/manifest.json from agent/. Run with
 *   npx tsx scripts/build-agent-manifest.ts [agentDir] [outFile]
 * The app recomputes the same manifest at runtime; this file lets packaging and CI check it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgentManifest, serializeAgentManifest } from '../src/main/deployment/manifest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const agentDir = resolve(process.argv[2] ?? resolve(root, 'agent'));
const outFile = resolve(process.argv[3] ?? resolve(root, 'out/agent/manifest.json'));

try {
  const manifest = await buildAgentManifest(agentDir);
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, serializeAgentManifest(manifest));
  console.log(`agent ${manifest.agentVersion}: ${manifest.files.length} files -> ${outFile}`);
} catch (error) {
  console.error(`build-agent-manifest: ${(error as Error).message}`);
  process.exitCode = 1;
}
