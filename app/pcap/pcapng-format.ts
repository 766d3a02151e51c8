/**
 * Reading pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, total length, body,
 * total length`, grouped in sections that each start with a Section Header Block (SHB) carrying
 * the byte order of that section.
 *
 * Limits and error wording follow libpcap's sf-pcapng.c; unlike libpcap (and like Wireshark) a
 * file may mix link types and byte orders across interfaces and sections.
 */
import type { ByteWindow } from './byte-window';
import { CaptureFileError, describeOffset } from './errors';
import { maxSnapLenForLinkType } from './linktype';
import type { CaptureInterface, CapturePacket } from './packet';
import { forEachOption, OPT_COMMENT, optionString } from './pcapng-options';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_OPB = 0x00000002; // obsolete Packet Block
export const BT_SPB = 0x00000003;
export const BT_EPB = 0x00000006;
/** Custom Blocks: the first may be copied into other files, the second must not be. */
export const BT_CB_COPY = 0x00000bad;
export const BT_CB_NO_COPY = 0x40000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const IF_OS = 12;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2;

/** libpcap's INITIAL_MAX_BLOCKSIZE; raised per link type to hold a maximal packet plus 128 KiB of options. */
const INITIAL_MAX_BLOCK_SIZE = 16 * 1024 * 1024;
const SHB_MIN_LEN = 28;
const BLOCK_MIN_LEN = 12;

interface InterfaceState {
  info: CaptureInterface;
  /** Index in the reader's global interface list. */
  globalId: number;
  /** Time stamp units per second (10^n or 2^n). */
  unitsPerSec: bigint;
  /** True when units are nanoseconds and there is no offset: the time stamp is used as is. */
  plainNs: boolean;
  maxCapLen: number;
}

export interface SectionInfo {
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
}

export class PcapngBlockParser {
  readonly interfaces: CaptureInterface[] = [];
  readonly sections: SectionInfo[] = [];
  private section: InterfaceState[] = [];
  private le = true;
  private index = 0;
  private maxBlockSize = INITIAL_MAX_BLOCK_SIZE;

  /** @param customBlocks return Custom Blocks as records (see CaptureReaderOptions). */
  constructor(private readonly w: ByteWindow, private readonly customBlocks = false) {}

  /**
   * Reads the first SHB and every block up to the first packet block, so the caller knows the
   * interfaces before the first packet (as far as the file declares them up front).
   */
  readPreamble(): void {
    this.readBlock(true);
  }

  next(): CapturePacket | null {
    for (;;) {
      const packet = this.readBlock(false);
      if (packet !== undefined) return packet;
    }
  }

  /**
   * Is the next block a packet block (EPB, SPB or obsolete PB) lying whole in the window, so that
   * next() returns it (or finds it damaged) without reading on, which could move the window's
   * bytes under packets handed out before? Other blocks (an SHB, IDB, custom block, ...) answer
   * false: next() may read past them.
   */
  nextLiesInWindow(): boolean {
    const w = this.w;
    const live = w.end - w.start;
    if (live < 8) return false;
    const type = this.u32(w.start);
    if (type !== BT_EPB && type !== BT_SPB && type !== BT_OPB) return false;
    return this.u32(w.start + 4) <= live;
  }

