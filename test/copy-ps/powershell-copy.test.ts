import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { VM_OPERATIONS, type VmOperation } from '../../src/shared/contract/vm-operations';
import { PsIncomplete, powerShellFor, powerShellForSelection, psQuote, type PsParams, type PsVmTarget } from '../../src/shared/powershell-copy';
import { findPowerShell } from '../support/prereqs';

const VM_ID = '5f0c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f';
const CP_ID = '11111111-2222-4333-8444-555555555555';
const web: PsVmTarget = { vmId: VM_ID, vmName: 'web-01', computerName: 'hv01', nameUnique: true };
const dup: PsVmTarget = { ...web, nameUnique: false };
const ctx = { moveTarget: (id: string) => (id === 'h2' ? { cluster: 'CLU-A', node: 'hv02' } : null) };

/** Complete parameters for every operation: the compiler names an operation missing here. */
const FULL: { [K in VmOperation]: PsParams[K] } = {
  start: {},
  shutdown: {},
  turnoff: {},
  restart: {},
  save: {},
  pause: {},
  resume: {},
  delete: { deleteDisks: false },
  processors: { count: 4 },
  memory: { startupMb: 4096, dynamic: true, minimumMb: 512, maximumMb: 8192, bufferPercent: 20 },
  notes: { notes: 'patched' },
  'disk.add': { mode: 'new', sizeGb: 40 },
  'disk.expand': { diskId: 'Microsoft:DISK\\1', sizeGb: 100 },
  'disk.remove': { diskId: 'Microsoft:DISK\\1', deleteFile: false },
  'nic.add': { switchName: 'LAN', vlan: 12, macAddress: null },
  'nic.update': { nicId: 'Microsoft:NIC\\1', switchName: 'DMZ', vlan: null },
  'nic.remove': { nicId: 'Microsoft:NIC\\1' },
  'checkpoint.create': { name: 'before patch', type: 'standard' },
  'checkpoint.apply': { checkpointId: CP_ID },
  'checkpoint.rename': { checkpointId: CP_ID, name: 'baseline' },
  'checkpoint.delete': { checkpointId: CP_ID, subtree: true },
  move: { targetHostId: 'h2', migrationType: 'live' },
};

/** The exact command per operation for a VM with a unique name. */
const EXPECTED: Record<VmOperation, string> = {
  start: "Start-VM -ComputerName 'hv01' -Name 'web-01'",
  shutdown: "Stop-VM -ComputerName 'hv01' -Name 'web-01'",
  turnoff: "Stop-VM -ComputerName 'hv01' -Name 'web-01' -TurnOff -Force",
  restart: "Restart-VM -ComputerName 'hv01' -Name 'web-01' -Force",
  save: "Save-VM -ComputerName 'hv01' -Name 'web-01'",
  pause: "Suspend-VM -ComputerName 'hv01' -Name 'web-01'",
  resume: "Resume-VM -ComputerName 'hv01' -Name 'web-01'",
  delete: "Remove-VM -ComputerName 'hv01' -Name 'web-01' -Force",
  processors: "Set-VMProcessor -ComputerName 'hv01' -VMName 'web-01' -Count 4",
  memory: "Set-VMMemory -ComputerName 'hv01' -VMName 'web-01' -StartupBytes 4096MB -DynamicMemoryEnabled $true -MinimumBytes 512MB -MaximumBytes 8192MB -Buffer 20",
  notes: "Set-VM -ComputerName 'hv01' -Name 'web-01' -Notes 'patched'",
  'disk.add': [
    '# The app takes the first free <VM name>-disk<N>.vhdx; this names it -disk2: change it if that file exists.',
    "$path = Join-Path (Get-VMHost -ComputerName 'hv01').VirtualHardDiskPath 'web-01-disk2.vhdx'",
    "New-VHD -ComputerName 'hv01' -Path $path -SizeBytes 40GB -Dynamic",
    "Add-VMHardDiskDrive -ComputerName 'hv01' -VMName 'web-01' -Path $path",
  ].join('\n'),
  'disk.expand': "Get-VMHardDiskDrive -ComputerName 'hv01' -VMName 'web-01' | Where-Object Id -eq 'Microsoft:DISK\\1' | ForEach-Object { Resize-VHD -ComputerName 'hv01' -Path $_.Path -SizeBytes 100GB }",
  'disk.remove': "$disk = Get-VMHardDiskDrive -ComputerName 'hv01' -VMName 'web-01' | Where-Object Id -eq 'Microsoft:DISK\\1'\n$disk | Remove-VMHardDiskDrive",
  'nic.add': "Add-VMNetworkAdapter -ComputerName 'hv01' -VMName 'web-01' -SwitchName 'LAN' -Passthru | Set-VMNetworkAdapterVlan -Access -VlanId 12",
  'nic.update': [
    "$nic = Get-VMNetworkAdapter -ComputerName 'hv01' -VMName 'web-01' | Where-Object Id -eq 'Microsoft:NIC\\1'",
    "$nic | Connect-VMNetworkAdapter -SwitchName 'DMZ'",
    '$nic | Set-VMNetworkAdapterVlan -Untagged',
  ].join('\n'),
  'nic.remove': "Get-VMNetworkAdapter -ComputerName 'hv01' -VMName 'web-01' | Where-Object Id -eq 'Microsoft:NIC\\1' | Remove-VMNetworkAdapter",
  'checkpoint.create': "Checkpoint-VM -ComputerName 'hv01' -Name 'web-01' -SnapshotName 'before patch'",
  'checkpoint.apply': `Get-VMSnapshot -ComputerName 'hv01' -Id '${CP_ID}' | Restore-VMSnapshot -Confirm:$false`,
  'checkpoint.rename': `Get-VMSnapshot -ComputerName 'hv01' -Id '${CP_ID}' | Rename-VMSnapshot -NewName 'baseline'`,
  'checkpoint.delete': `Get-VMSnapshot -ComputerName 'hv01' -Id '${CP_ID}' | Remove-VMSnapshot -IncludeAllChildSnapshots -Confirm:$false`,
  move: "Move-ClusterVirtualMachineRole -Cluster 'CLU-A' -Name 'web-01' -Node 'hv02' -MigrationType Live",
};

