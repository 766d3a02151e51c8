/**
 * Cisco Serial Line ARP (Cisco HDLC protocol 0x8035) as tshark 4.0 shows it: a request or reply
 * carries an IPv4 address and mask, a line keepalive the two sequence numbers and the reliability
 * word (Wireshark expects 0xffff there and says so when it is not).
 * Info: "Line keepalive, outgoing sequence 5, returned sequence 2", "Reply, from 15.0.0.1, mask 255.255.255.252".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be32, ipv4Text } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

const REQUEST = 0;
const REPLY = 1;
const KEEPALIVE = 2;
const TYPES: Record<number, string> = { [REQUEST]: 'Request', [REPLY]: 'Reply', [KEEPALIVE]: 'Line keepalive' };

export function dissectSlarp(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'slarp', 'Cisco SLARP', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    const type = b.u32(offset, 'packet type');
    const name = TYPES[type] ?? 'Unknown';
    b.add('slarp.ptype', () => `Packet type: ${name} (${type})`, type, offset, 4);
    if (type === REQUEST || type === REPLY) {
      b.need(offset + 4, 8, 'address and mask');
      const address = ipv4Text(data, offset + 4);
      const mask = ipv4Text(data, offset + 8);
      b.add('slarp.address', () => `Address: ${address}`, address, offset + 4, 4);
      b.add('slarp.netmask', () => `Netmask: ${mask}`, mask, offset + 8, 4);
      info = `${name}, from ${address}, mask ${mask}`;
      b.setLength(12);
    } else if (type === KEEPALIVE) {
      b.need(offset + 4, 8, 'sequence numbers');
      const mine = be32(data, offset + 4);
      const yours = be32(data, offset + 8);
      b.add('slarp.mysequence', () => `Outgoing sequence number: ${mine}`, mine, offset + 4, 4);
      b.add('slarp.yoursequence', () => `Returned sequence number: ${yours}`, yours, offset + 8, 4);
      info = `Line keepalive, outgoing sequence ${mine}, returned sequence ${yours}`;
      const reliability = b.u16(offset + 12, 'reliability');
      b.add('slarp.reliability', () => `Reliability: ${hex(reliability, 4)}`, reliability, offset + 12, 2, () => hex(reliability, 4));
      b.setLength(14);
    } else {
      info = `Unknown packet type 0x${type.toString(16).toUpperCase().padStart(8, '0')}`;
      b.setLength(4);
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('SLARP', info + statusSuffix(b.layer));
  return end;
}
