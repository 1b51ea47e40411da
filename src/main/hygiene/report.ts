import type { HygieneReport } from '../../shared/hygiene/contract';
import { evaluateHygiene, isSnoozed, type HygieneThresholds, type OrphanDiskFile } from '../../shared/hygiene/rules';
import type { HygieneFacts } from './facts';
import type { SnoozeStore } from './snoozes';

export interface OrphanScan {
  scannedAt: string;
  files: OrphanDiskFile[];
}

/** Findings from the store's facts, each marked with its snooze (the page hides snoozed ones). */
export function hygieneReport(input: {
  facts: HygieneFacts;
  snoozes: SnoozeStore;
  thresholds: HygieneThresholds;
  orphanScans: ReadonlyMap<string, OrphanScan>;
  hostName: (hostId: string, computerName: string | null) => string;
  now: Date;
}): HygieneReport {
  const now = input.now.getTime();
  const { vms, hosts } = input.facts.gather(input.hostName);
  // A scan of a host removed since is no longer shown.
  const scans = new Map([...input.orphanScans].filter(([hostId]) => hosts.has(hostId)).map(([hostId, scan]) => [hostId, scan.files]));
  const findings = evaluateHygiene({ vms, hosts, thresholds: input.thresholds, now, orphanScans: scans });
  const snoozes = input.snoozes.list(input.now);
  return {
    findings: findings.map((f) => {
      const snooze = snoozes.get(f.id);
      return { ...f, snoozed: isSnoozed(f, snooze, now) ? { until: snooze!.until } : null };
    }),
    orphanScans: [...input.orphanScans].filter(([hostId]) => hosts.has(hostId)).map(([hostId, scan]) => ({ hostId, scannedAt: scan.scannedAt, files: scan.files.length })),
    evaluatedAt: input.now.toISOString(),
  };
}
