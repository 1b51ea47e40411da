import { readFileSync } from 'node:fs';

/** The agent version this build deploys (agent/version): tests that compare against it read it, so a bump needs no test edits. */
export const BUNDLED_AGENT_VERSION = readFileSync(new URL('../../agent/version', import.meta.url), 'utf8').trim();
