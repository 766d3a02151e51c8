/**
 * A seeded mix of frames for capture-filter tests: Ethernet frames carrying TCP and UDP over IPv4
 * and IPv6 (ports 80, 8080, 53, 443 and others), ICMP, IPv4 fragments, ARP and 802.1Q-tagged
 * frames, some captured short of their length on the wire. The same packets without their
 * Ethernet header are LINKTYPE_RAW packets. Deterministic: the same seed gives the same frames.
 */
import { seededRandom } from './prng';

export interface FilterFrame {
  /** The frame's bytes as captured (Ethernet). */
  data: Buffer;
  /** Length on the wire (>= data.length). */
  origLen: number;
}

const PORTS = [80, 80, 8080, 53, 443, 22, 5000, 40000];

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let k = 0; k < header.length; k += 2) sum += header.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function transport(rand: () => number, protocol: number, payload: number): Buffer {
  const port = (): number => PORTS[Math.floor(rand() * PORTS.length)]!;
  if (protocol === 6) {
    const t = Buffer.alloc(20 + payload);
    t.writeUInt16BE(port(), 0);
    t.writeUInt16BE(port(), 2);
    t.writeUInt32BE(Math.floor(rand() * 2 ** 32), 4);
    t.writeUInt32BE(Math.floor(rand() * 2 ** 32), 8);
    t[12] = 5 << 4;
    t[13] = [0x02, 0x12, 0x10, 0x18, 0x11][Math.floor(rand() * 5)]!;
    t.writeUInt16BE(64240, 14);
    for (let k = 20; k < t.length; k++) t[k] = Math.floor(rand() * 256);
    return t;
  }
  if (protocol === 17) {
    const t = Buffer.alloc(8 + payload);
    t.writeUInt16BE(port(), 0);
    t.writeUInt16BE(port(), 2);
    t.writeUInt16BE(t.length, 4);
    for (let k = 8; k < t.length; k++) t[k] = Math.floor(rand() * 256);
    return t;
  }
  // ICMP echo request (or ICMPv6's, type 128: the caller picks the protocol number).
  const t = Buffer.alloc(8 + payload);
  t[0] = protocol === 58 ? 128 : 8;
  t.writeUInt16BE(Math.floor(rand() * 65536), 4);
  return t;
}

function ipv4(rand: () => number, protocol: number, payload: Buffer, fragment: boolean): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length, 2);
  ip.writeUInt16BE(Math.floor(rand() * 65536), 4);
  // A later fragment (offset 185 × 8 bytes): `tcp port 80` must not look at its "ports".
  if (fragment) ip.writeUInt16BE(185, 6);
  ip[8] = 64;
  ip[9] = protocol;
  ip.set([10, 0, Math.floor(rand() * 4), 1 + Math.floor(rand() * 3)], 12);
  ip.set([192, 168, 1, 1 + Math.floor(rand() * 3)], 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  return Buffer.concat([ip, payload]);
}

function ipv6(rand: () => number, protocol: number, payload: Buffer): Buffer {
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(payload.length, 4);
  ip[6] = protocol;
  ip[7] = 64;
  ip.set([0x20, 0x01, 0x0d, 0xb8], 8);
  ip[23] = 1 + Math.floor(rand() * 3);
  ip.set([0x20, 0x01, 0x0d, 0xb8], 24);
  ip[39] = 0x10 + Math.floor(rand() * 3);
  return Buffer.concat([ip, payload]);
}

function ethernet(rand: () => number, etherType: number, payload: Buffer, vlan: boolean): Buffer {
  const header = Buffer.alloc(vlan ? 18 : 14);
  header.set([0x02, 0, 0, 0, 0, 1 + Math.floor(rand() * 2)], 0);
  header.set([0x02, 0, 0, 0, 0, 0x10], 6);
  if (vlan) {
    header.writeUInt16BE(0x8100, 12);
    header.writeUInt16BE(100 + Math.floor(rand() * 2), 14);
  }
  header.writeUInt16BE(etherType, vlan ? 16 : 12);
  const frame = Buffer.concat([header, payload]);
  return frame.length >= 60 ? frame : Buffer.concat([frame, Buffer.alloc(60 - frame.length)]);
}

function arp(rand: () => number): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0);
  a.writeUInt16BE(0x0800, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(1, 6);
  a.set([0x02, 0, 0, 0, 0, 0x10, 10, 0, 0, 1], 8);
  a.set([192, 168, 1, 1 + Math.floor(rand() * 3)], 24);
  return a;
}

/** `count` frames; lengths from 60 to about 1,500 bytes. */
export function filterFrames(count: number, seed = 1): FilterFrame[] {
  const rand = seededRandom(seed);
  const frames: FilterFrame[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rand();
    const payload = rand() < 0.2 ? 1000 + Math.floor(rand() * 400) : Math.floor(rand() * 200);
    const protocol = rand() < 0.45 ? 6 : rand() < 0.8 ? 17 : 0;
    const vlan = rand() < 0.08;
    let frame: Buffer;
    if (kind < 0.05) frame = ethernet(rand, 0x0806, arp(rand), vlan);
    else if (kind < 0.65) frame = ethernet(rand, 0x0800, ipv4(rand, protocol || 1, transport(rand, protocol || 1, payload), rand() < 0.05), vlan);
    else frame = ethernet(rand, 0x86dd, ipv6(rand, protocol || 58, transport(rand, protocol || 58, payload)), vlan);
    // Some packets are captured short of their length on the wire (a snap length of 64 to 128).
    const data = rand() < 0.15 ? frame.subarray(0, 64 + Math.floor(rand() * 64)) : frame;
    frames.push({ data: Buffer.from(data), origLen: frame.length });
  }
  return frames;
}

/** The packet of an Ethernet frame from filterFrames without its link header (LINKTYPE_RAW), or undefined for ARP and tagged frames. */
export function rawIpPacket(frame: FilterFrame): FilterFrame | undefined {
  const etherType = frame.data.readUInt16BE(12);
  if (etherType !== 0x0800 && etherType !== 0x86dd) return undefined;
  return { data: Buffer.from(frame.data.subarray(14)), origLen: frame.origLen - 14 };
}
