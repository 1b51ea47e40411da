/**
 * A small ISO 9660 image writer with Joliet extensions, written for the provisioning media.
 *
 * Why our own: no npm package writes ISO images (the ones that exist read them, or shell out to
 * mkisofs/xorriso, which a Windows workstation does not have). The media hold a few scripts, so
 * the writer only needs one flat layout, which keeps it short:
 *
 *   sector 0-15   system area (zeros)
 *   sector 16     primary volume descriptor: ISO 9660 level 1 names (8.3, upper case, ";1")
 *   sector 17     Joliet supplementary volume descriptor: UCS-2 big-endian names, case kept
 *   sector 18     volume descriptor set terminator
 *   then          L and M path tables of the primary tree, then of the Joliet tree
 *   then          the directory extents of the primary tree, then of the Joliet tree
 *   then          file contents, once; both trees point at the same extents
 *
 * No Rock Ridge (Unix modes), no El Torito (booting), no multi-extent files: a guest mounts the
 * medium and reads the scripts. Output is deterministic: every timestamp is the caller's date and
 * every order is a sort, so the same input gives the same bytes (and SHA-256) on every machine.
 * References: ECMA-119 (ISO 9660) sections 8-9, and Microsoft's Joliet specification (1995).
 */

export const SECTOR = 2048;

/** ECMA-119 6.8.2.1: at most eight directory levels, the root being level one. */
export const MAX_DIRECTORY_LEVELS = 8;
/** Joliet: a name is at most 64 UCS-2 characters (128 bytes). */
export const MAX_JOLIET_NAME = 64;
/** Volume labels: d-characters that fit both the primary (32 bytes) and Joliet (16 chars) field. */
export const VOLUME_LABEL = /^[A-Z0-9_]{1,16}$/;

const SYSTEM_AREA_SECTORS = 16;
/** Forbidden in Joliet names (Joliet specification, "Joliet Allowed Character Set"). */
const JOLIET_FORBIDDEN = /[\u0000-\u001f*/:;?\\]/;
/** Sizes are 32-bit fields and files are written as one extent. */
const MAX_FILE_BYTES = 0xffffffff;

export interface IsoFile {
  /** Path inside the image, folders separated by '/', e.g. `linux/aetherv-guest.sh`. */
  path: string;
  bytes: Uint8Array;
}

export interface IsoOptions {
  /** Volume label, e.g. AETHERV_LINUX: 1-16 of A-Z, 0-9 and '_'. */
  volumeLabel: string;
  /** Every timestamp in the image (UTC). Fixed by the caller so output is reproducible. */
  date: Date;
  /** Free text for the application identifier fields (ASCII, at most 128 characters). */
  application?: string;
}

export class IsoInputError extends Error {
  constructor(
    /** The offending path (or field name for options), so the caller can name it. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'IsoInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// The tree

interface FileNode {
  kind: 'file';
  name: string;
  path: string;
  bytes: Uint8Array;
  /** Filled by layout(). */
  isoName: Buffer;
  jolietName: Buffer;
  sector: number;
}

interface DirNode {
  kind: 'dir';
  name: string;
  path: string;
  parent: DirNode | null;
  children: Map<string, DirNode | FileNode>;
  isoName: Buffer;
  jolietName: Buffer;
  /** Per tree: extent location, size in bytes (a whole number of sectors), path table number. */
  primary: DirPlacement;
  joliet: DirPlacement;
}

interface DirPlacement {
  sector: number;
  size: number;
  number: number;
}

type Tree = 'primary' | 'joliet';

function newDir(name: string, path: string, parent: DirNode | null): DirNode {
  return {
    kind: 'dir',
    name,
    path,
    parent,
    children: new Map(),
    isoName: Buffer.alloc(0),
    jolietName: Buffer.alloc(0),
    primary: { sector: 0, size: 0, number: 0 },
    joliet: { sector: 0, size: 0, number: 0 },
  };
}

/** Checks one path and splits it into names; every refusal names the path. */
function splitPath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0)
    throw new IsoInputError(String(path), 'An image file path is empty; give every file a name.');
  const parts = path.split('/');
  if (parts.length > MAX_DIRECTORY_LEVELS) {
    throw new IsoInputError(
      path,
      `${JSON.stringify(path)} is ${parts.length - 1} folders deep; ISO 9660 allows at most ${MAX_DIRECTORY_LEVELS - 1} folders above a file.`,
    );
  }
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') {
      throw new IsoInputError(
        path,
        `${JSON.stringify(path)} has an empty, '.' or '..' component; use relative paths like linux/setup.sh.`,
      );
    }
    const bad = JOLIET_FORBIDDEN.exec(part);
    if (bad) {
      const shown =
        bad[0].charCodeAt(0) < 0x20
          ? `control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}`
          : `'${bad[0]}'`;
      throw new IsoInputError(
        path,
        `${JSON.stringify(path)} contains ${shown}, which Joliet names cannot hold; rename it.`,
      );
    }
    if ([...part].some((c) => c.codePointAt(0)! > 0xffff)) {
      throw new IsoInputError(
        path,
        `${JSON.stringify(path)} contains a character outside the Basic Multilingual Plane, which Joliet (UCS-2) cannot hold; rename it.`,
      );
    }
    if (part.length > MAX_JOLIET_NAME) {
      throw new IsoInputError(
        path,
        `${JSON.stringify(part)} in ${JSON.stringify(path)} is ${part.length} characters; Joliet names hold at most ${MAX_JOLIET_NAME}.`,
      );
    }
  }
  return parts;
}

