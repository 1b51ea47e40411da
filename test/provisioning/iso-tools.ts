/**
 * Reading ISO images back with Debian's tools, so the tests judge our writer by independent
 * readers: xorriso (libisofs; reads the Joliet tree) and isoinfo (genisoimage; reads either tree
 * and the path tables). scripts/test-prereqs.mjs installs both (`npm test` runs it first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../../scripts/executables.mjs';

function tool(program: string, pkg: string): string {
  const found = findOnPath(program);
  if (!found) {
    throw new Error(
      `${program} is required for the provisioning media tests: run \`node scripts/test-prereqs.mjs\` (npm test does) or \`sudo apt-get install ${pkg}\``,
    );
  }
  return found;
}

export const XORRISO = tool('xorriso', 'xorriso');
export const ISOINFO = tool('isoinfo', 'genisoimage');

const BIG = 256 * 1024 * 1024;

/** Runs xorriso; fails the test on any message of severity WARNING or worse. */
export function xorriso(args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(XORRISO, args, { encoding: 'utf8', maxBuffer: BIG, timeout: 60_000 });
  if (result.status !== 0)
    throw new Error(`xorriso ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const complaints = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => /: (WARNING|SORRY|FAILURE|FATAL|ABORT|MISHAP) :/.test(line));
  if (complaints.length > 0) throw new Error(`xorriso complained:\n${complaints.join('\n')}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Paths of every file and folder xorriso sees (Joliet tree), '/'-rooted, with its volume id. */
export function xorrisoList(image: string): { volumeId: string; files: Map<string, number>; dirs: string[] } {
  const { stdout, stderr } = xorriso(['-indev', image, '-find', '/', '-exec', 'lsdl']);
  const volumeId = /Volume id\s*:\s*'([^']*)'/.exec(`${stdout}\n${stderr}`)?.[1] ?? '';
  const files = new Map<string, number>();
  const dirs: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^([d-])\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w+\s+\d+\s+\d+\s+'(.*)'$/.exec(line);
    if (!match) continue;
    if (match[1] === 'd') dirs.push(match[3]);
    else files.set(match[3], Number(match[2]));
  }
  return { volumeId, files, dirs };
}

/** Extracts the whole image into `dest` (which must not exist). */
export function xorrisoExtract(image: string, dest: string): void {
  xorriso(['-osirrox', 'on', '-indev', image, '-extract', '/', dest]);
}

/** Every file under `dir` as '/'-separated relative paths. */
export function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, name)).isDirectory()) out.push(...walk(join(dir, name), path));
    else out.push(path);
  }
  return out;
}

/** Extraction leaves read-only folders (the image's modes); make them removable again. */
export function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

export interface IsoinfoEntry {
  path: string;
  isDir: boolean;
  size: number;
  extent: number;
}

/**
 * isoinfo prints Joliet names in an 8-bit character set (it knows no UTF-8), so the tests ask for
 * ISO 8859-1 and decode it as such: names in the tests stay within Latin-1.
 */
const JOLIET = ['-J', '-j', 'iso8859-1'];

/** `isoinfo -l` (primary tree) or `isoinfo -J -l` (Joliet): every entry but '.' and '..'. */
export function isoinfoList(image: string, joliet: boolean): IsoinfoEntry[] {
  const stdout = execFileSync(ISOINFO, [...(joliet ? JOLIET : []), '-l', '-i', image], {
    maxBuffer: BIG,
  }).toString('latin1');
  const entries: IsoinfoEntry[] = [];
  let dir = '/';
  for (const line of stdout.split('\n')) {
    const heading = /^Directory listing of (.*)$/.exec(line);
    if (heading) {
      dir = heading[1];
      continue;
    }
    const match =
      /^([d-])\S{9}\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\w{3}\s+\d+\s+\d{4}\s+\[\s*(\d+)\s+\d+\]\s\s(.*) $/.exec(
        line,
      );
    if (!match || match[4] === '.' || match[4] === '..') continue;
    entries.push({
      path: dir + match[4],
      isDir: match[1] === 'd',
      size: Number(match[2]),
      extent: Number(match[3]),
    });
  }
  return entries;
}

/**
 * `isoinfo -x`: one file's bytes, read through the primary tree or (joliet) the Joliet tree.
 * The path must reach isoinfo as Latin-1 bytes, which Node's argv (always UTF-8) cannot pass,
 * so bash's printf turns \xHH escapes back into bytes.
 */
export function isoinfoRead(image: string, path: string, joliet: boolean): Buffer {
  const escaped = [...Buffer.from(path, 'latin1')]
    .map((b) => `\\x${b.toString(16).padStart(2, '0')}`)
    .join('');
  const script = 'path=$(printf "$1"); shift; exec "$@" -x "$path"';
  return execFileSync(
    'bash',
    ['-c', script, 'bash', escaped, ISOINFO, ...(joliet ? JOLIET : []), '-i', image],
    { maxBuffer: BIG },
  );
}

/** `isoinfo -d`: the header fields as text. */
export function isoinfoDescribe(image: string): string {
  return execFileSync(ISOINFO, ['-d', '-i', image], { encoding: 'utf8' });
}

/** `isoinfo -p` (L path table): [number, parent, extent, name] per folder. */
export function isoinfoPathTable(
  image: string,
  joliet: boolean,
): { parent: number; extent: number; name: string }[] {
  const stdout = execFileSync(ISOINFO, [...(joliet ? JOLIET : []), '-p', '-i', image]).toString('latin1');
  const rows: { parent: number; extent: number; name: string }[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*\d+:\s+(\d+)\s+([0-9a-f]+) (.*)$/.exec(line);
    if (match) rows.push({ parent: Number(match[1]), extent: parseInt(match[2], 16), name: match[3] });
  }
  return rows;
}
