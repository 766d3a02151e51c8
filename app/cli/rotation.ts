/**
 * tcpdump's file rotation for `-w FILE`: `-C SIZE` (a new file once the current one is larger
 * than SIZE), `-G SECONDS` (a new file on the first packet after SECONDS; FILE is a strftime
 * pattern), `-W COUNT` (with -C: a ring of COUNT files; with -G alone: stop after COUNT files) and
 * `-z COMMAND` (run as `COMMAND FILE` on each file rotated away from). The names and the moments of
 * rotation are tcpdump's (tcpdump.c: MakeFilename, dump_packet_and_trunc).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordLength, type RecordFormat } from '../capture/batch';
import type { PacketSink, PacketToSink } from './sinks';
import type { FileSink } from './file-sink';

export interface RotationSpec {
  /** -C: bytes (tcpdump: millions of bytes, or k / m / g suffixes of 1024). */
  sizeBytes?: number;
  /** -G: seconds. */
  seconds?: number;
  /** -W: files. */
  count?: number;
  /** -z: the post-rotate command (tcpdump's, with -C or -G). */
  postRotate?: string;
}

/** A file sink that says how many bytes it holds (written and buffered). */
export interface SizedSink extends PacketSink {
  writeInterfaceBatch?(interfaceId: number, batch: Buffer, count: number): void;
  size(): number;
}

export interface RotationHooks {
  /** Opens the file of that name. */
  open(name: string): SizedSink;
  /** -G with -W and no -C: the last file is full; the capture stops. */
  onLimit(message: string): void;
  /** A warning for stderr (a post-rotate command that could not run). */
  warn(message: string): void;
  /** Seconds since the epoch (tests pass their own clock). */
  now?: () => number;
}

/** Parses -C's argument as tcpdump 4.99 does: millions of bytes, or a k/m/g suffix (powers of 1024). */
export function parseFileSize(text: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new Error(`invalid file size ${text}`);
  const unit = m[2]!.toLowerCase();
  return n * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : unit === 'g' ? 1024 * 1024 * 1024 : 1_000_000);
}

/** Digits of COUNT - 1: the width of -W's numbers (tcpdump's WflagChars). */
function countChars(count: number | undefined): number {
  if (count === undefined) return 0;
  let chars = 0;
  for (let i = count - 1; i > 0; i = Math.floor(i / 10)) chars++;
  return chars;
}

/** tcpdump's MakeFilename: strftime with -G, then the number (zero-padded with -W) unless it is 0 with no -W. */
export function makeFilename(pattern: string, cnt: number, maxChars: number, gTime: number | undefined): string {
  const name = gTime === undefined ? pattern : strftime(pattern, new Date(gTime * 1000));
  if (cnt === 0 && maxChars === 0) return name;
  return name + String(cnt).padStart(maxChars, '0');
}

export class RotatingSink implements FileSink {
  private current: SizedSink;
  private currentName: string;
  private readonly maxChars: number;
  private gTime: number | undefined;
  private gCount = 0;
  private cCount = 0;
  private limited = false;
  private warnedCommand = false;

  constructor(
    private readonly pattern: string,
    private readonly spec: RotationSpec,
    private readonly format: RecordFormat,
    private readonly hooks: RotationHooks,
  ) {
    if (spec.postRotate !== undefined && !isProgram(spec.postRotate)) {
      throw new Error(`-z ${spec.postRotate}: no such program (the post-rotate command runs as COMMAND FILE, found on PATH or by its path)`);
    }
    this.maxChars = countChars(spec.count);
    this.gTime = spec.seconds !== undefined ? this.now() : undefined;
    this.currentName = makeFilename(pattern, 0, spec.sizeBytes !== undefined ? this.maxChars : 0, this.gTime);
    this.current = hooks.open(this.currentName);
  }

  /** The file being written. */
  get fileName(): string {
    return this.currentName;
  }

  writeBatch(batch: Buffer, count: number): void {
    this.writeInterfaceBatch(0, batch, count);
  }

  writeInterfaceBatch(interfaceId: number, batch: Buffer, count: number): void {
    if (this.limited) return;
    // -G: one clock reading per batch (its packets arrived together).
    if (!this.rotateOnTime()) return;
    if (this.spec.sizeBytes === undefined) {
      this.writeChunk(interfaceId, batch, count);
      return;
    }
    // -C: checked before each packet, as tcpdump does, so a batch may span files.
    let start = 0;
    let startRecord = 0;
    let size = this.current.size();
    let offset = 0;
    for (let k = 0; k < count && offset < batch.length; k++) {
      if (size > this.spec.sizeBytes) {
        if (k > startRecord) this.writeChunk(interfaceId, batch.subarray(start, offset), k - startRecord);
        this.rotateOnSize();
        start = offset;
        startRecord = k;
        size = this.current.size();
      }
      const length = recordLength(batch, offset, this.format);
      size += length;
      offset += length;
    }
    if (count > startRecord) this.writeChunk(interfaceId, batch.subarray(start), count - startRecord);
  }

  writePacket(p: PacketToSink): void {
    if (this.limited) return;
    if (!this.rotateOnTime()) return;
    if (this.spec.sizeBytes !== undefined && this.current.size() > this.spec.sizeBytes) this.rotateOnSize();
    this.current.writePacket(p);
  }

