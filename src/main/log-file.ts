import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface RotationLimits {
  /** A file is rotated before a line would take it past this size. */
  maxBytes: number;
  /** Rotated files kept besides the current one (app.log.1 is the newest). */
  keepFiles: number;
}

/** Rotated files beyond the limit are looked for this far, e.g. after the limit was lowered. */
const MAX_STALE_ROTATIONS = 50;

/**
 * An append-only text file rotated by size: app.log → app.log.1 → … → app.log.N, the oldest
 * deleted. Each append opens the file afresh, so a file moved or deleted by hand is recreated.
 * A failed append (disk full) throws and leaves no partial line behind.
 */
export class RotatingFile {
  private current: RotationLimits;
  private bytes: number;
  private rotated = 0;

  constructor(
    readonly path: string,
    limits: RotationLimits,
  ) {
    this.current = checked(limits);
    this.bytes = sizeOf(path);
  }

  get limits(): RotationLimits {
    return { ...this.current };
  }

  get size(): number {
    return this.bytes;
  }

  get rotations(): number {
    return this.rotated;
  }

  setLimits(limits: RotationLimits): void {
    this.current = checked(limits);
  }

  append(text: string): void {
    const data = Buffer.from(text, 'utf8');
    if (this.bytes > 0 && this.bytes + data.length > this.current.maxBytes) this.rotate();
    const fd = this.open();
    let written = 0;
    try {
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      this.bytes = fstatSync(fd).size;
    } catch (error) {
      // A short write before ENOSPC leaves half a line; cut it so the file stays whole lines.
      if (written > 0) {
        try {
          ftruncateSync(fd, fstatSync(fd).size - written);
        } catch {
          // The next successful line still starts on a fresh line only if this worked; nothing more to do.
        }
      }
      throw error;
    } finally {
      closeSync(fd);
    }
  }

  private open(): number {
    try {
      return openSync(this.path, 'a', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(path.dirname(this.path), { recursive: true, mode: 0o700 });
      return openSync(this.path, 'a', 0o600);
    }
  }

  private rotate(): void {
    const keep = this.current.keepFiles;
    for (let i = keep; i >= 1; i--) renameIfPresent(i === 1 ? this.path : `${this.path}.${i - 1}`, `${this.path}.${i}`);
    if (keep === 0) unlinkIfPresent(this.path);
    for (let i = keep + 1; i <= keep + MAX_STALE_ROTATIONS; i++) if (!unlinkIfPresent(`${this.path}.${i}`)) break;
    this.bytes = 0;
    this.rotated++;
  }
}

function checked(limits: RotationLimits): RotationLimits {
  if (!Number.isInteger(limits.maxBytes) || limits.maxBytes < 1024) throw new RangeError(`log maxBytes must be an integer of at least 1024, got ${limits.maxBytes}`);
  if (!Number.isInteger(limits.keepFiles) || limits.keepFiles < 0) throw new RangeError(`log keepFiles must be a non-negative integer, got ${limits.keepFiles}`);
  return { maxBytes: limits.maxBytes, keepFiles: limits.keepFiles };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function unlinkIfPresent(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return false;
  }
}
