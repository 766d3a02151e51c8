/**
 * The capture core: one interface, one eBPF socket filter, one TPACKET_V3 ring.
 *
 * It turns a declarative spec (interface, tcpdump filter expression, snap length, promiscuous mode,
 * ring size) into a running capture: libpcap compiles the expression as tcpdump would on that
 * interface, bpf/ translates it into the stages of the capture program, the kernel verifies and
 * runs it, and the native reader thread hands whole batches of accepted frames to `onBatch`.
 * Needs CAP_NET_RAW and CAP_BPF (root, or the helper).
 */
import type { RecordFormat } from './batch';
import { native, type CaptureErrorCallback, type NativePacketSocket, type RingStats } from './native';
import { Watchlist } from './watchlist';
import type { MapSpec } from '../../bpf/programs/stages';
import { MIX_ETHERTYPE_MAP, MIX_IPPROTO_MAP, sumPerCpu } from '../../bpf/programs/traffic-mix';
import { buildCaptureProgram, decodeCaptureCounters, COUNTERS_KEY, COUNTERS_MAP, type CaptureCounters, type KernelStages } from '../../bpf/programs/capture';
import { loadSocketFilter, type LoadedProgram } from './load';
import { compileFilter, needsLiveHandle } from './filter';

import { DEFAULT_SNAPLEN } from './snaplen';
export { DEFAULT_SNAPLEN };

export interface CaptureSpec {
  interface: string;
  /** tcpdump filter expression; '' captures everything. */
  filter: string;
  snapLen: number;
  promiscuous: boolean;
  /** Total ring size in bytes (split into blocks of blockSize). */
  bufferBytes?: number;
  blockSize?: number;
  retireTimeoutMs?: number;
  /** Kernel stages after the filter (HTTP session tracking, ...). */
  stages?: KernelStages;
  recordFormat: RecordFormat;
}

export interface CaptureStatistics extends RingStats {
  /** From the program's own counters: every packet the filter saw, and those it accepted. */
  counters: CaptureCounters;
  /** With a watchlist: packets and bytes from or to each rule's prefixes. */
  rules?: Array<{ name: string; packets: number; bytes: number }>;
  /** With the traffic mix: every packet seen, per ethertype and per IP protocol. */
  mix?: TrafficMix;
}

export interface TrafficMix {
  ethertypes: Array<{ ethertype: number; packets: number; bytes: number }>;
  ipProtocols: Array<{ protocol: number; packets: number; bytes: number }>;
}

export class LiveCapture {
  private closing: Promise<void> | undefined;
  /** The program's counters as they were when the capture closed (the map is gone after that). */
  private finalCounters: Buffer | undefined;
  private finalRules: CaptureStatistics['rules'];
  private finalMix: TrafficMix | undefined;
  /** The watchlist's rules, by index in its counters (when the program has the stage). */
  private watch: Watchlist | undefined;

  /** What the running program was built from (a swap builds its successor from the same socket). */
  private spec: CaptureSpec | undefined;
  /** The running program's maps, as specified. */
  private maps: readonly MapSpec[] = [];

  private constructor(
    readonly linkType: number,
    private readonly socket: NativePacketSocket,
    private program: LoadedProgram,
  ) {}

  /**
   * Replaces the running program with one built from another filter and stages, atomically: the
   * socket's filter pointer is swapped (SO_ATTACH_BPF), so each packet meets either the old program
   * or the new one — none is lost or seen twice. Maps both programs have (the capture's counters,
   * the HTTP connections, the traffic mix) carry over; a watchlist starts anew with the new rules.
   * A filter libpcap refuses or a program the verifier refuses leaves the running one in place.
   */
  replaceProgram(filter: string, stages: KernelStages | undefined): void {
    const spec = this.spec!;
    if (this.closing) throw Object.assign(new Error('the capture is stopping'), { code: 'ENOTSTARTED' });
    const classic = compileFilter({ filter, linkType: this.linkType, snapLen: spec.snapLen, liveDevice: needsLiveHandle(filter) ? spec.interface : undefined });
    const program = buildCaptureProgram({ classic, snapLen: spec.snapLen, cooked: spec.interface === 'any' ? 'sll2' : undefined, stages });
    const keep = new Set(program.maps.filter((m) => !m.name.startsWith('watch_')).map((m) => JSON.stringify(m)));
    const reuse: Record<string, number> = {};
    for (const m of this.maps) if (keep.has(JSON.stringify(m)) && this.program.mapFds[m.name] !== undefined) reuse[m.name] = this.program.mapFds[m.name]!;
    const loaded = loadSocketFilter(program, 0, reuse);
    let watch: Watchlist | undefined;
    try {
      watch = stages?.watchlist ? new Watchlist(loaded.mapFds, stages.watchlist.rules) : undefined;
      this.socket.attachBpf(loaded.progFd);
    } catch (err) {
      for (const name of Object.keys(reuse)) loaded.disown(name);
      loaded.close();
      throw err;
    }
    const old = this.program;
    for (const name of Object.keys(reuse)) old.disown(name);
    old.close();
    this.program = loaded;
    this.maps = program.maps;
    this.watch = watch;
    this.spec = { ...spec, filter, stages };
  }

