/** Builds the flood for bench/capture: small, valid UDP/IPv4 Ethernet frames in a pcap file. */
import * as fs from 'node:fs';

export interface FloodSpec {
  count: number;
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  dstPort: number;
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let k = 0; k < header.length; k += 2) sum += header.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One frame per source port, 60 bytes each (the Ethernet minimum without FCS). */
export function floodFrames(spec: FloodSpec): Buffer[] {
  const frames: Buffer[] = [];
  for (let k = 0; k < spec.count; k++) {
    const f = Buffer.alloc(60);
    Buffer.from(spec.dstMac.replace(/:/g, ''), 'hex').copy(f, 0);
    Buffer.from(spec.srcMac.replace(/:/g, ''), 'hex').copy(f, 6);
    f.writeUInt16BE(0x0800, 12);
    const ip = f.subarray(14, 34);
    ip[0] = 0x45;
    ip.writeUInt16BE(60 - 14, 2);
    ip.writeUInt16BE(k & 0xffff, 4);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from(spec.srcIp.split('.').map(Number)).copy(ip, 12);
    Buffer.from(spec.dstIp.split('.').map(Number)).copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
    f.writeUInt16BE(10000 + (k % 50000), 34);
    f.writeUInt16BE(spec.dstPort, 36);
    f.writeUInt16BE(60 - 34, 38);
    frames.push(f);
  }
  return frames;
}
