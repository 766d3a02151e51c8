/**
 * The capture core: one interface, one eBPF socket filter, one TPACKET_V3 ring.
 *
 * It turns a declarative spec (interface, tcpdump filter expression, snap length, promiscuous mode,
 * ring size) into a running capture: libpcap compiles the expression as tcpdump would on that
 * interface, bpf/ translates it into the stages of the capture program, the kernel verifies and
 * runs it, and the native reader thread hands whole batches of accepted frames to `onBatch`.
 * Needs CAP_NET_RAW and CAP_BPF (root, or the helper).
 */
import { native, type NativeInterface, type NativePacketSocket, type RingStats } from './native';
import { buildCaptureProgram, decodeCounters, type CaptureCounters } from '../../bpf/programs/capture';
import { compileFilter } from './filter';

export const DEFAULT_SNAPLEN = 262144;
const BPF_PROG_TYPE_SOCKET_FILTER = 1;

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
  recordFormat: 'pcapng' | 'pcap';
}

export interface CaptureStatistics extends RingStats {
  /** From the program's own counters: every packet the filter saw, and those it accepted. */
  counters: CaptureCounters;
}

export class LiveCapture {
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly spec: CaptureSpec,
    readonly iface: NativeInterface | undefined,
    readonly linkType: number,
    private readonly socket: NativePacketSocket,
    private readonly progFd: number,
    private readonly counterMapFd: number,
    private readonly counterValueSize: number,
    readonly programLength: number,
  ) {}

  /** Compiles, loads and attaches the filter, then starts reading. Throws a clear Error on failure. */
  static open(spec: CaptureSpec, onBatch: (batch: Buffer, packetCount: number) => void): LiveCapture {
    const n = native();
    const iface = spec.interface === 'any' ? undefined : n.listInterfaces().find((i) => i.name === spec.interface);
    if (spec.interface !== 'any' && !iface) {
      const err = new Error(`no such interface '${spec.interface}' (list interfaces with \`sievecap -D\`)`);
      (err as NodeJS.ErrnoException).code = 'ENODEV';
      throw err;
    }
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
    let progFd = -1;
    let mapFd = -1;
    try {
      const classic = compileFilter({
        filter: spec.filter,
        linkType: socket.linkType,
        snapLen: spec.snapLen,
        liveDevice: spec.interface,
      });
      const program = buildCaptureProgram({
        classic,
        snapLen: spec.snapLen,
        cooked: spec.interface === 'any' ? 'sll2' : undefined,
      });
      const counterSpec = program.maps.counters;
      mapFd = n.bpfMapCreate(counterSpec);
      const insns = program.assemble({ counters: mapFd });
      progFd = n.bpfProgLoad({ insns, progType: BPF_PROG_TYPE_SOCKET_FILTER, license: 'GPL', name: 'sievecap' }).fd;
      socket.attachBpf(progFd);
      const capture = new LiveCapture(
        spec, iface, socket.linkType, socket, progFd, mapFd, counterSpec.valueSize, insns.length / 8,
      );
      socket.start(onBatch);
      return capture;
    } catch (err) {
      void socket.close();
      if (progFd >= 0) n.closeFd(progFd);
      if (mapFd >= 0) n.closeFd(mapFd);
      throw err;
    }
  }

  /** Ring statistics (accumulated) and the program's counters. */
  statistics(): CaptureStatistics {
    const n = native();
    const ring = this.closed ? this.finalRing : this.socket.stats();
    const raw = this.closed ? this.finalCounters : n.bpfMapLookup(this.counterMapFd, Buffer.alloc(4), this.perCpuSize());
    return { ...ring, counters: decodeCounters(raw ?? Buffer.alloc(0), n.possibleCpus()) };
  }

  private finalRing: RingStats = { packets: 0, drops: 0, freezes: 0 };
  private finalCounters: Buffer | null = null;

  private perCpuSize(): number {
    return native().possibleCpus() * Math.ceil(this.counterValueSize / 8) * 8;
  }

  /** Delivers what is still in the ring, then releases socket, program and map. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const n = native();
    this.closing = this.socket.close().then(() => {
      this.finalRing = this.socket.stats();
      this.finalCounters = n.bpfMapLookup(this.counterMapFd, Buffer.alloc(4), this.perCpuSize());
      this.closed = true;
      n.closeFd(this.progFd);
      n.closeFd(this.counterMapFd);
    });
    return this.closing;
  }
}