  /** Reads one block: a packet, null at the end of the file, or undefined for any other block. */
  private readBlock(firstBlock: boolean): CapturePacket | null | undefined {
    const w = this.w;
    const at = w.offset;
    if (!w.ensure(8)) {
      if (w.available === 0 && !firstBlock) return null;
      throw new CaptureFileError(at, `truncated pcapng block header at ${describeOffset(at)}: need 8 bytes, file ends after ${w.available}`);
    }
    let type = this.u32(w.start);
    if (type === BT_SHB) this.le = this.sectionByteOrder(at);
    else if (firstBlock) throw new CaptureFileError(at, 'not a pcapng file: it does not start with a Section Header Block');
    type = this.u32(w.start);
    const length = this.u32(w.start + 4);
    const minLength = type === BT_SHB ? SHB_MIN_LEN : BLOCK_MIN_LEN;
    if (length < minLength) {
      throw new CaptureFileError(at, `block length ${length} at ${describeOffset(at)} is smaller than the minimum ${minLength} for block type 0x${type.toString(16)}`);
    }
    if (length % 4 !== 0) {
      throw new CaptureFileError(at, `block length ${length} at ${describeOffset(at)} is not a multiple of 4`);
    }
    if (length > this.maxBlockSize) {
      throw new CaptureFileError(at, `block length ${length} at ${describeOffset(at)} is bigger than the maximum ${this.maxBlockSize}`);
    }
    if (!w.ensure(length)) {
      throw new CaptureFileError(at, `truncated pcapng block at ${describeOffset(at)}: block length is ${length} bytes, file ends after ${w.available}`);
    }
    const s = w.start;
    const trailer = this.u32(s + length - 4);
    if (trailer !== length) {
      throw new CaptureFileError(at, `block total length in header ${length} and trailer ${trailer} don't match (block at ${describeOffset(at)})`);
    }
    // Body is [s + 8, s + length - 4).
    const bodyStart = s + 8;
    const bodyEnd = s + length - 4;
    let packet: CapturePacket | undefined;
    switch (type) {
      case BT_SHB:
        this.onSectionHeader(at, bodyStart, bodyEnd);
        break;
      case BT_IDB:
        this.onInterface(at, bodyStart, bodyEnd);
        break;
      case BT_EPB:
        packet = this.onEnhancedPacket(at, bodyStart, bodyEnd);
        break;
      case BT_SPB:
        packet = this.onSimplePacket(at, bodyStart, bodyEnd);
        break;
      case BT_OPB:
        packet = this.onObsoletePacket(at, bodyStart, bodyEnd);
        break;
      case BT_CB_COPY:
      case BT_CB_NO_COPY:
        if (this.customBlocks) packet = this.onCustomBlock(at, type === BT_CB_COPY, bodyStart, bodyEnd);
        break;
      default:
        // ISB, NRB, DSB and unknown blocks carry nothing a packet list needs (tshark 4.0 lists none of them).
        break;
    }
    w.consume(length);
    if (firstBlock) {
      // Keep reading non-packet blocks (IDBs, NRBs, ...) until a packet block or the end, without consuming a packet.
      return this.readAheadToFirstPacket();
    }
    return packet;
  }

  private readAheadToFirstPacket(): undefined {
    // Interfaces are usually declared right after the SHB; peek at following blocks only while they are IDBs.
    const w = this.w;
    while (w.ensure(8) && this.u32(w.start) === BT_IDB) {
      this.readBlock(false);
    }
    return undefined;
  }

  /** The byte order of the SHB at the window's start; throws when the byte-order magic is wrong. */
  private sectionByteOrder(at: number): boolean {
    const w = this.w;
    if (!w.ensure(12)) {
      throw new CaptureFileError(at, `truncated Section Header Block at ${describeOffset(at)}: file ends after ${w.available} bytes`);
    }
    const magic = w.buf.readUInt32LE(w.start + 8);
    if (magic === BYTE_ORDER_MAGIC) return true;
    if (magic === 0x4d3c2b1a) return false;
    throw new CaptureFileError(at + 8, `Section Header Block at ${describeOffset(at)} has a bad byte-order magic 0x${magic.toString(16)}`);
  }

  private onSectionHeader(at: number, body: number, end: number): void {
    const versionMajor = this.u16(body + 4);
    const versionMinor = this.u16(body + 6);
    if (!(versionMajor === 1 && (versionMinor === 0 || versionMinor === 2))) {
      throw new CaptureFileError(at + 12, `unsupported pcapng savefile version ${versionMajor}.${versionMinor} in the section at ${describeOffset(at)} (1.0 expected)`);
    }
    // Parse the options only to validate their lengths, as Wireshark does.
    forEachOption(this.w.buf, body + 16, end, this.le, at, 'Section Header Block', () => undefined);
    this.sections.push({ littleEndian: this.le, versionMajor, versionMinor });
    this.section = [];
  }

