import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One runner for everything under test/. DOM tests opt in with `// @vitest-environment jsdom`.
// Browser end-to-end tests (test/e2e) start real processes and Chromium, so they get long timeouts.
const TEST_FILES = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

// Two groups, so that a 2-core machine (this one, and CI's) is kept busy without overloading it:
// - "serial": files that start Chromium or real PowerShell (the lab's real-agent hosts, the guest
//   agents). A pwsh start alone burns both cores for about a second, and these files wait on
//   PowerShell with timeouts, so they run one at a time, as every file used to.
// - "parallel": every other file, two at a time. Vitest's default on 2 cores is one worker, and
//   most of these files spend less time testing than the ~0.6 s a fresh worker needs to start and
//   import, so a second worker roughly halves that group's wall time.
// A file joins "serial" by living in test/e2e or by using one of the markers below; a new file that
// starts PowerShell or Chromium through the shared helpers is therefore placed without a list to keep.
const SERIAL_MARKERS = /realAgent: true|startRealAgentLab|startRealPowerShell|findPowerShell|runWindowsAgent|launchChromium|serveApp\(/;
const serialFiles = globSync(TEST_FILES).filter((file) => file.startsWith('test/e2e/') || SERIAL_MARKERS.test(readFileSync(file, 'utf8')));

export default defineConfig({
  test: {
    include: TEST_FILES,
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'parallel', exclude: serialFiles, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'serial', include: serialFiles, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
