/**
 * Our ISO 9660 + Joliet writer, judged by independent readers: every image is written to disk and
 * read back with xorriso and isoinfo (Debian), never with our own code, except the M path table,
 * which no tool prints and which must mirror the L table isoinfo reads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsoImage, IsoInputError, SECTOR, type IsoFile } from '../../src/main/provisioning/iso9660';
import { tempDir } from '../support/temp';
import {
  isoinfoDescribe,
  isoinfoList,
  isoinfoPathTable,
  isoinfoRead,
  makeWritable,
  walk,
  xorrisoExtract,
  xorrisoList,
} from './iso-tools';

const DATE = new Date('2024-05-06T07:08:09Z');
const LABEL = 'AETHERV_TEST';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const LONG_NAME = `${'A-very-long-Mixed-Case-name'.padEnd(61, 'x')}.sh`; // 64 characters
const files: IsoFile[] = [
  { path: 'aetherv-version', bytes: Buffer.from('1.2.0\n') },
  { path: 'linux/aetherv-guest.sh', bytes: Buffer.from('#!/bin/bash\nset -euo pipefail\necho guest\n') },
  { path: 'linux/aetherv-guest2.sh', bytes: Buffer.from('#!/bin/bash\necho second\n') },
  { path: 'linux/systemd/AetherV-Guest.service', bytes: Buffer.from('[Unit]\nDescription=Aether-V guest\n') },
  { path: `linux/${LONG_NAME}`, bytes: Buffer.from('long name\n') },
  { path: 'linux/Mixed Case With Spaces.TXT', bytes: Buffer.from('spaces and case\n') },
  { path: 'Überprüfung-ß.txt', bytes: Buffer.from('not ascii\n') },
  { path: 'empty.txt', bytes: Buffer.alloc(0) },
  { path: 'nested/empty-too', bytes: Buffer.alloc(0) },
  // Seven folders above a file: the deepest ISO 9660 allows.
  { path: 'd1/d2/d3/d4/d5/d6/d7/deepest.txt', bytes: Buffer.from('deep\n') },
  // Several MB: spans thousands of sectors and does not end on a sector boundary.
  { path: 'payload/big.bin', bytes: randomBytes(5 * 1024 * 1024 + 123) },
  // Exactly one sector, and one byte more.
  { path: 'payload/one-sector.bin', bytes: randomBytes(SECTOR) },
  { path: 'payload/sector-plus-one.bin', bytes: randomBytes(SECTOR + 1) },
  // Level 1 order pads name and extension with spaces: X.B;1 comes before X.B1;1.
  { path: 'order/x.b1', bytes: Buffer.from('b1') },
  { path: 'order/x.b', bytes: Buffer.from('b') },
  // Enough entries that both trees' folder records spill over several sectors.
  ...Array.from({ length: 60 }, (_, i) => ({
    path: `many/entry-number-${String(i).padStart(3, '0')}-with-a-fairly-long-name.ps1`,
    bytes: Buffer.from(`# file ${i}\r\n`),
  })),
];

let temp: ReturnType<typeof tempDir>;
let image: string;
let imageBytes: Buffer;

beforeAll(() => {
  temp = tempDir('aetherv-iso-');
  imageBytes = buildIsoImage(files, { volumeLabel: LABEL, date: DATE });
  image = join(temp.dir, 'test.iso');
  writeFileSync(image, imageBytes);
});

afterAll(() => {
  makeWritable(temp.dir);
  temp.cleanup();
});

describe('ISO 9660 + Joliet writer, read back by xorriso and isoinfo', () => {
  it('xorriso extracts every file byte for byte, with long, mixed-case and non-ASCII names and nested folders', () => {
    const dest = join(temp.dir, 'extracted');
    xorrisoExtract(image, dest);
    const expected = files.map((f) => f.path).sort();
    expect(walk(dest).sort()).toEqual(expected);
    for (const file of files) {
      const bytes = readFileSync(join(dest, file.path));
      expect(bytes.length, file.path).toBe(file.bytes.length);
      expect(sha256(bytes), file.path).toBe(sha256(file.bytes));
    }
    // Every timestamp is the input date.
    expect(statSync(join(dest, 'linux/aetherv-guest.sh')).mtime.toISOString()).toBe(DATE.toISOString());
  });

  it('xorriso lists the volume label, every folder and every size', () => {
    const listing = xorrisoList(image);
    expect(listing.volumeId).toBe(LABEL);
    expect(new Map([...listing.files].sort())).toEqual(
      new Map(files.map((f) => [`/${f.path}`, f.bytes.length] as const).sort()),
    );
    expect(listing.dirs).toEqual(
      expect.arrayContaining([
        '/',
        '/linux',
        '/linux/systemd',
        '/d1/d2/d3/d4/d5/d6/d7',
        '/many',
        '/payload',
        '/nested',
      ]),
    );
  });

  it('isoinfo -J -l lists the Joliet tree with real names, and isoinfo -J -x reads every file', () => {
    const entries = isoinfoList(image, true).filter((e) => !e.isDir);
    expect(entries.map((e) => e.path).sort()).toEqual(files.map((f) => `/${f.path}`).sort());
    for (const file of files) {
      const entry = entries.find((e) => e.path === `/${file.path}`)!;
      expect(entry.size, file.path).toBe(file.bytes.length);
      expect(sha256(isoinfoRead(image, `/${file.path}`, true)), file.path).toBe(sha256(file.bytes));
    }
  });

  it('isoinfo -l lists the primary tree with level 1 names (8.3, upper case, ;1) pointing at the same bytes', () => {
    const primary = isoinfoList(image, false);
    const joliet = isoinfoList(image, true);
    expect(primary.filter((e) => !e.isDir)).toHaveLength(files.length);
    expect(primary.filter((e) => e.isDir).length).toBe(joliet.filter((e) => e.isDir).length);
    for (const entry of primary) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      if (entry.isDir) expect(name, entry.path).toMatch(/^[A-Z0-9_]{1,8}$/);
      else expect(name, entry.path).toMatch(/^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/);
    }
    // Known names, including the _N tail when two names shorten alike.
    const paths = primary.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/AETHERV_.;1',
        '/LINUX/AETHERV_.SH;1',
        '/LINUX/AETHER_1.SH;1',
        '/LINUX/SYSTEMD/AETHERV_.SER;1',
        '/D1/D2/D3/D4/D5/D6/D7/DEEPEST.TXT;1',
        '/_BERPR_F.TXT;1',
      ]),
    );
    expect(paths.indexOf('/ORDER/X.B;1')).toBeGreaterThanOrEqual(0);
    expect(paths.indexOf('/ORDER/X.B;1')).toBeLessThan(paths.indexOf('/ORDER/X.B1;1'));
    // Each primary file is the same extent and size as a Joliet file, and reads back the same.
    for (const entry of primary.filter((e) => !e.isDir && e.size > 0)) {
      const twin = joliet.find((j) => !j.isDir && j.extent === entry.extent)!;
      expect(twin, entry.path).toBeDefined();
      expect(entry.size, entry.path).toBe(twin.size);
      const input = files.find((f) => `/${f.path}` === twin.path)!;
      expect(sha256(isoinfoRead(image, entry.path, false)), entry.path).toBe(sha256(input.bytes));
    }
  });

  it('path tables (L read by isoinfo, M mirrored byte for byte) match the folder records of both trees', () => {
    for (const joliet of [false, true]) {
      const table = isoinfoPathTable(image, joliet);
      const dirs = isoinfoList(image, joliet).filter((e) => e.isDir);
      expect(table).toHaveLength(dirs.length + 1); // + the root
      for (const row of table.slice(1)) {
        const dir = dirs.find((d) => d.extent === row.extent);
        expect(dir, `${row.name} at ${row.extent}`).toBeDefined();
        expect(dir!.path.endsWith(`/${row.name}`)).toBe(true);
        expect(row.parent).toBeLessThanOrEqual(table.indexOf(row)); // parents come first
      }
      // The M table: same records with big-endian numbers, at the location the descriptor names.
      const descriptor = (16 + (joliet ? 1 : 0)) * SECTOR;
      const size = imageBytes.readUInt32LE(descriptor + 132);
      expect(imageBytes.readUInt32BE(descriptor + 136)).toBe(size);
      const l = imageBytes.subarray(imageBytes.readUInt32LE(descriptor + 140) * SECTOR).subarray(0, size);
      const m = imageBytes.subarray(imageBytes.readUInt32BE(descriptor + 148) * SECTOR).subarray(0, size);
      for (let at = 0; at < size;) {
        const length = l[at];
        expect(m[at]).toBe(length);
        expect(m.readUInt32BE(at + 2)).toBe(l.readUInt32LE(at + 2));
        expect(m.readUInt16BE(at + 6)).toBe(l.readUInt16LE(at + 6));
        expect(m.subarray(at + 8, at + 8 + length)).toEqual(l.subarray(at + 8, at + 8 + length));
        at += 8 + length + (length % 2);
      }
    }
  });

  it('carries the volume label in both descriptors and announces Joliet level 3', () => {
    const described = isoinfoDescribe(image);
    expect(described).toMatch(/^Volume id: AETHERV_TEST$/m);
    expect(described).toMatch(/Joliet with UCS level 3 found/);
    expect(described).toMatch(/^Volume size is: (\d+)$/m);
    expect(Number(/^Volume size is: (\d+)$/m.exec(described)![1]) * SECTOR).toBe(imageBytes.length);
    const jolietLabel = imageBytes
      .subarray(17 * SECTOR + 40, 17 * SECTOR + 72)
      .swap16()
      .toString('utf16le');
    imageBytes.subarray(17 * SECTOR + 40, 17 * SECTOR + 72).swap16(); // swap back
    expect(jolietLabel.trimEnd()).toBe(LABEL);
  });

  it('is deterministic: the same input gives the same bytes; another date gives others', () => {
    const again = buildIsoImage(files.map((f) => ({ ...f })).reverse(), { volumeLabel: LABEL, date: DATE });
    expect(sha256(again)).toBe(sha256(imageBytes));
    const later = buildIsoImage(files, { volumeLabel: LABEL, date: new Date('2024-05-06T07:08:10Z') });
    expect(sha256(later)).not.toBe(sha256(imageBytes));
  });

  it('writes an image with only empty files that both readers accept', () => {
    const only = join(temp.dir, 'only-empty.iso');
    writeFileSync(
      only,
      buildIsoImage([{ path: 'nothing', bytes: Buffer.alloc(0) }], { volumeLabel: 'E', date: DATE }),
    );
    expect(xorrisoList(only).files).toEqual(new Map([['/nothing', 0]]));
    expect(isoinfoList(only, true)).toEqual([{ path: '/nothing', isDir: false, size: 0, extent: 0 }]);
  });
});

describe('ISO writer refusals name the path and the rule', () => {
  const ok = Buffer.from('x');
  const refusals: [string, IsoFile[], RegExp][] = [
    ['a colon', [{ path: 'linux/a:b.sh', bytes: ok }], /"linux\/a:b\.sh" contains ':'/],
    ['a semicolon', [{ path: 'a;1', bytes: ok }], /"a;1" contains ';'/],
    ['a star', [{ path: 'x/*.sh', bytes: ok }], /contains '\*'/],
    ['a question mark', [{ path: 'why?', bytes: ok }], /"why\?" contains '\?'/],
    ['a backslash', [{ path: 'linux\\setup.sh', bytes: ok }], /contains '\\'/],
    ['a control character', [{ path: 'tab\there', bytes: ok }], /control character U\+0009/],
    [
      'a name over 64 characters',
      [{ path: `linux/${'n'.repeat(65)}`, bytes: ok }],
      /is 65 characters; Joliet names hold at most 64/,
    ],
    [
      'more than 7 folders',
      [{ path: 'a/b/c/d/e/f/g/h/file', bytes: ok }],
      /"a\/b\/c\/d\/e\/f\/g\/h\/file" is 8 folders deep/,
    ],
    [
      'an empty component',
      [{ path: 'linux//x', bytes: ok }],
      /"linux\/\/x" has an empty, '\.' or '\.\.' component/,
    ],
    ['a leading slash', [{ path: '/abs', bytes: ok }], /"\/abs" has an empty/],
    [
      'a dot-dot component',
      [{ path: 'linux/../x', bytes: ok }],
      /"linux\/\.\.\/x" has an empty, '\.' or '\.\.' component/,
    ],
    ['an empty path', [{ path: '', bytes: ok }], /path is empty/],
    [
      'a character outside UCS-2',
      [{ path: 'smile-\u{1F600}', bytes: ok }],
      /outside the Basic Multilingual Plane/,
    ],
    [
      'a duplicate path',
      [
        { path: 'linux/a.sh', bytes: ok },
        { path: 'linux/a.sh', bytes: ok },
      ],
      /"linux\/a\.sh" is listed twice/,
    ],
    [
      'names differing only in case',
      [
        { path: 'linux/Setup.sh', bytes: ok },
        { path: 'linux/setup.sh', bytes: ok },
      ],
      /"linux\/setup\.sh" differs from "linux\/Setup\.sh" only in case/,
    ],
    [
      'folders differing only in case',
      [
        { path: 'Linux/a', bytes: ok },
        { path: 'linux/b', bytes: ok },
      ],
      /"linux" differs from "Linux" only in case/,
    ],
    [
      'a file that is also a folder',
      [
        { path: 'linux', bytes: ok },
        { path: 'linux/a', bytes: ok },
      ],
      /"linux" is both a file and a folder/,
    ],
    [
      'a folder that is also a file',
      [
        { path: 'linux/a', bytes: ok },
        { path: 'linux', bytes: ok },
      ],
      /"linux" is both a file and a folder/,
    ],
  ];

  it.each(refusals)('refuses %s', (_what, input, message) => {
    let error: unknown;
    try {
      buildIsoImage(input, { volumeLabel: LABEL, date: DATE });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IsoInputError);
    expect((error as IsoInputError).message).toMatch(message);
    expect(input.map((f) => f.path)).toContain((error as IsoInputError).path);
  });

  it.each([
    [
      'a lower-case label',
      { volumeLabel: 'aetherv', date: DATE },
      'volumeLabel',
      /Volume label "aetherv" must be 1-16/,
    ],
    [
      'a label over 16 characters',
      { volumeLabel: 'A'.repeat(17), date: DATE },
      'volumeLabel',
      /must be 1-16/,
    ],
    ['an empty label', { volumeLabel: '', date: DATE }, 'volumeLabel', /must be 1-16/],
    [
      'an invalid date',
      { volumeLabel: LABEL, date: new Date('nope') },
      'date',
      /valid date between 1970 and 2155/,
    ],
    [
      'a date before 1970',
      { volumeLabel: LABEL, date: new Date('1969-12-31T00:00:00Z') },
      'date',
      /between 1970 and 2155/,
    ],
  ])('refuses %s', (_what, options, field, message) => {
    expect(() => buildIsoImage([{ path: 'a', bytes: Buffer.from('x') }], options)).toThrow(message);
    try {
      buildIsoImage([{ path: 'a', bytes: Buffer.from('x') }], options);
    } catch (e) {
      expect((e as IsoInputError).path).toBe(field);
    }
  });
});
