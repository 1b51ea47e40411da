/** `aether-v lab` argument handling (the serving loop is exercised by hand and by the demo). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command';
import { command } from '../../src/cli/commands/lab';

describe('aether-v lab', () => {
  it('rejects unknown options and non-numeric values with a usage error', async () => {
    await expect(command.run(['--hosts', 'x'])).rejects.toThrow(UsageError);
    await expect(command.run(['--bogus'])).rejects.toThrow(/unknown option "--bogus"/);
    await expect(command.run(['--hosts', '999'])).rejects.toThrow(/hosts=999 must be an integer 0–64/);
  });

  it('documents every option in --help', () => {
    for (const flag of ['--hosts', '--vms', '--seed', '--clusters', '--https']) expect(command.help).toContain(flag);
  });
});
