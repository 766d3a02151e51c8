/**
 * Ethernet Configuration Test Protocol, "loopback" (ethertype 0x9000), as tshark 4.0 shows it: the
 * skip count, then functions (little-endian) until a Reply (with its receipt number) or an unknown
 * function; each Forward Data carries the address to forward to. The function the skip count
 * points at is the "relevant" one and names the packet in Info. What follows is data.
 */
import { dissectSafely, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { macText } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const ETHERTYPE_LOOP = 0x9000;

const FUNCTION_REPLY = 1;
const FUNCTION_FORWARD_DATA = 2;
const FUNCTIONS: Record<number, string> = { [FUNCTION_REPLY]: 'Reply', [FUNCTION_FORWARD_DATA]: 'Forward Data' };

export function dissectLoop(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'loop', 'Configuration Test Protocol (loopback)', offset, end, p.selection);
  let info = '';
  let at = offset;
  dissectSafely(b, () => {
    b.need(offset, 2, 'skip count');
    const skip = data.readUInt16LE(offset);
    b.add('loop.skipcount', () => `skipCount: ${skip}`, skip, offset, 2);
    const relevantAt = offset + 2 + skip;
    at = offset + 2;
    let relevantFound = false;
    for (;;) {
      b.need(at, 2, 'function');
      const fn = data.readUInt16LE(at);
      const name = FUNCTIONS[fn] ?? 'Unknown';
      const fnAt = at;
      if (at === relevantAt) {
        b.add('loop.relevant_function', () => `Relevant function: ${name} (${fn})`, fn, fnAt, 2);
        info = FUNCTIONS[fn] ?? `Unknown function (${fn})`;
        relevantFound = true;
      }
      b.add('loop.function', () => `Function: ${name} (${fn})`, fn, fnAt, 2);
      at += 2;
      if (fn === FUNCTION_REPLY) {
        b.need(at, 2, 'receipt number');
        const receipt = data.readUInt16LE(at);
        const receiptAt = at;
        b.add('loop.receipt_number', () => `Receipt number: ${receipt}`, receipt, receiptAt, 2);
        at += 2;
        break;
      }
      if (fn !== FUNCTION_FORWARD_DATA) break;
      b.need(at, 6, 'forwarding address');
      const address = macText(data, at);
      const addressAt = at;
      b.add('loop.forwarding_address', () => `Forwarding address: ${d.macLabel(address)}`, address, addressAt, 6);
      at += 6;
    }
    if (!relevantFound) info = 'No valid function found';
  });
  b.setLength(at - offset);
  p.addLayer(b.layer);
  p.setProtocol('LOOP', info + statusSuffix(b.layer));
  if (b.layer.status === 'ok') d.data(p, data, at, end);
  return end;
}
