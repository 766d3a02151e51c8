/**
 * Where tcpdump's print-tcp.c keeps a connection's initial sequence numbers (tcp_seq_hash), so
 * that later segments print relative numbers: one entry per connection, both directions.
 *
 * The table is open addressing over typed arrays, keyed by the connection's address and port
 * words: looking a segment up makes no string, no boxed number and no object (a Map keyed by
 * address texts or by address·2^16 + port, which is past the small-integer range, does all of
 * those per packet). Entries are never removed, as in tcpdump.
 */
import type { PrintContext } from './context';
import type { IpHeaderRef } from './ip';

/** The relative-numbering state of the segment being printed (SACK blocks need it too). */
export interface SeqContext {
  rev: boolean;
  thseq: number;
  thack: number;
  /** Slot of the connection in the table connectionSlot returns. */
  key: number;
  /** The connection was in the table already (false: the slot was just claimed for it). */
  found: boolean;
}

const INITIAL_SLOTS = 1024;

/** Connections of one IP version: `words` 32-bit words of key each (addresses, then both ports). */
export class ConnectionTable {
  private keys: Int32Array;
  private used: Uint8Array;
  /** Per slot: the initial sequence and acknowledgement numbers of the near end (unsigned). */
  seq: Uint32Array;
  ack: Uint32Array;
  private count = 0;
  /** The key being looked up, filled in by connectionSlot. */
  readonly probe: Int32Array;

  constructor(private readonly words: number) {
    this.probe = new Int32Array(words);
    this.keys = new Int32Array(INITIAL_SLOTS * words);
    this.used = new Uint8Array(INITIAL_SLOTS);
    this.seq = new Uint32Array(INITIAL_SLOTS);
    this.ack = new Uint32Array(INITIAL_SLOTS);
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.used.fill(0);
    this.count = 0;
  }

  /** The slot holding `probe`, claimed for it when absent; sets seq.key and seq.found. */
  lookup(seq: SeqContext): void {
    const words = this.words;
    const probe = this.probe;
    let h = 0x811c9dc5;
    for (let i = 0; i < words; i++) h = Math.imul(h ^ probe[i]!, 0x01000193);
    h ^= h >>> 15;
    const mask = this.used.length - 1;
    const keys = this.keys;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      if (this.used[slot] === 0) {
        if ((this.count + 1) * 2 > this.used.length) {
          this.grow();
          this.lookup(seq);
          return;
        }
        keys.set(probe, slot * words);
        this.used[slot] = 1;
        this.count++;
        seq.key = slot;
        seq.found = false;
        return;
      }
      let k = slot * words;
      let same = true;
      for (let i = 0; i < words; i++, k++) {
        if (keys[k] !== probe[i]) {
          same = false;
          break;
        }
      }
      if (same) {
        seq.key = slot;
        seq.found = true;
        return;
      }
    }
  }

  /** Doubles the table; the key being looked up (probe) is kept. */
  private grow(): void {
    const pending = this.probe.slice();
    const oldKeys = this.keys;
    const oldUsed = this.used;
    const oldSeq = this.seq;
    const oldAck = this.ack;
    const slots = oldUsed.length * 2;
    const words = this.words;
    this.keys = new Int32Array(slots * words);
    this.used = new Uint8Array(slots);
    this.seq = new Uint32Array(slots);
    this.ack = new Uint32Array(slots);
    this.count = 0;
    const moved: SeqContext = { rev: false, thseq: 0, thack: 0, key: 0, found: false };
    for (let old = 0; old < oldUsed.length; old++) {
      if (oldUsed[old] === 0) continue;
      this.probe.set(oldKeys.subarray(old * words, old * words + words));
      this.lookup(moved);
      this.seq[moved.key] = oldSeq[old]!;
      this.ack[moved.key] = oldAck[old]!;
    }
    this.probe.set(pending);
  }
}

/** tcpdump's tcp_seq_hash and tcp_seq_hash6. */
export class TcpSeqTable {
  /** Key: near address, far address, near port · 2^16 + far port. */
  readonly v4 = new ConnectionTable(3);
  /** Key: near address (4 words), far address (4 words), ports as for v4. */
  readonly v6 = new ConnectionTable(9);

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }
}

/**
 * tcpdump's per-connection entry: addresses and ports in a fixed order for both directions, the
 * lower port's end first (on equal ports, the lower address). Sets `seq.rev`, `seq.key` (the
 * slot) and `seq.found`; returns the table the slot belongs to.
 */
export function connectionSlot(ctx: PrintContext, ip: IpHeaderRef, sport: number, dport: number, seq: SeqContext): ConnectionTable {
  let rev = sport > dport;
  const data = ctx.data;
  let table: ConnectionTable;
  if (ip.version === 4) {
    const src = ctx.u32(ip.offset + 12);
    const dst = ctx.u32(ip.offset + 16);
    if (sport === dport) rev = src > dst;
    table = ctx.tcpSeq.v4;
    const probe = table.probe;
    probe[0] = rev ? dst : src;
    probe[1] = rev ? src : dst;
    probe[2] = rev ? (dport << 16) | sport : (sport << 16) | dport;
  } else {
    const srcOff = ip.offset + 8;
    const dstOff = ip.offset + 24;
    ctx.check(srcOff, 32);
    if (sport === dport) rev = data.compare(data, dstOff, dstOff + 16, srcOff, srcOff + 16) > 0;
    table = ctx.tcpSeq.v6;
    const probe = table.probe;
    const near = rev ? dstOff : srcOff;
    const far = rev ? srcOff : dstOff;
    for (let i = 0; i < 4; i++) {
      probe[i] = data.readInt32BE(near + 4 * i);
      probe[4 + i] = data.readInt32BE(far + 4 * i);
    }
    probe[8] = rev ? (dport << 16) | sport : (sport << 16) | dport;
  }
  seq.rev = rev;
  table.lookup(seq);
  return table;
}