/**
 * Builds the folder tree. Names are compared case-insensitively as well: Windows reads Joliet
 * names without case, so `Setup.sh` and `setup.sh` could not both be seen there.
 */
function buildTree(files: readonly IsoFile[]): DirNode {
  const root = newDir('', '', null);
  // Every path seen so far (files and folders), by its case-folded form.
  const seen = new Map<string, { path: string; kind: 'file' | 'dir' }>();
  for (const file of files) {
    const parts = splitPath(file.path);
    if (!(file.bytes instanceof Uint8Array))
      throw new IsoInputError(
        file.path,
        `${JSON.stringify(file.path)} has no bytes (expected a Buffer or Uint8Array).`,
      );
    if (file.bytes.length > MAX_FILE_BYTES)
      throw new IsoInputError(
        file.path,
        `${JSON.stringify(file.path)} is 4 GiB or larger; ISO 9660 level 1 files must be smaller.`,
      );
    let dir = root;
    parts.forEach((name, index) => {
      const path = parts.slice(0, index + 1).join('/');
      const isLast = index === parts.length - 1;
      const kind = isLast ? 'file' : 'dir';
      const earlier = seen.get(path.toLowerCase());
      if (earlier) {
        const reason =
          earlier.path !== path
            ? `differs from ${JSON.stringify(earlier.path)} only in case, which Windows cannot tell apart`
            : earlier.kind === 'file' && kind === 'file'
              ? 'is listed twice'
              : earlier.kind !== kind
                ? 'is both a file and a folder'
                : '';
        if (reason)
          throw new IsoInputError(file.path, `${JSON.stringify(path)} ${reason}; each path may appear once.`);
      }
      seen.set(path.toLowerCase(), { path, kind });
      if (isLast) {
        dir.children.set(name, {
          kind: 'file',
          name,
          path,
          bytes: file.bytes,
          isoName: Buffer.alloc(0),
          jolietName: Buffer.alloc(0),
          sector: 0,
        });
      } else {
        let next = dir.children.get(name);
        if (!next) {
          next = newDir(name, path, dir);
          dir.children.set(name, next);
        }
        dir = next as DirNode;
      }
    });
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Names

function dChars(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/**
 * Level 1 identifiers for one folder's entries: files `NAME.EXT;1` (8 + 3), folders `NAME` (8).
 * Names that collide after shortening get a `_N` tail, decided in sorted order so it is stable.
 */
function assignPrimaryNames(dir: DirNode): void {
  const taken = new Set<string>();
  const entries = [...dir.children.values()].sort((a, b) => compareStrings(a.name, b.name));
  for (const entry of entries) {
    let base: string;
    let ext = '';
    if (entry.kind === 'file') {
      const dot = entry.name.lastIndexOf('.');
      base = dChars(dot > 0 ? entry.name.slice(0, dot) : entry.name);
      ext = dot > 0 ? dChars(entry.name.slice(dot + 1)).slice(0, 3) : '';
    } else {
      base = dChars(entry.name);
    }
    const make = (b: string): string => (entry.kind === 'file' ? `${b}.${ext}` : b);
    let candidate = make(base.slice(0, 8));
    for (let n = 1; taken.has(candidate); n++) {
      const tail = `_${n}`; // '~' is not a d-character, so not the DOS-style ~1

      candidate = make(base.slice(0, 8 - tail.length) + tail);
    }
    taken.add(candidate);
    entry.isoName = Buffer.from(entry.kind === 'file' ? `${candidate};1` : candidate, 'ascii');
    if (entry.kind === 'dir') assignPrimaryNames(entry);
  }
}

function ucs2be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return le.swap16();
}

function assignJolietNames(dir: DirNode): void {
  for (const entry of dir.children.values()) {
    entry.jolietName = ucs2be(entry.name);
    if (entry.kind === 'dir') assignJolietNames(entry);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * ECMA-119 9.3 sorts primary records by name, then extension, each padded with spaces: as plain
 * bytes `X.B1;1` would sort before `X.B;1` (';' is above the digits). Padding both parts to their
 * level 1 widths gives a key whose byte order is the standard's.
 */
function primarySortKey(entry: DirNode | FileNode): Buffer {
  const text = entry.isoName.toString('ascii').replace(/;1$/, '');
  const dot = text.indexOf('.');
  const key = dot < 0 ? text.padEnd(12) : text.slice(0, dot).padEnd(8) + text.slice(dot + 1).padEnd(4);
  return Buffer.from(key, 'ascii');
}

/** Records in a directory in the standard's order (Joliet: by UCS-2 code units). */
function sortedChildren(dir: DirNode, tree: Tree): (DirNode | FileNode)[] {
  const key = (e: DirNode | FileNode): Buffer => (tree === 'primary' ? primarySortKey(e) : e.jolietName);
  return [...dir.children.values()].sort((a, b) => Buffer.compare(key(a), key(b)));
}

// ---------------------------------------------------------------------------------------------
// Sizes and placement

const DIR_RECORD_FIXED = 33;

function recordLength(identifierLength: number): number {
  // The identifier is followed by a pad byte when its length is even, so records stay even.
  return DIR_RECORD_FIXED + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/** Records never cross a sector boundary; a record that would is moved to the next sector. */
function directorySize(dir: DirNode, tree: Tree): number {
  let used = 2 * recordLength(1); // '.' and '..'
  let size = SECTOR;
  for (const entry of sortedChildren(dir, tree)) {
    const length = recordLength((tree === 'primary' ? entry.isoName : entry.jolietName).length);
    if (used + length > SECTOR) {
      size += SECTOR;
      used = 0;
    }
    used += length;
  }
  return size;
}

/** Folders in path table order: by level, then parent number, then identifier (ECMA-119 9.4). */
function pathTableOrder(root: DirNode, tree: Tree): DirNode[] {
  const order: DirNode[] = [root];
  for (let i = 0; i < order.length; i++) {
    for (const child of sortedChildren(order[i], tree)) if (child.kind === 'dir') order.push(child);
  }
  if (order.length > 0xffff)
    throw new IsoInputError('', `The image has ${order.length} folders; path tables number at most 65535.`);
  order.forEach((dir, index) => (dir[tree].number = index + 1));
  return order;
}

function pathTableSize(order: DirNode[], tree: Tree): number {
  return order.reduce((sum, dir) => {
    const id = dir.parent ? (tree === 'primary' ? dir.isoName : dir.jolietName).length : 1;
    return sum + 8 + id + (id % 2);
  }, 0);
}

function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}

function allFiles(dir: DirNode, out: FileNode[] = []): FileNode[] {
  for (const entry of dir.children.values()) {
    if (entry.kind === 'file') out.push(entry);
    else allFiles(entry, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing fields

function bothEndian16(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt16LE(value, offset);
  buffer.writeUInt16BE(value, offset + 2);
}

function bothEndian32(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value, offset);
  buffer.writeUInt32BE(value, offset + 4);
}

/** 7-byte recording date of a directory record (ECMA-119 9.1.5), UTC. */
function writeRecordDate(buffer: Buffer, offset: number, date: Date): void {
  buffer[offset] = date.getUTCFullYear() - 1900;
  buffer[offset + 1] = date.getUTCMonth() + 1;
  buffer[offset + 2] = date.getUTCDate();
  buffer[offset + 3] = date.getUTCHours();
  buffer[offset + 4] = date.getUTCMinutes();
  buffer[offset + 5] = date.getUTCSeconds();
  buffer[offset + 6] = 0; // offset from GMT in 15-minute steps
}

/** 17-byte volume descriptor date (ECMA-119 8.4.26.1): "YYYYMMDDHHMMSScc" digits + GMT offset. */
function descriptorDate(date: Date | null): Buffer {
  const out = Buffer.alloc(17, 0x30); // "not specified" is all '0' digits and a zero offset
  out[16] = 0;
  if (!date) return out;
  const two = (n: number): string => String(n).padStart(2, '0');
  const text =
    String(date.getUTCFullYear()).padStart(4, '0') +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    two(Math.floor(date.getUTCMilliseconds() / 10));
  out.write(text, 0, 'ascii');
  return out;
}

/** A text field padded with spaces: ASCII for the primary descriptor, UCS-2 BE for Joliet. */
function textField(buffer: Buffer, offset: number, length: number, text: string, tree: Tree): void {
  if (tree === 'primary') {
    buffer.fill(0x20, offset, offset + length);
    buffer.write(text.slice(0, length), offset, 'ascii');
  } else {
    for (let i = 0; i + 1 < length; i += 2) buffer.writeUInt16BE(0x0020, offset + i);
    ucs2be(text.slice(0, Math.floor(length / 2))).copy(buffer, offset);
  }
}

function writeDirRecord(
  buffer: Buffer,
  offset: number,
  identifier: Buffer,
  sector: number,
  size: number,
  isDir: boolean,
  date: Date,
): number {
  const length = recordLength(identifier.length);
  buffer[offset] = length;
  buffer[offset + 1] = 0; // no extended attribute record
  bothEndian32(buffer, offset + 2, sector);
  bothEndian32(buffer, offset + 10, size);
  writeRecordDate(buffer, offset + 18, date);
  buffer[offset + 25] = isDir ? 0x02 : 0x00;
  bothEndian16(buffer, offset + 28, 1); // volume sequence number
  buffer[offset + 32] = identifier.length;
  identifier.copy(buffer, offset + 33);
  return length;
}

const SELF = Buffer.from([0x00]);
const PARENT = Buffer.from([0x01]);

function writeDirectory(image: Buffer, dir: DirNode, tree: Tree, date: Date): void {
  const own = dir[tree];
  const parent = (dir.parent ?? dir)[tree];
  let offset = own.sector * SECTOR;
  const end = offset + own.size;
  offset += writeDirRecord(image, offset, SELF, own.sector, own.size, true, date);
  offset += writeDirRecord(image, offset, PARENT, parent.sector, parent.size, true, date);
  for (const entry of sortedChildren(dir, tree)) {
    const identifier = tree === 'primary' ? entry.isoName : entry.jolietName;
    const length = recordLength(identifier.length);
    const inSector = offset % SECTOR;
    if (inSector + length > SECTOR) offset += SECTOR - inSector;
    if (entry.kind === 'file') {
      offset += writeDirRecord(image, offset, identifier, entry.sector, entry.bytes.length, false, date);
    } else {
      offset += writeDirRecord(image, offset, identifier, entry[tree].sector, entry[tree].size, true, date);
    }
  }
  if (offset > end) throw new Error(`internal: directory ${dir.path || '/'} overflowed its extent`);
}

function writePathTable(
  image: Buffer,
  sector: number,
  order: DirNode[],
  tree: Tree,
  bigEndian: boolean,
): void {
  let offset = sector * SECTOR;
  for (const dir of order) {
    const identifier = dir.parent ? (tree === 'primary' ? dir.isoName : dir.jolietName) : SELF;
    image[offset] = identifier.length;
    image[offset + 1] = 0;
    const parentNumber = (dir.parent ?? dir)[tree].number;
    if (bigEndian) {
      image.writeUInt32BE(dir[tree].sector, offset + 2);
      image.writeUInt16BE(parentNumber, offset + 6);
    } else {
      image.writeUInt32LE(dir[tree].sector, offset + 2);
      image.writeUInt16LE(parentNumber, offset + 6);
    }
    identifier.copy(image, offset + 8);
    offset += 8 + identifier.length + (identifier.length % 2);
  }
}

interface TreeLayout {
  order: DirNode[];
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
}

function writeVolumeDescriptor(
  image: Buffer,
  sector: number,
  tree: Tree,
  layout: TreeLayout,
  root: DirNode,
  totalSectors: number,
  options: IsoOptions,
): void {
  const at = sector * SECTOR;
  image[at] = tree === 'primary' ? 1 : 2;
  image.write('CD001', at + 1, 'ascii');
  image[at + 6] = 1;
  textField(image, at + 8, 32, '', tree); // system identifier
  textField(image, at + 40, 32, options.volumeLabel, tree);
  bothEndian32(image, at + 80, totalSectors);
  // Joliet marks its descriptor with an escape sequence: "%/E" is UCS-2 level 3.
  if (tree === 'joliet') image.write('%/E', at + 88, 'ascii');
  bothEndian16(image, at + 120, 1); // volume set size
  bothEndian16(image, at + 124, 1); // volume sequence number
  bothEndian16(image, at + 128, SECTOR);
  bothEndian32(image, at + 132, layout.pathTableSize);
  image.writeUInt32LE(layout.lPathTable, at + 140);
  image.writeUInt32BE(layout.mPathTable, at + 148);
  writeDirRecord(image, at + 156, SELF, root[tree].sector, root[tree].size, true, options.date);
  textField(image, at + 190, 128, '', tree); // volume set identifier
  textField(image, at + 318, 128, '', tree); // publisher
  textField(image, at + 446, 128, '', tree); // data preparer
  textField(image, at + 574, 128, options.application ?? '', tree);
  textField(image, at + 702, 37, '', tree); // copyright file
  textField(image, at + 739, 37, '', tree); // abstract file
  textField(image, at + 776, 37, '', tree); // bibliographic file
  descriptorDate(options.date).copy(image, at + 813); // creation
  descriptorDate(options.date).copy(image, at + 830); // modification
  descriptorDate(null).copy(image, at + 847); // expiration: none
  descriptorDate(options.date).copy(image, at + 864); // effective
  image[at + 881] = 1; // file structure version
}

function checkOptions(options: IsoOptions): void {
  if (!VOLUME_LABEL.test(options.volumeLabel ?? '')) {
    throw new IsoInputError(
      'volumeLabel',
      `Volume label ${JSON.stringify(options.volumeLabel)} must be 1-16 characters of A-Z, 0-9 and '_'.`,
    );
  }
  const time = options.date instanceof Date ? options.date.getTime() : NaN;
  const year = options.date instanceof Date ? options.date.getUTCFullYear() : NaN;
  if (Number.isNaN(time) || year < 1970 || year > 2155) {
    throw new IsoInputError(
      'date',
      'The image date must be a valid date between 1970 and 2155 (the 8-bit year field).',
    );
  }
  if (options.application !== undefined && !/^[\x20-\x7e]{0,128}$/.test(options.application)) {
    throw new IsoInputError(
      'application',
      'The application identifier must be at most 128 printable ASCII characters.',
    );
  }
}

/** Writes the image. Throws IsoInputError (naming the path or option) for input it cannot hold. */
export function buildIsoImage(files: readonly IsoFile[], options: IsoOptions): Buffer {
  checkOptions(options);
  const root = buildTree(files);
  assignPrimaryNames(root);
  assignJolietNames(root);

  // Descriptors: primary, Joliet, terminator.
  let next = SYSTEM_AREA_SECTORS + 3;
  const layouts = {} as Record<Tree, TreeLayout>;
  for (const tree of ['primary', 'joliet'] as const) {
    const order = pathTableOrder(root, tree);
    const size = pathTableSize(order, tree);
    const lPathTable = next;
    const mPathTable = lPathTable + sectorsFor(size);
    next = mPathTable + sectorsFor(size);
    layouts[tree] = { order, pathTableSize: size, lPathTable, mPathTable };
  }
  for (const tree of ['primary', 'joliet'] as const) {
    for (const dir of layouts[tree].order) {
      dir[tree].size = directorySize(dir, tree);
      dir[tree].sector = next;
      next += sectorsFor(dir[tree].size);
    }
  }
  // File contents in path order. An empty file takes no sector and points at sector 0, as
  // mkisofs does: its extent may then never lie beyond the end of the volume.
  const fileList = allFiles(root).sort((a, b) => compareStrings(a.path, b.path));
  for (const file of fileList) {
    file.sector = file.bytes.length === 0 ? 0 : next;
    next += sectorsFor(file.bytes.length);
  }
  const totalSectors = next;

  const image = Buffer.alloc(totalSectors * SECTOR);
  writeVolumeDescriptor(image, SYSTEM_AREA_SECTORS, 'primary', layouts.primary, root, totalSectors, options);
  writeVolumeDescriptor(
    image,
    SYSTEM_AREA_SECTORS + 1,
    'joliet',
    layouts.joliet,
    root,
    totalSectors,
    options,
  );
  const terminator = (SYSTEM_AREA_SECTORS + 2) * SECTOR;
  image[terminator] = 255;
  image.write('CD001', terminator + 1, 'ascii');
  image[terminator + 6] = 1;
  for (const tree of ['primary', 'joliet'] as const) {
    const layout = layouts[tree];
    writePathTable(image, layout.lPathTable, layout.order, tree, false);
    writePathTable(image, layout.mPathTable, layout.order, tree, true);
    for (const dir of layout.order) writeDirectory(image, dir, tree, options.date);
  }
  for (const file of fileList) image.set(file.bytes, file.sector * SECTOR);
  return image;
}
