import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One runner for everything under test/. DOM tests opt in with `// @vitest-environment jsdom`.
// Browser end-to-end tests (test/e2e) start real processes and Chromium, so they get long timeouts.
const TEST_FILES = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

// Two groups, so that a 2-core machine (this one, and CI's) is kept busy without overloading it:
// - "serial": files that start Chromium (test/e2e) or real PowerShell (the lab's real-agent hosts,
//   the guest agents, pwsh itself). A pwsh start alone burns both cores for about a second, and
//   these files wait on PowerShell or a browser with timeouts, so they run one at a time, as every
//   file used to. (Browser tests two at a time were tried: a theme toggle then timed out at 30 s.)
// - "parallel": every other file, two at a time. Vitest's default on 2 cores is one worker, and
//   most of these files spend less time testing than the ~0.6 s a fresh worker needs to start and
//   import, so a second worker halves that group's wall time (299 s → 151 s, measured).
// A file joins "serial" by living in test/e2e or by using one of the markers below, so a new file
// that starts PowerShell through the shared helpers is placed without a list to keep.
const SERIAL_MARKERS = /realAgent: true|startRealAgentLab|startRealPowerShell|findPowerShell|runWindowsAgent/;
const TEST_DIR = fileURLToPath(new URL('./test/', import.meta.url));
const serialFiles = readdirSync(TEST_DIR, { recursive: true, encoding: 'utf8' })
  .map((file) => file.split('\\').join('/'))
  .filter(
    (file) =>
      /\.test\.tsx?$/.test(file) &&
      (file.startsWith('e2e/') || SERIAL_MARKERS.test(readFileSync(TEST_DIR + file, 'utf8'))),
  )
  .map((file) => `test/${file}`);

export default defineConfig({
  test: {
    // No top-level include: a project that extends the root would add its include to the root's.
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: TEST_FILES,
          exclude: serialFiles,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'serial', include: serialFiles, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
