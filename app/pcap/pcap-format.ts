/**
 * Reading the classic pcap format (pcap-savefile(5)): a 24-byte file header, then records of a
 * 16-byte header (ts_sec, ts_usec or ts_nsec, caplen, len) and caplen bytes of data.
 *
 * The rules follow libpcap's sf-pcap.c where it and Wireshark agree, and Wireshark where they
 * differ (any 2.x minor version is read; a record longer than the file's snaplen but within the
 * link type's maximum is returned whole rather than cut to snaplen), since tshark is what users
 * compare a packet list with. A caplen above the link type's maximum (262144 for most) is damage.
 */
import type { ByteWindow } from './byte-window';
import { CaptureFileError, describeOffset } from './errors';
import { maxSnapLenForLinkType } from './linktype';
import type { CaptureInterface, CapturePacket, PacketView } from './packet';
import type { PacketBatch } from './packet-batch';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Alexey Kuznetzov's modified pcap (extra record fields); recognised only to say it is not supported. */
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  linkType: number;
  /** Pre-2.3 files (and DG/UX 543.0) wrote caplen and len the other way round. */
  lengthsSwapped: 'no' | 'yes' | 'maybe';
}

/** Is this 32-bit value (read little-endian) one of the pcap magics, in either byte order? */
export function pcapMagicKind(magicLE: number): { littleEndian: boolean; nanosecond: boolean } | 'modified' | null {
  const swapped = ((magicLE & 0xff) << 24 | (magicLE & 0xff00) << 8 | (magicLE >>> 8) & 0xff00 | magicLE >>> 24) >>> 0;
  for (const [value, littleEndian] of [[magicLE, true], [swapped, false]] as const) {
    if (value === PCAP_MAGIC_MICRO) return { littleEndian, nanosecond: false };
    if (value === PCAP_MAGIC_NANO) return { littleEndian, nanosecond: true };
    if (value === PCAP_MAGIC_KUZNETZOV) return 'modified';
  }
  return null;
}

