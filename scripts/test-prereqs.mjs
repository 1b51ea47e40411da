#!/usr/bin/env node
/**
 * `npm test` runs this first: finds, or installs when missing, what the tests need outside
 * node_modules, then records where it is for the test processes
 * (node_modules/.cache/aether-v/prereqs.json, read by test/support/prereqs.ts).
 *
 * - chromium: CHROMIUM_PATH when set, else Debian's /usr/bin/chromium (apt-get install chromium).
 * - python3-winrm: pywinrm importable by /usr/bin/python3 (apt-get install python3-winrm).
 * - xorriso and isoinfo on PATH: the provisioning media tests read our ISO images back with them
 *   (apt-get install xorriso genisoimage; genisoimage provides isoinfo).
 * - PowerShell: powershell.exe on PATH (Windows PowerShell 5.1), else pwsh on PATH, else
 *   ~/.dotnet/tools/pwsh, else `dotnet tool install --global PowerShell --version 7.6.10`.
 *
 * Plain Node ESM without dependencies (runs on Node 20 and 24). Prints one line per prerequisite;
 * on a problem it prints one line saying what to install and how, and exits 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath, isExecutable } from './executables.mjs';

const PWSH_VERSION = '7.6.10';
const DOTNET_INSTALL = `dotnet tool install --global PowerShell --version ${PWSH_VERSION}`;
const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const PYTHON = '/usr/bin/python3';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULT_FILE = join(ROOT, 'node_modules', '.cache', 'aether-v', 'prereqs.json');
const isWindows = process.platform === 'win32';

/** A problem the user fixes by installing something; its message is all that is printed. */
class Missing extends Error {}

/** Runs a command without a shell; output is captured. `error` is set when it could not start. */
function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', stdio: ['inherit', 'pipe', 'pipe'], ...options });
}

/** The last meaningful output line of a failed command, or why it did not run. */
function reason(result) {
  if (result.error) return result.error.message;
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.find((l) => /^(E:|error)/i.test(l)) ?? lines.at(-1);
  if (last) return last.slice(0, 200);
  return result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
}

function hasPywinrm() {
  return isExecutable(PYTHON) && run(PYTHON, ['-c', 'import winrm']).status === 0;
}

/** Debian packages that provide a program the tests run from PATH: [program, package]. */
const ISO_TOOLS = [
  ['xorriso', 'xorriso'],
  ['isoinfo', 'genisoimage'],
];

