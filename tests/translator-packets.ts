/**
 * Packets for the translator's differential tests: a minimal pcap/pcapng reader (enough for the
 * corpus and for tcpdump's own files) and the frame builders the tests need (dummy Ethernet header
 * for BPF_PROG_TEST_RUN, cooked headers).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Frame {
  /** Where it came from, for failure messages. */
  source: string;
  /** Ethernet frame as captured (caplen bytes). */
  data: Buffer;
}

const DLT_EN10MB = 1;

/** Ethernet frames of a pcap or pcapng file (other link types skipped; stops quietly at damage). */
export function readEthernetFrames(file: string, limit = Infinity): Frame[] {
  const buf = fs.readFileSync(file);
  const out: Frame[] = [];
  if (buf.length < 24) return out;
  const magicLE = buf.readUInt32LE(0);
  const push = (data: Buffer): void => {
    if (out.length < limit) out.push({ source: `${path.basename(file)}#${out.length + 1}`, data: Buffer.from(data) });
  };
  if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(magicLE)) {
    const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
    const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    if ((u32(20) & 0x0fffffff) !== DLT_EN10MB) return out;
    for (let at = 24; at + 16 <= buf.length && out.length < limit; ) {
      const caplen = u32(at + 8);
      if (caplen > 262144 || at + 16 + caplen > buf.length) break;
      push(buf.subarray(at + 16, at + 16 + caplen));
      at += 16 + caplen;
    }
    return out;
  }
  if (magicLE !== 0x0a0d0d0a) return out;
  let le = true;
  const linkTypes: number[] = [];
  for (let at = 0; at + 12 <= buf.length && out.length < limit; ) {
    const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    if (buf.readUInt32LE(at) === 0x0a0d0d0a) {
      le = buf.readUInt32LE(at + 8) === 0x1a2b3c4d;
      linkTypes.length = 0;
    }
    const type = u32(at);
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0 || at + length > buf.length) break;
    if (type === 1) linkTypes.push(u16(at + 8));
    if (type === 6 && at + 28 <= buf.length) {
      const caplen = u32(at + 20);
      if (linkTypes[u32(at + 8)] === DLT_EN10MB && 28 + caplen <= length) push(buf.subarray(at + 28, at + 28 + caplen));
    }
    if (type === 3 && linkTypes[0] === DLT_EN10MB) {
      const caplen = Math.min(u32(at + 8), length - 16);
      push(buf.subarray(at + 12, at + 12 + caplen));
    }
    at += length;
  }
  return out;
}

export const ethertypeOf = (frame: Buffer): number => (frame.length >= 14 ? frame.readUInt16BE(12) : 0);

/**
 * BPF_PROG_TEST_RUN on a socket filter pulls a 14-byte Ethernet header off the data (the kernel
 * runs eth_type_trans); prepend one whose ethertype equals the payload's, so the program sees
 * `payload` from offset 0, as a SOCK_RAW packet socket shows it a frame (or a SOCK_DGRAM socket
 * an L3 packet). Destination 00:00:00:00:00:00 is the loopback device's address: PACKET_HOST.
 */
export function withDummyEthernet(payload: Buffer, ethertype: number): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt16BE(ethertype, 12);
  return Buffer.concat([header, payload]);
}

/**
 * The kernel's test run refuses an IPv4 packet shorter than an IPv4 header and an IPv6 packet
 * shorter than an IPv6 header (EINVAL). A real socket would still see such a (truncated) frame;
 * here it can only be run under another ethertype, which changes skb->protocol and nothing else.
 */
export function kernelAcceptsAsL3(payload: Buffer, ethertype: number): boolean {
  if (ethertype === 0x0800) return payload.length >= 20;
  if (ethertype === 0x86dd) return payload.length >= 40;
  return true;
}

/** Test-run input for an Ethernet frame seen by a SOCK_RAW socket: the frame behind a dummy header. */
export function testRunFrame(frame: Buffer): Buffer {
  const ethertype = ethertypeOf(frame);
  return withDummyEthernet(frame, kernelAcceptsAsL3(frame, ethertype) ? ethertype : 0);
}

/** The DLT_LINUX_SLL2 header libpcap builds for a packet seen on `any` (pcap-linux.c). */
export function sll2Header(protocol: number, ifindex: number, pktType: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(1, 8); // ARPHRD_ETHER
  h[10] = pktType;
  h[11] = 6;
  frame.copy(h, 12, 6, 12); // source MAC
  return h;
}

/** The DLT_LINUX_SLL header. */
export function sllHeader(protocol: number, pktType: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(pktType, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(6, 4);
  frame.copy(h, 6, 6, 12);
  h.writeUInt16BE(protocol, 14);
  return h;
}
