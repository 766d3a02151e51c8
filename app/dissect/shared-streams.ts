/**
 * TCP and UDP stream numbering shared by a Dissector (which looks conversations up by address
 * text) and a light path (which looks them up by raw header words, making text only on a
 * 4-tuple's first frame): one table, two doors, so tcp.stream and udp.stream are the Dissector's
 * (and tshark's) whichever path a frame took. Used by LightDecoder (the index) and PairTapFeeder
 * (conversation and endpoint reports): install with
 *
 *   (dissector as { tcpStreams: TcpStreamTable }).tcpStreams = tcp;
 *   dissector.udpStream = (key) => udp.byKey(key);
 */
import { conversationKey } from './dissector';
import { COMPLETENESS, TcpStreamTable, type TcpConversation } from './tcp-streams';

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** The current conversation of one 4-tuple: replaced in place when a SYN reuses the ports. */
export interface Holder {
  conv: TcpConversation | null;
}

/** One direction of a 4-tuple, as the light path finds it by its raw key. */
export interface Slot {
  holder: Holder;
  dir: 0 | 1;
}

/** What the shared tables need to name a 4-tuple as the Dissector does, on a raw key's first use. */
export interface FourTupleText {
  srcPort: number;
  dstPort: number;
  sourceText(): string;
  destinationText(): string;
}

/** The Dissector's TCP stream table, also reachable by raw header words (see the file comment). */
export class SharedTcpStreams extends TcpStreamTable {
  private readonly byText = new Map<string, Holder>();
  private readonly byRaw = new Map<string, Slot>();
  private streamCount = 0;

  override lookup(src: string, srcPort: number, dst: string, dstPort: number, syn: boolean, ack: boolean, seq: number): { conv: TcpConversation; dir: 0 | 1 } {
    const { holder, dir } = this.textSlot(src, srcPort, dst, dstPort);
    return { conv: this.current(holder, dir, syn, ack, seq), dir };
  }

  /** The slot of a direction by its raw key; text is made only the first time. */
  rawSlot(rawKey: string, tap: FourTupleText): Slot {
    let slot = this.byRaw.get(rawKey);
    if (slot === undefined) {
      slot = this.textSlot(tap.sourceText(), tap.srcPort, tap.destinationText(), tap.dstPort);
      this.byRaw.set(rawKey, slot);
    }
    return slot;
  }

  /** The conversation of a segment by its slot (see current()). */
  ofSlot(slot: Slot, flags: number, seq: number): TcpConversation {
    return this.current(slot.holder, slot.dir, (flags & TCP_SYN) !== 0, (flags & TCP_ACK) !== 0, seq);
  }

  /** TcpStreamTable.lookup's rule: a SYN (no ACK) with a new ISN on a used conversation starts a new stream. */
  current(holder: Holder, dir: 0 | 1, syn: boolean, ack: boolean, seq: number): TcpConversation {
    let conv = holder.conv;
    if (conv && syn && !ack && conv.synSeq !== seq && (conv.closed || conv.completeness !== 0 || conv.dirs[dir].baseSet)) conv = null;
    if (!conv) {
      conv = {
        index: this.streamCount++,
        dirs: [
          { baseSeq: 0, baseSet: false, windowShift: -1 },
          { baseSeq: 0, baseSet: false, windowShift: -1 },
        ],
        completeness: 0,
        synSeq: syn && !ack ? seq : -1,
        closed: false,
      };
      holder.conv = conv;
    }
    return conv;
  }

  private textSlot(src: string, srcPort: number, dst: string, dstPort: number): Slot {
    const a = `${src}|${srcPort}`;
    const b = `${dst}|${dstPort}`;
    const dir: 0 | 1 = a <= b ? 0 : 1;
    const key = dir === 0 ? `${a}|${b}` : `${b}|${a}`;
    let holder = this.byText.get(key);
    if (holder === undefined) {
      holder = { conv: null };
      this.byText.set(key, holder);
    }
    return { holder, dir };
  }
}

/** udp.stream numbering shared by the Dissector (by text key) and the light path (by raw key). */
export class SharedUdpStreams {
  private readonly byText = new Map<string, number>();
  private readonly byRaw = new Map<string, { stream: number; dir: 0 | 1 }>();

  byKey(key: string): number {
    let index = this.byText.get(key);
    if (index === undefined) {
      index = this.byText.size;
      this.byText.set(key, index);
    }
    return index;
  }

  /** Stream and direction (as TcpStreamTable orders directions) of a datagram, by its raw key. */
  /** udp.stream of a conversation key seen so far, -1 when none. */
  known(key: string): number {
    return this.byText.get(key) ?? -1;
  }

  rawStream(rawKey: string, tap: FourTupleText): { stream: number; dir: 0 | 1 } {
    let entry = this.byRaw.get(rawKey);
    if (entry === undefined) {
      const src = tap.sourceText();
      const dst = tap.destinationText();
      const dir: 0 | 1 = `${src}|${tap.srcPort}` <= `${dst}|${tap.dstPort}` ? 0 : 1;
      entry = { stream: this.byKey(conversationKey(src, tap.srcPort, dst, tap.dstPort)), dir };
      this.byRaw.set(rawKey, entry);
    }
    return entry;
  }
}

export const word = (data: Buffer, at: number): number => (data[at]! << 8) | data[at + 1]!;

/** A directional key of the addresses and ports, made of UTF-16 units (no text formatting). */
export function rawKey(data: Buffer, ip: number, v4: boolean, srcPort: number, dstPort: number): string {
  if (v4) return String.fromCharCode(word(data, ip + 12), word(data, ip + 14), word(data, ip + 16), word(data, ip + 18), srcPort, dstPort);
  const a = ip + 8;
  return String.fromCharCode(
    word(data, a), word(data, a + 2), word(data, a + 4), word(data, a + 6), word(data, a + 8), word(data, a + 10), word(data, a + 12), word(data, a + 14),
    word(data, a + 16), word(data, a + 18), word(data, a + 20), word(data, a + 22), word(data, a + 24), word(data, a + 26), word(data, a + 28), word(data, a + 30),
    srcPort, dstPort,
  );
}

/**
 * What dissect/tcp.ts does to the conversation of a segment (stream numbering and port reuse
 * depend on it): `conv` is table.current(...) for the segment (read its completeness before, if
 * needed, as tcp.completeness shows it).
 */
export function trackTcp(conv: TcpConversation, dir: 0 | 1, flags: number, seq: number, ackRaw: number, segLen: number): void {
  const syn = (flags & TCP_SYN) !== 0;
  const ack = (flags & TCP_ACK) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const fwd = conv.dirs[dir];
  const rev = conv.dirs[dir === 0 ? 1 : 0];
  if (!fwd.baseSet) {
    fwd.baseSeq = syn ? seq : (seq - 1) >>> 0;
    fwd.baseSet = true;
  }
  if (ack && !rev.baseSet) {
    rev.baseSeq = (ackRaw - 1) >>> 0;
    rev.baseSet = true;
  }
  if (syn) conv.completeness |= ack ? COMPLETENESS.SYN_ACK : COMPLETENESS.SYN;
  else if (rst) conv.completeness |= COMPLETENESS.RST;
  else if (fin && ack) conv.completeness |= COMPLETENESS.FIN;
  else if (ack) conv.completeness |= COMPLETENESS.ACK;
  if (segLen > 0) conv.completeness |= COMPLETENESS.DATA;
  if (fin || rst) conv.closed = true;
}