/** Parses the file header at the window's position (which must be the start of the file). */
export function readPcapHeader(w: ByteWindow): PcapHeader {
  if (!w.ensure(PCAP_FILE_HEADER_LEN)) {
    throw new CaptureFileError(0, `truncated pcap file header: need ${PCAP_FILE_HEADER_LEN} bytes, file has ${w.available}`);
  }
  const b = w.buf;
  const s = w.start;
  const kind = pcapMagicKind(b.readUInt32LE(s));
  if (kind === null) throw new CaptureFileError(0, 'not a pcap file');
  if (kind === 'modified') {
    throw new CaptureFileError(0, 'modified pcap format (magic 0xa1b2cd34, Kuznetzov) is not supported; convert it with editcap -F pcap');
  }
  const le = kind.littleEndian;
  const u16 = (at: number): number => (le ? b.readUInt16LE(s + at) : b.readUInt16BE(s + at));
  const u32 = (at: number): number => (le ? b.readUInt32LE(s + at) : b.readUInt32BE(s + at));
  const versionMajor = u16(4);
  const versionMinor = u16(6);
  const snapLen = u32(16);
  const linkTypeField = u32(20);
  if (versionMajor < 2) {
    throw new CaptureFileError(4, `archaic pcap savefile format: version ${versionMajor}.${versionMinor} (2.x expected)`);
  }
  if (versionMajor !== 2 && !(versionMajor === 543 && versionMinor === 0)) {
    throw new CaptureFileError(4, `unsupported pcap savefile version ${versionMajor}.${versionMinor} (2.x expected)`);
  }
  // Bits 16-25 are reserved and must be zero; bits 26-31 carry FCS information we do not need.
  if ((linkTypeField & 0x03ff0000) !== 0) {
    const reserved = (linkTypeField & 0x03ff0000) >>> 0;
    throw new CaptureFileError(20, `link type field 0x${hex8(linkTypeField)} has reserved bits set (0x${hex8(reserved)}): damaged pcap header`);
  }
  w.consume(PCAP_FILE_HEADER_LEN);
  let lengthsSwapped: PcapHeader['lengthsSwapped'] = 'no';
  if (versionMajor === 543 || versionMinor < 3) lengthsSwapped = 'yes';
  else if (versionMinor === 3) lengthsSwapped = 'maybe';
  return { littleEndian: le, nanosecond: kind.nanosecond, versionMajor, versionMinor, snapLen, linkType: linkTypeField & 0xffff, lengthsSwapped };
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

export function pcapInterface(h: PcapHeader): CaptureInterface {
  return {
    linkType: h.linkType,
    snapLen: h.snapLen,
    section: 0,
    idInSection: 0,
    tsresol: { base: 10, exponent: h.nanosecond ? 9 : 6 },
    tsOffsetSec: 0n,
  };
}

/** Reads pcap records one by one; throws CaptureFileError at the first damaged record. */
export class PcapRecordParser {
  private index = 0;
  private readonly maxCapLen: number;
  private readonly fracToNs: number;

  /** Records can be read as they are, without next()'s byte swapping and length swapping. */
  private readonly plainLittleEndian: boolean;

  constructor(private readonly w: ByteWindow, private readonly h: PcapHeader) {
    this.maxCapLen = maxSnapLenForLinkType(h.linkType);
    this.fracToNs = h.nanosecond ? 1 : 1000;
    this.plainLittleEndian = h.littleEndian && h.lengthsSwapped === 'no';
  }

  /** Seconds of the last record, and them in ns as a BigInt: many packets share a second. */
  private lastSec = -1;
  private lastSecNs = 0n;

  private secondsNs(sec: number): bigint {
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastSecNs = BigInt(sec) * 1_000_000_000n;
    }
    return this.lastSecNs;
  }

  /**
   * Does the next record lie whole in the window, so that next() reads it (or finds it damaged)
   * without reading on, which could move the window's bytes under packets handed out before?
   */
  nextLiesInWindow(): boolean {
    const w = this.w;
    const live = w.end - w.start;
    if (live < PCAP_RECORD_HEADER_LEN) return false;
    const le = this.h.littleEndian;
    const a = le ? w.buf.readUInt32LE(w.start + 8) : w.buf.readUInt32BE(w.start + 8);
    // next() may take the length fields the other way round (pre-2.3 files): allow for either.
    const b = this.h.lengthsSwapped === 'no' ? a : Math.max(a, le ? w.buf.readUInt32LE(w.start + 12) : w.buf.readUInt32BE(w.start + 12));
    return live - PCAP_RECORD_HEADER_LEN >= b;
  }

  /**
   * Fills `view` with the next record when it lies whole in the window and needs none of next()'s
   * special cases (big-endian or swapped lengths, a caplen over the maximum); returns false
   * otherwise, leaving everything as it was, and the caller then uses next().
   */
  nextInWindow(view: PacketView): boolean {
    const w = this.w;
    const s = w.start;
    const live = w.end - s;
    if (live < PCAP_RECORD_HEADER_LEN || !this.plainLittleEndian) return false;
    const capLen = u32le(w.buf, s + 8);
    if (capLen > this.maxCapLen || live - PCAP_RECORD_HEADER_LEN < capLen) return false;
    this.viewRecordAt(w.buf, s, view);
    view.offset = w.offset;
    this.index++;
    w.consume(PCAP_RECORD_HEADER_LEN + capLen);
    return true;
  }

  /**
   * Takes into `batch` the records nextInWindow() would hand out one by one, up to `limit`
   * packets in the batch: their lengths and where their data lie only; the rest is read from the
   * record header by viewRecordAt() when a packet is looked at (PacketBatch.view, .packet).
   */
  takeInWindow(batch: PacketBatch, limit: number): void {
    if (!this.plainLittleEndian) return;
    const w = this.w;
    const b = w.buf;
    const end = w.end;
    const maxCapLen = this.maxCapLen;
    const { start, capLen: capLens, origLen } = batch;
    const first = batch.count;
    let n = first;
    let s = w.start;
    while (n < limit && end - s >= PCAP_RECORD_HEADER_LEN) {
      const capLen = u32le(b, s + 8);
      if (capLen > maxCapLen || end - s - PCAP_RECORD_HEADER_LEN < capLen) break;
      start[n] = s + PCAP_RECORD_HEADER_LEN;
      capLens[n] = capLen;
      origLen[n] = u32le(b, s + 12);
      n++;
      s += PCAP_RECORD_HEADER_LEN + capLen;
    }
    if (n === first) return;
    // Stream offset of b[0]: the window does not move while a batch is gathered.
    batch.addRecordsInPlace(this, b, w.offset - w.start, this.index - first, first, n, this.h.linkType);
    this.index += n - first;
    w.consume(s - w.start);
  }

  /**
   * Fills `view` (all but `offset`) with the little-endian record whose header is at b[s], as
   * nextInWindow() hands it out.
   */
  viewRecordAt(b: Buffer, s: number, view: PacketView): void {
    let sec = u32le(b, s);
    let nsec = u32le(b, s + 4) * this.fracToNs;
    if (nsec >= 1_000_000_000) {
      // A fraction of a second or more is carried into the seconds, as next()'s sum does.
      sec += Math.floor(nsec / 1_000_000_000);
      nsec %= 1_000_000_000;
    }
    view.buf = b;
    view.start = s + PCAP_RECORD_HEADER_LEN;
    view.capLen = u32le(b, s + 8);
    view.origLen = u32le(b, s + 12);
    view.tsSec = sec;
    view.tsNsec = nsec;
    view.linkType = this.h.linkType;
    view.interfaceId = 0;
    view.flags = 0;
  }

  next(): CapturePacket | null {
    const w = this.w;
    const at = w.offset;
    if (!w.ensure(PCAP_RECORD_HEADER_LEN)) {
      if (w.available === 0) return null;
      throw new CaptureFileError(at, `truncated packet header at ${describeOffset(at)}: need ${PCAP_RECORD_HEADER_LEN} bytes, file ends after ${w.available}`);
    }
    const b = w.buf;
    const s = w.start;
    const le = this.h.littleEndian;
    const sec = le ? b.readUInt32LE(s) : b.readUInt32BE(s);
    const frac = le ? b.readUInt32LE(s + 4) : b.readUInt32BE(s + 4);
    let capLen = le ? b.readUInt32LE(s + 8) : b.readUInt32BE(s + 8);
    let origLen = le ? b.readUInt32LE(s + 12) : b.readUInt32BE(s + 12);
    if (this.h.lengthsSwapped === 'yes' || (this.h.lengthsSwapped === 'maybe' && capLen > origLen)) {
      [capLen, origLen] = [origLen, capLen];
    }
    if (capLen > this.maxCapLen) {
      throw new CaptureFileError(at, `invalid packet record at ${describeOffset(at)}: caplen ${capLen} is bigger than the maximum of ${this.maxCapLen} for this link type (snaplen ${this.h.snapLen})`);
    }
    if (!w.ensure(PCAP_RECORD_HEADER_LEN + capLen)) {
      throw new CaptureFileError(at, `truncated packet record at ${describeOffset(at)}: header says ${capLen} bytes, file ends after ${w.available - PCAP_RECORD_HEADER_LEN}`);
    }
    const dataStart = w.start + PCAP_RECORD_HEADER_LEN;
    const data = w.buf.subarray(dataStart, dataStart + capLen);
    w.consume(PCAP_RECORD_HEADER_LEN + capLen);
    return {
      index: this.index++,
      offset: at,
      tsNs: this.secondsNs(sec) + BigInt(frac * this.fracToNs),
      capLen,
      origLen,
      linkType: this.h.linkType,
      interfaceId: 0,
      data,
      flags: 0,
    };
  }
}

/** The little-endian unsigned 32-bit value at b[at] (no bounds check: the caller has made sure). */
function u32le(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}
