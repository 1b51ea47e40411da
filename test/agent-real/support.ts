/**
 * Real-agent test rig: a lab whose hosts run every powershell.exe command in real PowerShell with
 * the simulated Hyper-V modules, the agent files put in place as a finished deployment leaves them,
 * and the app's own invokeAgent to call operations (command text, envelope, output parsing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invokeAgent, type AgentLogEntry } from '../../src/main/agent';
import { resolveAgentDir } from '../../src/main/deployment/scripts';
import { WinrmClient } from '../../src/main/winrm';
import { startLab, type Lab, type LabOptions, type SimHost } from '../lab';

export const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

export interface RealAgentLab {
  lab: Lab;
  host(name?: string): SimHost;
  client(name?: string): WinrmClient;
  /** Copies the agent's files into a host's install directory, version last (as the installer does). */
  install(name?: string): void;
  /** One agent operation through the app's own invokeAgent; resolves with data, rejects with its typed error. */
  invoke(operation: string, fields?: Record<string, unknown>, options?: { host?: string; logs?: AgentLogEntry[]; errors?: string[] }): Promise<unknown>;
  close(): Promise<void>;
}

export async function startRealAgentLab(options: LabOptions = {}): Promise<RealAgentLab> {
  const lab = await startLab({ hosts: 1, vmsPerHost: 4, ...options, realAgent: true });
  const clients = new Map<string, WinrmClient>();
  const first = () => lab.hosts[0]!.name;
  const client = (name = first()) => {
    const key = name.toLowerCase();
    let existing = clients.get(key);
    if (!existing) {
      const info = lab.hosts.find((h) => h.name.toLowerCase() === key)!;
      existing = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password });
      clients.set(key, existing);
    }
    return existing;
  };
  let correlation = 0;
  return {
    lab,
    host: (name = first()) => lab.host(name),
    client,
    install(name = first()) {
      const host = lab.host(name);
      const agentDir = resolveAgentDir();
      for (const file of readdirSync(agentDir).filter((f) => f.endsWith('.ps1'))) host.files.put(`${INSTALL_DIR}\\${file}`, readFileSync(join(agentDir, file)));
      host.files.put(`${INSTALL_DIR}\\version`, readFileSync(join(agentDir, 'version')));
    },
    invoke(operation, fields = {}, invokeOptions = {}) {
      const name = invokeOptions.host ?? first();
      return invokeAgent(client(name), {
        host: name,
        installDir: INSTALL_DIR,
        operation,
        correlationId: `test-${++correlation}`,
        fields,
        onLog: (entry) => invokeOptions.logs?.push(entry),
        onError: (message) => invokeOptions.errors?.push(message),
      });
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      await lab.close();
    },
  };
}
