/**
 * The host side of agent deployment in the lab: the app's two fixed scripts (agent/installer/),
 * recognised by the SHA-256 of their exact text, run as TypeScript that downloads each file over
 * real HTTP from the artifact server, checks hashes and fills the host's virtual file system.
 */
import { createHash } from 'node:crypto';
import { INSTALLER_SCRIPT, VERSION_SCRIPT } from '../../../src/main/deployment/scripts';
import { SCRIPT_PREAMBLE } from '../../../src/main/winrm/powershell';
import type { ScriptHandler, ScriptHandlerContext } from '../shell/types';
import { deployState, labDeployConcurrency } from './knobs';

export {
  DEFAULT_DEPLOY_KNOBS,
  deployStats,
  labDeployConcurrency,
  presetAgentVersion,
  setDeployKnobs,
  type DeployKnobs,
  type DeployStats,
} from './knobs';

class InstallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly files?: FileResult[],
  ) {
    super(message);
  }
}

interface FileResult {
  name: string;
  ok: boolean;
  attempts: number;
  sha256: string | null;
  bytes: number | null;
  error: string | null;
  code: string | null;
}

interface InstallRequest {
  installDir: string;
  baseUrl: string;
  agentVersion: string;
  attempts: number;
  retryIntervalS: number;
  files: Array<{ name: string; size: number; sha256: string }>;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function decodeInput<T>(stdin: string): T {
  return JSON.parse(Buffer.from(stdin.trim(), 'base64').toString('utf8')) as T;
}

function lines(ctx: ScriptHandlerContext) {
  const write = (prefix: string, body: unknown) => ctx.stdout(`${prefix} ${JSON.stringify(body)}\r\n`);
  return {
    log: (message: string, step: string, level = 'info') =>
      write('AETHERV-LOG', { t: new Date().toISOString(), level, message, step }),
    result: (body: unknown) => write('AETHERV-RESULT', body),
  };
}

const installHandler: ScriptHandler = async (ctx) => {
  const out = lines(ctx);
  const state = deployState(ctx.host);
  state.stats.installs++;
  labDeployConcurrency.current++;
  labDeployConcurrency.max = Math.max(labDeployConcurrency.max, labDeployConcurrency.current);
  let fileResults: FileResult[] = [];
  try {
    let request: InstallRequest;
    try {
      request = decodeInput<InstallRequest>(await ctx.readStdin());
    } catch (error) {
      throw new InstallError(
        'BAD_ENVELOPE',
        `The installer input is not base64 JSON: ${(error as Error).message}`,
      );
    }
    const { installDir, files } = request;
    const baseUrl = request.baseUrl.replace(/\/+$/, '');
    if (!/^[A-Za-z]:(\\[A-Za-z0-9 ._()-]+)+$/.test(installDir))
      throw new InstallError('INVALID_FIELDS', `installDir is not an allowed path: ${installDir}`);
    if (!/^https?:\/\/[^\s/]+$/.test(baseUrl))
      throw new InstallError('INVALID_FIELDS', `baseUrl is not an http(s) origin: ${baseUrl}`);
    if (!files.some((f) => f.name === 'version'))
      throw new InstallError('INVALID_FIELDS', 'The manifest has no version file');

    out.log(`Clearing ${installDir}`, 'clear');
    if (state.knobs.readOnlyInstallDir) {
      throw new InstallError(
        'INSTALL_DIR_NOT_WRITABLE',
        `Cannot clear or create ${installDir}: Access to the path '${installDir}\\version' is denied. Check that the WinRM account may write there.`,
      );
    }
    ctx.host.files.delete(`${installDir}\\version`);
    for (const path of ctx.host.files.list(installDir)) ctx.host.files.delete(path);

    out.log(`Downloading ${files.length} file(s) from ${baseUrl}`, 'download');
    fileResults = await Promise.all(files.map((file) => downloadOne(ctx, request, baseUrl, file)));
    for (const result of fileResults) {
      if (result.ok) out.log(`Verified ${result.name} (${result.attempts} attempt(s))`, 'download');
      else out.log(`Failed ${result.name}: ${result.error}`, 'download', 'error');
    }
    const failed = fileResults.filter((r) => !r.ok);
    if (failed.length > 0) {
      const first = failed[0];
      throw new InstallError(
        first.code === 'HASH_MISMATCH' ? 'HASH_MISMATCH' : 'DOWNLOAD_FAILED',
        `${failed.length} of ${files.length} file(s) failed; first: ${first.name}: ${first.error}`,
        fileResults,
      );
    }
    const staged = ctx.host.files.get(`${installDir}\\version.download`);
    if (!staged)
      throw new InstallError('INTERNAL_ERROR', `Could not find file '${installDir}\\version.download'.`);
    ctx.host.files.put(`${installDir}\\version`, staged);
    ctx.host.files.delete(`${installDir}\\version.download`);
    out.log(`Agent ${request.agentVersion} installed in ${installDir}`, 'version');
    out.result({
      status: 'ok',
      operation: 'deployment.install',
      data: { installDir, agentVersion: request.agentVersion, files: fileResults },
    });
    return 0;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const e = error as Error & { code?: string; files?: FileResult[] };
    out.result({
      status: 'error',
      operation: 'deployment.install',
      error: {
        code: e instanceof InstallError ? e.code : 'INTERNAL_ERROR',
        message: e.message,
        exceptionType: 'System.Exception',
        details: { files: e.files ?? fileResults },
      },
    });
    return 1;
  } finally {
    state.stats.installsFinished++;
    labDeployConcurrency.current--;
  }
};

async function downloadOne(
  ctx: ScriptHandlerContext,
  request: InstallRequest,
  baseUrl: string,
  file: InstallRequest['files'][number],
): Promise<FileResult> {
  const state = deployState(ctx.host);
  const target = `${request.installDir}\\${file.name === 'version' ? 'version.download' : file.name}`;
  let lastError = '';
  let lastCode = 'DOWNLOAD_FAILED';
  for (let attempt = 1; attempt <= request.attempts; attempt++) {
    const made = (state.attemptsByFile.get(file.name) ?? 0) + 1;
    state.attemptsByFile.set(file.name, made);
    try {
      if (made <= state.knobs.failDownloads) {
        state.stats.injectedFailures++;
        throw new Error('Unable to connect to the remote server');
      }
      const response = await fetch(`${baseUrl}/agent/${file.name}`, { signal: ctx.signal });
      state.stats.downloads++;
      if (!response.ok)
        throw new Error(`The remote server returned an error: (${response.status}) ${response.statusText}.`);
      let body = Buffer.from(await response.arrayBuffer());
      const corrupt = state.knobs.corrupt;
      if (
        corrupt &&
        (corrupt.name === '*' || corrupt.name === file.name) &&
        (state.corruptedByFile.get(file.name) ?? 0) < corrupt.times
      ) {
        state.corruptedByFile.set(file.name, (state.corruptedByFile.get(file.name) ?? 0) + 1);
        state.stats.injectedFailures++;
        body = Buffer.from(body);
        body[Math.floor(body.length / 2)] ^= 0x20;
      }
      ctx.host.files.put(target, body);
      const actual = sha256(body);
      if (actual === file.sha256 && body.length === file.size) {
        return {
          name: file.name,
          ok: true,
          attempts: attempt,
          sha256: actual,
          bytes: body.length,
          error: null,
          code: null,
        };
      }
      lastError = `SHA-256 mismatch (got ${actual}, ${body.length} bytes; expected ${file.sha256}, ${file.size} bytes)`;
      lastCode = 'HASH_MISMATCH';
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      lastError = (error as Error).message;
      lastCode = 'DOWNLOAD_FAILED';
    }
    if (attempt < request.attempts) await ctx.sleep(request.retryIntervalS * 1000 * 2 ** (attempt - 1));
  }
  return {
    name: file.name,
    ok: false,
    attempts: request.attempts,
    sha256: null,
    bytes: null,
    error: lastError,
    code: lastCode,
  };
}

const versionHandler: ScriptHandler = async (ctx) => {
  const out = lines(ctx);
  deployState(ctx.host).stats.versionReads++;
  try {
    const { installDir } = decodeInput<{ installDir: string }>(await ctx.readStdin());
    const content = ctx.host.files.get(`${installDir}\\version`);
    const data = content
      ? { exists: true, base64: content.subarray(0, 4096).toString('base64') }
      : { exists: false, base64: null };
    out.result({ status: 'ok', operation: 'deployment.version', data });
    return 0;
  } catch (error) {
    out.result({
      status: 'error',
      operation: 'deployment.version',
      error: { code: 'INTERNAL_ERROR', message: (error as Error).message, exceptionType: 'System.Exception' },
    });
    return 1;
  }
};

const FIXED_SCRIPTS = new Map<string, ScriptHandler>([
  [INSTALLER_SCRIPT.sha256, installHandler],
  [VERSION_SCRIPT.sha256, versionHandler],
]);

/**
 * The handler for one of the app's fixed deployment scripts, or undefined. Matching is by the
 * SHA-256 of the exact text (after the runner's preamble line), so an edited script is not
 * simulated: the lab then interprets it like any other script and fails as a host would not.
 */
export function findFixedScript(script: string): ScriptHandler | undefined {
  const text = script.startsWith(SCRIPT_PREAMBLE) ? script.slice(SCRIPT_PREAMBLE.length) : script;
  return FIXED_SCRIPTS.get(sha256(text));
}
