/** Small, valid Ethernet frames built by hand, for replaying onto a veth with tcpreplay. */
import { PcapWriter } from '../../app/pcap/pcap-writer';

export interface UdpFrameSpec {
  count: number;
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  dstPort: number;
  /** UDP payload bytes per frame (default 18: a 60-byte frame). */
  payload?: number;
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let k = 0; k < header.length; k += 2) sum += header.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One UDP/IPv4 frame per source port. */
export function udpFrames(spec: UdpFrameSpec): Buffer[] {
  const payload = spec.payload ?? 18;
  const frames: Buffer[] = [];
  for (let k = 0; k < spec.count; k++) {
    const f = Buffer.alloc(14 + 20 + 8 + payload);
    Buffer.from(spec.dstMac.replace(/:/g, ''), 'hex').copy(f, 0);
    Buffer.from(spec.srcMac.replace(/:/g, ''), 'hex').copy(f, 6);
    f.writeUInt16BE(0x0800, 12);
    const ip = f.subarray(14, 34);
    ip[0] = 0x45;
    ip.writeUInt16BE(f.length - 14, 2);
    ip.writeUInt16BE(k & 0xffff, 4);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from(spec.srcIp.split('.').map(Number)).copy(ip, 12);
    Buffer.from(spec.dstIp.split('.').map(Number)).copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
    f.writeUInt16BE(10000 + (k % 50000), 34);
    f.writeUInt16BE(spec.dstPort, 36);
    f.writeUInt16BE(8 + payload, 38);
    for (let b = 0; b < payload; b++) f[42 + b] = (k + b) & 0xff;
    frames.push(f);
  }
  return frames;
}

/** The same frame with an 802.1Q (or, with tpid 0x88a8, 802.1ad) tag after the MAC addresses. */
export function withVlanTag(frame: Buffer, vid: number, tpid = 0x8100, priority = 0): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(tpid, 0);
  tag.writeUInt16BE(((priority & 7) << 13) | (vid & 0xfff), 2);
  return Buffer.concat([frame.subarray(0, 12), tag, frame.subarray(12)]);
}

export function writePcap(file: string, frames: readonly Buffer[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  for (const data of frames) writer.writePacket({ tsNs: 0n, data });
  writer.close();
}