  close(): void {
    this.current.close();
  }

  size(): number {
    return this.current.size();
  }

  private writeChunk(interfaceId: number, chunk: Buffer, count: number): void {
    if (this.current.writeInterfaceBatch) this.current.writeInterfaceBatch(interfaceId, chunk, count);
    else this.current.writeBatch(chunk, count, this.format);
  }

  private now(): number {
    return this.hooks.now ? this.hooks.now() : Math.floor(Date.now() / 1000);
  }

  /** -G: false when -W's last file is full (the packet is not written). */
  private rotateOnTime(): boolean {
    if (this.spec.seconds === undefined || this.gTime === undefined) return true;
    const t = this.now();
    if (t - this.gTime < this.spec.seconds) return true;
    this.gTime = t;
    this.gCount++;
    this.closeCurrent();
    if (this.spec.sizeBytes === undefined && this.spec.count !== undefined && this.gCount >= this.spec.count) {
      this.limited = true;
      this.current = closedSink;
      this.hooks.onLimit(`Maximum file limit reached: ${this.spec.count}`);
      return false;
    }
    // The first file of a -C rotation within this time slice.
    this.cCount = 0;
    this.currentName = makeFilename(this.pattern, 0, this.spec.sizeBytes !== undefined ? this.maxChars : 0, this.gTime);
    this.current = this.hooks.open(this.currentName);
    return true;
  }

  private rotateOnSize(): void {
    this.closeCurrent();
    this.cCount++;
    if (this.spec.count !== undefined && this.cCount >= this.spec.count) this.cCount = 0;
    this.currentName = makeFilename(this.pattern, this.cCount, this.maxChars, this.gTime);
    this.current = this.hooks.open(this.currentName);
  }

  private closeCurrent(): void {
    this.current.close();
    const command = this.spec.postRotate;
    if (command === undefined) return;
    // tcpdump runs `COMMAND FILE` (no shell) and does not wait for it.
    try {
      const child = spawn(command, [this.currentName], { stdio: 'ignore', detached: true });
      child.on('error', (err) => this.commandFailed(command, err));
      child.unref();
    } catch (err) {
      this.commandFailed(command, err as Error);
    }
  }

  private commandFailed(command: string, err: Error): void {
    if (this.warnedCommand) return;
    this.warnedCommand = true;
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such program' : err.message;
    this.hooks.warn(`-z ${command}: cannot run the post-rotate command: ${why}`);
  }
}

/** Whether `command` names an executable file: by its path, or found on PATH as execvp would. */
function isProgram(command: string): boolean {
  const dirs = command.includes('/') ? [''] : (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
  return dirs.some((dir) => {
    const file = dir === '' ? command : path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

const closedSink: SizedSink = {
  writeBatch: () => undefined,
  writePacket: () => undefined,
  close: () => undefined,
  size: () => 0,
};

// ---- strftime ------------------------------------------------------------------------------------

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * C's strftime in the C locale, in local time, for the conversions file names use: %Y %C %y %m %d
 * %e %H %I %M %S %p %s %j %a %A %b %h %B %u %w %z %Z %F %T %R %D %n %t and %%. Any other conversion
 * is copied as it is.
 */
export function strftime(pattern: string, d: Date): string {
  const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);
  const start = new Date(d.getFullYear(), 0, 1);
  const dayOfYear = Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
  const offsetMin = -d.getTimezoneOffset();
  // The zone's abbreviation (UTC, CET, EST, ...); where Intl knows none, GMT+1 and the like.
  const zone = (): string => new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const conv: Record<string, () => string> = {
    Y: () => String(d.getFullYear()),
    C: () => pad(Math.floor(d.getFullYear() / 100)),
    y: () => pad(d.getFullYear() % 100),
    m: () => pad(d.getMonth() + 1),
    d: () => pad(d.getDate()),
    e: () => pad(d.getDate(), 2, ' '),
    H: () => pad(d.getHours()),
    I: () => pad(d.getHours() % 12 || 12),
    M: () => pad(d.getMinutes()),
    S: () => pad(d.getSeconds()),
    p: () => (d.getHours() < 12 ? 'AM' : 'PM'),
    s: () => String(Math.floor(d.getTime() / 1000)),
    j: () => pad(dayOfYear, 3),
    a: () => DAYS[d.getDay()]!.slice(0, 3),
    A: () => DAYS[d.getDay()]!,
    b: () => MONTHS[d.getMonth()]!.slice(0, 3),
    h: () => MONTHS[d.getMonth()]!.slice(0, 3),
    B: () => MONTHS[d.getMonth()]!,
    u: () => String(d.getDay() || 7),
    w: () => String(d.getDay()),
    z: () => `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMin) / 60))}${pad(Math.abs(offsetMin) % 60)}`,
    Z: zone,
    F: () => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    T: () => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    R: () => `${pad(d.getHours())}:${pad(d.getMinutes())}`,
    D: () => `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`,
    n: () => '\n',
    t: () => '\t',
    '%': () => '%',
  };
  return pattern.replace(/%(.)/gs, (whole, c: string) => conv[c]?.() ?? whole);
}
