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

// ---- mostly non-HTTP TCP, with HTTP on several ports (issue 13's `--preset http` figure) -------

/** Ports HTTP/1.1 runs on in the HTTP mixes: none of them is the only one a port filter would need. */
export const HTTP_MIX_PORTS = [80, 8080, 8000, 3000, 5000, 8888] as const;

export interface HttpMixFrames {
  frames: Buffer[];
  /**
   * Per frame: whether in-kernel HTTP session tracking lets it through (from a connection's first
   * HTTP payload to the FIN that completes its close, as bpf/programs/http-sessions.ts does).
   */
  http: boolean[];
}

/**
 * `tcp-services`: a server's link to its clients and back-ends, many short connections of small
 * packets: TLS on 443 (handshake, a few records), interactive SSH on 22, PostgreSQL queries on
 * 5432, Redis on 6379, a binary RPC protocol on 8080 and HTTP/2 with prior knowledge (h2c,
 * "PRI * HTTP/2.0") on 8000 (ports HTTP/1.1 uses too, so no port filter separates them), DNS over
 * UDP; and HTTP/1.1 keep-alive connections (1–3 requests, responses of 1–4 segments) on six ports.
 *
 * `tcp-bulk`: the same services moving data: TLS downloads of 10–60 full-size segments, rsync over
 * SSH, database dumps; HTTP/1.1 downloads (1–20 segments) on six ports.
 *
 * HTTP is about one packet in twenty in both (the benchmark prints exactly how many).
 */
