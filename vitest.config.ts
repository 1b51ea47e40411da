import { defineConfig } from 'vitest/config';

// One runner for everything under test/. DOM tests opt in with `// @vitest-environment jsdom`.
// Browser end-to-end tests (test/e2e) start real processes and Chromium, so they get long timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
