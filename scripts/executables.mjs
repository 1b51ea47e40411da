/**
 * Finding programs, shared by scripts/test-prereqs.mjs (plain Node, runs before anything is built)
 * and test/support/prereqs.ts (the tests). No dependencies.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

/** True for an existing regular file this process may execute. */
export function isExecutable(file) {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on env.PATH (with PATHEXT's extensions on Windows). */
export function findOnPath(name, env = process.env) {
  const extensions = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const file = resolve(dir, name + ext.toLowerCase());
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}
