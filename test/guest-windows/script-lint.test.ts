// The Windows guest agent runs in Windows PowerShell 5.1 inside the VM: the same static checks as
// the host agent's scripts (syntax, 5.1 pitfalls, encoding), for every script on the media.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findSyntaxErrors, lintPs51 } from '../agent/ps51-lint';

const mediaDir = fileURLToPath(new URL('../../agent/guest/windows/', import.meta.url));
const scripts = readdirSync(mediaDir).filter((name) => name.toLowerCase().endsWith('.ps1'));

describe('Windows guest agent scripts', () => {
  it('the media folder holds the agent and no file named like the stamped version file', () => {
    expect(scripts).toContain('AetherV-Guest.ps1');
    expect(readdirSync(mediaDir)).not.toContain('aetherv-version');
  });

  it.each(scripts)('%s parses without syntax errors', (name) => {
    const problems = findSyntaxErrors(readFileSync(join(mediaDir, name), 'utf8'));
    expect(problems.map((p) => `${name}:${p.line}:${p.column} near ${JSON.stringify(p.text)}`)).toEqual([]);
  });

  it.each(scripts)('%s passes the Windows PowerShell 5.1 pitfall checks', (name) => {
    const findings = lintPs51(readFileSync(join(mediaDir, name), 'utf8'));
    expect(findings.map((f) => `${name}:${f.line}:${f.column} [${f.rule}] ${f.message}`)).toEqual([]);
  });

  it.each(scripts)('%s is pure ASCII (5.1 reads a BOM-less file as ANSI)', (name) => {
    const bytes = readFileSync(join(mediaDir, name));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
  });

  it('holds no fixed password and no unattend default', () => {
    for (const name of readdirSync(mediaDir)) {
      const text = readFileSync(join(mediaDir, name), 'utf8');
      expect(text).not.toMatch(/ConvertTo-SecureString\s+-String|-AsPlainText|<Password>|AdministratorPassword|P@ss/i);
    }
  });
});
