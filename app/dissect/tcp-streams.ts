/**
 * Cross-packet TCP state, as Wireshark keeps it per conversation: the stream index (tcp.stream),
 * the base sequence numbers that make tcp.seq/tcp.ack relative, the window scale each side
 * announced in its SYN, the conversation-completeness bits, and each direction's unfinished PDU
 * (tcp-pdus.ts).
 */
import type { AppDissector, ProxyTunnel } from './model';
import type { DesegmentFlow } from './tcp-pdus';
import { newAnalysisFlow, type AnalysisFlow } from './tcp-analysis';

export interface TcpDirection extends DesegmentFlow {
  baseSeq: number;
  baseSet: boolean;
  /** Window scale shift from this side's SYN; -1 unknown (no SYN seen), -2 SYN without the option. */
  windowShift: number;
  /** tshark's sequence analysis of this direction (tcp-analysis.ts). */
  analysis: AnalysisFlow;
}

/** A direction nothing was seen of yet. */
export function newDirection(): TcpDirection {
  return { baseSeq: 0, baseSet: false, windowShift: -1, pdu: null, analysis: newAnalysisFlow() };
}

export interface TcpConversation {
  index: number;
  /** Direction 0 is from the endpoint that sorts first in the key; see TcpStreamTable.lookup. */
  dirs: [TcpDirection, TcpDirection];
  completeness: number;
  /**
   * Whether `dir` here is the opposite of the text order of the two ends (FrameLayout.dir: 0 when
   * `address|port` of the sender sorts before the receiver's): the table orders ends by number.
   */
  flip: boolean;
  /** Time stamp of the latest SYN (-1n none seen) and the initial round-trip time (0n unknown). */
  synTs: bigint;
  irtt: bigint;
  /** Opened by a SYN that reused the ports of an earlier conversation (tcp.analysis.reused_ports). */
  reused: boolean;
  /** The number of the first frame seen of it (set by the TCP dissector). */
  firstFrame?: number;
  /** tshark's -2: completeness bits the second pass has seen so far (tcp.ts). */
  laterBits?: number;
  /** The direction that sent its first FIN (its FINs are tcp.connection.fin_active, the other side's fin_passive). */
  finSide?: 0 | 1;
  /** Time stamps of its first and latest frame (tcp.time_relative, tcp.time_delta); null before its first. */
  times: { first: bigint; last: bigint } | null;
  /** The dissector a heuristic gave this connection (AppContext.connection). */
  heuristicApp: AppDissector | null;
  /** An HTTP CONNECT tunnel on this connection (AppContext.connection). */
  proxy: ProxyTunnel | null;
}

export const COMPLETENESS = { SYN: 1, SYN_ACK: 2, ACK: 4, DATA: 8, FIN: 16, RST: 32 } as const;

export class TcpStreamTable {
  /** Conversations by their two ends (see end()): the lower end, then the higher. */
  private readonly conversations = new Map<number, Map<number, TcpConversation>>();
  /** A number per address text seen, so that an end (address and port) is one number, not a string to build per segment. */
  private readonly addressIds = new Map<string, number>();
  private nextIndex = 0;

  /**
   * Finds or starts the conversation of a segment. A SYN (without ACK) whose sequence number is
   * not the base sequence number its side already has starts a new stream, as packet-tcp.c does
   * on port reuse; a side's base comes from its first segment or from the other side's first ACK,
   * so a SYN seen after its SYN-ACK stays in the stream the SYN-ACK opened.
   */
  lookup(src: string, srcPort: number, dst: string, dstPort: number, syn: boolean, ack: boolean, seq: number): { conv: TcpConversation; dir: 0 | 1 } {
    const a = this.end(src, srcPort);
    const b = this.end(dst, dstPort);
    const dir: 0 | 1 = a <= b ? 0 : 1;
    let byHigh = this.conversations.get(dir === 0 ? a : b);
    if (byHigh === undefined) this.conversations.set(dir === 0 ? a : b, (byHigh = new Map()));
    const high = dir === 0 ? b : a;
    let conv = byHigh.get(high);
    let reused = false;
    if (conv && syn && !ack && conv.dirs[dir].baseSet && conv.dirs[dir].baseSeq !== seq) {
      conv = undefined;
      reused = true;
    }
    if (!conv) {
      conv = {
        index: this.nextIndex++,
        dirs: [newDirection(), newDirection()],
        completeness: 0,
        flip: (`${src}|${srcPort}` <= `${dst}|${dstPort}` ? 0 : 1) !== dir,
        synTs: -1n,
        irtt: 0n,
        reused,
        // Every field from the start: one object shape for every conversation.
        firstFrame: undefined,
        laterBits: undefined,
        finSide: undefined,
        times: null,
        heuristicApp: null,
        proxy: null,
      };
      byHigh.set(high, conv);
    }
    return { conv, dir };
  }

  /** An address and port as one number (address ids count from 0; ports fit 16 bits). */
  private end(address: string, port: number): number {
    let id = this.addressIds.get(address);
    if (id === undefined) {
      id = this.addressIds.size;
      this.addressIds.set(address, id);
    }
    return id * 0x10000 + port;
  }
}