  /** Compiles, loads and attaches the filter, then starts reading. Throws a clear Error on failure. */
  static open(
    spec: CaptureSpec,
    onBatch: (batch: Buffer, packetCount: number) => void,
    onError?: CaptureErrorCallback,
  ): LiveCapture {
    const n = native();
    const blockSize = spec.blockSize ?? 1 << 20;
    const blockCount = Math.max(2, Math.round((spec.bufferBytes ?? 8 << 20) / blockSize));
    // Open the socket first: it fails with the clearest message (ENODEV, EPERM) before anything else
    // is built, and it tells us the link type the filter must be compiled for.
    const socket = new n.PacketSocket({
      interface: spec.interface,
      snapLen: spec.snapLen,
      blockSize,
      blockCount,
      retireTimeoutMs: spec.retireTimeoutMs ?? 100,
      promiscuous: spec.promiscuous,
      recordFormat: spec.recordFormat,
    });
    let loaded: LoadedProgram | undefined;
    try {
      const classic = compileFilter({
        filter: spec.filter,
        linkType: socket.linkType,
        snapLen: spec.snapLen,
        // The interface is open already (the socket above); a second, live libpcap handle on it is
        // needed only where it changes the program.
        liveDevice: needsLiveHandle(spec.filter) ? spec.interface : undefined,
      });
      const program = buildCaptureProgram({
        classic,
        snapLen: spec.snapLen,
        cooked: spec.interface === 'any' ? 'sll2' : undefined,
        stages: spec.stages,
      });
      loaded = loadSocketFilter(program);
      // The tries are filled before the program sees a packet.
      const watch = spec.stages?.watchlist ? new Watchlist(loaded.mapFds, spec.stages.watchlist.rules) : undefined;
      socket.attachBpf(loaded.progFd);
      const capture = new LiveCapture(socket.linkType, socket, loaded);
      capture.watch = watch;
      capture.spec = spec;
      capture.maps = program.maps;
      socket.start(onBatch, onError);
      return capture;
    } catch (err) {
      void socket.close();
      loaded?.close();
      throw err;
    }
  }

  /**
   * Stops taking packets from the ring until resume(): the kernel ring fills and the kernel counts
   * what it cannot store as drops. How a slow reader makes the capture drop instead of buffering.
   */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** See NativePacketSocket.recycle: `batch` is not read or kept after this. */
  recycle(batch: Uint8Array): void {
    this.socket.recycle(batch);
  }

  /**
   * Adds and removes watchlist prefixes while the capture runs (the program stays). Returns the
   * rules after the change. EINVAL when the capture has no watchlist or a prefix is not one; the
   * prefixes before a bad one are applied.
   */
  changeWatchlist(add: ReadonlyArray<{ rule: string; prefix: string }>, remove: readonly string[]): Array<{ name: string; prefixes: string[] }> {
    const watch = this.watch;
    if (!watch) throw Object.assign(new Error('this capture has no watchlist: start it with one (--watch, or a preset with a watchlist)'), { code: 'EINVAL' });
    if (this.closing) throw Object.assign(new Error('the capture is stopping'), { code: 'ENOTSTARTED' });
    for (const cidr of remove) watch.remove(cidr);
    for (const { rule, prefix } of add) watch.add(rule, prefix);
    return watch.rules();
  }

  /** Ring statistics (accumulated) and the program's counters. */
  statistics(): CaptureStatistics {
    // The socket keeps its accumulated ring statistics after it is closed.
    const raw = this.finalCounters ?? this.readCounters();
    const rules = this.finalRules ?? this.watch?.counts();
    const mix = this.finalMix ?? this.readMix();
    return { ...this.socket.stats(), counters: decodeCaptureCounters(raw, native().possibleCpus()), ...(rules ? { rules } : {}), ...(mix ? { mix } : {}) };
  }

  /** The traffic-mix maps, when the program has them: entries with packets, ethertypes and protocols in order. */
  private readMix(): TrafficMix | undefined {
    const fds = this.program.mapFds;
    if (fds[MIX_ETHERTYPE_MAP.name] === undefined) return undefined;
    const n = native();
    const cpus = n.possibleCpus();
    const size = 16 * cpus;
    const ethertypes: TrafficMix['ethertypes'] = [];
    for (let key = n.bpfMapNextKey(fds[MIX_ETHERTYPE_MAP.name]!, null, 4); key; key = n.bpfMapNextKey(fds[MIX_ETHERTYPE_MAP.name]!, key, 4)) {
      const sum = sumPerCpu(n.bpfMapLookup(fds[MIX_ETHERTYPE_MAP.name]!, key, size), cpus);
      if (sum.packets > 0) ethertypes.push({ ethertype: key.readUInt32LE(0), ...sum });
    }
    const ipProtocols: TrafficMix['ipProtocols'] = [];
    const key = Buffer.alloc(4);
    for (let protocol = 0; protocol < 256; protocol++) {
      key.writeUInt32LE(protocol, 0);
      const sum = sumPerCpu(n.bpfMapLookup(fds[MIX_IPPROTO_MAP.name]!, key, size), cpus);
      if (sum.packets > 0) ipProtocols.push({ protocol, ...sum });
    }
    ethertypes.sort((a, b) => a.ethertype - b.ethertype);
    return { ethertypes, ipProtocols };
  }

  private readCounters(): Buffer {
    const n = native();
    const size = n.possibleCpus() * Math.ceil(COUNTERS_MAP.valueSize / 8) * 8;
    return n.bpfMapLookup(this.program.mapFds[COUNTERS_MAP.name]!, COUNTERS_KEY, size) ?? Buffer.alloc(size);
  }

  /** Delivers what is still in the ring, then releases socket, program and map. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.socket.close().then(() => {
      this.finalCounters = this.readCounters();
      this.finalRules = this.watch?.counts();
      this.finalMix = this.readMix();
      this.program.close();
    });
    return this.closing;
  }
}
