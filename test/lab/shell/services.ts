/**
 * Windows services as `Get-Service` sees them on a simulated host: enough for the fixed checks the
 * app runs (Settings' Test connection asks `(Get-Service -Name vmms).Status`). A host whose
 * `hyperV` knob is off has no vmms service, and answers PowerShell's real "Cannot find any service".
 */
import { positionLines, type SourcePosition } from './ps-errors';
import type { ShellEnvironment } from './types';

export interface SimService {
  Name: string;
  DisplayName: string;
  Status: 'Running' | 'Stopped';
}

export function servicesOf(env: ShellEnvironment): SimService[] {
  const services: SimService[] = [
    { Name: 'WinRM', DisplayName: 'Windows Remote Management (WS-Management)', Status: 'Running' },
    { Name: 'LanmanServer', DisplayName: 'Server', Status: 'Running' },
  ];
  if (env.host.knobs.hyperV) {
    services.push(
      { Name: 'vmms', DisplayName: 'Hyper-V Virtual Machine Management', Status: 'Running' },
      { Name: 'vmcompute', DisplayName: 'Hyper-V Host Compute Service', Status: 'Running' },
    );
  }
  return services;
}

/** Service lookup is case-insensitive, as on Windows. */
export function findService(env: ShellEnvironment, name: string): SimService | undefined {
  return servicesOf(env).find((s) => s.Name.toLowerCase() === name.toLowerCase());
}

/** Get-Service's non-terminating error for an unknown name, worded as Windows PowerShell 5.1 prints it. */
export function serviceNotFoundRecord(name: string, pos: SourcePosition): string[] {
  return [
    `Get-Service : Cannot find any service with service name '${name}'.`,
    ...positionLines(pos),
    `    + CategoryInfo          : ObjectNotFound: (${name}:String) [Get-Service], ServiceCommandException`,
    '    + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand',
    ' ',
  ];
}
