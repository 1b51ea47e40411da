/**
 * Run by test/foundation/log.test.ts inside a user + mount namespace (`unshare -rm`), on a tiny
 * tmpfs mounted at argv[2]: fills the disk with the app log, then frees space, and prints one JSON
 * line with what happened. A real ENOSPC from a real file system, not a mocked write.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../../src/main/log';

const dir = process.argv[2]!;
const filler = path.join(dir, 'filler.bin');
// Most of the disk goes to a filler file, so the log meets a full disk after a few lines.
writeFileSync(filler, Buffer.alloc(40 * 1024));

const notices: string[] = [];
let threw = 0;
const log = createLogger(dir, { limits: { maxBytes: 1024 * 1024, keepFiles: 2 } });
log.onWriteFailure((problem) => notices.push(problem));

const attempted = 400;
for (let i = 0; i < attempted; i++) {
  try {
    // Lines of varying length, so the last one that fits only partly is cut mid-line.
    log.info('filling the disk', { seq: i, pad: 'x'.repeat(200 + ((i * 37) % 500)) });
  } catch {
    threw++;
  }
}
const during = log.metrics().rows[0]!;

rmSync(filler);
log.info('after space was freed', { seq: attempted });
const after = log.metrics().rows[0]!;

const text = readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8');
const lines = text.split('\n');
const trailing = lines.pop();
let unparsable = 0;
const records: Record<string, unknown>[] = [];
for (const line of lines) {
  try {
    records.push(JSON.parse(line) as Record<string, unknown>);
  } catch {
    unparsable++;
  }
}
process.stdout.write(
  JSON.stringify({
    attempted,
    threw,
    notices,
    during,
    after,
    unparsable,
    trailing,
    seqs: records.map((r) => r.seq ?? null),
    resumed: records.find((r) => r.message === 'app log writes resumed') ?? null,
    last: records[records.length - 1]?.message ?? null,
    files: readdirSync(path.join(dir, 'logs')).sort(),
  }) + '\n',
);