  private onInterface(at: number, body: number, end: number): void {
    if (end - body < 8) throw new CaptureFileError(at, `Interface Description Block at ${describeOffset(at)} is too short`);
    const b = this.w.buf;
    const info: CaptureInterface = {
      linkType: this.u16(body),
      snapLen: this.u32(body + 4),
      section: this.sections.length - 1,
      idInSection: this.section.length,
      tsresol: { base: 10, exponent: 6 },
      tsOffsetSec: 0n,
    };
    const where = `Interface Description Block at ${describeOffset(at)}`;
    forEachOption(b, body + 8, end, this.le, at, 'Interface Description Block', (code, v, len) => {
      switch (code) {
        case IF_NAME: info.name = optionString(b, v, len); break;
        case IF_DESCRIPTION: info.description = optionString(b, v, len); break;
        case IF_OS: info.os = optionString(b, v, len); break;
        case IF_FILTER: if (len >= 1 && b[v] === 0) info.filter = optionString(b, v + 1, len - 1); break;
        case IF_TSRESOL: {
          if (len !== 1) throw new CaptureFileError(at, `${where} has an if_tsresol option with length ${len} != 1`);
          const r = b[v] as number;
          const binary = (r & 0x80) !== 0;
          const exponent = r & 0x7f;
          if (binary ? exponent > 63 : exponent > 19) {
            throw new CaptureFileError(at, `${where} has if_tsresol resolution ${binary ? 2 : 10}^-${exponent}, which is too high`);
          }
          info.tsresol = { base: binary ? 2 : 10, exponent };
          break;
        }
        case IF_TSOFFSET:
          if (len !== 8) throw new CaptureFileError(at, `${where} has an if_tsoffset option with length ${len} != 8`);
          info.tsOffsetSec = this.le ? b.readBigInt64LE(v) : b.readBigInt64BE(v);
          break;
        default: break;
      }
    });
    const unitsPerSec = BigInt(info.tsresol.base) ** BigInt(info.tsresol.exponent);
    const maxCapLen = maxSnapLenForLinkType(info.linkType);
    this.maxBlockSize = Math.max(this.maxBlockSize, 8 + 20 + maxCapLen + 131072 + 4);
    this.section.push({
      info,
      globalId: this.interfaces.length,
      unitsPerSec,
      plainNs: unitsPerSec === 1_000_000_000n && info.tsOffsetSec === 0n,
      maxCapLen,
    });
    this.interfaces.push(info);
  }

  private interfaceFor(at: number, id: number, what: string): InterfaceState {
    const iface = this.section[id];
    if (iface === undefined) {
      throw new CaptureFileError(at, `${what} at ${describeOffset(at)} is on interface ${id}, but the section has ${this.section.length === 0 ? 'no Interface Description Block' : `only ${this.section.length} interface(s)`}`);
    }
    return iface;
  }

  private onEnhancedPacket(at: number, body: number, end: number): CapturePacket {
    if (end - body < 20) throw new CaptureFileError(at, `Enhanced Packet Block at ${describeOffset(at)} is too short (${end - body + 12} bytes)`);
    const iface = this.interfaceFor(at, this.u32(body), 'Enhanced Packet Block');
    return this.packetWithOptions(at, 'Enhanced Packet Block', iface, this.u32(body + 4), this.u32(body + 8), this.u32(body + 12), this.u32(body + 16), body + 20, end);
  }

  private onObsoletePacket(at: number, body: number, end: number): CapturePacket {
    if (end - body < 20) throw new CaptureFileError(at, `Packet Block at ${describeOffset(at)} is too short (${end - body + 12} bytes)`);
    const iface = this.interfaceFor(at, this.u16(body), 'Packet Block');
    return this.packetWithOptions(at, 'Packet Block', iface, this.u32(body + 4), this.u32(body + 8), this.u32(body + 12), this.u32(body + 16), body + 20, end);
  }

