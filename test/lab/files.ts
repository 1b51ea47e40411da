/**
 * The simulated host's file system: just enough for agent deployment (put files, check they are
 * there) and script dispatch. Paths are Windows paths, compared case-insensitively, '/' and '\'
 * both accepted, as NTFS through PowerShell does.
 */
export class VirtualFileSystem {
  private readonly entries = new Map<string, { path: string; content: Buffer }>();

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

  put(path: string, content: string | Buffer): void {
    const normalized = VirtualFileSystem.normalize(path);
    this.entries.set(normalized.toLowerCase(), { path: normalized, content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content });
  }

  get(path: string): Buffer | undefined {
    return this.entries.get(VirtualFileSystem.key(path))?.content;
  }

  getText(path: string): string | undefined {
    return this.get(path)?.toString('utf8').replace(/^\uFEFF/, '');
  }

  exists(path: string): boolean {
    return this.entries.has(VirtualFileSystem.key(path));
  }

  delete(path: string): boolean {
    return this.entries.delete(VirtualFileSystem.key(path));
  }

  /** Paths (as first written) under `directory` (recursive), or every path. Sorted. */
  list(directory?: string): string[] {
    const prefix = directory === undefined ? '' : VirtualFileSystem.key(directory) + '\\';
    return [...this.entries.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, entry]) => entry.path)
      .sort((a, b) => a.localeCompare(b));
  }
}
