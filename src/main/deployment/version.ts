/**
 * One rule for agent versions, used for the bundled `agent/version` file and for the copy a host
 * reports. The reference system compared versions three different ways (contracts section 5);
 * here a version is normalised once and compared with semver after coercing `v1.2`, `2.4.000`.
 */
import semver from 'semver';

export type VersionAssessment = 'missing' | 'unparsable' | 'older' | 'equal' | 'newer';

/**
 * Text of a version file as read from disk or from a host: removes a BOM, NUL bytes (a UTF-16
 * file read as UTF-8 or ASCII leaves one after every character) and surrounding blanks, and keeps
 * the first non-blank line. Bytes are decoded by their BOM (UTF-16 LE/BE), else as UTF-8.
 */
export function normalizeVersionText(raw: string | Uint8Array | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  const text = typeof raw === 'string' ? raw : decodeBytes(raw);
  const cleaned = text.replace(/\uFEFF|\uFFFE|\u0000/g, '');
  for (const line of cleaned.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed.length > 0) return trimmed;
  }
  return '';
}

function decodeBytes(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

const VERSION_SHAPE = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Canonical semver string (`2.4.000` → `2.4.0`, `v1.2` → `1.2.0`), or null when the text is not
 * a version. Four-part Windows file versions and free text are rejected on purpose: a value we
 * cannot order must not silently compare as equal.
 */
export function parseAgentVersion(text: string): string | null {
  const match = VERSION_SHAPE.exec(normalizeVersionText(text));
  if (!match) return null;
  const parts = [match[1], match[2] ?? '0', match[3] ?? '0'].map((p) => Number(p));
  if (parts.some((p) => !Number.isSafeInteger(p))) return null;
  const candidate = parts.join('.') + (match[4] ? `-${match[4]}` : '');
  return semver.valid(candidate);
}

/** -1, 0 or 1 by semver order; null when either side is not a version. */
export function compareAgentVersions(a: string, b: string): -1 | 0 | 1 | null {
  const left = parseAgentVersion(a);
  const right = parseAgentVersion(b);
  if (left === null || right === null) return null;
  return semver.compare(left, right);
}

/**
 * Where the host's agent stands relative to the bundled one. `older`/`newer` describe the HOST.
 * A missing or blank file and `0.0.0` are `missing` (the reference wrote 0.0.0 for "unknown").
 */
export function assessHostVersion(
  hostRaw: string | Uint8Array | null | undefined,
  bundledVersion: string,
): VersionAssessment {
  const bundled = parseAgentVersion(bundledVersion);
  if (bundled === null) {
    throw new TypeError(
      `The bundled agent version ${JSON.stringify(bundledVersion)} is not a version; fix agent/version.`,
    );
  }
  const text = normalizeVersionText(hostRaw);
  if (text === '') return 'missing';
  const host = parseAgentVersion(text);
  if (host === null) return 'unparsable';
  if (semver.eq(host, '0.0.0')) return 'missing';
  const order = semver.compare(host, bundled);
  return order < 0 ? 'older' : order > 0 ? 'newer' : 'equal';
}

/**
 * Whether the deployment service installs our agent without being asked: when the host has none,
 * one we cannot read, or an older one. A NEWER agent is left alone (another workstation with a
 * newer app probably manages the host); the host is reported and not used for jobs until someone
 * updates this app or forces a redeploy. Only `equal` means ready.
 */
export function needsDeployment(assessment: VersionAssessment): boolean {
  return assessment === 'missing' || assessment === 'unparsable' || assessment === 'older';
}
