/**
 * Cisco UniDirectional Link Detection (SNAP, Cisco OUI, PID 0x0111) as tshark 4.0 shows it: version
 * and opcode, flags, checksum, then TLVs (device ID and port ID as text, the others as bytes). A TLV
 * shorter than its own header ends the TLVs; what follows is data.
 * Info: "Device ID: FOC1031Z7JG  Port ID: Gi0/1  ".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture } from './format';
import type { PacketState } from './packet-state';
import { escapedText } from './lldp';

export const CISCO_PID_UDLD = 0x0111;

const OPCODES: Record<number, string> = { 0: 'Reserved', 1: 'Probe', 2: 'Echo', 3: 'Flush' };
const TLV_TYPES: Record<number, string> = {
  1: 'Device ID', 2: 'Port ID', 3: 'Echo', 4: 'Message interval', 5: 'Timeout interval', 6: 'Device name', 7: 'Sequence number',
};

export function dissectUdld(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'udld', 'Unidirectional Link Detection', offset, end, p.selection);
  let info = '';
  let at = offset;
  let rest = -1;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'version and opcode');
    const version = first >> 5;
    const opcode = first & 0x1f;
    b.add('udld.version', () => `${bitPicture(first, 0xe0, 8)} = Version: ${version}`, version, offset, 1);
    b.add('udld.opcode', () => `${bitPicture(first, 0x1f, 8)} = Opcode: ${OPCODES[opcode] ?? 'Unknown'} (${opcode})`, opcode, offset, 1);
    const flags = b.u8(offset + 1, 'flags');
    b.group('udld.flags', () => `Flags: ${flags}`, flags, offset + 1, 1, () => {
      b.add('udld.flags.rt', () => `${bitPicture(flags, 0x01, 8)} = Recommended timeout: ${hex(flags & 1, 1)}`, flags & 1, offset + 1, 1, () => hex(flags & 1, 2));
      const rsy = (flags >> 1) & 1;
      b.add('udld.flags.rsy', () => `${bitPicture(flags, 0x02, 8)} = ReSynch: ${hex(rsy, 1)}`, rsy, offset + 1, 1, () => hex(rsy, 2));
    });
    const checksum = b.u16(offset + 2, 'checksum');
    b.add('udld.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, offset + 2, 2, () => hex(checksum, 4));
    at = offset + 4;
    const stop = Math.min(end, data.length);
    while (at < end) {
      b.need(at, 4, 'TLV header');
      const type = be16(data, at);
      const length = be16(data, at + 2);
      const typeName = TLV_TYPES[type] ?? 'Unknown';
      const tlvAt = at;
      if (length < 4) {
        b.group('', () => `TLV with invalid length ${length} (< 4)`, null, at, 4, () => {
          b.add('udld.tlv.type', () => `Type: ${typeName} (${hex(type, 4)})`, type, tlvAt, 2, () => hex(type, 4));
          b.add('udld.tlv.len', () => `Length: ${length}`, length, tlvAt + 2, 2);
        });
        at += 4;
        rest = at;
        break;
      }
      b.need(at + 4, length - 4, 'TLV value');
      const value = at + 4;
      const valueEnd = at + length;
      const text = type === 1 || type === 2 ? escapedText(data, value, valueEnd) : '';
      b.group('', () => (text ? `${typeName}: ${text}` : `Type: ${typeName}, length: ${length}`), null, at, length, () => {
        b.add('udld.tlv.type', () => `Type: ${typeName} (${hex(type, 4)})`, type, tlvAt, 2, () => hex(type, 4));
        b.add('udld.tlv.len', () => `Length: ${length}`, length, tlvAt + 2, 2);
        if (type === 1) b.add('udld.device_id', () => `Device ID: ${text}`, text, value, length - 4);
        else if (type === 2) b.add('udld.sent_through_interface', () => `Sent through Interface: ${text}`, text, value, length - 4);
        else b.add('udld.data', () => `Data: ${data.toString('hex', value, valueEnd)}`, data.subarray(value, valueEnd), value, length - 4, () => data.toString('hex', value, valueEnd));
      });
      if (type === 1) info += `Device ID: ${text}  `;
      else if (type === 2) info += `Port ID: ${text}  `;
      at = valueEnd;
      if (at >= stop) break;
    }
  });
  b.setLength(at - offset);
  p.addLayer(b.layer);
  p.setProtocol('UDLD', info);
  if (rest >= 0) d.data(p, data, rest, end);
  return end;
}
