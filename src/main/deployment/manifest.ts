/**
 * The agent manifest: which files make up the agent, their sizes and SHA-256 hashes, and the
 * agent version. Built from the agent folder at build time (scripts/build-agent-manifest.ts) and
 * again at runtime by the artifact server, so hosts verify exactly what is served.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeVersionText, parseAgentVersion } from './version';

export interface AgentManifestFile {
  /** Bare file name inside the install directory (no folders). */
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the file bytes. */
  sha256: string;
}

export interface AgentManifest {
  /** Canonical semver of agent/version, e.g. "1.0.0". */
  agentVersion: string;
  /** Sorted by name (ordinal). */
  files: AgentManifestFile[];
}

export class AgentManifestError extends Error {
  constructor(
    readonly code:
      | 'AGENT_DIR_UNREADABLE'
      | 'AGENT_VERSION_INVALID'
      | 'AGENT_FILE_NAME_INVALID'
      | 'AGENT_FILE_DUPLICATE',
    message: string,
  ) {
    super(message);
    this.name = 'AgentManifestError';
  }
}

export const AGENT_VERSION_FILE = 'version';

/**
 * Names the manifest may carry. They are also URL path segments and Windows file names, so the
 * set is small on purpose: no spaces, no percent signs, no separators, nothing to encode.
 */
export const AGENT_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Agent payload: every PowerShell script, provisioning ISOs, and the version file. */
export function isAgentPayload(name: string): boolean {
  return name === AGENT_VERSION_FILE || /\.(ps1|iso)$/i.test(name);
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  // Streamed: provisioning ISOs are hundreds of MB.
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function payloadNames(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new AgentManifestError(
      'AGENT_DIR_UNREADABLE',
      `Cannot read the agent folder ${dir}: ${(error as Error).message}`,
    );
  }
  return entries.filter((e) => e.isFile() && isAgentPayload(e.name)).map((e) => e.name);
}

export interface ScannedAgentPayload {
  manifest: AgentManifest;
  /** Where each manifest file lives on this workstation (never served or serialised). */
  paths: ReadonlyMap<string, string>;
}

/**
 * The manifest of the agent folder plus any extra folders (the built provisioning media), by one
 * rule: the payload files of every folder, each name once, `version` from the agent folder.
 */
export async function scanAgentPayload(agentDir: string, extraDirs: readonly string[] = []): Promise<ScannedAgentPayload> {
  const paths = new Map<string, string>();
  for (const dir of [agentDir, ...extraDirs]) {
    for (const name of await payloadNames(dir)) {
      const earlier = paths.get(name);
      if (earlier !== undefined) {
        throw new AgentManifestError(
          'AGENT_FILE_DUPLICATE',
          `Agent file ${name} is both ${earlier} and ${join(dir, name)}; remove the one in the agent folder (the app builds provisioning media itself).`,
        );
      }
      paths.set(name, join(dir, name));
    }
  }
  const names = [...paths.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!names.includes(AGENT_VERSION_FILE)) {
    throw new AgentManifestError(
      'AGENT_VERSION_INVALID',
      `The agent folder ${agentDir} has no 'version' file.`,
    );
  }
  const files: AgentManifestFile[] = [];
  for (const name of names) {
    if (!AGENT_FILE_NAME.test(name)) {
      throw new AgentManifestError(
        'AGENT_FILE_NAME_INVALID',
        `Agent file name ${JSON.stringify(name)} may only use letters, digits, '.', '_' and '-'. Rename it.`,
      );
    }
    const path = paths.get(name)!;
    const info = await stat(path);
    files.push({ name, size: info.size, sha256: await sha256OfFile(path) });
  }
  const versionText = normalizeVersionText(await readFile(join(agentDir, AGENT_VERSION_FILE)));
  const agentVersion = parseAgentVersion(versionText);
  if (agentVersion === null) {
    throw new AgentManifestError(
      'AGENT_VERSION_INVALID',
      `agent/version holds ${JSON.stringify(versionText)}, which is not a version like 1.2.3.`,
    );
  }
  return { manifest: { agentVersion, files }, paths };
}

export async function buildAgentManifest(agentDir: string, extraDirs: readonly string[] = []): Promise<AgentManifest> {
  return (await scanAgentPayload(agentDir, extraDirs)).manifest;
}

/** Stable JSON text of a manifest (what is written to out/agent/manifest.json and served). */
export function serializeAgentManifest(manifest: AgentManifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}
