/**
 * Fault catalogue scenarios of replies too big to hold: XML nested too deep, and an agent that
 * floods stdout or writes one enormous result line. Each is refused at its cap with an error that
 * names the host (docs/reliability.md). Matching is on the host plus a loose pattern, not on exact
 * wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAgentFaults } from '../lab/agent/faults';
import { expectNamesHost, startFleet, type Fleet } from './support';

const MiB = 1024 * 1024;

describe('fault catalogue: bounded XML and output', () => {
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 4, seed: 71 });
  });
  afterAll(async () => f?.close());

  async function expectRefusedWithNothingLost(name: string): Promise<string> {
    const since = f.notifications.length;
    expect(await f.refresh(name)).toBe('failed');
    const error = f.sync(name).lastError ?? '';
    expectNamesHost(error, f.info(name));
    expect(f.noticesFor(name, since).filter((n) => n.level === 'error').map((n) => n.title)).toEqual([expect.stringContaining(name)]);
    await f.expectNothingLost([name]);
    return error;
  }

  it('scenario 08: deep XML', async () => {
    // A reply nested 100,000 elements deep: refused at the depth cap, quickly, with a clear reason.
    f.lab.host('hv02').replyFaults.set({ kind: 'deep-xml', on: 'receive', count: 1, depth: 100_000 });
    const started = Date.now();
    const error = await expectRefusedWithNothingLost('hv02');
    expect(error).toMatch(/deep|depth|nest/i);
    // Refused at the depth cap, quickly (before the cap: ~25 s of parsing, then "has no rsp:ReceiveResponse").
    expect(Date.now() - started).toBeLessThan(5_000);
    await f.heal('hv02');
  }, 60_000);

  it('scenario 10: output flood (stdout)', async () => {
    // The agent writes 96 MiB of output lines before its result: reading stops at the per-command cap.
    setAgentFaults(f.lab.host('hv03'), { floodStdoutBytes: 96 * MiB });
    const error = await expectRefusedWithNothingLost('hv03');
    expect(error).toMatch(/output|stdout|too (much|large|long)|limit|cap|exceed/i);
    await f.heal('hv03');
  }, 90_000);

  it('scenario 10: output flood (result line)', async () => {
    // One 64 MiB result line: refused at the result-line cap instead of being buffered and parsed.
    setAgentFaults(f.lab.host('hv04'), { floodResultBytes: 64 * MiB });
    const error = await expectRefusedWithNothingLost('hv04');
    expect(error).toMatch(/result|line|output|too (much|large|long)|limit|cap|exceed/i);
    await f.heal('hv04');
  }, 90_000);
});
