import type { StartupCall } from '../backend/prefetch';

/**
 * What connectStore asks for on every connection: each topic's snapshot, then the app's info and
 * settings. The page's first script sends these before the app's code has loaded (see main.tsx);
 * a test keeps this list equal to what connectStore really asks.
 */
export const STARTUP_CALLS: readonly StartupCall[] = [
  ['events.snapshot', { topic: 'hosts' }],
  ['events.snapshot', { topic: 'notifications' }],
  ['events.snapshot', { topic: 'health' }],
  ['events.snapshot', { topic: 'inventory' }],
  ['events.snapshot', { topic: 'jobs' }],
  ['events.snapshot', { topic: 'jobOutput' }],
  ['app.info', {}],
  ['settings.get', {}],
];
