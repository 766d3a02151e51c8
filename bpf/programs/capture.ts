/**
 * The capture program: the socket filter Sievecap attaches to its AF_PACKET socket.
 *
 *   prologue  ctx → r6; count the packet as seen (before any packet load: an out-of-bounds
 *             LD_ABS ends the program, and the packet must still have been counted)
 *   filter    the user's classic filter, translated (verdict in r9)
 *   epilogue  cap the verdict at the snap length; count accepted packets; return the verdict
 *
 * More stages (HTTP session tracking, CIDR watchlists, per-rule counters) slot in between the
 * filter and the epilogue: each is a Stage (stages.ts) that reads and may lower the verdict in r9.
 */
import {
  Add, assemble, Call, Exit, JEq, JLe, Label, LdMapFd, Ldx, Mov, R0, R1, R2, R6, R9, R10, St, XAdd,
  type AsmItem, type Register,
} from '../asm';
import type { ClassicInsn } from '../classic';
import type { CookedMode } from '../cooked';
import { BPF_MAP_TYPE_PERCPU_ARRAY } from '../opcodes';
import { SK_BUFF, translateClassic, TRANSLATED_STACK_BYTES } from '../translate';
import { composeStages, type MapSpec, type Stage, type StackAllocator } from './stages';
import { httpSessionStage } from './http-sessions';
import { watchlistStage } from './watchlist';
import { trafficMixStage } from './traffic-mix';
import { payloadSnapStage } from './payload-snap';

export type { MapSpec };

/**
 * Layout of the one value of the 'counters' map (four u64, per CPU). Bytes are skb->len (the
 * packet's length as the socket sees it, before any snap-length cut), for seen and accepted alike.
 */
export const COUNTER_FIELDS = ['seenPackets', 'seenBytes', 'acceptedPackets', 'acceptedBytes'] as const;
export type CaptureCounters = Record<(typeof COUNTER_FIELDS)[number], number>;
const offsetOf = (field: (typeof COUNTER_FIELDS)[number]): number => COUNTER_FIELDS.indexOf(field) * 8;

export const COUNTERS_MAP: MapSpec = {
  name: 'counters',
  type: BPF_MAP_TYPE_PERCPU_ARRAY,
  keySize: 4,
  valueSize: COUNTER_FIELDS.length * 8,
  maxEntries: 1,
};

/** Key 0 of the counters map, as bpfMapLookup wants it. */
export const COUNTERS_KEY = Buffer.alloc(4);

/**
 * Sums a per-CPU value buffer (possibleCpus slots, each valueSize rounded up to 8 bytes).
 * Counts are returned as numbers: exact up to 2^53 packets or bytes.
 */
export function decodeCaptureCounters(perCpuValue: Buffer, possibleCpus: number): CaptureCounters {
  const slot = Math.ceil(COUNTERS_MAP.valueSize / 8) * 8;
  if (perCpuValue.length < slot * possibleCpus) {
    throw new RangeError(`per-CPU counters value is ${perCpuValue.length} bytes; ${possibleCpus} CPUs need ${slot * possibleCpus}`);
  }
  const sums = COUNTER_FIELDS.map(() => 0n);
  for (let cpu = 0; cpu < possibleCpus; cpu++) {
    COUNTER_FIELDS.forEach((_, i) => (sums[i]! += perCpuValue.readBigUInt64LE(cpu * slot + i * 8)));
  }
  return Object.fromEntries(COUNTER_FIELDS.map((name, i) => [name, Number(sums[i])])) as CaptureCounters;
}

/**
 * Adds 1 packet and skb->len bytes to two adjacent u64 counters of `map`[key 0].
 * Clobbers r0–r5; uses 8 bytes of stack for the key.
 */
function countPacket(stack: StackAllocator, owner: string, map: MapSpec, packetsOffset: number, skipLabel: string): AsmItem[] {
  const key = stack.allocate(`${owner} map key`, 4);
  return [
    St.W(R10, key, 0),
    LdMapFd(R1, map.name),
    Mov.Reg(R2, R10),
    Add.Imm(R2, key),
    Call('map_lookup_elem'),
    JEq.Imm(R0, 0, skipLabel), // an array lookup of key 0 cannot fail, but the verifier wants the check
    Mov.Imm(R1, 1),
    XAdd.DW(R0, packetsOffset, R1),
    Ldx.W(R1, R6, SK_BUFF.len),
    XAdd.DW(R0, packetsOffset + 8, R1),
  ];
}

export function prologueStage(): Stage {
  return {
    name: 'prologue',
    maps: [COUNTERS_MAP],
    emit: ({ stack, next }) => [
      Mov.Reg(R6, R1), // LD_ABS/LD_IND want the context in r6
      ...countPacket(stack, 'prologue', COUNTERS_MAP, offsetOf('seenPackets'), next),
    ],
  };
}

