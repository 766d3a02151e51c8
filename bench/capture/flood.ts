/**
 * The traffic for bench/capture, as pcap files for tcpreplay to replay in a loop:
 *
 * - `small`: 60-byte UDP/IPv4 frames to one port (the worst case per byte: all header, no payload).
 * - `mixed`: a deterministic (seeded) mix like a busy client link seen on a mirror port: HTTP-like
 *   TCP connections over IPv4 and IPv6 (handshake, request, full-size response segments, ACKs,
 *   FINs), DNS-like small UDP, QUIC-like large UDP, and ICMP/ARP that a `tcp or udp` filter rejects.
 *   Frames are addressed to another station's MAC, so the capturing host's stack drops them at
 *   once (no replies muddle the figures); both tools capture promiscuously, as by default.
 */
import { udpFrames, writePcap, type UdpFrameSpec } from '../../tests/support/frames';

export function writeUdpFlood(file: string, spec: UdpFrameSpec): void {
  writePcap(file, udpFrames(spec));
}

export interface MixSpec {
  /** At least this many frames (whole exchanges are kept together). */
  count: number;
  srcMac: string;
  dstMac: string;
  /** IPv4 addresses of the two ends (client, server) and IPv6 ones. */
  clientIp: string;
  serverIp: string;
  clientIp6: string;
  serverIp6: string;
  seed?: number;
}

export interface MixSummary {
  frames: number;
  averageBytes: number;
  /** Share of frames per class. */
  shares: Record<'tcp' | 'smallUdp' | 'largeUdp' | 'rejected', number>;
  /** Share of frames of 1000 bytes or more. */
  fullSize: number;
}

/** mulberry32: a small seeded generator, so the mix is the same on every run and machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const words = (s: string): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head!);
  const t = words(tail);
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, k) => out.writeUInt16BE(w, 2 * k));
  return out;
}

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface Ends {
  src: Buffer;
  dst: Buffer;
  v6: boolean;
}

class FrameMaker {
  readonly frames: Buffer[] = [];
  private ipId = 1;

  constructor(private readonly srcMac: Buffer, private readonly dstMac: Buffer) {}

  /** An Ethernet + IP frame around `l4` (protocol number `proto`). */
  ip(ends: Ends, proto: number, l4: Buffer): void {
    const l3 = ends.v6 ? 40 : 20;
    const f = Buffer.alloc(14 + l3 + l4.length);
    this.dstMac.copy(f, 0);
    this.srcMac.copy(f, 6);
    f.writeUInt16BE(ends.v6 ? 0x86dd : 0x0800, 12);
    if (ends.v6) {
      f.writeUInt32BE(0x60000000, 14);
      f.writeUInt16BE(l4.length, 18);
      f[20] = proto;
      f[21] = 64;
      ends.src.copy(f, 22);
      ends.dst.copy(f, 38);
    } else {
      const ip = f.subarray(14, 34);
      ip[0] = 0x45;
      ip.writeUInt16BE(20 + l4.length, 2);
      ip.writeUInt16BE(this.ipId++ & 0xffff, 4);
      ip.writeUInt16BE(0x4000, 6); // don't fragment
      ip[8] = 64;
      ip[9] = proto;
      ends.src.copy(ip, 12);
      ends.dst.copy(ip, 16);
      ip.writeUInt16BE(checksum(ip), 10);
    }
    l4.copy(f, 14 + l3);
    this.frames.push(f);
  }

  udp(ends: Ends, sport: number, dport: number, payload: number, fill: number): void {
    const u = Buffer.alloc(8 + payload, fill & 0xff);
    u.writeUInt16BE(sport, 0);
    u.writeUInt16BE(dport, 2);
    u.writeUInt16BE(8 + payload, 4);
    u.writeUInt16BE(0, 6);
    this.ip(ends, 17, u);
  }

  /** A TCP segment with the timestamp option (as Linux sends them): 32 bytes of header. */
  tcp(ends: Ends, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer | number): void {
    const data = typeof payload === 'number' ? Buffer.alloc(payload, 0x61 + (seq % 26)) : payload;
    const syn = (flags & 0x02) !== 0;
    const header = syn ? 40 : 32;
    const t = Buffer.alloc(header + data.length);
    t.writeUInt16BE(sport, 0);
    t.writeUInt16BE(dport, 2);
    t.writeUInt32BE(seq >>> 0, 4);
    t.writeUInt32BE(ack >>> 0, 8);
    t[12] = (header / 4) << 4;
    t[13] = flags;
    t.writeUInt16BE(502, 14);
    if (syn) {
      // MSS 1460, SACK permitted, timestamps, NOP, window scale 7
      Buffer.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]).copy(t, 20);
    } else {
      Buffer.from([1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1]).copy(t, 20);
    }
    data.copy(t, header);
    this.ip(ends, 6, t);
  }

  raw(frame: Buffer): void {
    this.frames.push(frame);
  }
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const MSS = 1448; // 1500 - 20 (IPv4) - 32 (TCP with timestamps): a 1514-byte frame

