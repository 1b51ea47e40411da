/**
 * Provisioning media: the per-OS ISO images a new VM boots with, holding its guest agent.
 * `LinuxProvisioning.iso` is built from agent/guest/linux/ and `WindowsProvisioning.iso` from
 * agent/guest/windows/, each only when that folder has files. The guest folder's files sit at the
 * image root, plus `aetherv-version` (the agent version, which the guest compares with the
 * version the host sends over KVP).
 *
 * The images are built when the artifact server starts, into a cache folder under the data
 * directory keyed by the agent version and a hash of every input: a restart with the same agent
 * leaves the same files in place (same bytes, same mtime), a new agent gets a fresh folder and
 * the old one is removed. Building takes milliseconds: the guest agents are a few scripts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeVersionText, parseAgentVersion } from '../deployment/version';
import { buildIsoImage, IsoInputError, type IsoFile } from './iso9660';

export interface ProvisioningMediaSpec {
  /** File name in the agent install folder (what New-AetherVm.ps1 looks for). */
  file: string;
  /** Source folder, relative to the agent folder. */
  folder: string;
  volumeLabel: string;
}

export const PROVISIONING_MEDIA: readonly ProvisioningMediaSpec[] = [
  { file: 'LinuxProvisioning.iso', folder: 'guest/linux', volumeLabel: 'AETHERV_LINUX' },
  { file: 'WindowsProvisioning.iso', folder: 'guest/windows', volumeLabel: 'AETHERV_WINDOWS' },
];

/** The version file inside each image. */
export const MEDIA_VERSION_FILE = 'aetherv-version';

/**
 * Every timestamp inside the images. Fixed rather than "now" or the files' mtimes so the same
 * agent gives byte-identical images (and the same SHA-256) on every workstation and every build.
 */
export const MEDIA_DATE = new Date('2025-01-01T00:00:00Z');

/** Bump when the image layout changes, so cached images from an older app are rebuilt. */
const LAYOUT_REVISION = 1;

export class ProvisioningMediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningMediaError';
  }
}

/** Every regular file under `folder`, as image paths ('/'-separated) with their bytes, sorted. */
export async function readGuestFolder(folder: string): Promise<IsoFile[] | null> {
  const exists = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) return null;
  const files: IsoFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), path);
      else if (entry.isFile()) files.push({ path, bytes: await readFile(join(dir, entry.name)) });
      else {
        // A symbolic link or device would make the image depend on what lies outside the folder.
        throw new ProvisioningMediaError(
          `${join(dir, entry.name)} is not a regular file or folder; the provisioning media hold only plain files.`,
        );
      }
    }
  };
  await walk(folder, '');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

/** The agent version text as hosts send it (normalised first line of agent/version). */
async function agentVersionText(agentDir: string): Promise<string> {
  const text = normalizeVersionText(await readFile(join(agentDir, 'version')).catch(() => null));
  if (parseAgentVersion(text) === null) {
    throw new ProvisioningMediaError(
      `agent/version in ${agentDir} holds ${JSON.stringify(text)}, not a version like 1.2.3; the provisioning media stamp it.`,
    );
  }
  return text;
}

export interface MediaSource {
  spec: ProvisioningMediaSpec;
  /** Files of the image, the version file included. */
  files: IsoFile[];
}

/** What each image will hold: one entry per guest folder that exists and has files. */
export async function collectMediaSources(
  agentDir: string,
): Promise<{ version: string; sources: MediaSource[] }> {
  const version = await agentVersionText(agentDir);
  const sources: MediaSource[] = [];
  for (const spec of PROVISIONING_MEDIA) {
    const guestFiles = await readGuestFolder(join(agentDir, spec.folder));
    if (!guestFiles || guestFiles.length === 0) continue;
    if (guestFiles.some((f) => f.path.toLowerCase() === MEDIA_VERSION_FILE)) {
      throw new ProvisioningMediaError(
        `agent/${spec.folder}/${MEDIA_VERSION_FILE} would hide the version the app stamps into ${spec.file}; remove it.`,
      );
    }
    sources.push({
      spec,
      files: [...guestFiles, { path: MEDIA_VERSION_FILE, bytes: Buffer.from(`${version}\n`, 'utf8') }],
    });
  }
  return { version, sources };
}

/** Builds one image; an input the image cannot hold is reported with its folder and path. */
export function buildMediaImage(source: MediaSource): Buffer {
  try {
    return buildIsoImage(source.files, {
      volumeLabel: source.spec.volumeLabel,
      date: MEDIA_DATE,
      application: 'AETHER-V PROVISIONING MEDIA',
    });
  } catch (error) {
    if (error instanceof IsoInputError) {
      throw new ProvisioningMediaError(
        `Cannot build ${source.spec.file} from agent/${source.spec.folder}: ${error.message}`,
      );
    }
    throw error;
  }
}

/** Cache key: agent version plus a hash over every input byte and the layout revision. */
function cacheKey(version: string, sources: MediaSource[]): string {
  const hash = createHash('sha256');
  hash.update(`layout ${LAYOUT_REVISION}\n`);
  for (const { spec, files } of sources) {
    hash.update(`image ${spec.file} ${spec.volumeLabel}\n`);
    for (const file of files) {
      hash.update(`${JSON.stringify(file.path)} ${file.bytes.length} `);
      hash.update(file.bytes);
      hash.update('\n');
    }
  }
  return `${version.replace(/[^0-9A-Za-z.-]/g, '_')}-${hash.digest('hex').slice(0, 16)}`;
}

export interface PreparedMedia {
  /** Folder holding exactly the built images (empty when no guest folder has files). */
  dir: string;
  /** File names of the images in `dir`. */
  files: string[];
  /** Images written now; the others were already in the cache with the same bytes. */
  written: string[];
}

/**
 * Builds the images into `cacheDir/<version>-<hash>/` and removes every other entry of
 * `cacheDir`, so old agents' images do not pile up. Each image is built in memory and compared
 * with the cached copy: an identical copy is left alone (same mtime, so a running server never
 * sees it change), a missing or damaged one is rewritten under a temporary name and renamed, so
 * a crash never leaves a half-written image under the final name.
 */
export async function prepareProvisioningMedia(agentDir: string, cacheDir: string): Promise<PreparedMedia> {
  const { version, sources } = await collectMediaSources(agentDir);
  const key = cacheKey(version, sources);
  const dir = join(cacheDir, key);
  const files = sources.map((s) => s.spec.file);
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  for (const source of sources) {
    const image = buildMediaImage(source);
    const target = join(dir, source.spec.file);
    const cached = await readFile(target).catch(() => null);
    if (cached && cached.equals(image)) continue;
    const temp = join(dir, `.${source.spec.file}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, image);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
    written.push(source.spec.file);
  }
  for (const entry of await readdir(dir)) {
    if (!files.includes(entry)) await rm(join(dir, entry), { recursive: true, force: true });
  }
  for (const entry of await readdir(cacheDir)) {
    if (entry !== key) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
  return { dir, files, written };
}
