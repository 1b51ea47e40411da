// The fixed deployment scripts (agent/installer/) get the same checks as the agent scripts:
// real PowerShell grammar, the 5.1 pitfalls, encoding, no code built from input.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findSyntaxErrors, lintPs51 } from '../agent/ps51-lint';
import { buildAgentManifest } from '../../src/main/deployment/manifest';
import { INSTALLER_SCRIPT, VERSION_SCRIPT } from '../../src/main/deployment/scripts';

const agentDir = fileURLToPath(new URL('../../agent/', import.meta.url));
const installerDir = join(agentDir, 'installer');
const scripts = readdirSync(installerDir)
  .filter((n) => n.endsWith('.ps1'))
  .sort();

describe('fixed deployment scripts', () => {
  it('are the installer and the version reader', () => {
    expect(scripts).toEqual(['Install-AetherVAgent.ps1', 'Read-AetherVVersion.ps1']);
  });

  it.each(scripts)('%s parses without syntax errors', (name) => {
    const problems = findSyntaxErrors(readFileSync(join(installerDir, name), 'utf8'));
    expect(problems.map((p) => `${name}:${p.line}:${p.column} near ${JSON.stringify(p.text)}`)).toEqual([]);
  });

  it.each(scripts)('%s passes the Windows PowerShell 5.1 pitfall checks', (name) => {
    const findings = lintPs51(readFileSync(join(installerDir, name), 'utf8'));
    expect(findings.map((f) => `${name}:${f.line}:${f.column} [${f.rule}] ${f.message}`)).toEqual([]);
  });

  it.each(scripts)('%s is ASCII, reads its input from stdin and builds no code from it', (name) => {
    const bytes = readFileSync(join(installerDir, name));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
    const text = bytes.toString('utf8');
    expect(text).toMatch(/\[Console\]::In\.ReadToEnd\(\)/);
    expect(text).not.toMatch(/Invoke-Expression|\biex\b|ScriptBlock\]::Create|-TypeDefinition/i);
  });

  it('the app sends exactly the files under agent/installer (the lab recognises them by hash)', () => {
    expect(INSTALLER_SCRIPT.text).toBe(readFileSync(join(installerDir, 'Install-AetherVAgent.ps1'), 'utf8'));
    expect(VERSION_SCRIPT.text).toBe(readFileSync(join(installerDir, 'Read-AetherVVersion.ps1'), 'utf8'));
    expect(INSTALLER_SCRIPT.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the installer writes version last and never ships in the agent manifest', async () => {
    const text = INSTALLER_SCRIPT.text;
    expect(text.indexOf("'version.download'")).toBeGreaterThan(0);
    expect(text.lastIndexOf('Move-Item')).toBeGreaterThan(text.indexOf('Wait-Job'));
    const manifest = await buildAgentManifest(agentDir);
    expect(manifest.files.map((f) => f.name)).not.toContain('Install-AetherVAgent.ps1');
    expect(manifest.files.map((f) => f.name)).not.toContain('Read-AetherVVersion.ps1');
  });
});
