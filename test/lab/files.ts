/**
 * The simulated host's file system: just enough for agent deployment (put files, check they are
 * there) and script dispatch. Paths are Windows paths, compared case-insensitively, '/' and '\'
 * both accepted, as NTFS through PowerShell does.
 *
 * By default the files live in memory. A host that runs the real agent in real PowerShell keeps
 * them on disk instead (`attachDisk`): drive `X:` is the folder `<root>/X`, which the PowerShell
 * process sees as its `X:` drive, so both sides read and write the same files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class VirtualFileSystem {
  private readonly entries = new Map<string, { path: string; content: Buffer; modifiedAt?: Date }>();
  private diskRoot: string | undefined;

  static normalize(path: string): string {
    let p = path.trim().replace(/\//g, '\\');
    const unc = p.startsWith('\\\\');
    p = p.replace(/\\{2,}/g, '\\');
    if (unc) p = '\\' + p;
    return p.length > 3 ? p.replace(/\\+$/, '') : p;
  }

  private static key(path: string): string {
    return VirtualFileSystem.normalize(path).toLowerCase();
  }

  /** The folder that holds the drives when the files are on disk, else undefined. */
  get root(): string | undefined {
    return this.diskRoot;
  }

  /**
   * Moves the file system to disk under `root` (one folder per drive letter, created for each
   * letter in `drives`). Files already in memory are written there first.
   */
  attachDisk(root: string, drives: readonly string[]): void {
    for (const letter of drives) mkdirSync(join(root, letter.toUpperCase()), { recursive: true });
    const pending = [...this.entries.values()];
    this.entries.clear();
    this.diskRoot = root;
    for (const entry of pending) this.put(entry.path, entry.content);
  }

  /**
   * The real path of a Windows path on disk: an existing entry is matched case-insensitively,
   * segment by segment (NTFS semantics over a case-sensitive file system); missing segments keep
   * the spelling given. Undefined for a path that is not on a drive letter.
   */
  realPath(path: string): string | undefined {
    if (!this.diskRoot) return undefined;
    const match = /^([A-Za-z]):(?:\\(.*))?$/.exec(VirtualFileSystem.normalize(path));
    if (!match) return undefined;
    let current = join(this.diskRoot, match[1].toUpperCase());
    for (const segment of (match[2] ?? '').split('\\').filter(Boolean)) {
      const exact = join(current, segment);
      if (existsSync(exact)) {
        current = exact;
        continue;
      }
      const found = existsSync(current) && statSync(current).isDirectory() ? readdirSync(current).find((name) => name.toLowerCase() === segment.toLowerCase()) : undefined;
      current = join(current, found ?? segment);
    }
    return current;
  }

  private diskPath(path: string): string {
    const real = this.realPath(path);
    if (!real) throw new Error(`the lab host's disk holds drive-letter paths only, not ${path}`);
    return real;
  }

  put(path: string, content: string | Buffer): void {
    const normalized = VirtualFileSystem.normalize(path);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (this.diskRoot) {
      const real = this.diskPath(normalized);
      mkdirSync(join(real, '..'), { recursive: true });
      writeFileSync(real, data);
      return;
    }
    this.entries.set(normalized.toLowerCase(), { path: normalized, content: data, modifiedAt: new Date() });
  }

  /** When a file was last written (what LastWriteTime reports), or undefined when it is not there. */
  modifiedAt(path: string): Date | undefined {
    if (this.diskRoot) {
      const real = this.realPath(path);
      return real && existsSync(real) && statSync(real).isFile() ? statSync(real).mtime : undefined;
    }
    return this.entries.get(VirtualFileSystem.key(path))?.modifiedAt;
  }

  /** Sets a file's last write time (lab knob: an old unattached disk). */
  setModifiedAt(path: string, at: Date): void {
    if (this.diskRoot) {
      const real = this.realPath(path);
      if (real && existsSync(real)) utimesSync(real, at, at);
      return;
    }
    const entry = this.entries.get(VirtualFileSystem.key(path));
    if (entry) entry.modifiedAt = at;
  }

  get(path: string): Buffer | undefined {
    if (this.diskRoot) {
      const real = this.realPath(path);
      return real && existsSync(real) && statSync(real).isFile() ? readFileSync(real) : undefined;
    }
    return this.entries.get(VirtualFileSystem.key(path))?.content;
  }

  getText(path: string): string | undefined {
    return this.get(path)?.toString('utf8').replace(/^\uFEFF/, '');
  }

  exists(path: string): boolean {
    if (this.diskRoot) {
      const real = this.realPath(path);
      return Boolean(real && existsSync(real) && statSync(real).isFile());
    }
    return this.entries.has(VirtualFileSystem.key(path));
  }

  delete(path: string): boolean {
    if (this.diskRoot) {
      if (!this.exists(path)) return false;
      rmSync(this.diskPath(path));
      return true;
    }
    return this.entries.delete(VirtualFileSystem.key(path));
  }

  /** Paths (as first written) under `directory` (recursive), or every path. Sorted. */
  list(directory?: string): string[] {
    if (this.diskRoot) return this.listDisk(directory);
    const prefix = directory === undefined ? '' : VirtualFileSystem.key(directory) + '\\';
    return [...this.entries.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, entry]) => entry.path)
      .sort((a, b) => a.localeCompare(b));
  }

  private listDisk(directory?: string): string[] {
    const root = this.diskRoot!;
    const found: string[] = [];
    const walk = (real: string, windows: string): void => {
      if (!existsSync(real)) return;
      for (const entry of readdirSync(real, { withFileTypes: true })) {
        const childReal = join(real, entry.name);
        const childWindows = `${windows}\\${entry.name}`;
        if (entry.isDirectory()) walk(childReal, childWindows);
        else if (entry.isFile()) found.push(childWindows);
      }
    };
    if (directory === undefined) {
      for (const letter of readdirSync(root)) if (/^[A-Z]$/.test(letter)) walk(join(root, letter), `${letter}:`);
    } else {
      const real = this.realPath(directory);
      if (real) walk(real, VirtualFileSystem.normalize(directory));
    }
    return found.sort((a, b) => a.localeCompare(b));
  }
}