describe('Copy as PowerShell: one command per operation', () => {
  it.each(VM_OPERATIONS)('%s gives the Hyper-V command', (op) => {
    expect(powerShellFor(op, web, FULL[op], ctx)).toBe(EXPECTED[op]);
  });

  it('every operation of the table has a generator and an expected command', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...VM_OPERATIONS].sort());
    for (const op of VM_OPERATIONS) expect(powerShellFor(op, web, FULL[op], ctx).length).toBeGreaterThan(10);
  });

  it.each(VM_OPERATIONS)('%s addresses a VM whose name is not unique by its id, never by name', (op) => {
    const text = powerShellFor(op, dup, FULL[op], ctx);
    expect(text).not.toContain("'web-01'");
    if (!op.startsWith('checkpoint.') || op === 'checkpoint.create') expect(text).toContain(VM_ID);
  });

  it('by id: Get-VM -Id piped into the cmdlet, and -VMId for a move', () => {
    expect(powerShellFor('shutdown', dup)).toBe(`Get-VM -ComputerName 'hv01' -Id '${VM_ID}' | Stop-VM`);
    expect(powerShellFor('processors', dup, { count: 2 })).toBe(`Get-VM -ComputerName 'hv01' -Id '${VM_ID}' | Set-VMProcessor -Count 2`);
    expect(powerShellFor('move', dup, { targetHostId: 'h2', migrationType: 'quick' }, ctx)).toBe(`Move-ClusterVirtualMachineRole -Cluster 'CLU-A' -VMId '${VM_ID}' -Node 'hv02' -MigrationType Quick`);
  });

  it('variants: delete with disks, existing disk, static MAC, production checkpoint, static memory, removing the file', () => {
    const del = powerShellFor('delete', web, { deleteDisks: true });
    expect(del.split('\n')).toEqual([
      '# Unlike the app, this also deletes a disk file another VM uses: check the paths first.',
      "$vm = Get-VM -ComputerName 'hv01' -Name 'web-01'",
      '$paths = @($vm | Get-VMHardDiskDrive | ForEach-Object Path)',
      '$vm | Remove-VM -Force',
      "Invoke-Command -ComputerName 'hv01' -ScriptBlock { param($files) Remove-Item -LiteralPath $files } -ArgumentList (, $paths)",
    ]);
    expect(powerShellFor('delete', web, { deleteDisks: false, force: true }).split('\n')).toEqual(["Stop-VM -ComputerName 'hv01' -Name 'web-01' -TurnOff -Force", "Remove-VM -ComputerName 'hv01' -Name 'web-01' -Force"]);
    expect(powerShellFor('delete', dup, { deleteDisks: true, force: true }).split('\n')[3]).toBe('$vm | Stop-VM -TurnOff -Force');
    expect(powerShellFor('disk.add', web, { mode: 'existing', path: "D:\\VMs\\o'brien.vhdx" })).toBe("Add-VMHardDiskDrive -ComputerName 'hv01' -VMName 'web-01' -Path 'D:\\VMs\\o''brien.vhdx'");
    expect(powerShellFor('disk.add', web, { mode: 'new', sizeGb: 8, folder: 'E:\\Disks' }).split('\n')[1]).toBe("$path = Join-Path 'E:\\Disks' 'web-01-disk2.vhdx'");
    expect(powerShellFor('nic.add', web, { switchName: 'LAN', vlan: null, macAddress: '00-15-5d-01-02-03' })).toBe("Add-VMNetworkAdapter -ComputerName 'hv01' -VMName 'web-01' -SwitchName 'LAN' -StaticMacAddress '00155D010203'");
    expect(powerShellFor('checkpoint.create', web, { name: 'x', type: 'production' }).split('\n')).toEqual([
      '# The app puts the checkpoint type back afterwards; this leaves the VM on ProductionOnly.',
      "Set-VM -ComputerName 'hv01' -Name 'web-01' -CheckpointType ProductionOnly",
      "Checkpoint-VM -ComputerName 'hv01' -Name 'web-01' -SnapshotName 'x'",
    ]);
    expect(powerShellFor('memory', web, { startupMb: 2048, dynamic: false, maximumMb: 9000 })).toBe("Set-VMMemory -ComputerName 'hv01' -VMName 'web-01' -StartupBytes 2048MB -DynamicMemoryEnabled $false");
    expect(powerShellFor('disk.remove', web, { diskId: 'd1', deleteFile: true }).split('\n')[2]).toBe("Invoke-Command -ComputerName 'hv01' -ScriptBlock { param($file) Remove-Item -LiteralPath $file } -ArgumentList $disk.Path");
    expect(powerShellFor('nic.update', web, { nicId: 'n1', vlan: 7 }).split('\n')[1]).toBe('$nic | Set-VMNetworkAdapterVlan -Access -VlanId 7');
  });

  it('a half-typed dialog names the missing field instead of producing a broken command', () => {
    expect(powerShellFor('notes', web, { notes: '' })).toBe("Set-VM -ComputerName 'hv01' -Name 'web-01' -Notes ''");
    expect(() => powerShellFor('notes', web, {})).toThrow(/the notes/);
    expect(() => powerShellFor('processors', web, {})).toThrow(PsIncomplete);
    expect(() => powerShellFor('processors', web, {})).toThrow(/processor count/);
    expect(() => powerShellFor('checkpoint.create', web, { name: '' })).toThrow(/checkpoint name/);
    expect(() => powerShellFor('nic.update', web, { nicId: 'n1' })).toThrow(/virtual switch or VLAN/);
    expect(() => powerShellFor('move', web, { targetHostId: 'nowhere', migrationType: 'live' }, ctx)).toThrow(/target host/);
    expect(() => powerShellFor('move', web, { targetHostId: 'h2', migrationType: 'live' }, { moveTarget: () => ({ cluster: null, node: 'hv02' }) })).toThrow(/cluster/);
  });
});