function chromiumPath() {
  const custom = process.env.CHROMIUM_PATH;
  if (custom) {
    if (isExecutable(custom)) return custom;
    throw new Missing(
      `CHROMIUM_PATH is set to ${custom}, which is not an executable file: point it at a Chromium binary or unset it to use Debian's ${DEBIAN_CHROMIUM}`,
    );
  }
  return isExecutable(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

/** Installs Debian packages: `apt-get update -qq` once, then one `apt-get install`. */
function aptInstall(packages) {
  const list = packages.join(' ');
  const required = `${packages.join(' and ')} ${packages.length > 1 ? 'are' : 'is'} required for the tests`;
  const by = `\`sudo apt-get install ${list}\``;
  if (!findOnPath('apt-get')) {
    throw new Missing(
      `${required} and apt-get is not available: install ${list} with your system's package manager (the tests use ${DEBIAN_CHROMIUM} or CHROMIUM_PATH, pywinrm for ${PYTHON}, and xorriso and isoinfo from PATH)`,
    );
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root && !findOnPath('sudo')) {
    throw new Missing(
      `${required} and installing ${packages.length > 1 ? 'them' : 'it'} needs root: run \`apt-get install -y ${list}\` as root (sudo is not available)`,
    );
  }
  console.log(`prereqs: installing ${list} with apt-get`);
  const steps = [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', ...packages],
  ];
  for (const step of steps) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const result = root
      ? run(step[0], step.slice(1), { env })
      : run('sudo', ['DEBIAN_FRONTEND=noninteractive', ...step], { env });
    if (result.status !== 0) {
      throw new Missing(
        `\`${step.join(' ')}\` failed (${reason(result)}): install ${list} yourself with ${by}`,
      );
    }
  }
}

function debianPrerequisites() {
  const missing = [];
  if (!chromiumPath()) missing.push('chromium');
  if (!hasPywinrm()) missing.push('python3-winrm');
  for (const [program, pkg] of ISO_TOOLS) if (!findOnPath(program)) missing.push(pkg);
  if (missing.length > 0) aptInstall(missing);

  const chromium = chromiumPath();
  if (!chromium) {
    throw new Missing(
      `chromium is required for the browser tests and ${DEBIAN_CHROMIUM} is still missing: install it with \`sudo apt-get install chromium\` or set CHROMIUM_PATH to a Chromium binary`,
    );
  }
  if (!hasPywinrm()) {
    throw new Missing(
      `python3-winrm is required for the WinRM conformance tests and ${PYTHON} still cannot import winrm: install it with \`sudo apt-get install python3-winrm\``,
    );
  }
  const isoTools = {};
  for (const [program, pkg] of ISO_TOOLS) {
    const found = findOnPath(program);
    if (!found) {
      throw new Missing(
        `${program} is required for the provisioning media tests and is still not on PATH: install it with \`sudo apt-get install ${pkg}\``,
      );
    }
    isoTools[program] = found;
  }
  return { chromium, python3: PYTHON, ...isoTools };
}

function dotnetToolsPwsh() {
  const home = process.env.DOTNET_CLI_HOME || homedir();
  return join(home, '.dotnet', 'tools', isWindows ? 'pwsh.exe' : 'pwsh');
}

/** powershell.exe, pwsh on PATH, the dotnet global tool, or a fresh dotnet global tool install. */
function locatePowerShell() {
  const found = findOnPath('powershell.exe') ?? findOnPath('pwsh');
  if (found) return found;
  const tool = dotnetToolsPwsh();
  if (isExecutable(tool)) return tool;
  if (!findOnPath('dotnet')) {
    throw new Missing(
      `PowerShell is required for the agent tests: install it with \`${DOTNET_INSTALL}\` (needs the .NET SDK) or put pwsh on PATH`,
    );
  }
  console.log(`prereqs: installing PowerShell ${PWSH_VERSION} with \`${DOTNET_INSTALL}\``);
  const result = run('dotnet', DOTNET_INSTALL.split(' ').slice(1), { timeout: 600_000 });
  if (result.status !== 0) {
    throw new Missing(
      `\`${DOTNET_INSTALL}\` failed (${reason(result)}): fix that, or install PowerShell 7 yourself and put pwsh on PATH`,
    );
  }
  if (!isExecutable(tool)) {
    throw new Missing(`\`${DOTNET_INSTALL}\` succeeded but ${tool} is missing: put pwsh on PATH instead`);
  }
  return tool;
}

function powerShell() {
  const pwsh = locatePowerShell();
  const args = ['-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()'];
  const result = run(pwsh, args, { timeout: 120_000 });
  const version = (result.stdout ?? '').trim();
  if (result.status !== 0 || !/^\d+\.\d+/.test(version)) {
    throw new Missing(
      `PowerShell at ${pwsh} does not run (${reason(result)}): reinstall it with \`${DOTNET_INSTALL}\` or put a working pwsh on PATH`,
    );
  }
  return { pwsh, pwshVersion: version };
}

function main() {
  const { chromium, python3, xorriso, isoinfo } = debianPrerequisites();
  console.log(`prereqs: chromium ${chromium}`);
  console.log(`prereqs: python3-winrm for ${python3}`);
  console.log(`prereqs: xorriso ${xorriso}, isoinfo ${isoinfo}`);
  const { pwsh, pwshVersion } = powerShell();
  const name = /powershell\.exe$/i.test(pwsh) ? 'powershell.exe' : 'pwsh';
  console.log(`prereqs: ${name} ${pwshVersion} at ${pwsh}`);
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, JSON.stringify({ pwsh, pwshVersion, chromium, python3, xorriso, isoinfo }, null, 2) + '\n');
}

try {
  main();
} catch (error) {
  console.error(`prereqs: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