  private packetWithOptions(at: number, what: string, iface: InterfaceState, tsHigh: number, tsLow: number, capLen: number, origLen: number, dataStart: number, end: number): CapturePacket {
    if (capLen > end - dataStart) {
      throw new CaptureFileError(at, `${what} at ${describeOffset(at)} says caplen ${capLen}, but the block holds only ${end - dataStart} bytes of data`);
    }
    if (capLen > iface.maxCapLen) {
      throw new CaptureFileError(at, `${what} at ${describeOffset(at)}: caplen ${capLen} is bigger than the maximum of ${iface.maxCapLen} for this link type`);
    }
    const b = this.w.buf;
    let flags = 0;
    let comment: string | undefined;
    const optionsStart = dataStart + ((capLen + 3) & ~3);
    if (optionsStart < end) {
      // Inline walk (no closure per packet); the checks match forEachOption.
      let o = optionsStart;
      while (end - o >= 4) {
        const code = this.u16(o);
        const len = this.u16(o + 2);
        if (code === 0) break;
        const paddedLen = (len + 3) & ~3;
        if (paddedLen > end - o - 4) {
          throw new CaptureFileError(at, `${what} at ${describeOffset(at)} has an option (code ${code}) of length ${len} that runs past the end of the block (${end - o - 4} bytes left)`);
        }
        if (code === EPB_FLAGS && len === 4) flags = this.u32(o + 4);
        else if (code === OPT_COMMENT && comment === undefined) comment = optionString(b, o + 4, len);
        o += 4 + paddedLen;
      }
    }
    const packet: CapturePacket = {
      index: this.index++,
      offset: at,
      tsNs: this.timestamp(iface, tsHigh, tsLow),
      capLen,
      origLen,
      linkType: iface.info.linkType,
      interfaceId: iface.globalId,
      data: b.subarray(dataStart, dataStart + capLen),
      flags,
    };
    if (comment !== undefined) packet.comment = comment;
    return packet;
  }

  private onSimplePacket(at: number, body: number, end: number): CapturePacket {
    if (end - body < 4) throw new CaptureFileError(at, `Simple Packet Block at ${describeOffset(at)} is too short`);
    // SPBs belong to the section's first interface; their captured length is what the block holds, capped by snaplen.
    const iface = this.interfaceFor(at, 0, 'Simple Packet Block');
    const origLen = this.u32(body);
    let capLen = Math.min(origLen, end - body - 4);
    if (iface.info.snapLen !== 0) capLen = Math.min(capLen, iface.info.snapLen);
    return {
      index: this.index++,
      offset: at,
      tsNs: 0n,
      capLen,
      origLen,
      linkType: iface.info.linkType,
      interfaceId: iface.globalId,
      data: this.w.buf.subarray(body + 4, body + 4 + capLen),
      flags: 0,
      noTimestamp: true,
    };
  }

  private onCustomBlock(at: number, copyable: boolean, body: number, end: number): CapturePacket {
    if (end - body < 4) throw new CaptureFileError(at, `Custom Block at ${describeOffset(at)} is too short to hold a Private Enterprise Number`);
    const len = end - body - 4;
    return {
      index: this.index++,
      offset: at,
      tsNs: 0n,
      capLen: len,
      origLen: len,
      linkType: -1,
      interfaceId: -1,
      data: this.w.buf.subarray(body + 4, end),
      flags: 0,
      noTimestamp: true,
      customBlock: { pen: this.u32(body), copyable },
    };
  }

  /** Upper 32 bits of the last time stamp, and them as a BigInt: consecutive packets share them. */
  private lastHigh = -1;
  private lastHighUnits = 0n;

  private timestamp(iface: InterfaceState, high: number, low: number): bigint {
    if (high !== this.lastHigh) {
      this.lastHigh = high;
      this.lastHighUnits = BigInt(high) << 32n;
    }
    const units = this.lastHighUnits + BigInt(low);
    if (iface.plainNs) return units;
    const per = iface.unitsPerSec;
    const sec = units / per + iface.info.tsOffsetSec;
    const fracNs = ((units % per) * 1_000_000_000n) / per;
    return sec * 1_000_000_000n + fracNs;
  }

  private u16(at: number): number {
    return this.le ? this.w.buf.readUInt16LE(at) : this.w.buf.readUInt16BE(at);
  }

  private u32(at: number): number {
    return this.le ? this.w.buf.readUInt32LE(at) : this.w.buf.readUInt32BE(at);
  }
}