describe('Copy as PowerShell: a selection', () => {
  it('is one script grouped by host, a comment line per host, hosts in first-seen order', () => {
    const items = [
      { hostLabel: 'Host one', target: web },
      { hostLabel: 'Host two', target: { vmId: 'b', vmName: 'db-01', computerName: 'hv02', nameUnique: true } },
      { hostLabel: 'Host one', target: { vmId: 'c', vmName: 'web-02', computerName: 'hv01', nameUnique: true } },
      { hostLabel: 'Host one', target: { ...dup, vmId: 'd' } },
    ];
    expect(powerShellForSelection('checkpoint.create', items, { name: 'nightly', type: 'standard' })).toBe(
      [
        '# Host one (3 VMs)',
        "Checkpoint-VM -ComputerName 'hv01' -Name 'web-01' -SnapshotName 'nightly'",
        "Checkpoint-VM -ComputerName 'hv01' -Name 'web-02' -SnapshotName 'nightly'",
        "Get-VM -ComputerName 'hv01' -Id 'd' | Checkpoint-VM -SnapshotName 'nightly'",
        '',
        '# Host two (1 VM)',
        "Checkpoint-VM -ComputerName 'hv02' -Name 'db-01' -SnapshotName 'nightly'",
      ].join('\n'),
    );
  });

  it('a host label with a line break stays one comment line', () => {
    const text = powerShellForSelection('start', [{ hostLabel: 'evil\nStop-Computer', target: web }]);
    expect(text.split('\n')[0]).toBe('# evil Stop-Computer (1 VM)');
  });
});

