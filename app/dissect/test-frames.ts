/** Frames for the dissectors' unit tests: Ethernet + IPv4 (+ UDP) around hand-built bytes. */
import { onesComplementSum } from './checksum';

/**
 * Ethernet + IPv4 + UDP with the given payload: from 10.0.0.1 to 10.0.0.2, or back when `reply`;
 * `capture` cuts the frame.
 */
export function udpFrame(srcPort: number, dstPort: number, payload: Buffer, capture?: number, reply = false): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(srcPort, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return ipFrame(17, Buffer.concat([udp, payload]), reply).subarray(0, capture);
}

/** Ethernet + IPv4 (10.0.0.1 -> 10.0.0.2, or back) carrying an IP protocol's bytes, header checksum set. */
export function ipFrame(protocol: number, body: Buffer, reply = false): Buffer {
  const eth = Buffer.from('0200000000020200000000010800', 'hex');
  const ip = Buffer.from('4500000000010000401100000a0000010a000002', 'hex');
  ip.writeUInt16BE(20 + body.length, 2);
  ip[9] = protocol;
  if (reply) [ip[15], ip[19]] = [2, 1];
  ip.writeUInt16BE(~onesComplementSum(ip, 0, 20) & 0xffff, 10);
  return Buffer.concat([eth, ip, body]);
}