export function httpMixFrames(spec: MixSpec, kind: 'tcp-services' | 'tcp-bulk'): HttpMixFrames {
  const rand = generator(spec.seed ?? (kind === 'tcp-services' ? 7 : 11));
  const m = new FrameMaker(macBytes(spec.srcMac), macBytes(spec.dstMac));
  const http: boolean[] = [];
  const v4 = { client: ipv4Bytes(spec.clientIp), server: ipv4Bytes(spec.serverIp) };
  const v6 = { client: ipv6Bytes(spec.clientIp6), server: ipv6Bytes(spec.serverIp6) };
  const bulk = kind === 'tcp-bulk';
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  let port = 30000;
  /** Marks the frames made since `from` as HTTP-tracked or not. */
  const mark = (from: number, tracked: boolean): void => {
    while (http.length < m.frames.length) http.push(tracked && http.length >= from);
  };
  while (m.frames.length < spec.count) {
    const six = rand() < 0.3;
    const addr = six ? v6 : v4;
    const up: Ends = { src: addr.client, dst: addr.server, v6: six };
    const down: Ends = { src: addr.server, dst: addr.client, v6: six };
    const mss = six ? MSS - 20 : MSS;
    port = port >= 60000 ? 30000 : port + 1;
    let c = Math.floor(rand() * 2 ** 31);
    let s = Math.floor(rand() * 2 ** 31);
    /** A TCP connection to `server`: handshake, `body` (which moves c and s), FIN from both, last ACK. */
    const connection = (server: number, body: () => void): void => {
      m.tcp(up, port, server, c, 0, SYN, 0);
      m.tcp(down, server, port, s, c + 1, SYN | ACK, 0);
      c++;
      s++;
      m.tcp(up, port, server, c, s, ACK, 0);
      body();
      m.tcp(up, port, server, c, s, FIN | ACK, 0);
      m.tcp(down, server, port, s, c + 1, FIN | ACK, 0);
      m.tcp(up, port, server, c + 1, s + 1, ACK, 0);
    };
    const send = (server: number, toServer: boolean, payload: Buffer | number): void => {
      const size = typeof payload === 'number' ? payload : payload.length;
      if (toServer) {
        m.tcp(up, port, server, c, s, PSH | ACK, payload);
        c += size;
      } else {
        m.tcp(down, server, port, s, c, PSH | ACK, payload);
        s += size;
      }
    };
    /** `segments` segments from the server (the last one shorter), the client ACKing every second. */
    const download = (server: number, segments: number): void => {
      for (let k = 0; k < segments; k++) {
        const size = k === segments - 1 ? int(200, mss) : mss;
        m.tcp(down, server, port, s, c, k === segments - 1 ? PSH | ACK : ACK, size);
        s += size;
        if (k % 2 === 1 || k === segments - 1) m.tcp(up, port, server, c, s, ACK, 0);
      }
    };
    const start = m.frames.length;
    const r = rand();
    if (r < (bulk ? 0.05 : 0.08)) {
      // HTTP/1.1 on one of six ports, keep-alive: 1-3 requests.
      const server = HTTP_MIX_PORTS[int(0, HTTP_MIX_PORTS.length - 1)]!;
      let firstPayload = -1;
      connection(server, () => {
        const requests = int(1, 3);
        for (let q = 0; q < requests; q++) {
          const method = rand() < 0.8 ? 'GET' : 'POST';
          const body = method === 'POST' ? '{"id":' + port + ',"q":' + q + '}' : '';
          const request = Buffer.from(
            `${method} /api/v1/items/${port}/${q} HTTP/1.1\r\nHost: app.example:${server}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n` +
              (body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '') + `\r\n${body}`,
          );
          if (firstPayload < 0) firstPayload = m.frames.length;
          send(server, true, request);
          const segments = bulk ? int(1, 20) : int(1, 4);
          const header = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${segments * mss}\r\n\r\n`);
          const first = Buffer.concat([header, Buffer.alloc(Math.min(mss, 600) - header.length, 0x7b)]);
          send(server, false, first);
          download(server, segments - 1 || 0);
          m.tcp(up, port, server, c, s, ACK, 0);
        }
      });
      // Tracked from the first request to the second FIN; the handshake and the last ACK are not.
      while (http.length < m.frames.length - 1) http.push(http.length >= firstPayload);
      http.push(false);
    } else if (r < 0.4) {
      // TLS on 443: ClientHello, ServerHello + certificate chain, Finished, records.
      connection(443, () => {
        send(443, true, 517);
        m.tcp(down, 443, port, s, c, ACK, mss);
        s += mss;
        m.tcp(down, 443, port, s, c, ACK, mss);
        s += mss;
        send(443, false, int(600, 1200));
        m.tcp(up, port, 443, c, s, ACK, 0);
        send(443, true, 80);
        const records = bulk ? int(10, 60) : int(1, 4);
        send(443, true, int(100, 600));
        download(443, records);
      });
    } else if (r < 0.55) {
      // SSH on 22: interactive keystrokes and echoes, or (bulk) an rsync upload.
      connection(22, () => {
        send(22, false, 41); // server banner
        send(22, true, 41);
        if (bulk) {
          const n = int(10, 40);
          for (let k = 0; k < n; k++) {
            send(22, true, mss);
            if (k % 2 === 1) m.tcp(down, 22, port, s, c, ACK, 0);
          }
        } else {
          const keys = int(5, 30);
          for (let k = 0; k < keys; k++) {
            send(22, true, 36);
            send(22, false, 36);
            m.tcp(up, port, 22, c, s, ACK, 0);
          }
        }
      });
    } else if (r < 0.7) {
      // PostgreSQL on 5432: queries and result sets.
      connection(5432, () => {
        const queries = int(2, 10);
        for (let q = 0; q < queries; q++) {
          send(5432, true, int(60, 300));
          if (bulk) download(5432, int(2, 12));
          else send(5432, false, int(100, 1400));
        }
      });
    } else if (r < 0.8) {
      // Redis on 6379: small commands and replies.
      connection(6379, () => {
        const n = int(3, 20);
        for (let q = 0; q < n; q++) {
          send(6379, true, int(20, 60));
          send(6379, false, int(5, 120));
        }
      });
    } else if (r < 0.87) {
      // Not HTTP/1 on ports HTTP uses: a binary RPC on 8080, h2c (prior knowledge) on 8000.
      const h2c = rand() < 0.5;
      const server = h2c ? 8000 : 8080;
      connection(server, () => {
        if (h2c) send(server, true, Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(40, 0)]));
        const n = int(2, 8);
        for (let q = 0; q < n; q++) {
          const call = Buffer.alloc(int(40, 200), 0x01);
          call.writeUInt32BE(q + 1, 0);
          send(server, true, call);
          if (bulk) download(server, int(1, 8));
          else send(server, false, int(30, 900));
        }
      });
    } else {
      // DNS over UDP: a query and its answer.
      const q = 28 + int(0, 30);
      m.udp(up, port, 53, q, port);
      m.udp(down, 53, port, q + 16 + int(0, 150), port);
    }
    mark(start, false);
  }
  return { frames: m.frames, http };
}

export interface HttpMixSummary extends MixSummary {
  /** Frames per loop that HTTP session tracking lets through. */
  httpFrames: number;
  /** Share of the frames that are on HTTP's ports but not HTTP/1 (a port filter would keep them). */
  nonHttpOnHttpPorts: number;
}

export function writeHttpMixFlood(file: string, spec: MixSpec, kind: 'tcp-services' | 'tcp-bulk'): { summary: HttpMixSummary; http: boolean[] } {
  const { frames, http } = httpMixFrames(spec, kind);
  writePcap(file, frames);
  const base = summarizeMix(frames);
  const httpPorts = new Set<number>(HTTP_MIX_PORTS);
  let onHttpPorts = 0;
  frames.forEach((f, k) => {
    const type = f.readUInt16BE(12);
    const l3 = type === 0x0800 ? 20 : 40;
    const proto = type === 0x0800 ? f[23] : f[20];
    if (proto !== 6 || http[k]) return;
    const sport = f.readUInt16BE(14 + l3);
    const dport = f.readUInt16BE(16 + l3);
    if (httpPorts.has(sport) || httpPorts.has(dport)) onHttpPorts++;
  });
  return {
    summary: { ...base, httpFrames: http.filter(Boolean).length, nonHttpOnHttpPorts: onHttpPorts / frames.length },
    http,
  };
}
