/** What the capture readers hand out, one per packet, and what they say about the file. */

export interface CapturePacket {
  /** 0-based position of the packet in the file. */
  index: number;
  /** Byte offset of the packet's record (pcap) or block (pcapng) in the uncompressed file. */
  offset: number;
  /** Time stamp in nanoseconds since the Unix epoch (pcapng if_tsoffset applied). */
  tsNs: bigint;
  /** Bytes captured (data.length). */
  capLen: number;
  /** Length of the packet on the wire. */
  origLen: number;
  /** LINKTYPE_* of the packet's interface (see linktype.ts). */
  linkType: number;
  /**
   * Index into reader.interfaces. pcapng numbers interfaces per section; this index counts them
   * across the whole file, so it equals the file's interface id in a single-section file. Always 0
   * for pcap.
   */
  interfaceId: number;
  /** Captured bytes: a view into the reader's buffer, valid until the next call to next(). */
  data: Buffer;
  /** pcapng epb_flags (direction in bits 0-1: 1 inbound, 2 outbound), OPB pack_flags, else 0. */
  flags: number;
  /** First opt_comment of the packet block, when present. */
  comment?: string;
  /**
   * Set when the block carries no time stamp (a Simple Packet Block, a custom-block record): tsNs
   * is then 0n, and tshark leaves frame.time_* empty rather than printing the epoch.
   */
  noTimestamp?: true;
  /**
   * Set only on records the reader returns with `customBlocks: true`: a pcapng Custom Block, which
   * is not a packet. data is everything after the Private Enterprise Number (custom data and any
   * options, which are opaque to everyone but that enterprise); linkType and interfaceId are -1.
   */
  customBlock?: CustomBlockInfo;
}

export interface CustomBlockInfo {
  /** IANA Private Enterprise Number of the block's owner. */
  pen: number;
  /** Block type 0x00000BAD (may be copied to a new file) rather than 0x40000BAD (must not be). */
  copyable: boolean;
}

export interface CaptureReaderOptions {
  /**
   * Also return pcapng Custom Blocks as records (with `customBlock` set), in file order. tshark 4.0
   * lists them as frames ("PCAPNG Custom Block", protocol `data`, frame.len = block length - 16)
   * and numbers the packets after them accordingly; tcpdump and libpcap skip them. Off by default:
   * a custom block is not a packet, and most callers (tcpdump-style output, writers) must not see one.
   */
  customBlocks?: boolean;
}

export interface TimestampResolution {
  /** 10 or 2: the unit is base^-exponent seconds. */
  base: 10 | 2;
  exponent: number;
}

export interface CaptureInterface {
  linkType: number;
  /** Snap length as recorded (0 in pcapng means "no limit"). */
  snapLen: number;
  /** Section the interface belongs to (0 for pcap and for the first pcapng section). */
  section: number;
  /** Interface id within its section, as written in the file. */
  idInSection: number;
  name?: string;
  description?: string;
  /** if_filter when it is a filter string (type 0). */
  filter?: string;
  os?: string;
  tsresol: TimestampResolution;
  /** if_tsoffset: seconds added to every time stamp of this interface. */
  tsOffsetSec: bigint;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureFileInfo {
  /** null when the file could not be recognised; reader.error then says why. */
  format: CaptureFormat | null;
  /** pcap: the nanosecond magic; pcapng: the first interface resolution is finer than microseconds. */
  nanosecond: boolean;
  /** Byte order of the pcap header or of the first pcapng section. */
  byteOrder: 'little' | 'big';
  /** The file was gzip-compressed. */
  compressed: boolean;
  /** pcap file header version, or the first pcapng section's version ("2.4", "1.0"). */
  version: string;
}

/**
 * A packet as CaptureReader.nextView() hands it out: its bytes are buf[start, start + capLen),
 * inside the reader's read buffer, and the time stamp is two plain numbers. The reader reuses one
 * PacketView for every packet, and its buffer, so both are valid only until the next call. This is
 * the path for code that looks at a million packets (the tcpdump-style printer): no object, Buffer
 * view or BigInt is made per packet.
 */
export interface PacketView {
  buf: Buffer;
  start: number;
  /** Byte offset of the packet's record (pcap) or block (pcapng) in the uncompressed file. */
  offset: number;
  capLen: number;
  origLen: number;
  /** Whole seconds since the Unix epoch (pcapng if_tsoffset applied). */
  tsSec: number;
  /**
   * Nanoseconds within the second: 0 to 999,999,999 when tsSec >= 0 (for a time stamp before
   * 1970, the remainder of a division that truncates towards zero: tsNs = tsSec·10⁹ + tsNsec).
   */
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  flags: number;
  /** As CapturePacket's, for the few records that carry them. */
  noTimestamp?: true;
  customBlock?: CustomBlockInfo;
}
