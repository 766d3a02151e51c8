/**
 * Typed loader for the C++ addon in native/ (built by `npm run build:native`).
 *
 * The addon is thin: syscalls, buffers and a reader thread. Everything that is policy
 * (which filter, which snap length, what to do with a packet) lives in TypeScript.
 * Errors thrown by the addon are `Error`s with `code` (e.g. 'EPERM', 'ENODEV', 'EINVAL')
 * and `errno` set, and a message a user can act on; arguments of the wrong type throw `TypeError`.
 */
import type { RecordFormat } from './batch';
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
   * - 'pcap-us': the same with the time stamp's fraction in microseconds (ts_usec), as tcpdump
   *   writes a pcap file: such a batch goes to a microsecond file as it is.
   * Default 'pcapng'.
   */
  recordFormat?: RecordFormat;
}

/** Handed to the batch callback: many packets in one Buffer, in the chosen record format. */
export type BatchCallback = (batch: Buffer, packetCount: number) => void;

/**
 * Called when the reader thread sees the interface go away or a socket error, once per event and
 * after every packet that was still in the ring:
 * - code 'ENODEV', "The interface disappeared": the interface was deleted (`ip link del`) or moved
 *   to another network namespace. Nothing more can arrive; close().
 * - code 'ENETDOWN', "The interface went down": reported about a quarter of a second after the
 *   kernel says so (deleting an interface takes it down first). The capture goes on by itself
 *   when the interface comes back up.
 * - another code: a socket error, as the kernel reported it.
 * Reported within about a second (not while paused: then once resume() or close() has drained
 * the ring). The capture keeps running; the caller decides whether to close().
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
   * Stops taking packets from the ring: the reader thread leaves retired blocks to the kernel,
   * the ring fills, and the kernel drops what does not fit and counts it in stats().drops (as
   * for tcpdump). This is how a slow consumer makes the capture drop in the kernel instead of
   * buffering without bound: nothing beyond the batches already copied (at most 4, which may
   * still arrive after pause()) is held in memory. Allowed before start(); idempotent; close()
   * works while paused (it resumes, delivers what is in the ring, then resolves). Throws EBADF
   * once closed.
   */
  pause(): void;
  /** Takes packets from the ring again, oldest first. Idempotent; throws EBADF once closed. */
  resume(): void;
  /**
   * Hands a batch this socket delivered back for reuse: the reader fills its memory with a later
   * batch, so nothing may read or keep `batch` (or a view of it) afterwards. Optional: a batch not
   * handed back is reused once the garbage collector frees its Buffer. False when `batch` is not
   * memory this socket lent (a copy, or handed back already). Allowed in any state.
   */
  recycle(batch: Uint8Array): boolean;
  /**
   * Stops the reader thread (after it has delivered every packet already in the ring), closes the
   * socket and unmaps the ring. Resolves once the last batch callback has run. Idempotent.
   */
  close(): Promise<void>;
}

/** A capability name of <linux/capability.h>, e.g. 'CAP_NET_RAW', 'CAP_BPF', 'CAP_NET_ADMIN'. */
export type CapabilityName = `CAP_${string}`;

export interface DropPrivilegesOptions {
  /** User to become: real, effective, saved and filesystem uid. 0 keeps root's uid (root serving root). */
  uid: number;
  /** Group to become (real, effective, saved, filesystem); supplementary groups are cleared. */
  gid: number;
  /**
   * Capabilities kept, permitted and effective, on the calling thread. A live capture needs
   * ['CAP_NET_RAW', 'CAP_BPF']: CAP_NET_RAW for the AF_PACKET socket (also promiscuous mode and
   * pcapCompile's liveDevice), CAP_BPF for bpfProgLoad, bpfMapCreate and bpfProgTestRun.
   * An unknown name throws TypeError.
   */
  keepCapabilities: CapabilityName[];
}

export interface DropPrivilegesResult {
  /** The calling thread's effective capabilities afterwards as read back from /proc, in capability-number order. */
  keptCapabilities: CapabilityName[];
}

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

