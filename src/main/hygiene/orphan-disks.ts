import type { OrphanDiskFile } from '../../shared/hygiene/rules';

/** Parses `host.orphanDisks` data ({files:[{path, sizeGb, lastWriteTime}]}); a lone object is a list of one. */
export function parseOrphanDisks(data: unknown, host: string): OrphanDiskFile[] {
  if (typeof data !== 'object' || data === null || !('files' in data)) {
    throw new Error(`host ${host}: the agent's host.orphanDisks result has no files list; redeploy the agent (1.5.0 or newer)`);
  }
  const raw = (data as { files: unknown }).files;
  const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const files: OrphanDiskFile[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.path !== 'string' || e.path === '') continue;
    files.push({
      path: e.path,
      sizeGb: typeof e.sizeGb === 'number' && Number.isFinite(e.sizeGb) ? e.sizeGb : null,
      lastWriteTime: typeof e.lastWriteTime === 'string' && e.lastWriteTime !== '' ? e.lastWriteTime : null,
    });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
