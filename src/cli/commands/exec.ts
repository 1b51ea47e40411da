/** `aether-v exec <wsman-url> -- <command line>`: run a command line on a host over WinRM. */
import { UsageError, type CliCommand } from '../command';
import { WinrmClient, isWinrmError } from '../../main/winrm';
import { CONNECTION_HELP, abortOnSigint, parseConnection, processExitCode } from '../winrm-options';

export const command: CliCommand = {
  name: 'exec',
  summary: 'run a command line on a host over WinRM',
  help: `Usage: aether-v exec <wsman-url> [options] -- <command> [args...]

Runs a command line on a Windows host through a WinRS cmd shell (like winrs.exe): it runs under
"cmd.exe /c", so cmd syntax (&&, >, %VAR%) works. Remote stdout goes to stdout and remote stderr
to stderr as it arrives; aether-v exits with the remote exit code. Ctrl-C stops the remote command.

${CONNECTION_HELP}

Examples:
  AV_PASS=... aether-v exec http://hv01:5985/wsman --user 'LAB\\admin' --password-env AV_PASS -- ipconfig /all
  aether-v exec https://hv01.lab:5986/wsman --user admin --ca lab-ca.pem -- hostname
`,
  async run(args) {
    const { host, rest } = await parseConnection(args);
    const [remote, ...remoteArgs] = rest;
    if (!remote) throw new UsageError('missing the command to run: put it after -- (e.g. -- hostname)');
    return runOnHost(host, (client, signal) =>
      client.exec(remote, remoteArgs, {
        signal,
        onStdout: (text) => process.stdout.write(text),
        onStderr: (text) => process.stderr.write(text),
      }),
    );
  },
};

/** Shared by exec and ps: connect, run, always close, and turn failures into one clear line. */
export async function runOnHost(
  host: ConstructorParameters<typeof WinrmClient>[0],
  work: (client: WinrmClient, signal: AbortSignal) => Promise<{ exitCode: number }>,
): Promise<number> {
  const client = new WinrmClient(host);
  const sigint = abortOnSigint();
  try {
    const result = await work(client, sigint.signal);
    return processExitCode(result.exitCode);
  } catch (error) {
    if (isWinrmError(error) && error.code === 'CANCELLED') return 130;
    throw error;
  } finally {
    sigint.dispose();
    await client.close().catch(() => undefined);
  }
}
