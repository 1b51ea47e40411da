import os from 'node:os';
import path from 'node:path';

/**
 * Where settings, secrets, the store and logs live unless --data-dir says otherwise. Matches
 * Electron's app.getPath('userData') for the product name, so both runtimes share one place.
 */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Aether-V');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Aether-V');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Aether-V');
}
