import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findSyntaxErrors, lintPs51 } from './ps51-lint';

const agentDir = fileURLToPath(new URL('../../agent/', import.meta.url));
const scripts = readdirSync(agentDir)
  .filter((name) => name.toLowerCase().endsWith('.ps1'))
  .sort();

/** Windows PowerShell 5.1 reads a BOM-less file as ANSI: non-ASCII text then needs a UTF-8 BOM. */
function encodingProblem(bytes: Buffer): string | undefined {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (hasBom) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
      return undefined;
    } catch {
      return 'has a UTF-8 BOM but is not valid UTF-8';
    }
  }
  const offset = bytes.findIndex((b) => b > 0x7f);
  return offset < 0
    ? undefined
    : `has a non-ASCII byte at offset ${offset} but no UTF-8 BOM (5.1 would read it as ANSI)`;
}

describe('agent scripts', () => {
  it('ship the entry point, the shared helpers and every operation script', () => {
    for (const name of [
      'Invoke-AgentOperation.ps1',
      'AetherV.Common.ps1',
      'AetherV.Kvp.ps1',
      'Get-HostInventory.ps1',
      'New-AetherVm.ps1',
      'Invoke-VmAction.ps1',
      'Remove-AetherVm.ps1',
      'Update-AetherVm.ps1',
      'Invoke-AetherVmDisk.ps1',
      'Invoke-AetherVmNic.ps1',
      'Invoke-AetherVmCheckpoint.ps1',
      'Move-AetherVm.ps1',
      'Get-AetherOrphanDisks.ps1',
    ]) {
      expect(scripts).toContain(name);
    }
  });

  it.each(scripts)('%s parses without syntax errors', (name) => {
    const problems = findSyntaxErrors(readFileSync(join(agentDir, name), 'utf8'));
    expect(problems.map((p) => `${name}:${p.line}:${p.column} near ${JSON.stringify(p.text)}`)).toEqual([]);
  });

  it.each(scripts)('%s passes the Windows PowerShell 5.1 pitfall checks', (name) => {
    const findings = lintPs51(readFileSync(join(agentDir, name), 'utf8'));
    expect(findings.map((f) => `${name}:${f.line}:${f.column} [${f.rule}] ${f.message}`)).toEqual([]);
  });

  it.each([...scripts, 'version'])('%s is pure ASCII or UTF-8 with a BOM', (name) => {
    expect(encodingProblem(readFileSync(join(agentDir, name)))).toBeUndefined();
  });

  it('the encoding check rejects non-ASCII without a BOM and accepts it with one', () => {
    const text = Buffer.from("Write-Output 'café'\n", 'utf8');
    expect(encodingProblem(text)).toMatch(/no UTF-8 BOM/);
    expect(encodingProblem(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]))).toBeUndefined();
    expect(encodingProblem(Buffer.from([0xef, 0xbb, 0xbf, 0xff]))).toMatch(/not valid UTF-8/);
  });

  it('the version file holds one plain x.y.z line', () => {
    expect(readFileSync(join(agentDir, 'version'), 'utf8')).toMatch(/^\d+\.\d+\.\d+\n?$/);
  });

  it('the entry point writes exactly one result line per path and exits with the outcome', () => {
    const entry = readFileSync(join(agentDir, 'Invoke-AgentOperation.ps1'), 'utf8');
    expect(entry).toMatch(/\[Console\]::In\.ReadToEnd\(\)/);
    expect(entry).toMatch(/exit \$exitCode\s*$/);
    // Results go through Write-AgentResult (or the fallback when helpers failed to load).
    const common = readFileSync(join(agentDir, 'AetherV.Common.ps1'), 'utf8');
    expect(common).toContain("$script:AgentResultPrefix = 'AETHERV-RESULT '");
    expect(common).toContain("$script:AgentLogPrefix = 'AETHERV-LOG '");
  });

  it('no script builds code from input (Invoke-Expression, ScriptBlock::Create, Add-Type -TypeDefinition)', () => {
    for (const name of scripts) {
      const text = readFileSync(join(agentDir, name), 'utf8');
      expect(text, name).not.toMatch(/Invoke-Expression|\biex\b|ScriptBlock\]::Create|-TypeDefinition/i);
    }
  });
});
