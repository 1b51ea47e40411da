import { describe, expect, it } from 'vitest';
import { findSyntaxErrors, lintPs51, type Ps51Rule } from './ps51-lint';

function rules(source: string): Ps51Rule[] {
  return lintPs51(source).map((f) => f.rule);
}

describe('ps51 lint: each rule fires on a bad snippet and stays quiet on the 5.1 spelling', () => {
  const cases: { rule: Ps51Rule; bad: string; good: string }[] = [
    {
      rule: 'as-hashtable',
      bad: '$o = $text | ConvertFrom-Json -AsHashtable\n',
      good: '$o = $text | ConvertFrom-Json\n',
    },
    {
      rule: 'null-coalescing',
      bad: '$a = $b ?? 1\n',
      good: 'if ($null -eq $b) { $a = 1 } else { $a = $b }\n',
    },
    { rule: 'null-coalescing', bad: '$a ??= 1\n', good: 'if ($null -eq $a) { $a = 1 }\n' },
    { rule: 'null-conditional', bad: '$n = $vm?.Name\n', good: 'if ($vm) { $n = $vm.Name }\n' },
    { rule: 'ternary', bad: '$s = $on ? 1 : 2\n', good: 'Get-VM | ? { $_.State -eq 2 }\n' },
    { rule: 'pipeline-chain', bad: 'Stop-VM -Name a && Start-VM -Name a\n', good: 'if ($a -and $b) { 1 }\n' },
    { rule: 'pipeline-chain', bad: 'Get-VM || Write-Error x\n', good: 'if ($a -or $b) { 1 }\n' },
    {
      rule: 'foreach-parallel',
      bad: '$vms | ForEach-Object -Parallel { $_ }\n',
      good: '$vms | ForEach-Object { $_ }\n',
    },
    { rule: 'unwrapped-count', bad: '$n = (Get-VM).Count\n', good: '$n = @(Get-VM).Count\n' },
    {
      rule: 'unwrapped-count',
      bad: '$vms = Get-VM\n$n = $vms.Count\n',
      good: '$vms = @(Get-VM)\n$n = $vms.Count\n',
    },
    {
      rule: 'convertto-json-depth',
      bad: '$j = $o | ConvertTo-Json -Compress\n',
      good: '$j = $o | ConvertTo-Json -Depth 8 -Compress\n',
    },
    {
      rule: 'convertto-json-depth',
      bad: '$j = (ConvertTo-Json -InputObject $o)\n',
      good: '$j = ConvertTo-Json -InputObject $o `\n  -Depth 4\n',
    },
    {
      rule: 'secret-output',
      bad: 'Write-Host "pw is $guestPassword"\n',
      good: "Write-Host 'the $password variable is documented'\n",
    },
    {
      rule: 'secret-output',
      bad: 'Write-Host $fields.guest_la_pw\n',
      good: 'Write-Host $fields.guest_la_uid\n',
    },
    {
      rule: 'secret-output',
      bad: 'Write-AgentLog -Message ("secret: " + $secret)\n',
      good: 'Write-AgentLog -Message "done"\n',
    },
  ];

  for (const c of cases) {
    it(`${c.rule}: flags ${JSON.stringify(c.bad.trim())}`, () => {
      expect(rules(c.bad)).toContain(c.rule);
      expect(rules(c.good)).not.toContain(c.rule);
    });
  }

  it('ignores look-alikes inside comments and strings', () => {
    const src = [
      '# a ?? b, x && y, ConvertTo-Json, -AsHashtable',
      "$m = 'a ? b : c && d || e ?. ConvertTo-Json'",
      '$n = "a ?? b"',
      '',
    ].join('\n');
    expect(lintPs51(src)).toEqual([]);
  });

  it('reports 1-based line and column', () => {
    const findings = lintPs51('$a = 1\n  $b = $c ?? 2\n');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'null-coalescing', line: 2, column: 11 });
  });

  it('a method call result is not treated as an unwrapped expression', () => {
    expect(rules('$n = $list.ToArray().Count\n')).not.toContain('unwrapped-count');
  });
});

describe('findSyntaxErrors', () => {
  it('accepts valid 5.1 code', () => {
    expect(findSyntaxErrors('param([string]$A)\n$h = [ordered]@{ a = 1 }\nif ($A) { exit 0 }\n')).toEqual([]);
  });

  it('reports the line of a broken script', () => {
    const problems = findSyntaxErrors('$a = 1\nif ($a {\n  Write-Output 1\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].line).toBeGreaterThanOrEqual(2);
  });
});