/** The `mixed` traffic: see the file's comment. */
export function mixedFrames(spec: MixSpec): Buffer[] {
  const rand = generator(spec.seed ?? 1);
  const m = new FrameMaker(macBytes(spec.srcMac), macBytes(spec.dstMac));
  const v4 = { client: ipv4Bytes(spec.clientIp), server: ipv4Bytes(spec.serverIp) };
  const v6 = { client: ipv6Bytes(spec.clientIp6), server: ipv6Bytes(spec.serverIp6) };
  let port = 40000;
  while (m.frames.length < spec.count) {
    const r = rand();
    const six = rand() < 0.25;
    const addr = six ? v6 : v4;
    const up: Ends = { src: addr.client, dst: addr.server, v6: six };
    const down: Ends = { src: addr.server, dst: addr.client, v6: six };
    port = port >= 60000 ? 40000 : port + 1;
    if (r < 0.1) {
      // An HTTP exchange: handshake, a GET, a response of 1-20 full segments, ACKs, FINs.
      const mss = six ? MSS - 20 : MSS;
      let c = Math.floor(rand() * 2 ** 31);
      let s = Math.floor(rand() * 2 ** 31);
      m.tcp(up, port, 80, c, 0, SYN, 0);
      m.tcp(down, 80, port, s, c + 1, SYN | ACK, 0);
      c++;
      s++;
      m.tcp(up, port, 80, c, s, ACK, 0);
      const request = Buffer.from(`GET /page/${port}.html HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n`);
      m.tcp(up, port, 80, c, s, PSH | ACK, request);
      c += request.length;
      const segments = 1 + Math.floor(rand() * 20);
      for (let k = 0; k < segments; k++) {
        const size = k === segments - 1 ? 200 + Math.floor(rand() * (mss - 200)) : mss;
        m.tcp(down, 80, port, s, c, k === segments - 1 ? PSH | ACK : ACK, size);
        s += size;
        if (k % 2 === 1 || k === segments - 1) m.tcp(up, port, 80, c, s, ACK, 0);
      }
      m.tcp(up, port, 80, c, s, FIN | ACK, 0);
      m.tcp(down, 80, port, s, c + 1, FIN | ACK, 0);
      m.tcp(up, port, 80, c + 1, s + 1, ACK, 0);
    } else if (r < 0.6) {
      // DNS-like: a query and its answer.
      const q = 28 + Math.floor(rand() * 30);
      m.udp(up, port, 53, q, port);
      m.udp(down, 53, port, q + 16 + Math.floor(rand() * 150), port);
    } else if (r < 0.85) {
      // QUIC-like: a few large datagrams one way, a small one back.
      const n = 1 + Math.floor(rand() * 4);
      const big = six ? 1232 : 1252;
      for (let k = 0; k < n; k++) m.udp(down, 443, port, big + Math.floor(rand() * 200), k);
      m.udp(up, port, 443, 30 + Math.floor(rand() * 20), n);
    } else if (r < 0.95) {
      // ICMP echo request and reply (IPv4): rejected by `tcp or udp`.
      for (const [ends, type] of [[up, 8], [down, 0]] as const) {
        const icmp = Buffer.alloc(64, 0x5a);
        icmp[0] = type;
        icmp.writeUInt16BE(port, 4);
        icmp.writeUInt16BE(checksum(icmp), 2);
        m.ip({ src: ends.src.length === 4 ? ends.src : v4.client, dst: ends.dst.length === 4 ? ends.dst : v4.server, v6: false }, 1, icmp);
      }
    } else {
      // An ARP request: rejected too.
      const arp = Buffer.alloc(42);
      Buffer.from('ffffffffffff', 'hex').copy(arp, 0);
      macBytes(spec.srcMac).copy(arp, 6);
      arp.writeUInt16BE(0x0806, 12);
      Buffer.from([0, 1, 8, 0, 6, 4, 0, 1]).copy(arp, 14);
      macBytes(spec.srcMac).copy(arp, 22);
      v4.client.copy(arp, 28);
      v4.server.copy(arp, 38);
      m.raw(arp);
    }
  }
  return m.frames;
}

/** What a list of frames holds, for the benchmark's report. */
export function summarizeMix(frames: readonly Buffer[]): MixSummary {
  let bytes = 0;
  let full = 0;
  const counts = { tcp: 0, smallUdp: 0, largeUdp: 0, rejected: 0 };
  for (const f of frames) {
    bytes += f.length;
    if (f.length >= 1000) full++;
    const type = f.readUInt16BE(12);
    const proto = type === 0x0800 ? f[23] : type === 0x86dd ? f[20] : -1;
    if (proto === 6) counts.tcp++;
    else if (proto === 17) counts[f.length >= 1000 ? 'largeUdp' : 'smallUdp']++;
    else counts.rejected++;
  }
  const share = (n: number): number => n / frames.length;
  return {
    frames: frames.length,
    averageBytes: bytes / frames.length,
    shares: { tcp: share(counts.tcp), smallUdp: share(counts.smallUdp), largeUdp: share(counts.largeUdp), rejected: share(counts.rejected) },
    fullSize: share(full),
  };
}

export function writeMixedFlood(file: string, spec: MixSpec): MixSummary {
  const frames = mixedFrames(spec);
  writePcap(file, frames);
  return summarizeMix(frames);
}
