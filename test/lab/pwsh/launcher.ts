/**
 * Runs one WinRS `powershell.exe` command in a real PowerShell process, as a Windows host would:
 * the command's script text (from -EncodedCommand or -Command) runs after the lab's bootstrap, stdin
 * from WinRS Send is piped in as it arrives, stdout and stderr (CLIXML, as pwsh writes it when its
 * streams are redirected) stream back byte for byte, and the process's exit code is the command's.
 * A WinRS Signal (ctrl_c/terminate) kills the whole process group, Start-Job children included.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SimHost } from '../host';
import type { SimProcess } from '../shell/process';
import { hyperVSimKnobs } from './hyperv-rpc';
import { basePwshEnvironment, LAB_BOOTSTRAP, LAB_DRIVES, LAB_MODULES_DIR, type RealPowerShell } from './runtime';

/** powershell.exe's own parameters that the lab passes on (the app sends only these). */
const PASSED_SWITCHES = new Set(['-noprofile', '-noninteractive', '-nologo']);

/** Windows' variables for the process, with the host's names; `HOME` etc. stay Linux's for pwsh. */
function windowsEnvironment(host: SimHost, userName: string): Record<string, string> {
  return {
    COMPUTERNAME: host.computerName,
    USERNAME: userName,
    USERDOMAIN: host.computerName,
    USERPROFILE: `C:\\Users\\${userName}`,
    ProgramData: 'C:\\ProgramData',
    ProgramFiles: 'C:\\Program Files',
    SystemRoot: 'C:\\Windows',
    windir: 'C:\\Windows',
    SystemDrive: 'C:',
    OS: 'Windows_NT',
    PROCESSOR_ARCHITECTURE: 'AMD64',
  };
}

/**
 * Files the model says exist (VM disks) get a small stand-in on the host's disk. Checked before every
 * command: the model changes between commands (churn, stand-in creates, tests adding disks).
 */
function materializeModelFiles(host: SimHost): void {
  for (const vm of host.model.vms) {
    for (const disk of vm.disks) {
      if (!host.files.exists(disk.path)) host.files.put(disk.path, `lab stand-in for the virtual disk ${disk.name}\n`);
    }
  }
}

export function runRealPowerShell(script: string, proc: SimProcess, host: SimHost, runtime: RealPowerShell, userName: string, passedArgs: readonly string[] = []): Promise<number> {
  const root = runtime.hostRoot(host);
  materializeModelFiles(host);
  const switches = passedArgs.filter((arg) => PASSED_SWITCHES.has(arg.toLowerCase()));
  // The bootstrap goes on the script's first line so line numbers in error records stay the host's.
  const text = '. ($env:AETHERV_LAB_BOOTSTRAP); ' + script;
  const env = {
    ...basePwshEnvironment(),
    ...windowsEnvironment(host, userName),
    PSModulePath: runtime.modulePath(!hyperVSimKnobs(host).moduleMissing),
    AETHERV_LAB_BOOTSTRAP: LAB_BOOTSTRAP,
    AETHERV_LAB_DRIVES: LAB_DRIVES.map((letter) => `${letter}=${join(root, letter)}`).join(';'),
    AETHERV_LAB_WINDOWS_MODULE: join(LAB_MODULES_DIR, 'AetherV.LabWindows'),
    AETHERV_LAB_RPC: runtime.rpc.url,
    AETHERV_LAB_TOKEN: runtime.rpc.token,
    AETHERV_LAB_HOST: host.name,
    AETHERV_LAB_TYPES_DLL: runtime.typesDll,
    AETHERV_LAB_SLOW_FACTOR: String(host.knobs.slowFactor),
    AETHERV_LAB_JOBS_FAIL: host.knobs.jobsFail ? '1' : '0',
  };
  const child = spawn(runtime.pwsh, [...new Set(['-NoProfile', '-NonInteractive', ...switches])].concat(['-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(text, 'utf16le').toString('base64')]), {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  proc.signal.addEventListener('abort', killGroup, { once: true });
  child.stdout.on('data', (chunk: Buffer) => proc.writeBytes('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => proc.writeBytes('stderr', chunk));
  child.stdin.on('error', () => undefined); // the script may exit without reading its stdin
  void (async () => {
    try {
      for (let data = await proc.takeStdin(); data !== null; data = await proc.takeStdin()) {
        if (!child.stdin.write(data)) await new Promise((resolve) => child.stdin.once('drain', resolve));
      }
      child.stdin.end();
    } catch {
      child.stdin.destroy();
    }
  })();
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`could not start ${runtime.pwsh}: ${error.message}`)));
    child.on('close', (code) => {
      proc.signal.removeEventListener('abort', killGroup);
      killGroup(); // Start-Job children left behind by a script that exited early
      resolve(code ?? 1);
    });
  });
}
