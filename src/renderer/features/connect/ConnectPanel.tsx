import { useEffect, useState } from 'react';
import type { ConnectInfo, InventoryVm } from '../../../shared/contract';
import { RDP_CONTENT_TYPE, rdpFileName, rdpFileText } from '../../../shared/rdp-file';
import { useApp } from '../../stores/app-store';
import { statusText } from './reach-words';
import { useReachability } from './reach-store';
import './connect.css';

/**
 * The VM page's "Connect" row: Remote Desktop (a .rdp file for the first address that answered
 * RDP), SSH (an ssh:// link and a command to copy), and on Windows the Hyper-V console. Says
 * plainly when there is no address or none answers.
 */
export function ConnectPanel({ vm }: { vm: InventoryVm }) {
  const reach = useReachability((s) => s.byKey.get(vm.key));
  const config = useApp((s) => s.settings?.reachability);
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const info = useConnectInfo();
  const enabled = config?.enabled ?? true;
  const rdpPort = config?.rdpPort ?? 3389;
  const sshPort = config?.sshPort ?? 22;

  const openRdp = async () => {
    if (!reach?.rdpAddress || !backend) return;
    if (backend.kind === 'electron') {
      const result = await backend.invoke('connect.rdp', { hostId: vm.hostId, vmId: vm.vmId });
      if (result.ok) toast('info', `Opening Remote Desktop to ${result.data.address}`);
      else toast('error', result.error.message);
      return;
    }
    download(rdpFileName(vm.name), rdpFileText(reach.rdpAddress, rdpPort));
  };
  const openConsole = async () => {
    if (!backend) return;
    const result = await backend.invoke('connect.console', { hostId: vm.hostId, vmId: vm.vmId });
    if (result.ok) toast('info', `Opening the Hyper-V console of ${result.data.vmName} on ${result.data.host}`);
    else toast('error', result.error.message);
  };
  const ssh = reach?.sshAddress ? sshTarget(reach.sshAddress, sshPort) : undefined;

  return (
    <div className="connect" role="group" aria-label={`Connect to ${vm.name}`} data-testid="vm-connect">
      <button onClick={() => void openRdp()} disabled={!reach?.rdpAddress} title={reach?.rdpAddress ? `Open a .rdp file for ${reach.rdpAddress}` : 'No address answered RDP'} data-testid="connect-rdp">
        Remote Desktop
      </button>
      {ssh ? (
        <>
          <a className="button" href={ssh.url} data-testid="connect-ssh">
            SSH
          </a>
          <code className="mono" data-testid="connect-ssh-command">
            {ssh.command}
          </code>
          <button className="link" onClick={() => void copy(ssh.command).then((ok) => toast(ok ? 'success' : 'error', ok ? 'SSH command copied.' : 'Could not copy: select the command and copy it.'))}>
            Copy
          </button>
        </>
      ) : (
        <button disabled title="No address answered SSH" data-testid="connect-ssh">
          SSH
        </button>
      )}
      {info?.vmconnect?.available ? (
        <button onClick={() => void openConsole()} data-testid="connect-console">
          Hyper-V console
        </button>
      ) : null}
      <span className="muted connect-status" role="status" data-testid="connect-status">
        {statusText(vm, reach, enabled)}
        {info?.vmconnect && !info.vmconnect.available ? ` Hyper-V console: ${info.vmconnect.reason}` : ''}
      </span>
    </div>
  );
}

function sshTarget(address: string, port: number): { url: string; command: string } {
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `ssh://${host}${port === 22 ? '' : `:${port}`}`, command: `ssh ${port === 22 ? '' : `-p ${port} `}${address}` };
}

function useConnectInfo(): ConnectInfo | undefined {
  const backend = useApp((s) => s.backend);
  const [info, setInfo] = useState<ConnectInfo>();
  useEffect(() => {
    let live = true;
    void backend?.invoke('connect.info', {}).then((r) => live && r?.ok && setInfo(r.data));
    return () => {
      live = false;
    };
  }, [backend]);
  return info;
}

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: RDP_CONTENT_TYPE }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
