import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Starts a program with an argument array, never through a shell; resolves once it has started. */
export type Spawner = (file: string, args: readonly string[]) => Promise<void>;

export const detachedSpawn: Spawner = (file, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { shell: false, detached: true, stdio: 'ignore', windowsHide: false });
    child.once('error', (error) => reject(new Error(`${path.basename(file)} could not be started: ${error.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });

export interface Platform {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  exists(file: string): boolean;
}

export const thisPlatform: Platform = { platform: process.platform, env: process.env, exists: existsSync };

function system32(p: Platform, exe: string): string {
  return path.win32.join(p.env.SystemRoot ?? p.env.windir ?? 'C:\\Windows', 'System32', exe);
}

/** vmconnect.exe when this is Windows and the Hyper-V management tools are installed; otherwise why not. */
export function vmconnect(p: Platform): { path: string | null; reason: string } {
  if (p.platform !== 'win32') return { path: null, reason: 'vmconnect.exe runs only on Windows.' };
  const file = system32(p, 'vmconnect.exe');
  if (!p.exists(file)) return { path: null, reason: `${file} is not installed: add the Windows feature "Hyper-V Management Tools" (Hyper-V GUI Management Tools) to open consoles from here.` };
  return { path: file, reason: 'vmconnect.exe is installed' };
}

/** The program that opens a .rdp file: mstsc on Windows, the desktop's handler elsewhere. */
export function rdpOpener(p: Platform, rdpFile: string): { file: string; args: string[] } {
  if (p.platform === 'win32') return { file: system32(p, 'mstsc.exe'), args: [rdpFile] };
  if (p.platform === 'darwin') return { file: 'open', args: [rdpFile] };
  return { file: 'xdg-open', args: [rdpFile] };
}

/** vmconnect's arguments: the host as the app reaches it, the VM by name and, to be exact, by id. */
export function consoleArgs(hostAddress: string, vmName: string, vmId: string): string[] {
  return [hostAddress, vmName, '-G', vmId];
}
