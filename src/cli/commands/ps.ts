/** `aether-v ps <wsman-url> -- <script>`: run a PowerShell script on a host over WinRM. */
import { readFile } from 'node:fs/promises';
import { UsageError, type CliCommand } from '../command';
import { CONNECTION_HELP, parseConnection, stringFlag } from '../winrm-options';
import { runOnHost } from './exec';

export const command: CliCommand = {
  name: 'ps',
  summary: 'run a PowerShell script on a host over WinRM',
  help: `Usage: aether-v ps <wsman-url> [options] -- <script...>
       aether-v ps <wsman-url> [options] --file script.ps1

Runs a script with Windows PowerShell (powershell.exe -NoProfile -NonInteractive -ExecutionPolicy
Bypass). The script is sent encoded, so quotes and special characters need no escaping; long
scripts are sent on stdin, so there is no length limit. Progress output is suppressed; error records
are printed to stderr as plain text (not CLIXML). aether-v exits with PowerShell's exit code.

Options:
  --file FILE                 read the script from FILE (UTF-8) instead of after --

${CONNECTION_HELP}

Examples:
  aether-v ps http://hv01:5985/wsman --user 'LAB\\admin' --password-env AV_PASS -- 'Get-VM | Select Name, State'
  aether-v ps https://hv01.lab:5986/wsman --user admin --fingerprint 3A:5F:... --file inventory.ps1
`,
  async run(args) {
    const { host, rest, parsed } = await parseConnection(args, { valueFlags: ['file'] });
    const file = stringFlag(parsed, 'file');
    if (file !== undefined && rest.length > 0) throw new UsageError('give the script either with --file or after --, not both');
    let script: string;
    if (file !== undefined) {
      try {
        script = await readFile(file, 'utf8');
      } catch (error) {
        throw new UsageError(`--file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    } else {
      script = rest.join(' ');
    }
    if (script.trim() === '') throw new UsageError('missing the script: put it after -- or use --file');
    return runOnHost(host, (client, signal) =>
      client.powershell(script.replace(/^\uFEFF/, ''), {
        signal,
        onStdout: (text) => process.stdout.write(text),
        onStderr: (text) => process.stderr.write(text),
      }),
    );
  },
};