describe('Copy as PowerShell: quoting, checked by the real PowerShell parser', () => {
  const NASTY = [
    "o'brien",
    "''",
    "'; Remove-Item C:\\ -Recurse; '",
    'web\u2018left\u2019right\u201Alow\u201Breversed',
    "\u2019'\u2018",
    '$(Stop-Computer) `n "double" $env:USERNAME @splat',
    'line one\nline two\r\n\ttabbed',
    '# not a comment <# nor this #>',
    'ünïcødé ✓ 名前',
    'trailing quote\u2019',
  ];

  it('psQuote doubles every kind of single quote', () => {
    expect(psQuote("a'b")).toBe("'a''b'");
    expect(psQuote('a\u2019b')).toBe("'a\u2019\u2019b'");
    expect(psQuote('$x')).toBe("'$x'");
  });

  it('every literal of every generated command reads back exactly, with no other code (one pwsh process)', { timeout: 20_000 }, () => {
    // Each case: the generated text and the values its string literals must hold, in order.
    const cases: { script: string; literals: string[] | null }[] = [];
    // Every operation, by name and by id, and the variants with more than one statement: each parses
    // with no error (the literals of these are checked exactly above).
    for (const op of VM_OPERATIONS) for (const t of [web, dup]) cases.push({ script: powerShellFor(op, t, FULL[op], ctx), literals: null });
    for (const variant of [
      powerShellFor('delete', dup, { deleteDisks: true }),
      powerShellFor('disk.remove', web, { diskId: 'd1', deleteFile: true }),
      powerShellFor('checkpoint.create', web, { name: 'x', type: 'production' }),
      powerShellForSelection('shutdown', [{ hostLabel: 'a', target: web }, { hostLabel: 'b', target: { ...dup, computerName: 'hv02' } }]),
    ])
      cases.push({ script: variant, literals: null });
    for (const name of NASTY) {
      const t: PsVmTarget = { vmId: VM_ID, vmName: name, computerName: name, nameUnique: true };
      cases.push({ script: powerShellFor('shutdown', t), literals: [name, name] });
      cases.push({ script: powerShellFor('notes', t, { notes: name }), literals: [name, name, name] });
      cases.push({ script: powerShellFor('checkpoint.create', t, { name, type: 'standard' }), literals: [name, name, name] });
      cases.push({ script: powerShellFor('nic.add', t, { switchName: name, vlan: 3, macAddress: null }), literals: [name, name, name] });
      cases.push({ script: powerShellFor('move', t, { targetHostId: 'h', migrationType: 'live' }, { moveTarget: () => ({ cluster: name, node: name }) }), literals: [name, name, name] });
      cases.push({ script: powerShellFor('checkpoint.rename', t, { checkpointId: CP_ID, name }), literals: [name, CP_ID, name] });
    }
    const input = JSON.stringify(cases.map((c) => c.script));
    const program = `
      $ErrorActionPreference = 'Stop'
      $scripts = [Console]::In.ReadToEnd() | ConvertFrom-Json
      $out = foreach ($s in $scripts) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($s, [ref]$tokens, [ref]$errors)
        $strings = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $n.StringConstantType -eq 'SingleQuoted' }, $true) | ForEach-Object { $_.Value })
        $commands = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() })
        [pscustomobject]@{ errors = @($errors).Count; literals = $strings; commands = $commands }
      }
      ConvertTo-Json -InputObject @($out) -Depth 5 -Compress`;
    const started = Date.now();
    const stdout = execFileSync(findPowerShell(), ['-NoProfile', '-NonInteractive', '-Command', program], { input, encoding: 'utf8', timeout: 15_000 });
    const results = JSON.parse(stdout) as { errors: number; literals: string[] | string | null; commands: string[] | string | null }[];
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results).toHaveLength(cases.length);
    const list = (v: string[] | string | null): string[] => (v === null ? [] : Array.isArray(v) ? v : [v]);
    const allowed = new Set(['Stop-VM', 'Set-VM', 'Checkpoint-VM', 'Add-VMNetworkAdapter', 'Set-VMNetworkAdapterVlan', 'Move-ClusterVirtualMachineRole', 'Get-VMSnapshot', 'Rename-VMSnapshot']);
    // The commands of the all-operations cases: Hyper-V's and failover clustering's, and a few helpers.
    for (const name of ['Start-VM', 'Restart-VM', 'Save-VM', 'Suspend-VM', 'Resume-VM', 'Remove-VM', 'Get-VM', 'Set-VMProcessor', 'Set-VMMemory', 'Join-Path', 'Get-VMHost', 'New-VHD', 'Add-VMHardDiskDrive', 'Get-VMHardDiskDrive', 'Where-Object', 'ForEach-Object', 'Resize-VHD', 'Remove-VMHardDiskDrive', 'Invoke-Command', 'Remove-Item', 'Get-VMNetworkAdapter', 'Connect-VMNetworkAdapter', 'Remove-VMNetworkAdapter', 'Restore-VMSnapshot', 'Remove-VMSnapshot'])
      allowed.add(name);
    results.forEach((r, i) => {
      const c = cases[i]!;
      expect(r.errors, c.script).toBe(0);
      if (c.literals) expect(list(r.literals), c.script).toEqual(c.literals);
      for (const command of list(r.commands)) expect(allowed.has(command), `${command} in ${c.script}`).toBe(true);
    });
  });
});
