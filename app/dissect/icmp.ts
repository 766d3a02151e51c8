/** ICMP (RFC 792): echo, errors with the quoted datagram dissected, checksum verified as tshark does. */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { checksumOk, onesComplementSum } from './checksum';
import { checksumShouldBe } from './routing-common';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { EXTENDED_ECHO_CODES, extendedEchoHeader, icmpExtensions } from './icmp-ext';
import { absoluteTimeText } from './app-format';
import { nsToSeconds } from './format';
import { addExpert, addExpertTo } from './expert';

const TYPES: Record<number, string> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench (flow control)', 5: 'Redirect', 8: 'Echo (ping) request',
  9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded', 12: 'Parameter problem', 13: 'Timestamp request',
  14: 'Timestamp reply', 15: 'Information request', 16: 'Information reply', 17: 'Address mask request', 18: 'Address mask reply',
  42: 'Extended Echo request', 43: 'Extended Echo reply',
};

const UNREACHABLE: Record<number, string> = {
  0: 'Network unreachable', 1: 'Host unreachable', 2: 'Protocol unreachable', 3: 'Port unreachable',
  4: 'Fragmentation needed', 5: 'Source route failed', 6: 'Destination network unknown', 7: 'Destination host unknown',
  8: 'Source host isolated', 9: 'Network administratively prohibited', 10: 'Host administratively prohibited',
  11: 'Network unreachable for TOS', 12: 'Host unreachable for TOS', 13: 'Communication administratively filtered',
  14: 'Host precedence violation', 15: 'Precedence cutoff in effect',
};
const CODES: Record<number, Record<number, string>> = {
  3: UNREACHABLE,
  5: { 0: 'Redirect for network', 1: 'Redirect for host', 2: 'Redirect for TOS and network', 3: 'Redirect for TOS and host' },
  11: { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' },
  12: { 0: 'Pointer indicates the error', 1: 'Required option missing', 2: 'Bad length' },
  ...EXTENDED_ECHO_CODES,
};
const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

/** Echo requests seen, to point replies at their request as tshark's Info does. */
const requestsByDissector = new WeakMap<Dissector, Map<string, EchoRequest>>();

/** An echo request remembered for its reply: its frame and capture time. */
export interface EchoRequest {
  frame: number;
  tsNs: bigint;
}

/**
 * An echo reply's generated "[Response time: N ms]" (icmp.resptime, icmpv6.resptime): milliseconds
 * as Wireshark's nstime_to_msec computes them, three decimals in the label, the double in fields.
 */
export function addResponseTime(b: LayerBuilder, abbrev: string, name: string, deltaNs: bigint, offset: number): void {
  const ms = Number(deltaNs / 1_000_000_000n) * 1000 + Number(deltaNs % 1_000_000_000n) / 1_000_000;
  b.add(abbrev, () => `[${name}: ${ms.toFixed(3)} ms]`, ms, offset, 0, () => String(Number(ms.toPrecision(15))));
}

export function dissectIcmp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'icmp', 'Internet Control Message Protocol', offset, end, p.selection);
  let next = -1;
  let quoted = false;
  let originalLength = 0;
  let quotedEnd = end;
  let shownInfo = '';
  /** Where packet-icmp.c cuts the extensions' tvb after the quoted datagram (-1: it does not). */
  let extensionsTvbAt = -1;
  dissectSafely(b, () => {
    const type = b.u8(offset, 'type');
    const code = b.u8(offset + 1, 'code');
    const codeName = CODES[type]?.[code];
    b.add('icmp.type', () => `Type: ${type} (${TYPES[type] ?? 'Unknown ICMP (obsolete or malformed?)'})`, type, offset, 1);
    b.add('icmp.code', () => `Code: ${code}${codeName ? ` (${codeName})` : ''}`, code, offset + 1, 1);
    const checksum = b.u16(offset + 2, 'checksum');
    // Verifying reads every byte: only for the tree or a filter that asks (for it or its expert).
    const verify = end <= data.length && !p.quoted && (b.wants('icmp.checksum') || b.wants('icmp.checksum.status') || b.wants('icmp.checksum_bad') || b.wantsAny('_ws.expert'));
    const whole = verify ? checksumOk(data, offset, end) : null;
    const status = whole === null ? 2 : whole ? 1 : 0;
    // In a datagram an ICMP error quotes, the checksum is not checked and says so.
    const inError = p.quoted > 0 ? ' [in ICMP error packet]' : '';
    const shouldBe = status === 0 ? checksumShouldBe(checksum, ~onesComplementSum(data, offset, end) & 0xffff) : 0;
    const checksumItem = b.add('icmp.checksum', () => (status === 0 ? `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(shouldBe, 4)}` : `Checksum: ${hex(checksum, 4)} [${status === 2 ? 'unverified' : 'correct'}]${inError}`), checksum, offset + 2, 2, () => hex(checksum, 4));
    if (status === 0) addExpertTo(b, checksumItem, 'icmp.checksum_bad', 'Warning', 'Checksum', `Bad checksum [should be ${hex(shouldBe, 4)}]`);
    b.add('icmp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
    let info = TYPES[type] ?? 'Unknown ICMP (obsolete or malformed?)';
    // packet-icmp.c writes the type "%-20s" before the code.
    if (codeName && ERROR_TYPES.has(type)) info = `${info.padEnd(20)} (${codeName})`;
    if (type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18) {
      const id = b.u16(offset + 4, 'identifier');
      const seq = b.u16(offset + 6, 'sequence number');
      const idLe = ((id & 0xff) << 8) | (id >> 8);
      const seqLe = ((seq & 0xff) << 8) | (seq >> 8);
      b.add('icmp.ident', () => `Identifier (BE): ${id} (${hex(id, 4)})`, id, offset + 4, 2);
      b.add('icmp.ident_le', () => `Identifier (LE): ${idLe} (${hex(idLe, 4)})`, idLe, offset + 4, 2);
      b.add('icmp.seq', () => `Sequence Number (BE): ${seq} (${hex(seq, 4)})`, seq, offset + 6, 2);
      b.add('icmp.seq_le', () => `Sequence Number (LE): ${seqLe} (${hex(seqLe, 4)})`, seqLe, offset + 6, 2);
      next = offset + 8;
      if (type === 0 || type === 8) {
        info = `${info.padEnd(20)} id=${hex(id, 4)}, seq=${seq}/${seqLe}, ttl=${p.ttl}`;
        // Pairs show in icmp.* fields and Info only: a filter's dissection that names neither keeps none.
        if (!p.quoted && !d.neverShows(p, 'icmp')) info += echoPairing(d, p, type, id, seq, b, offset);
        if (echoTimestamp(b, p, offset + 8, end)) next = offset + 16;
      }
    } else if (ERROR_TYPES.has(type)) {
      if (type === 3 && code === 4) {
        b.add('icmp.unused', () => `Unused: ${data.toString('hex', offset + 4, offset + 6)}`, data.subarray(offset + 4, offset + 6), offset + 4, 2, () => data.toString('hex', offset + 4, offset + 6));
        const mtu = b.u16(offset + 6, 'MTU');
        b.add('icmp.mtu', () => `MTU of next hop: ${mtu}`, mtu, offset + 6, 2);
      } else if (type === 5) {
        b.need(offset + 4, 4, 'gateway address');
        const gw = `${data[offset + 4]}.${data[offset + 5]}.${data[offset + 6]}.${data[offset + 7]}`;
        b.add('icmp.redir_gw', () => `Gateway Address: ${gw}`, gw, offset + 4, 4);
      } else if (type === 12) {
        const ptr = b.u8(offset + 4, 'pointer');
        b.add('icmp.pointer', () => `Pointer: ${ptr}`, ptr, offset + 4, 1);
        b.need(offset + 5, 3, 'unused field');
        b.add('icmp.unused', () => `Unused: ${data.toString('hex', offset + 5, offset + 8)}`, data.subarray(offset + 5, offset + 8), offset + 5, 3, () => data.toString('hex', offset + 5, offset + 8));
      } else if (data[offset + 5]) {
        // RFC 4884: the quoted datagram's length in 32-bit words, extensions after it.
        b.need(offset + 4, 4, 'unused field');
        originalLength = data[offset + 5]! * 4;
        b.add('icmp.unused', () => `Unused: ${data.toString('hex', offset + 4, offset + 5)}`, data.subarray(offset + 4, offset + 5), offset + 4, 1, () => data.toString('hex', offset + 4, offset + 5));
        b.add('icmp.length', () => `Length: ${data[offset + 5]}`, data[offset + 5]!, offset + 5, 1);
        b.add('icmp.length.original_datagram', () => `[Length of original datagram: ${originalLength}]`, originalLength, offset + 5, 1);
        b.add('icmp.unused', () => `Unused: ${data.toString('hex', offset + 6, offset + 8)}`, data.subarray(offset + 6, offset + 8), offset + 6, 2, () => data.toString('hex', offset + 6, offset + 8));
      } else {
        b.need(offset + 4, 4, 'unused field');
        b.add('icmp.unused', () => `Unused: ${data.toString('hex', offset + 4, offset + 8)}`, data.subarray(offset + 4, offset + 8), offset + 4, 4, () => data.toString('hex', offset + 4, offset + 8));
      }
      next = offset + 8;
      quoted = true;
      // The extensions (RFC 4884, or the MPLS draft's at byte 128 of a quote whose datagram is
      // shorter) follow the quoted datagram in ICMP's tree.
      const stop = Math.min(end, data.length);
      const quotedLength = offset + 12 <= stop ? data.readUInt16BE(offset + 10) : 0;
      const extAt = originalLength > 0 ? offset + 8 + originalLength : stop > offset + 136 && quotedLength <= 128 && type !== 12 ? offset + 136 : -1;
      if (originalLength > 0 && offset + 8 + originalLength <= stop) quotedEnd = offset + 8 + originalLength;
      // packet-icmp.c, once the quoted datagram is dissected: a message over 136 bytes whose quoted
      // datagram says it is at most 128 has its extensions at byte 5's length (in words, whatever
      // the type) + 8, else 136 — a subset from there, which throws when it starts past the end.
      if (end - offset > 136 && quotedLength <= 128) extensionsTvbAt = offset + 8 + (data[offset + 5] ? data[offset + 5]! * 4 : 128);
      if (extAt > 0 && extAt + 4 <= stop && data[extAt]! >> 4 === 2) {
        const before = b.layer.fields.length;
        icmpExtensions(b, extAt, end);
        for (const f of b.layer.fields.slice(before)) f.trailing = true;
      }
    } else if (type === 42 || type === 43) {
      // RFC 8335 PROBE: the request's extensions name the interface; nothing follows either.
      info = `${info.padEnd(20)} (${codeName ?? `Unknown code: ${code}`})`;
      extendedEchoHeader(b, 'icmp', offset + 4, type === 42);
      next = end;
      if (type === 42 && offset + 8 < Math.min(end, data.length)) icmpExtensions(b, offset + 8, end);
    } else {
      next = offset + 4;
    }
    // The ICMP item covers the whole message, its data and a quoted datagram too, as tshark's.
    b.setLength(Math.max(next, Math.min(end, data.length)) - offset);
    p.setProtocol('ICMP', info);
    shownInfo = info;
  });
  if (!p.quoted) p.layout.transportLayer = p.layers.length;
  p.tapsClosed = true;
  p.addLayer(b.layer);
  if (next < 0) return;
  if (quoted) {
    if (next >= Math.min(end, data.length)) return;
    p.quoted++;
    d.byEthertype(p, 0x0800, data, next, quotedEnd);
    p.quoted--;
    if (extensionsTvbAt > Math.min(end, data.length) && p.quoted === 0) {
      // Past the message: ReportedBoundsError (malformed); past what was captured: BoundsError.
      const status = extensionsTvbAt > end ? 'malformed' : 'truncated';
      b.layer.status = status;
      p.noteStatus(status);
      p.setProtocol('ICMP', `${shownInfo}${status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]'}`);
    }
    return;
  }
  d.data(p, data, next, end);
}

