/**
 * Hand-made Ethernet frames for the conversation tests: TCP/UDP over IPv4 and IPv6, ICMP errors
 * quoting a datagram, IPv6 fragments. Checksums are left zero (tshark does not verify them by
 * default); the tests compare Sievecap's tables with tshark's on the same file.
 */
import { Dissector } from '../app/dissect/dissector';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { CaptureReader } from '../app/pcap/reader';
import type { ReportFrame, StatisticsReport } from '../app/stats/report';

export interface Frame {
  tsNs: bigint;
  data: Buffer;
}

const mac = (text: string): Buffer => Buffer.from(text.replace(/:/g, ''), 'hex');

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g, 16), k * 2));
  return out;
}

const isV6 = (address: string): boolean => address.includes(':');

function ethernet(srcMac: string, dstMac: string, type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(14);
  mac(dstMac).copy(head, 0);
  mac(srcMac).copy(head, 6);
  head.writeUInt16BE(type, 12);
  return Buffer.concat([head, payload]);
}

/** An IPv4 or IPv6 header (by the address form) around `payload`. */
export function ipPacket(src: string, dst: string, protocol: number, payload: Buffer, ttl = 64): Buffer {
  if (isV6(src)) {
    const h = Buffer.alloc(40);
    h[0] = 0x60;
    h.writeUInt16BE(payload.length, 4);
    h[6] = protocol;
    h[7] = ttl;
    ipv6Bytes(src).copy(h, 8);
    ipv6Bytes(dst).copy(h, 24);
    return Buffer.concat([h, payload]);
  }
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h[8] = ttl;
  h[9] = protocol;
  Buffer.from(src.split('.').map(Number)).copy(h, 12);
  Buffer.from(dst.split('.').map(Number)).copy(h, 16);
  return Buffer.concat([h, payload]);
}

export interface Hosts {
  srcMac: string;
  dstMac: string;
  src: string;
  dst: string;
}

function onWire(h: Hosts, protocol: number, transport: Buffer): Buffer {
  return ethernet(h.srcMac, h.dstMac, isV6(h.src) ? 0x86dd : 0x0800, ipPacket(h.src, h.dst, protocol, transport));
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export function tcpFrame(h: Hosts, srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload = 0): Buffer {
  const t = Buffer.alloc(20 + payload);
  t.writeUInt16BE(srcPort, 0);
  t.writeUInt16BE(dstPort, 2);
  t.writeUInt32BE(seq >>> 0, 4);
  t.writeUInt32BE(ack >>> 0, 8);
  t.writeUInt16BE((5 << 12) | flags, 12);
  t.writeUInt16BE(65535, 14);
  for (let k = 0; k < payload; k++) t[20 + k] = 0x61 + (k % 26);
  return onWire(h, 6, t);
}

export function udpFrame(h: Hosts, srcPort: number, dstPort: number, payload: number): Buffer {
  const u = Buffer.alloc(8 + payload);
  u.writeUInt16BE(srcPort, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload, 4);
  for (let k = 0; k < payload; k++) u[8 + k] = k & 0xff;
  return onWire(h, 17, u);
}

/** ICMP port unreachable from h.src to h.dst, quoting `quoted` (an IPv4 packet without Ethernet). */
export function icmpUnreachable(h: Hosts, quoted: Buffer): Buffer {
  const head = Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]);
  return onWire(h, 1, Buffer.concat([head, quoted.subarray(0, 28)]));
}

/** An IPv6 packet carrying one fragment of a UDP datagram. */
export function ipv6Fragment(h: Hosts, ident: number, offsetBytes: number, more: boolean, chunk: Buffer): Buffer {
  const frag = Buffer.alloc(8);
  frag[0] = 17;
  frag.writeUInt16BE(offsetBytes | (more ? 1 : 0), 2);
  frag.writeUInt32BE(ident, 4);
  return ethernet(h.srcMac, h.dstMac, 0x86dd, ipPacket(h.src, h.dst, 44, Buffer.concat([frag, chunk])));
}

export function writeFrames(file: string, frames: readonly Frame[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535, nanosecond: true });
  for (const f of frames) writer.writePacket({ tsNs: f.tsNs, data: f.data });
  writer.close();
}

/** Reads, dissects and feeds every frame of `file` to the reports; returns them for chaining. */
export function feedFile<T extends StatisticsReport[]>(file: string, ...reports: T): T {
  const reader = CaptureReader.open(file);
  const dissector = new Dissector({ desegment: false });
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      const packet = dissector.dissect({ number: p.index + 1, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
      const frame: ReportFrame = { packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen };
      for (const r of reports) r.add(frame);
    }
  } finally {
    reader.close();
  }
  return reports;
}
