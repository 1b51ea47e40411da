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
  ['events.snapshot', { topic: 'jobs' }],
  ['events.snapshot', { topic: 'jobOutput' }],
  ['events.snapshot', { topic: 'reachability' }], // connect: RDP/SSH per VM
  ['app.info', {}],
  ['settings.get', {}],
  // Last: the backend answers in this order, and the small answers queued behind a 1.7 MB one
  // reached the page ~60 ms after it (the browser reads the socket on in steps as the page
  // consumes what came). The app renders only once all of them are in.
  ['events.snapshot', { topic: 'inventory' }],
];