/**
 * packet-icmp.c: the first 8 bytes of an echo's data read as a time stamp (seconds, then
 * microseconds; big-endian, else little-endian) when it lies within a day of the frame's time, as
 * ping writes its send time: "Timestamp from icmp data" and the time since then. The data after
 * it is the echo's Data. Returns whether it was one.
 */
function echoTimestamp(b: LayerBuilder, p: PacketState, at: number, end: number): boolean {
  const data = b.data;
  if (end - at <= 8 || at + 8 > data.length) return false;
  const frameSecs = p.frame.tsNs / 1_000_000_000n;
  const plausible = (secs: number, micros: number): boolean => Math.abs(((secs - Number(BigInt.asUintN(32, frameSecs))) | 0)) < 86400 && micros < 1_000_000;
  let secs = data.readUInt32BE(at);
  let micros = data.readUInt32BE(at + 4);
  if (!plausible(secs, micros)) {
    secs = data.readUInt32LE(at);
    micros = data.readUInt32LE(at + 4);
    if (!plausible(secs, micros)) return false;
  }
  // Only a dissection that shows or names them pays for the fields (the date's text above all).
  if (!b.wants('icmp.data_time') && !b.wants('icmp.data_time_relative')) return true;
  const stampNs = BigInt(secs) * 1_000_000_000n + BigInt(micros) * 1000n;
  const relative = p.frame.tsNs - stampNs;
  let text: string | undefined;
  const stampText = (): string => (text ??= absoluteTimeText(BigInt(secs), micros * 1000));
  b.add('icmp.data_time', () => `Timestamp from icmp data: ${stampText()}`, stampNs, at, 8, stampText);
  b.add('icmp.data_time_relative', () => `[Timestamp from icmp data (relative): ${nsToSeconds(relative)} seconds]`, relative, at, 8, () => nsToSeconds(relative));
  return true;
}