export function classicFilterStage(classic: readonly ClassicInsn[], cooked?: CookedMode): Stage {
  return {
    name: 'filter',
    maps: [],
    emit: ({ stack, next, result }) => {
      const stackOffset = stack.allocate('classic filter (M[] and loop counter)', TRANSLATED_STACK_BYTES);
      return translateClassic(classic, { doneLabel: next, resultRegister: result, labelPrefix: 'filter_', stackOffset, cooked });
    },
  };
}

export function epilogueStage(snapLen: number): Stage {
  return {
    name: 'epilogue',
    maps: [COUNTERS_MAP],
    emit: ({ stack, result }) => [
      JLe.Imm(result, snapLen, 'epilogue_capped'),
      Mov.Imm(result, snapLen),
      Label('epilogue_capped'),
      JEq.Imm(result, 0, 'epilogue_exit'),
      ...countPacket(stack, 'epilogue', COUNTERS_MAP, offsetOf('acceptedPackets'), 'epilogue_exit'),
      Label('epilogue_exit'),
      Mov.Reg(R0, result),
      Exit(),
    ],
  };
}

export interface CaptureProgramOptions {
  /** The filter as pcap_compile emitted it (for DLT_EN10MB, or for SLL/SLL2 with `cooked`). */
  classic: readonly ClassicInsn[];
  /** Bytes kept per packet at most; the verdict is capped to it. */
  snapLen: number;
  /** The socket is a cooked (SOCK_DGRAM) one and the filter was compiled for this cooked header. */
  cooked?: CookedMode;
  /** Kernel stages run after the filter (a preset's; see KernelStages). */
  stages?: KernelStages;
}

/**
 * The kernel stages a capture may add after its filter, declaratively (the helper builds them; a
 * client never sends bytecode). Each stage can only lower the filter's verdict.
 */
export interface KernelStages {
  /** HTTP session tracking (http-sessions.ts): only the packets of TCP connections carrying HTTP/1.x. */
  httpSessions?: boolean;
  /**
   * CIDR watchlists (watchlist.ts): only packets whose source or destination lies in a rule's
   * prefixes, counted per rule. The program has the tries; the loader fills them (and the helper
   * changes them during the capture).
   */
  watchlist?: { rules: ReadonlyArray<{ name: string; prefixes: readonly string[] }> };
  /** Packets and bytes per ethertype and per IP protocol of every packet seen (traffic-mix.ts), before the filter. */
  trafficMix?: boolean;
  /** Per-packet snap length (payload-snap.ts): headers whole (HTTP's too), then at most this many bytes. */
  payloadSnap?: { bytes: number };
}

/** One line per stage a capture with these stages runs in the kernel, for --explain and the preset picker. */
export function describeStages(stages: KernelStages | undefined): string[] {
  const lines: string[] = [];
  if (stages?.httpSessions) {
    lines.push('HTTP session tracking: TCP connections whose payload begins an HTTP/1.x request or response, on any port, from that packet until FIN from both sides or RST (IPv4 and IPv6)');
  }
  if (stages?.trafficMix) lines.push('Traffic mix: packets and bytes per ethertype and per IP protocol of every packet seen, before the filter');
  if (stages?.payloadSnap) {
    lines.push(`Per-packet snap length: link, IP and TCP/UDP headers (and an HTTP/1.x header block) kept whole, then at most ${stages.payloadSnap.bytes} bytes`);
  }
  if (stages?.watchlist) {
    const rules = stages.watchlist.rules;
    lines.push(
      `CIDR watchlist: packets from or to ${rules.map((r) => `${r.name} (${r.prefixes.join(', ') || 'no prefixes yet'})`).join('; ')}, counted per rule (longest-prefix-match tries, changeable during the capture)`,
    );
  }
  return lines;
}

export interface CaptureProgram {
  /** The program as symbolic, printable instructions. */
  insns: AsmItem[];
  /** Maps to create before assembling. */
  maps: MapSpec[];
  /** Encodes the program with the fds of the created maps, by map name. */
  assemble(mapFds: Record<string, number>): Buffer;
}

const RESULT: Register = R9;

export function buildCaptureProgram(options: CaptureProgramOptions): CaptureProgram {
  if (!Number.isInteger(options.snapLen) || options.snapLen < 1 || options.snapLen > 0x7fffffff) {
    throw new RangeError(`snapLen must be a positive integer below 2^31; got ${options.snapLen}`);
  }
  const { insns, maps } = composeStages(
    [
      prologueStage(),
      ...(options.stages?.trafficMix ? [trafficMixStage({ cooked: options.cooked !== undefined })] : []),
      classicFilterStage(options.classic, options.cooked),
      ...(options.stages?.watchlist ? [watchlistStage({ cooked: options.cooked !== undefined })] : []),
      ...(options.stages?.httpSessions ? [httpSessionStage({ cooked: options.cooked !== undefined })] : []),
      ...(options.stages?.payloadSnap ? [payloadSnapStage(options.stages.payloadSnap.bytes, { cooked: options.cooked !== undefined })] : []),
      epilogueStage(options.snapLen),
    ],
    RESULT,
  );
  return { insns, maps, assemble: (mapFds) => assemble(insns, { maps: mapFds }) };
}
