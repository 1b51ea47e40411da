#!/usr/bin/env node
// Entry point for `npx aether-v …`: runs the TypeScript sources directly (through tsx), so the CLI
// works right after `npm ci` without a build step. npm puts the project's Node 24 first on PATH.
import { register } from 'tsx/esm/api';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `aether-v needs Node 24 or newer (this is ${process.version}). Run it through npm ` +
      '(`npx aether-v …` or `npm run …`), which uses the Node 24 the project installs.\n',
  );
  process.exit(1);
}
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