export interface UserEntry {
  name: string;
  uid: number;
  /** Primary group. */
  gid: number;
  home: string;
}

/**
 * A classic BPF program made once (checked by libpcap's bpf_validate in the constructor) and run
 * by libpcap's bpf_filter, the interpreter tcpdump runs on each packet it reads from a file, over
 * many packets per call.
 */
export interface NativeClassicFilter {
  /** Number of instructions. */
  readonly length: number;
  /**
   * Runs the program on packets `first` to `first + count - 1` (default: every entry of `start`
   * from `first`), packet i being `packets[start[i], start[i] + capLen[i])`, seen by the program
   * as captured from `origLen[i]` bytes on the wire (passed as it is, as pcap_offline_filter
   * does: every load is bounded by capLen, origLen is only what `len` reads). Writes
   * `verdicts[i]` = 1 for a packet the program keeps (its return value is not 0), 0 otherwise,
   * and returns how many it kept. Arguments of the wrong type throw TypeError; an index range
   * past the end of a column, or a packet running past the end of `packets`, throws RangeError
   * before any verdict is written.
   */
  run(packets: Uint8Array, start: Uint32Array, capLen: Uint32Array, origLen: Uint32Array, verdicts: Uint8Array, first?: number, count?: number): number;
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
  /**
   * Compiles nothing: takes what pcapCompile returned. An invalid program throws with code
   * 'EINVAL' (bpf_validate), a malformed instruction array TypeError.
   */
  ClassicFilter: new (program: ClassicInsn[]) => NativeClassicFilter;

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

  /**
   * Gives up root for good while keeping `keepCapabilities`, for the privileged helper
   * (`node --single-threaded` started by pkexec, sudo or a root shell): call it first thing, on
   * the main thread, with no other thread of the process calling set*id, capset or prctl
   * meanwhile. Load this addon (and anything else from directories the user cannot enter) before.
   *
   * In order: every capability not kept leaves the bounding set; no ambient capabilities;
   * no_new_privs; keepcaps on; supplementary groups cleared; setresgid(gid) and setresuid(uid)
   * (glibc applies both to every thread); permitted = effective = the kept set, inheritable
   * empty; keepcaps off; not dumpable (no core dumps, no ptrace by the user). Capabilities are per
   * thread and Node always runs other threads (V8 platform workers, the inspector's start-up
   * thread: `--single-threaded` does not remove them), so the bounding set, no_new_privs and an
   * empty capability set are applied on each of them too, by a signal the thread answers. Then
   * /proc/thread-self/status and each /proc/self/task/<tid>/status are read back: a thread with a
   * capability outside the kept set (permitted, effective, bounding; any inheritable or ambient
   * one), an id other than uid/gid, a supplementary group or without no_new_privs throws with code
   * 'EPRIVILEGED' (fail closed). Threads started later inherit the calling thread's state.
   *
   * Bad options throw TypeError, and a process not running as root (euid 0) throws EPERM, before
   * anything changes. Any later error leaves the process partly dropped: exit, do not continue.
   */
  dropPrivileges(options: DropPrivilegesOptions): DropPrivilegesResult;
  /**
   * SO_PEERCRED of a connected Unix socket: who connected, as the kernel recorded it at connect()
   * time. In Node the fd of a net.Socket is `(socket as any)._handle.fd`. Throws with code EBADF,
   * ENOTSOCK, EAFNOSUPPORT (not AF_UNIX) or ENOTCONN (not connected; a listening socket reports
   * its own process).
   */
  peerCredentials(fd: number): PeerCredentials;
  /**
   * The password database entry (getpwnam_r / getpwuid_r, so NSS too) of a user name or uid;
   * a name of digits only that is no user's name is taken as a uid, as tcpdump -Z and chown do.
   * null when there is no such user.
   */
  lookupUser(user: string | number): UserEntry | null;

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
