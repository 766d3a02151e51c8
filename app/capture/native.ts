/**
 * Typed loader for the C++ addon in native/ (built by `npm run build:native`).
 *
 * The addon is thin: syscalls, buffers and a reader thread. Everything that is policy
 * (which filter, which snap length, what to do with a packet) lives in TypeScript.
 * Errors thrown by the addon are `Error`s with `code` (e.g. 'EPERM', 'ENODEV', 'EINVAL')
 * and `errno` set, and a message a user can act on; arguments of the wrong type throw `TypeError`.
 */
import * as path from 'node:path';

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  netmask: string | null;
  broadcast: string | null;
}

export interface NativeInterface {
  name: string;
  index: number;
  up: boolean;
  running: boolean;
  loopback: boolean;
  promiscuous: boolean;
  mtu: number;
  /** ARPHRD_* value from <net/if_arp.h> (1 = Ethernet, 772 = loopback, ...). */
  hardwareType: number;
  /** "aa:bb:cc:dd:ee:ff" or null when the interface has no hardware address. */
  mac: string | null;
  addresses: InterfaceAddress[];
}

/** One classic BPF instruction as libpcap emits it (struct bpf_insn). */
export interface ClassicInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface PcapCompileOptions {
  filter: string;
  /** DLT_* link type (1 = EN10MB, 113 = LINUX_SLL, 276 = LINUX_SLL2, ...). */
  linkType: number;
  snapLen: number;
  optimize: boolean;
  /** IPv4 netmask in host byte order used for `ip broadcast`; 0 (PCAP_NETMASK_UNKNOWN semantics) when absent. */
  netmask?: number;
  /**
   * When set, compile against a live (activated) libpcap handle on this interface instead of a dead
   * one, as tcpdump does: on Linux this makes libpcap use the vlan ancillary loads
   * (BPF_SPECIAL_VLAN_HANDLING). Needs CAP_NET_RAW. linkType is then the interface's own.
   */
  liveDevice?: string;
}

export interface ProgLoadOptions {
  /** eBPF instructions, 8 bytes each, little-endian (struct bpf_insn of <linux/bpf.h>). */
  insns: Buffer;
  /** BPF_PROG_TYPE_* (1 = SOCKET_FILTER). */
  progType: number;
  license: string;
  /** Program name (at most 15 chars, [A-Za-z0-9_.]). */
  name?: string;
  /** Verifier log level: 0 none (on failure the load is retried with 1 to get the log), 1, 2. */
  logLevel?: number;
}

export interface ProgLoadResult {
  fd: number;
  /** Verifier log ('' when logLevel was 0). */
  log: string;
}

export interface MapCreateOptions {
  /** BPF_MAP_TYPE_* (1 HASH, 2 ARRAY, 6 PERCPU_ARRAY, 9 LRU_HASH, 11 LPM_TRIE, ...). */
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
}

export interface TestRunResult {
  retval: number;
  /** Average duration per repetition, ns. */
  duration: number;
  dataOut: Buffer;
}

export interface RingStats {
  /** Packets that passed the filter (kernel tp_packets, which includes drops), accumulated. */
  packets: number;
  /** Packets dropped for lack of ring space (tp_drops), accumulated. */
  drops: number;
  /** Queue freezes (tp_freeze_q_cnt), accumulated. */
  freezes: number;
}

export interface PacketSocketOptions {
  /** Interface name, or 'any' (SOCK_DGRAM; a Linux cooked SLL2 header is built per packet). */
  interface: string;
  /** Bytes kept per packet (truncation is also applied by the eBPF program's return value). */
  snapLen: number;
  /** TPACKET_V3 block size in bytes (power of two multiple of the page size). Default 1 MiB. */
  blockSize?: number;
  /** Number of blocks. Default 8 (8 MiB ring). */
  blockCount?: number;
  /** Block retire timeout in ms. Default 100 (tcpdump's -B/--immediate-mode aside, similar latency). */
  retireTimeoutMs?: number;
  /** Put the interface into promiscuous mode (PACKET_MR_PROMISC membership). Default true. Ignored for 'any'. */
  promiscuous?: boolean;
  /**
   * Layout of the records in each batch handed to JavaScript:
   * - 'pcapng': each packet is a complete little-endian pcapng Enhanced Packet Block with
   *   interface id 0, timestamp in nanoseconds (if_tsresol = 9), and an epb_flags option
   *   (bits 0-1: 1 inbound, 2 outbound) followed by opt_endofopt.
   * - 'pcap': each packet is a little-endian pcap record header (ts_sec, ts_nsec, caplen, len)
   *   followed by the data (nanosecond pcap, magic 0xa1b23c4d).
   * Default 'pcapng'.
   */
  recordFormat?: 'pcapng' | 'pcap';
}

