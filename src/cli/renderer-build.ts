import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const rendererDir = path.join(projectRoot, 'out', 'renderer');

/** Builds the app once if the renderer bundle is missing, so `serve` works right after `npm ci`. */
export async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  if (existsSync(path.join(rendererDir, 'index.html'))) return rendererDir;
  log('The UI is not built yet; building it once (npm run build)…');
  const require = createRequire(import.meta.url);
  const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'build'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the UI failed (exit ${code}); run \`npm run build\` to see why`))));
  });
  return rendererDir;
}
