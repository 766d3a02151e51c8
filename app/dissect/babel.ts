/**
 * Babel routing protocol (RFC 8966, UDP 6696), as tshark 4.0 lists it: the header (magic 42,
 * version 2, body length), each message's type and length, and the packet trailer after the body;
 * Info names the messages in order. Bodies are decoded for hello, router-id and pc; the other
 * messages show their type and length, ihu its rxcost and interval, update its flags, interval,
 * seqno and metric (not yet the addresses and prefixes).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { dataLayer } from './hsrp';
import type { AppDissector, AppResult } from './model';

export const BABEL_PORTS = [6696] as const;
const MAGIC = 42;

const MESSAGES: Record<number, string> = {
  0: 'pad1', 1: 'padn', 2: 'ack-req', 3: 'ack', 4: 'hello', 5: 'ihu', 6: 'router-id', 7: 'nh', 8: 'update', 9: 'request', 10: 'mh-request',
  11: 'ts/pc (obsolete)', 12: 'hmac', 13: 'source-specific-update', 14: 'source-specific-req', 15: 'source-specific-seqno', 16: 'hmac', 17: 'pc',
  18: 'challenge-request', 19: 'challenge-reply',
};
const messageName = (type: number) => MESSAGES[type] ?? 'unknown';

export const babelDissector: AppDissector = {
  protocol: 'babel',
  udpPorts: BABEL_PORTS,
  dissect: (data, offset, end, ctx) => dissectBabel(data, offset, end, ctx.fields),
};

export function dissectBabel(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const stop = Math.min(end, data.length);
  // Not Babel without its magic number: Wireshark's dissector declines and the payload is data.
  if (stop - offset < 4 || data[offset] !== MAGIC) return { layers: [dataLayer(data, offset, stop, selection)], protocolColumn: '', info: '' };
  const version = data[offset + 1]!;
  if (version !== 2) return { layers: [], protocolColumn: 'Babel', info: `Version ${version}` };
  const b = new LayerBuilder(data, 'babel', 'Babel Routing Protocol', offset, end, selection);
  let info = 'Babel';
  dissectSafely(b, () => {
    b.add('babel.magic', `Magic: ${MAGIC}`, MAGIC, offset, 1);
    b.add('babel.version', `Version: ${version}`, version, offset + 1, 1);
    const bodyLength = b.u16(offset + 2, 'body length');
    b.add('babel.bodylen', () => `Body Length: ${bodyLength}`, bodyLength, offset + 2, 2);
    const bodyEnd = offset + 4 + bodyLength;
    b.setLength(Math.min(bodyEnd, end) - offset);
    const messages = (from: number, to: number) => {
      let at = from;
      while (at < to) {
        const type = b.u8(at, 'message type');
        info += ` ${messageName(type)}`;
        if (type === 0) {
          b.group('babel.message', () => `Message ${messageName(type)} (${type})`, type, at, 1, () => {
            b.add('babel.message.type', () => `Message Type: ${messageName(type)} (${type})`, type, at, 1);
          });
          at += 1;
          continue;
        }
        const length = b.u8(at + 1, 'message length');
        const start = at;
        b.group('babel.message', () => `Message ${messageName(type)} (${type})`, type, at, 2 + length, () => {
          b.add('babel.message.type', () => `Message Type: ${messageName(type)} (${type})`, type, start, 1);
          b.add('babel.message.length', () => `Message Length: ${length}`, length, start + 1, 1);
          messageBody(b, type, start + 2);
        });
        at = start + 2 + length;
      }
    };
    messages(offset + 4, Math.min(bodyEnd, end));
    if (bodyEnd < stop) {
      b.setLength(stop - offset);
      b.group('', () => `Packet Trailer (${stop - bodyEnd})`, null, bodyEnd, stop - bodyEnd, () => messages(bodyEnd, stop));
    }
  });
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'Babel', info };
}

function messageBody(b: LayerBuilder, type: number, at: number): void {
  if (type === 4) {
    const unicast = b.u16(at, 'hello flags') >> 15;
    b.add('', () => `Unicast : ${unicast}`, null, at, 2);
    const seqno = b.u16(at + 2, 'seqno');
    b.add('babel.message.seqno', () => `Seqno: ${hex(seqno, 4)}`, seqno, at + 2, 2, () => hex(seqno, 4));
    const interval = b.u16(at + 4, 'interval');
    b.add('babel.message.interval', () => `Interval: ${interval}`, interval, at + 4, 2);
  } else if (type === 5) {
    const rxcost = b.u16(at + 2, 'rxcost');
    b.add('babel.message.rxcost', () => `Rxcost: ${hex(rxcost, 4)}`, rxcost, at + 2, 2, () => hex(rxcost, 4));
    const interval = b.u16(at + 4, 'interval');
    b.add('babel.message.interval', () => `Interval: ${interval}`, interval, at + 4, 2);
  } else if (type === 8) {
    const flags = b.u8(at + 1, 'flags');
    b.add('babel.message.flags', () => `Flags: ${hex(flags, 2)}`, flags, at + 1, 1, () => hex(flags, 2));
    const interval = b.u16(at + 4, 'interval');
    b.add('babel.message.interval', () => `Interval: ${interval}`, interval, at + 4, 2);
    const seqno = b.u16(at + 6, 'seqno');
    b.add('babel.message.seqno', () => `Seqno: ${hex(seqno, 4)}`, seqno, at + 6, 2, () => hex(seqno, 4));
    const metric = b.u16(at + 8, 'metric');
    b.add('babel.message.metric', () => `Metric: ${metric}`, metric, at + 8, 2);
  } else if (type === 6) {
    const id = b.bytes(at + 2, 8, 'router ID');
    b.add('babel.message.routerid', () => `Router ID: ${id.toString('hex')}`, id, at + 2, 8, () => id.toString('hex'));
  } else if (type === 17) {
    const index = b.u32(at, 'index');
    b.add('babel.message.index', () => `Index: ${index}`, index, at, 4);
  }
}