/** Handed to the batch callback: many packets in one Buffer, in the chosen record format. */
export type BatchCallback = (batch: Buffer, packetCount: number) => void;

/**
 * Called when the reader thread sees a socket error (e.g. ENETDOWN when the interface goes down
 * or disappears). The capture keeps running; the caller decides whether to close().
 */
export type CaptureErrorCallback = (error: Error & { code?: string; errno?: number }) => void;

export interface NativePacketSocket {
  /**
   * DLT_* of the frames produced: 1 (EN10MB) for Ethernet and loopback, 276 (LINUX_SLL2) for 'any'.
   * Other hardware types are refused by the constructor with code 'ENOTSUP' for now.
   * VLAN tags the kernel stripped are re-inserted after the MAC addresses for EN10MB; for
   * LINUX_SLL2 they are not (libpcap 1.10 does not either).
   */
  readonly linkType: number;
  /** Interface index bound to, 0 for 'any'. */
  readonly ifindex: number;
  /** SO_ATTACH_BPF with a loaded BPF_PROG_TYPE_SOCKET_FILTER program. */
  attachBpf(progFd: number): void;
  /**
   * Binds the socket to the interface (only now do packets start to arrive, so attach the filter
   * first) and starts the reader thread. Batches arrive on the JS thread; never more than one
   * callback per retired block (several retired blocks may share one batch). Throws ENETDOWN
   * when the interface is down. Call once. A started socket keeps the process alive (like a
   * listening server) until close(); process.exit() still stops the thread cleanly.
   */
  start(onBatch: BatchCallback, onError?: CaptureErrorCallback): void;
  /** PACKET_STATISTICS, accumulated across reads (the kernel clears them on each read). */
  stats(): RingStats;
  /**
   * Stops the reader thread (after it has delivered every packet already in the ring), closes the
   * socket and unmaps the ring. Resolves once the last batch callback has run. Idempotent.
   */
  close(): Promise<void>;
}

export interface NativeBinding {
  listInterfaces(): NativeInterface[];
  /** libpcap version string (pcap_lib_version()). */
  pcapLibVersion(): string;
  /**
   * pcap_compile; throws an Error whose message is libpcap's own (pcap_geterr, e.g. "can't parse
   * filter expression: syntax error"), with code 'EFILTER'. With liveDevice, an activation failure
   * throws with code ENODEV / EPERM / ENETDOWN.
   */
  pcapCompile(options: PcapCompileOptions): ClassicInsn[];
  /**
   * libpcap's bpf_filter: returns the classic program's return value for this packet (0 = reject).
   * The program is checked with bpf_validate first (an invalid one throws). caplen = packet.length;
   * wireLength must be >= packet.length (TypeError otherwise).
   */
  pcapFilter(program: ClassicInsn[], packet: Buffer, wireLength: number): number;
  /**
   * Runs bpf_filter over each record of a batch of pcap records (the 'pcap' record format above,
   * little-endian, 16-byte headers; only caplen and len are read, so microsecond records work
   * too) and returns one verdict per record. A record running past the end throws.
   */
  pcapFilterRecords(program: ClassicInsn[], records: Buffer): Uint32Array;

  bpfProgLoad(options: ProgLoadOptions): ProgLoadResult;
  bpfMapCreate(options: MapCreateOptions): number;
  bpfMapLookup(mapFd: number, key: Buffer, valueSize: number): Buffer | null;
  bpfMapUpdate(mapFd: number, key: Buffer, value: Buffer, flags?: number): void;
  /** Returns false when the key was absent. */
  bpfMapDelete(mapFd: number, key: Buffer): boolean;
  /** Next key after `key` (first key when null); null at the end. */
  bpfMapNextKey(mapFd: number, key: Buffer | null, keySize: number): Buffer | null;
  bpfProgTestRun(progFd: number, data: Buffer, repeat?: number): TestRunResult;
  /** Number of possible CPUs (per-CPU map values are this many slots, each rounded up to 8 bytes). */
  possibleCpus(): number;
  closeFd(fd: number): void;

  PacketSocket: new (options: PacketSocketOptions) => NativePacketSocket;
}

let cached: NativeBinding | undefined;

/** Loads the addon once; throws a clear error when it has not been built. */
export function native(): NativeBinding {
  if (cached) return cached;
  const candidates = [
    path.resolve(__dirname, '../../../native/build/Release/sievecap_native.node'),
    path.resolve(__dirname, '../../native/build/Release/sievecap_native.node'),
  ];
  let lastError: unknown;
  for (const file of candidates) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(file) as NativeBinding;
      return cached;
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') break;
    }
  }
  const e = new Error(
    `the native addon is not built (${(lastError as Error)?.message ?? 'not found'}); run \`npm run build:native\``,
  );
  (e as NodeJS.ErrnoException).code = 'ENOADDON';
  throw e;
}
