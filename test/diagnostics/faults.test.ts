import { EventEmitter } from 'node:events';
import { expect, test } from 'vitest';
import { FaultLog, isDiskFull } from '../../src/main/diagnostics/faults';
import { installLastResortHandlers } from '../../src/main/diagnostics/last-resort';
import type { Logger } from '../../src/main/log';

test('a repeated fault is one entry with a count; the list is bounded; listeners hear new and repeated ones', () => {
  const faults = new FaultLog();
  const heard: Array<[string, boolean]> = [];
  faults.onFault((f, isNew) => heard.push([f.message, isNew]));
  faults.report('uncaught-exception', 'uncaughtException', new Error('same'), new Date('2026-01-01T00:00:00Z'));
  faults.report('uncaught-exception', 'uncaughtException', new Error('same'), new Date('2026-01-01T00:01:00Z'));
  expect(faults.list()).toEqual([{ kind: 'uncaught-exception', source: 'uncaughtException', message: 'same', firstAt: '2026-01-01T00:00:00.000Z', lastAt: '2026-01-01T00:01:00.000Z', count: 2 }]);
  expect(heard).toEqual([['same', true], ['same', false]]);
  for (let i = 0; i < 50; i++) faults.report('unhandled-rejection', 'unhandledRejection', `reason ${i}`);
  expect(faults.list()).toHaveLength(20);
  expect(faults.list()[0]!.message).toBe('reason 49');
});

test('disk full is recognised from the file system and from SQLite', () => {
  expect(isDiskFull(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe(true);
  expect(isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 }))).toBe(true);
  expect(isDiskFull(Object.assign(new Error('constraint failed'), { code: 'ERR_SQLITE_ERROR', errcode: 19 }))).toBe(false);
  expect(isDiskFull(undefined)).toBe(false);
});

test('the last-resort handlers record and log uncaught errors and rejections, and uninstall cleanly', () => {
  const proc = new EventEmitter();
  const logged: string[] = [];
  const log = { error: (message: string) => logged.push(message) } as unknown as Logger;
  const faults = new FaultLog();
  const uninstall = installLastResortHandlers(log, faults, proc as unknown as NodeJS.Process);
  proc.emit('uncaughtException', new Error('boom'), 'uncaughtException');
  proc.emit('unhandledRejection', Object.assign(new Error('database or disk is full'), { errcode: 13 }));
  expect(faults.list().map((f) => [f.kind, f.message])).toEqual([
    ['disk-full', 'database or disk is full'],
    ['uncaught-exception', 'boom'],
  ]);
  expect(logged).toHaveLength(2);
  uninstall();
  expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(0);
});