/**
 * One's-complement sum of two 16-bit values (RFC 1071), for matching checksums.
 */
export function onesAdd(a: number, b: number): number {
  const sum = a + b;
  return (sum & 0xffff) + (sum >>> 16);
}

function echoPairing(d: Dissector, p: PacketState, type: number, id: number, seq: number, b: LayerBuilder, offset: number): string {
  let requests = requestsByDissector.get(d);
  if (!requests) requestsByDissector.set(d, (requests = new Map()));
  // Wireshark keys an echo on its checksum too (packet-icmp.c): a reply matches a request only
  // when its checksum is the request's with the type changed from 8 to 0, i.e. when the code and
  // data were echoed unchanged.
  const checksum = b.data.readUInt16BE(offset + 2);
  if (type === 8) {
    const key = `${p.netSrc}|${p.netDst}|${id}|${seq}|${checksum}`;
    requests.set(key, { frame: p.frame.number, tsNs: p.frame.tsNs });
    return laterReply(d, b, 'icmp', 'ICMP request', `${p.frame.number}|${key}`, offset);
  }
  const key = `${p.netDst}|${p.netSrc}|${id}|${seq}|${onesAdd(checksum, 0xf7ff)}`;
  const found = requests.get(key);
  if (found === undefined) return '';
  const request = found.frame;
  d.hindsight?.link('icmp.resp_in', `${request}|${key}`, p.frame.number);
  b.add('icmp.resp_to', () => `[Request frame: ${request}]`, request, offset, 0);
  addResponseTime(b, 'icmp.resptime', 'Response time', p.frame.tsNs - found.tsNs, offset);
  return ` (request in ${request})`;
}

/**
 * tshark's -2 on an echo request: the frame of its reply ("[Response frame: N]", Info "(reply in
 * N)"), or "[No response seen]" with its expert (Info "(no response found!)"). `what` words the
 * expert ("ICMP request", "ICMPv6 request in frame N"). Nothing in a single pass.
 */
export function laterReply(d: Dissector, b: LayerBuilder, prefix: 'icmp' | 'icmpv6', what: string, key: string, offset: number): string {
  const hindsight = d.hindsight;
  if (hindsight === undefined || !hindsight.recalling) return '';
  const reply = hindsight.later(`${prefix}.resp_in`, key);
  if (reply !== undefined) {
    b.add(`${prefix}.resp_in`, () => `[${prefix === 'icmp' ? 'Response frame' : 'Response In'}: ${reply}]`, reply, offset, 0);
    return ` (reply in ${reply})`;
  }
  b.group(`${prefix}.no_resp`, '[No response seen]', null, offset, 0, () => {
    addExpert(b, `${prefix}.resp_not_found`, 'Warning', 'Sequence', `No response seen to ${what}`, offset, 0);
  }, '');
  return ' (no response found!)';
}
