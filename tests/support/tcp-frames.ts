/**
 * TCP conversations built byte by byte, for tests that compare how a PDU spread over segments is
 * dissected with tshark's: a handshake, payloads cut into segments where the test says, FINs,
 * retransmissions and lost segments. Ethernet + IPv4, checksums left zero (tshark does not check
 * them by default), time stamps 1 ms apart; the window is 65,535 unless an ACK says otherwise.
 *
 *   const c = new TcpConversation({ serverPort: 80 });
 *   c.handshake();
 *   c.send('client', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), [10]);   // two segments
 *   writeFrames(file, [c]);
 */
import { PcapWriter } from '../../app/pcap/pcap-writer';

export type Side = 'client' | 'server';

export interface TcpConversationSpec {
  client?: string;
  server?: string;
  clientPort?: number;
  serverPort: number;
  /** Initial sequence numbers (1000 and 5000 unless given): a later conversation on the same ports needs others. */
  clientIsn?: number;
  serverIsn?: number;
}

interface Frame {
  data: Buffer;
}

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

export class TcpConversation {
  readonly frames: Frame[] = [];
  private readonly ends: Record<Side, { ip: number[]; port: number; mac: number[]; next: number }>;

  constructor(spec: TcpConversationSpec) {
    const ip = (text: string): number[] => text.split('.').map(Number);
    this.ends = {
      client: { ip: ip(spec.client ?? '10.0.0.1'), port: spec.clientPort ?? 40000, mac: [2, 0, 0, 0, 0, 1], next: spec.clientIsn ?? 1000 },
      server: { ip: ip(spec.server ?? '10.0.0.2'), port: spec.serverPort, mac: [2, 0, 0, 0, 0, 2], next: spec.serverIsn ?? 5000 },
    };
  }

  handshake(): this {
    this.segment('client', SYN, Buffer.alloc(0), false);
    this.ends.client.next++;
    this.segment('server', SYN | ACK, Buffer.alloc(0));
    this.ends.server.next++;
    this.segment('client', ACK, Buffer.alloc(0));
    return this;
  }

  /**
   * Sends `payload` from one side, cut after each offset in `cuts` (e.g. [10, 300]: three
   * segments); each segment is answered by an ACK from the other side when `acks`.
   */
  send(from: Side, payload: Buffer, cuts: readonly number[] = [], acks = false): this {
    const bounds = [0, ...cuts.filter((c) => c > 0 && c < payload.length), payload.length];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const piece = payload.subarray(bounds[k]!, bounds[k + 1]!);
      this.segment(from, PSH | ACK, piece);
      this.ends[from].next += piece.length;
      if (acks) this.segment(other(from), ACK, Buffer.alloc(0));
    }
    return this;
  }

  /** Sends `payload` again from `back` bytes before the side's next sequence number (a retransmission). */
  resend(from: Side, payload: Buffer, back: number): this {
    const end = this.ends[from];
    end.next -= back;
    this.segment(from, PSH | ACK, payload);
    end.next += back;
    return this;
  }

  /** Skips `length` bytes of the side's sequence space without sending them (a lost segment). */
  lose(from: Side, length: number): this {
    this.ends[from].next += length;
    return this;
  }

  /** A segment without data (an ACK), with another window when given. */
  ack(from: Side, window = 65535): this {
    this.segment(from, ACK, Buffer.alloc(0), true, window);
    return this;
  }

  /** A keep-alive: one byte (or none) at one before the side's next sequence number. */
  keepAlive(from: Side, withByte = true): this {
    const end = this.ends[from];
    end.next -= 1;
    this.segment(from, ACK, withByte ? Buffer.alloc(1) : Buffer.alloc(0));
    end.next += 1;
    return this;
  }

  /** A FIN, with data when given. */
  fin(from: Side, payload: Buffer = Buffer.alloc(0)): this {
    this.segment(from, FIN | ACK, payload);
    this.ends[from].next += payload.length + 1;
    return this;
  }

  private segment(from: Side, flags: number, payload: Buffer, ack = true, window = 65535): void {
    const src = this.ends[from];
    const dst = this.ends[other(from)];
    const f = Buffer.alloc(14 + 20 + 20 + payload.length);
    Buffer.from(dst.mac).copy(f, 0);
    Buffer.from(src.mac).copy(f, 6);
    f.writeUInt16BE(0x0800, 12);
    f[14] = 0x45;
    f.writeUInt16BE(20 + 20 + payload.length, 16);
    f.writeUInt16BE(this.frames.length & 0xffff, 18);
    f[22] = 64;
    f[23] = 6;
    Buffer.from(src.ip).copy(f, 26);
    Buffer.from(dst.ip).copy(f, 30);
    f.writeUInt16BE(src.port, 34);
    f.writeUInt16BE(dst.port, 36);
    f.writeUInt32BE(src.next >>> 0, 38);
    f.writeUInt32BE(ack ? dst.next >>> 0 : 0, 42);
    f[46] = 5 << 4;
    f[47] = flags;
    f.writeUInt16BE(window, 48);
    payload.copy(f, 54);
    this.frames.push({ data: f });
  }
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

/** Writes the conversations' frames, one conversation after the other, as a pcap file. */
export function writeConversations(file: string, conversations: readonly TcpConversation[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  let ts = 1_700_000_000_000_000_000n;
  for (const c of conversations) {
    for (const frame of c.frames) {
      writer.writePacket({ tsNs: ts, data: frame.data });
      ts += 1_000_000n;
    }
  }
  writer.close();
}
