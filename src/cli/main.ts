import { UsageError, type CliCommand } from './command';

// Commands load lazily so `aether-v lab` never pulls in the backend and vice versa.
const commands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  serve: { summary: 'run the backend headless and serve the UI to a browser', load: async () => (await import('./commands/serve')).command },
  demo: { summary: 'start the simulated Hyper-V lab and the app preconfigured with its hosts', load: async () => (await import('./commands/demo')).command },
  lab: { summary: 'start the simulated Hyper-V lab and print its hosts as JSON lines', load: async () => (await import('./commands/lab')).command },
  exec: { summary: 'run a command line on a host over WinRM', load: async () => (await import('./commands/exec')).command },
  ps: { summary: 'run a PowerShell script on a host over WinRM', load: async () => (await import('./commands/ps')).command },
  export: { summary: 'export the VMs a query selects as CSV, TSV or JSON, as the VM table does', load: async () => (await import('./commands/export')).command },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: aether-v <command> [options]', '', 'Commands:', ...lines, '', 'Run `aether-v <command> --help` for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`aether-v: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`aether-v ${name}: ${error.message}\nRun \`aether-v ${name} --help\` for usage.\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`aether-v ${name}: ${message}\n`);
    return 1;
  }
}
