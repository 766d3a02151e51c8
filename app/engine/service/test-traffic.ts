/**
 * Deterministic traffic for the service's tests (unit tests beside the code and integration tests
 * that compare with tshark): Ethernet/IPv4 frames of HTTP/1.1 exchanges over TCP (handshake,
 * request, response, close), DNS queries and answers over UDP, and ICMP echo pairs, with time
 * stamps one millisecond apart. Checksums are left zero (tshark does not check them by default).
 */
import { PcapWriter } from '../../pcap/pcap-writer';
import { PcapngWriter } from '../../pcap/pcapng-writer';

export interface TrafficFrame {
  tsNs: bigint;
  data: Buffer;
}

export interface TrafficOptions {
  /** HTTP exchanges (10 frames each). */
  connections: number;
  /** DNS query/answer pairs. */
  dnsQueries?: number;
  /** ICMP echo request/reply pairs. */
  pings?: number;
  /** Time stamp of the first frame, ns since the epoch. */
  startNs?: bigint;
}

const CLIENT_MAC = '02:00:00:00:00:01';
const SERVER_MAC = '02:00:00:00:00:02';

function ethernet(srcMac: string, dstMac: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(14);
  Buffer.from(dstMac.replace(/:/g, ''), 'hex').copy(head, 0);
  Buffer.from(srcMac.replace(/:/g, ''), 'hex').copy(head, 6);
  head.writeUInt16BE(0x0800, 12);
  return Buffer.concat([head, payload]);
}

function ipv4(src: string, dst: string, protocol: number, payload: Buffer, ident: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(ident & 0xffff, 4);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(src.split('.').map(Number)).copy(h, 12);
  Buffer.from(dst.split('.').map(Number)).copy(h, 16);
  return Buffer.concat([h, payload]);
}

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

function tcp(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(srcPort, 0);
  t.writeUInt16BE(dstPort, 2);
  t.writeUInt32BE(seq >>> 0, 4);
  t.writeUInt32BE(ack >>> 0, 8);
  t.writeUInt16BE((5 << 12) | flags, 12);
  t.writeUInt16BE(65535, 14);
  return Buffer.concat([t, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(srcPort, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([u, payload]);
}

function dnsName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])), Buffer.from([0])]);
}

function dnsMessage(id: number, name: string, answer: string | null): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(answer === null ? 0x0100 : 0x8180, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answer === null ? 0 : 1, 6);
  const question = Buffer.concat([dnsName(name), Buffer.from([0, 1, 0, 1])]);
  if (answer === null) return Buffer.concat([h, question]);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(4, 10);
  Buffer.from(answer.split('.').map(Number)).copy(rr, 12);
  return Buffer.concat([h, question, rr]);
}

function icmpEcho(type: 0 | 8, id: number, seq: number): Buffer {
  const m = Buffer.alloc(8 + 32);
  m[0] = type;
  m.writeUInt16BE(id, 4);
  m.writeUInt16BE(seq, 6);
  for (let k = 8; k < m.length; k++) m[k] = 0x61 + (k % 23);
  return m;
}

/** The frames, in order: exchange k, then DNS pair k and ping pair k while there are any. */
export function sampleTraffic(options: TrafficOptions): TrafficFrame[] {
  const frames: TrafficFrame[] = [];
  let ts = options.startNs ?? 1_700_000_000_000_000_000n;
  let ident = 1;
  const push = (fromClient: boolean, protocol: number, payload: Buffer, src = '10.0.0.1', dst = '10.0.0.2'): void => {
    const [s, d] = fromClient ? [src, dst] : [dst, src];
    const data = ethernet(fromClient ? CLIENT_MAC : SERVER_MAC, fromClient ? SERVER_MAC : CLIENT_MAC, ipv4(s, d, protocol, payload, ident++));
    frames.push({ tsNs: ts, data });
    ts += 1_000_000n;
  };
  const rounds = Math.max(options.connections, options.dnsQueries ?? 0, options.pings ?? 0);
  for (let k = 0; k < rounds; k++) {
    if (k < options.connections) {
      const port = 40000 + (k % 20000);
      const request = Buffer.from(`GET /item/${k} HTTP/1.1\r\nHost: example.test\r\nUser-Agent: sievecap-test\r\n\r\n`, 'ascii');
      const body = `item ${k} `.repeat(1 + (k % 7));
      const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'ascii');
      const c = 1000 + k;
      const s = 5000 + k;
      push(true, 6, tcp(port, 80, SYN, c, 0));
      push(false, 6, tcp(80, port, SYN | ACK, s, c + 1));
      push(true, 6, tcp(port, 80, ACK, c + 1, s + 1));
      push(true, 6, tcp(port, 80, PSH | ACK, c + 1, s + 1, request));
      push(false, 6, tcp(80, port, ACK, s + 1, c + 1 + request.length));
      push(false, 6, tcp(80, port, PSH | ACK, s + 1, c + 1 + request.length, response));
      push(true, 6, tcp(port, 80, ACK, c + 1 + request.length, s + 1 + response.length));
      push(true, 6, tcp(port, 80, FIN | ACK, c + 1 + request.length, s + 1 + response.length));
      push(false, 6, tcp(80, port, FIN | ACK, s + 1 + response.length, c + 2 + request.length));
      push(true, 6, tcp(port, 80, ACK, c + 2 + request.length, s + 2 + response.length));
    }
    if (k < (options.dnsQueries ?? 0)) {
      const name = `host${k}.example.test`;
      const port = 30000 + (k % 30000);
      push(true, 17, udp(port, 53, dnsMessage(k & 0xffff, name, null)), '10.0.0.1', '10.0.0.53');
      push(false, 17, udp(53, port, dnsMessage(k & 0xffff, name, `192.0.2.${k % 250}`)), '10.0.0.1', '10.0.0.53');
    }
    if (k < (options.pings ?? 0)) {
      push(true, 1, icmpEcho(8, 7, k & 0xffff), '10.0.0.1', '10.0.0.9');
      push(false, 1, icmpEcho(0, 7, k & 0xffff), '10.0.0.1', '10.0.0.9');
    }
  }
  return frames;
}

/** Writes Ethernet frames as pcap (nanosecond time stamps) or pcapng. */
/** One Ethernet/IPv4/UDP frame carrying `payload` (to a port no dissector claims: its payload is Data). */
export function udpFrame(tsNs: bigint, payload: Buffer, ports: [number, number] = [40999, 47999]): TrafficFrame {
  return { tsNs, data: ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', ipv4('10.0.0.1', '10.0.0.2', 17, udp(ports[0], ports[1], payload), 7)) };
}

export function writeCapture(file: string, frames: readonly TrafficFrame[], format: 'pcap' | 'pcapng' = 'pcap'): void {
  if (format === 'pcap') {
    const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535, nanosecond: true });
    for (const f of frames) writer.writePacket({ tsNs: f.tsNs, data: f.data });
    writer.close();
    return;
  }
  const writer = new PcapngWriter(file, { interfaces: [{ linkType: 1, snapLen: 65535, name: 'test0' }] });
  for (const f of frames) writer.writePacket({ interfaceId: 0, tsNs: f.tsNs, data: f.data });
  writer.close();
}
