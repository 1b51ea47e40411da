/**
 * `aether-v export` against a real store: a real lab, a real inventory refresh writing
 * inventory.db, then the CLI as a real process. Its output must equal the GUI's export function
 * (exportTable) over the rows the backend serves, selected and sorted by the same query.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InventoryHost, InventoryVm } from '../../src/shared/contract';
import { exportTable } from '../../src/shared/table-export';
import { queryRows } from '../../src/shared/view-rows';
import type { CellContext } from '../../src/shared/vm-cells';
import { startLab, type Lab } from '../lab';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temp';
import { configureHosts, installAgent, startHarness } from '../inventory/support/harness';

describe('aether-v export', () => {
  let lab: Lab;
  let temp: ReturnType<typeof tempDir>;
  let served: { hosts: InventoryHost[]; vms: InventoryVm[] };
  let names: Map<string, string>;

  beforeAll(async () => {
    temp = tempDir();
    lab = await startLab({ hosts: 2, vmsPerHost: 15, clusters: 0, seed: 16 });
    for (const info of lab.hosts) installAgent(lab, info.name);
    const ids = await configureHosts(temp.dir, lab.hosts);
    names = new Map([...ids].map(([name, id]) => [id, name]));
    const harness = await startHarness(temp.dir, { backgroundLoops: false });
    await harness.api.initialRefresh;
    served = harness.api.snapshot();
    await harness.close();
    expect(served.vms).toHaveLength(30);
  }, 30_000);

  afterAll(async () => {
    await lab?.close();
    temp?.cleanup();
  });

  const ctx = (): CellContext => {
    const hosts = new Map(served.hosts.map((h) => [h.hostId, h]));
    return { hostName: (id) => names.get(id) ?? id, clusterOf: (id) => hosts.get(id)?.cluster ?? null, host: (id) => hosts.get(id), now: Date.now() };
  };

  test('a query, columns and sort give exactly the GUI export of the served rows (CSV, TSV and JSON)', async () => {
    const query = 'state:running OR vcpu>=2';
    const columns = ['name', 'host', 'state', 'vcpu', 'memory', 'os', 'ip', 'checkpoints'] as const;
    const expected = queryRows(served.vms, query, { column: 'vcpu', dir: 'desc' }, ctx());
    if (!expected.ok) throw new Error(expected.error.message);
    expect(expected.vms.length).toBeGreaterThan(0);
    expect(expected.vms.length).toBeLessThan(30); // the query really selects
    for (const format of ['csv', 'tsv', 'json'] as const) {
      const run = await runCli(['export', '--data-dir', temp.dir, '--query', query, '--columns', columns.join(','), '--sort', 'vcpu:desc', '--format', format]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(exportTable(expected.vms, columns, ctx(), format));
    }
    const csv = (await runCli(['export', '--data-dir', temp.dir, '--query', query, '--columns', 'name,vcpu', '--sort', 'vcpu:desc'])).stdout;
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Name,vCPU');
    expect(lines).toHaveLength(expected.vms.length + 2); // header, rows, the final CRLF
    const vcpus = lines.slice(1, -1).map((l) => Number(l.split(',')[1]));
    expect(vcpus).toEqual([...vcpus].sort((a, b) => b - a));
  }, 60_000);

  test('a saved view from settings.json gives its query, columns and sort', async () => {
    const settingsFile = path.join(temp.dir, 'settings.json');
    const doc = JSON.parse((await import('node:fs')).readFileSync(settingsFile, 'utf8'));
    doc.settings.ui = { ...doc.settings.ui, views: [{ name: 'Off VMs', query: 'state:off', columns: ['name', 'state'], sort: { column: 'name', dir: 'desc' }, groupBy: 'none' }] };
    writeFileSync(settingsFile, JSON.stringify(doc));
    const expected = queryRows(served.vms, 'state:off', { column: 'name', dir: 'desc' }, ctx());
    if (!expected.ok) throw new Error(expected.error.message);
    const run = await runCli(['export', '--data-dir', temp.dir, '--view', 'off vms', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected.vms.map((vm) => ({ name: vm.name, state: vm.state })));
  }, 30_000);

  test('tags stored by the app are in the export and select with tag:', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const tagged = served.vms[3]!;
    const db = new DatabaseSync(path.join(temp.dir, 'inventory.db'));
    db.prepare('INSERT INTO vm_tags (vm_id, tag_key, tag, added_at) VALUES (?, ?, ?, ?)').run(tagged.vmId.toLowerCase(), 'prod', 'Prod', new Date().toISOString());
    db.close();
    const run = await runCli(['export', '--data-dir', temp.dir, '--query', 'tag:prod', '--columns', 'name,tags', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([{ name: tagged.name, tags: 'Prod' }]);
  }, 30_000);

  test('a bad query is shown with a caret under the bad part, exit 2; a missing store names the data directory', async () => {
    const bad = await runCli(['export', '--data-dir', temp.dir, '--query', 'state:running mem>lots']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    const [, shown, caret] = bad.stderr.split('\n');
    expect(shown).toBe('  state:running mem>lots');
    expect(caret!.indexOf('^')).toBeGreaterThanOrEqual(shown!.indexOf('mem'));
    expect(caret!.trimEnd().length).toBeLessThanOrEqual(shown!.length);

    const empty = tempDir();
    try {
      const none = await runCli(['export', '--data-dir', empty.dir]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`no inventory store at ${path.join(empty.dir, 'inventory.db')}`);
      expect(none.stderr).toContain(`Looked in the data directory ${empty.dir}`);
    } finally {
      empty.cleanup();
    }
    const usage = await runCli(['export', '--data-dir', temp.dir, '--columns', 'name,colour']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown column "colour"');
  }, 30_000);
});
