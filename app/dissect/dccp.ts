/**
 * DCCP, Datagram Congestion Control Protocol (IP protocol 33, RFC 4340), as tshark 4.0 shows it:
 * the generic header (24- or 48-bit sequence numbers), the acknowledgement subheader, the
 * per-type fields (service code, reset code and data), the options, then the payload as data.
 *
 * tshark's defaults are followed: the checksum is verified (over the IPv4/IPv6 pseudo-header and
 * the bytes the CsCov field covers) when the covered bytes were captured, and sequence numbers are
 * relative to the first Request/Response seen per direction of a conversation. Its quirks are kept
 * too: before a direction has a base, a 48-bit sequence number is shown only as dccp.seq_raw; a
 * 24-bit one is shown as dccp.seq twice once a base exists (absolute, then relative); the relative
 * acknowledgement of Reset/Close/CloseReq/Sync/SyncAck (and 24-bit Acks) keeps only 24 bits.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

export const IP_PROTO_DCCP = 33;

const TYPES = ['Request', 'Response', 'Data', 'Ack', 'DataAck', 'CloseReq', 'Close', 'Reset', 'Sync', 'SyncAck', 'Listen', 'Reserved', 'Reserved', 'Reserved', 'Reserved', 'Reserved'];

const SERVICE_CODES = new Map<number, string>([
  [0, 'not specified'],
  [7107696, 'LTP: Licklider Transmission Protocol'],
  [1145656131, 'DISC: Discard'],
  [1381253968, 'RTCP: RTCP connection, separate from the corresponding RTP'],
  [1381257281, 'RTPA: RTP session conveying audio data (and associated RTCP)'],
  [1381257295, 'RTPO: RTP session conveying other media (and associated RTCP)'],
  [1381257300, 'RTPT: RTP session conveying text media (and associated RTCP)'],
  [1381257302, 'RTPV: RTP session conveying video data (and associated RTCP)'],
  [1398361159, 'SYLG: Syslog Protocol'],
  [1685351985, 'Bundle Protocol'],
  [1852861808, 'NPMP: NetPerfMeter Data'],
  [4294967295, 'Reserved (Invalid)'],
]);

const RESET_CODES = [
  'Unspecified', 'Closed', 'Aborted', 'No Connection', 'Packet Error', 'Option Error', 'Mandatory Error', 'Connection Refused',
  'Bad Service Code', 'Too Busy', 'Bad Init Cookie', 'Aggression Penalty', 'Reserved',
];

/** tshark's range strings: the first range holding the value names it. */
type Ranges = readonly (readonly [number, number, string])[];
const OPTION_NAMES: Ranges = [
  [0x00, 0x00, 'Padding'], [0x01, 0x01, 'Mandatory'], [0x02, 0x02, 'Slow Receiver'], [0x03, 0x1f, 'Reserved'],
  [0x20, 0x20, 'Change L'], [0x21, 0x21, 'Confirm L'], [0x22, 0x22, 'Change R'], [0x23, 0x23, 'Confirm R'],
  [0x24, 0x24, 'Init Cookie'], [0x25, 0x25, 'NDP Count'], [0x26, 0x26, 'Ack Vector [Nonce 0]'], [0x27, 0x27, 'Ack Vector [Nonce 1]'],
  [0x28, 0x28, 'Data Dropped'], [0x29, 0x29, 'Timestamp'], [0x2a, 0x2a, 'Timestamp Echo'], [0x2b, 0x2b, 'Elapsed Time'],
  [0x2c, 0x2c, 'Data checksum'], [0x2d, 0x7f, 'Reserved'], [0x80, 0xbf, 'CCID option'], [0xc0, 0xc0, 'CCID3 Loss Event Rate'],
  [0xc1, 0xc1, 'CCID3 Loss Intervals'], [0xc2, 0xc2, 'CCID3 Receive Rate'], [0xc3, 0xff, 'CCID option'],
];
const FEATURE_NAMES: Ranges = [
  [0x00, 0x00, 'Reserved'], [0x01, 0x01, 'Congestion Control ID (CCID)'], [0x02, 0x02, 'Allow Short Seqnums'], [0x03, 0x03, 'Sequence Window'],
  [0x04, 0x04, 'ECN Incapable'], [0x05, 0x05, 'Ack Ratio'], [0x06, 0x06, 'Send Ack Vector'], [0x07, 0x07, 'Send NDP Count'],
  [0x08, 0x08, 'Minimum Checksum Coverage'], [0x09, 0x09, 'Check Data Checksum'], [0x03, 0x7f, 'Reserved'],
  [0xc0, 0xc0, 'Send Loss Event Rate'], [0xc1, 0xff, 'CCID-specific feature'],
];

function rangeName(ranges: Ranges, value: number): string | undefined {
  for (const [low, high, name] of ranges) if (value >= low && value <= high) return name;
  return undefined;
}

/** One direction of a conversation: the first Request/Response sequence number (the base of relative numbers). */
interface Flow {
  base: number | null;
}
interface Conversation {
  stream: number;
  /** Wireshark's flow1 (used when the source address, or else port, is the greater) and flow2. */
  flows: [Flow, Flow];
}
interface DccpState {
  conversations: Map<string, Conversation>;
  /** Per frame: the conversation and the bases as the first dissection of that frame saw them. */
  frames: Map<number, { conv: Conversation; fwdBase: number | null; revBase: number | null }>;
}
const states = new WeakMap<Dissector, DccpState>();

/** The address bytes as hex (comparing these compares the addresses as Wireshark's cmp_address does). */
function addressHex(p: PacketState, text: string, which: 'src' | 'dst'): string {
  if (!text.includes(':')) return Buffer.from(text.split('.').map(Number)).toString('hex');
  const ip = p.ipv6Data;
  if (ip === null) return text;
  const at = p.ipv6At + (which === 'src' ? 8 : 24);
  return ip.toString('hex', at, at + 16);
}

/** Ones'-complement sum of the pseudo-header tshark uses (IP addresses, protocol, DCCP length). */
function pseudoSum(p: PacketState, srcHex: string, dstHex: string, length: number): number {
  let sum = onesComplementSum(Buffer.from(srcHex, 'hex'), 0, srcHex.length / 2) + onesComplementSum(Buffer.from(dstHex, 'hex'), 0, dstHex.length / 2);
  sum += IP_PROTO_DCCP + Math.floor(length / 0x10000) + (length & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Unsigned 64-bit difference, as tshark's guint64 subtraction wraps. */
function relative(value: number, base: number, mask24: boolean): number | bigint {
  if (mask24) return (value - base) & 0xffffff;
  return value >= base ? value - base : BigInt.asUintN(64, BigInt(value) - BigInt(base));
}

export function dissectDccp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'dccp', 'Datagram Congestion Control Protocol', offset, end, p.selection);
  let info = '';
  let payload = -1;
  let title = '';
  dissectSafely(b, () => {
    const sport = b.u16(offset, 'source port');
    const dport = b.u16(offset + 2, 'destination port');
    info = `${sport} → ${dport}`;
    title = `Datagram Congestion Control Protocol, Src Port: ${sport}, Dst Port: ${dport}`;
    b.title(() => title);
    b.add('dccp.srcport', () => `Source Port: ${sport}`, sport, offset, 2);
    b.add('dccp.port', () => `Source or Destination Port: ${sport}`, sport, offset, 2).hidden = true;
    b.add('dccp.dstport', () => `Destination Port: ${dport}`, dport, offset + 2, 2);
    b.add('dccp.port', () => `Source or Destination Port: ${dport}`, dport, offset + 2, 2).hidden = true;

    // The conversation (find_or_create_conversation) and its direction (get_dccp_conversation_data).
    let state = states.get(d);
    if (!state) states.set(d, (state = { conversations: new Map(), frames: new Map() }));
    const srcHex = addressHex(p, p.netSrc, 'src');
    const dstHex = addressHex(p, p.netDst, 'dst');
    const first = p.quoted ? undefined : state.frames.get(p.frame.number);
    const left = `${srcHex}|${sport}`;
    const right = `${dstHex}|${dport}`;
    const key = left <= right ? `${left}|${right}` : `${right}|${left}`;
    let conv = first?.conv ?? state.conversations.get(key);
    if (conv === undefined) {
      conv = { stream: state.conversations.size, flows: [{ base: null }, { base: null }] };
      state.conversations.set(key, conv);
    }
    let cmp = srcHex < dstHex ? -1 : srcHex > dstHex ? 1 : 0;
    if (cmp === 0) cmp = sport > dport ? 1 : -1;
    const fwd = conv.flows[cmp >= 0 ? 0 : 1];
    const rev = conv.flows[cmp >= 0 ? 1 : 0];
    // tshark's -2: each direction's base as the first pass ended (relative numbers from the first packet on).
    const ended = d.hindsight?.recalling ? d.hindsight.share('dccp', state).conversations.get(key) : undefined;
    const fwdBase = first ? first.fwdBase : ended ? ended.flows[cmp >= 0 ? 0 : 1].base : fwd.base;
    const revBase = first ? first.revBase : ended ? ended.flows[cmp >= 0 ? 1 : 0].base : rev.base;
    if (d.hindsight !== undefined && !d.hindsight.recalling) d.hindsight.share('dccp', state);
    if (!first && !p.quoted) state.frames.set(p.frame.number, { conv, fwdBase, revBase });
    const stream = conv.stream;
    b.add('dccp.stream', () => `[Stream index: ${stream}]`, stream, offset + 4, 0);

    const dataOffset = b.u8(offset + 4, 'data offset');
    const headerLength = dataOffset * 4;
    b.add('dccp.data_offset', () => `Data Offset: ${dataOffset}`, dataOffset, offset + 4, 1);
    const ccByte = b.u8(offset + 5, 'CCVal/CsCov');
    const cscov = ccByte & 0x0f;
    const ccval = ccByte >> 4;
    b.add('dccp.ccval', () => `CCVal: ${ccval}`, ccval, offset + 5, 1);
    b.add('dccp.cscov', () => `Checksum Coverage: ${cscov}`, cscov, offset + 5, 1);

    const checksum = b.u16(offset + 6, 'checksum');
    // Verified (tshark's dccp.check_checksum default) when the covered bytes were captured.
    const reported = end - offset;
    let coverage = reported;
    if (cscov !== 0) coverage = Math.min(reported, (dataOffset + cscov - 1) * 4);
    let status = 2;
    let computed = 0;
    if (!p.fragment && Math.min(end, data.length) - offset >= coverage) {
      computed = ~onesComplementSum(data, offset, offset + coverage, pseudoSum(p, srcHex, dstHex, reported)) & 0xffff;
      status = computed === 0 ? 1 : 0;
    }
    b.add(
      'dccp.checksum',
      () =>
        status === 2
          ? `Checksum: ${hex(checksum, 4)} [unverified]`
          : status === 1
            ? `Checksum: ${hex(checksum, 4)} [correct]`
            : `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`,
      checksum,
      offset + 6,
      2,
      () => hex(checksum, 4),
    );
    b.add('dccp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 6, 0);

    const typeByte = b.u8(offset + 8, 'type');
    const res1 = typeByte >> 5;
    const type = (typeByte >> 1) & 0x0f;
    const x = (typeByte & 1) === 1;
    const typeName = TYPES[type]!;
    b.add('dccp.res1', () => `Reserved: ${hex(res1, 2)}`, res1, offset + 8, 1, () => hex(res1, 2)).hidden = true;
    b.add('dccp.type', () => `Type: ${typeName} (${type})`, type, offset + 8, 1);
    title += ` [${typeName}]`;
    info += ` [${typeName}]`;
    b.title(() => title);
    b.add('dccp.x', () => `Extended Sequence Numbers: ${x ? 'True' : 'False'}`, x, offset + 8, 1);
    let at = offset + 9;
    /**
     * tshark's check of the Data Offset against what the type needs: when short, an expert error
     * ("Advertised header length (N) is smaller than the minimum (M)") and the dissection ends
     * there, without an exception (so no "[Malformed Packet]") and without a payload.
     */
    const tooShort = (minimum: number): boolean => headerLength < minimum;
    if (tooShort(x ? 16 : 12)) return;
    let rawSeq: number;
    let seq: number | bigint;
    if (x) {
      const res2 = b.u8(at, 'reserved');
      b.add('dccp.res2', () => `Reserved: ${hex(res2, 2)}`, res2, at, 1, () => hex(res2, 2)).hidden = true;
      at += 1;
      b.need(at, 6, 'sequence number');
      rawSeq = data.readUIntBE(at, 6);
      seq = rawSeq;
      if (fwdBase !== null) {
        const rel = relative(rawSeq, fwdBase, false);
        seq = rel;
        b.add('dccp.seq', () => `Sequence Number: ${rel}    (relative sequence number)`, rel, at, 6);
      }
      b.add('dccp.seq_raw', () => `Sequence Number (raw): ${rawSeq}`, rawSeq, at, 6);
      at += 6;
    } else {
      b.need(at, 3, 'sequence number');
      rawSeq = data.readUIntBE(at, 3);
      seq = rawSeq;
      b.add('dccp.seq', () => `Sequence Number: ${rawSeq}`, rawSeq, at, 3);
      if (fwdBase !== null) {
        const rel = relative(rawSeq, fwdBase, true);
        seq = rel;
        b.add('dccp.seq', () => `Sequence Number: ${rel}    (relative sequence number)`, rel, at, 3);
      }
      at += 3;
    }
    title += ` Seq=${seq}`;
    info += ` Seq=${seq}`;
    b.title(() => title);

    const serviceCode = () => {
      const code = b.u32(at, 'service code');
      const name = SERVICE_CODES.get(code) ?? `Unknown (${code})`;
      b.add('dccp.service_code', () => `Service Code: ${SERVICE_CODES.get(code) ?? 'Unknown'} (${code})`, code, at, 4);
      info += ` (service=${name})`;
      at += 4;
    };
    const setBase = () => {
      if (fwd.base === null && !first && !p.quoted) fwd.base = rawSeq;
    };
    /**
     * The acknowledgement subheader: 48-bit (2 reserved bytes) or 24-bit (1). `relLabel` false: the
     * relative number is shown without its note (Response); `mask24`: only 24 bits of it are kept.
     */
    const ackSubheader = (long: boolean, mask24: boolean, relLabel: boolean, fieldAt: number, fieldLength: number) => {
      const resLength = long ? 2 : 1;
      const reserved = long ? b.u16(at, 'reserved') : b.u8(at, 'reserved');
      b.add('dccp.ack_res', () => `Reserved: ${hex(reserved, 4)}`, reserved, at, resLength, () => hex(reserved, 4)).hidden = true;
      b.need(at + resLength, long ? 6 : 3, 'acknowledgement number');
      const rawAck = data.readUIntBE(at + resLength, long ? 6 : 3);
      let ack: number | bigint = rawAck;
      if (revBase !== null) {
        const rel = relative(rawAck, revBase, mask24);
        ack = rel;
        b.add('dccp.ack', () => `Acknowledgement Number: ${rel}${relLabel ? '    (relative acknowledgement number)' : ''}`, rel, fieldAt, fieldLength);
      }
      b.add('dccp.ack_raw', () => `Acknowledgement Number (raw): ${rawAck}`, rawAck, fieldAt, fieldLength);
      info += ` (Ack=${ack})`;
      at += long ? 8 : 4;
    };

    const headerEnd = offset + headerLength;
    const relAt = at - offset;
    switch (type) {
      case 0x0: // Request
      case 0xa: // Listen
        if (tooShort(relAt + 4)) return;
        serviceCode();
        setBase();
        break;
      case 0x1: // Response
        if (tooShort(relAt + 12)) return;
        ackSubheader(true, false, false, at + 2, 6);
        serviceCode();
        setBase();
        break;
      case 0x2: // Data: nothing more
        break;
      case 0x3: // Ack
      case 0x4: // DataAck
        if (x) {
          if (tooShort(relAt + 8)) return;
          ackSubheader(true, false, true, at + 2, 6);
        } else {
          if (tooShort(relAt + 4)) return;
          ackSubheader(false, true, true, at + 1, 3);
        }
        break;
      case 0x7: {
        // Reset: tshark places its acknowledgement fields at offset+1 for 3 bytes.
        if (tooShort(relAt + 4)) return;
        ackSubheader(true, true, true, at + 1, 3);
        const code = b.u8(at, 'reset code');
        const data1 = b.u8(at + 1, 'data 1');
        const data2 = b.u8(at + 2, 'data 2');
        const data3 = b.u8(at + 3, 'data 3');
        b.add('dccp.reset_code', () => `Reset Code: ${RESET_CODES[code] ?? 'Unknown'} (${code})`, code, at, 1);
        b.add('dccp.data1', () => `Data 1: ${data1}`, data1, at + 1, 1);
        b.add('dccp.data2', () => `Data 2: ${data2}`, data2, at + 2, 1);
        b.add('dccp.data3', () => `Data 3: ${data3}`, data3, at + 3, 1);
        info += ` (code=${RESET_CODES[code] ?? 'Unknown'})`;
        at += 4;
        break;
      }
      case 0x5: // CloseReq
      case 0x6: // Close
      case 0x8: // Sync
      case 0x9: // SyncAck
        if (tooShort(relAt + 8)) return;
        ackSubheader(true, true, true, at + 1, 3);
        break;
      default:
        // Reserved types: an expert warning, and nothing more is dissected.
        return;
    }

    if (headerEnd > at) {
      const optionsLength = headerEnd - at;
      b.group('dccp.options', () => `Options: (${optionsLength} byte${optionsLength === 1 ? '' : 's'})`, null, at, optionsLength, () => options(b, data, at, headerEnd), () => '1'); // tshark -T fields prints this FT_NONE item as 1
    }
    at = Math.max(at, headerEnd);
    b.setLength(at - offset);
    payload = at;
  });
  if (payload < 0 && b.layer.status === 'ok') b.setLength(Math.min(end, data.length) - offset);
  p.addLayer(b.layer);
  p.setProtocol('DCCP', info + statusSuffix(b.layer));
  if (payload >= 0 && payload < Math.min(end, data.length)) d.data(p, data, payload, end);
}

/** The options between `start` and `stop` (tshark's dissect_options). */
function options(b: LayerBuilder, data: Buffer, start: number, stop: number): void {
  let at = start;
  while (at < stop) {
    const type = b.u8(at, 'option type');
    const typeAt = at;
    const typeName = rangeName(OPTION_NAMES, type)!;
    let length = 1;
    let itemLength = 1;
    if (type >= 32) {
      const optionLength = b.u8(at + 1, 'option length');
      if (optionLength < 2) {
        // "Option length incorrect, must be >= 2": the options end here.
        b.add('dccp.option_type', () => `Option Type: ${typeName} (${type})`, type, typeAt, 1);
        return;
      }
      itemLength = optionLength;
      at += 2;
      length = optionLength - 2;
    }
    const valueAt = at;
    const valueLength = length;
    b.group('dccp.option_type', () => `Option Type: ${typeName} (${type})`, type, typeAt, itemLength, () => optionValue(b, data, type, valueAt, valueLength));
    at += length;
  }
}

function optionValue(b: LayerBuilder, data: Buffer, type: number, at: number, length: number): void {
  const bytesField = (abbrev: string, label: string) => {
    const value = b.bytes(at, length, label);
    b.add(abbrev, () => `${label}: ${value.toString('hex')}`, value, at, length);
  };
  const u32 = (abbrev: string, label: string, fieldAt: number, asHex = false) => {
    const value = b.u32(fieldAt, label);
    b.add(abbrev, () => `${label}: ${asHex ? hex(value, 8) : value}`, value, fieldAt, 4, asHex ? () => hex(value, 8) : undefined);
  };
  const u16 = (abbrev: string, label: string, fieldAt: number) => {
    const value = b.u16(fieldAt, label);
    b.add(abbrev, () => `${label}: ${value}`, value, fieldAt, 2);
  };
  switch (type) {
    case 0: return bytesField('dccp.padding', 'Padding');
    case 1: return bytesField('dccp.mandatory', 'Mandatory');
    case 2: return bytesField('dccp.slow_receiver', 'Slow Receiver');
    case 32:
    case 33:
    case 34:
    case 35: return feature(b, data, type, at, length);
    case 36: return bytesField('dccp.init_cookie', 'Init Cookie');
    case 37: {
      // "NDP Count too long (max 6 bytes)" past 6 bytes: only the expert note.
      if (length > 6) return;
      b.need(at, length, 'NDP count');
      const value = length === 0 ? 0 : data.readUIntBE(at, length);
      b.add('dccp.ndp_count', () => `NDP Count: ${value}`, value, at, length);
      return;
    }
    case 38: return bytesField('dccp.ack_vector.nonce_0', 'Ack Vector [Nonce 0]');
    case 39: return bytesField('dccp.ack_vector.nonce_1', 'Ack Vector [Nonce 1]');
    case 40: return bytesField('dccp.data_dropped', 'Data Dropped');
    case 41:
      if (length === 4) u32('dccp.timestamp', 'Timestamp', at);
      return;
    case 42:
      if (length === 4 || length === 6 || length === 8) u32('dccp.timestamp_echo', 'Timestamp Echo', at);
      if (length === 6) u16('dccp.elapsed_time', 'Elapsed Time', at + 4);
      else if (length === 8) u32('dccp.elapsed_time', 'Elapsed Time', at + 4);
      return;
    case 43:
      if (length === 2) u16('dccp.elapsed_time', 'Elapsed Time', at);
      else if (length === 4) u32('dccp.elapsed_time', 'Elapsed Time', at);
      return;
    case 44:
      if (length === 4) u32('dccp.checksum_data', 'Data Checksum', at, true);
      return;
    case 192: {
      if (length !== 4) return;
      const value = b.u32(at, 'loss event rate');
      b.add('dccp.ccid3_loss_event_rate', () => `CCID3 Loss Event Rate: ${value === 0xffffffff ? '0 (or max)' : value}`, value, at, 4);
      return;
    }
    case 193: return bytesField('dccp.ccid3_loss_intervals', 'CCID3 Loss Intervals');
    case 194: {
      if (length !== 4) return;
      const value = b.u32(at, 'receive rate');
      b.add('dccp.ccid3_receive_rate', () => `CCID3 Receive Rate: ${value} bytes/sec`, value, at, 4);
      return;
    }
    default:
      if ((type >= 45 && type <= 127) || (type >= 3 && type <= 31)) return bytesField('dccp.option_reserved', 'Reserved');
      if (type >= 128) {
        const value = b.bytes(at, length, 'CCID option');
        b.add('dccp.ccid_option_data', () => `CCID option ${type}`, value, at, length);
        return;
      }
      return bytesField('dccp.option_unknown', 'Unknown');
  }
}

/** Change/Confirm L/R: a text line naming the values (as tshark, named after the option type by the feature table), then the feature number. */
function feature(b: LayerBuilder, data: Buffer, type: number, at: number, length: number): void {
  const number = b.u8(at, 'feature number');
  // tshark's option_len is a guint8: an empty option makes it wrap to 255.
  const values = (length - 1) & 0xff;
  let text = `${rangeName(FEATURE_NAMES, type) ?? 'Unknown feature number'}(`;
  switch (number) {
    case 1:
    case 2:
    case 4:
    case 6:
    case 7:
    case 8:
    case 9:
    case 192:
      b.need(at + 1, values, 'feature values');
      for (let i = 0; i < values; i++) text += `${i ? ',' : ''} ${data[at + 1 + i]}`;
      break;
    case 3:
    case 5:
      if (values > 0) {
        const n = values <= 6 ? values : 6;
        b.need(at + 1, n, 'feature value');
        text += ` ${data.readUIntBE(at + 1, n)}`;
      }
      break;
    default:
      text += `${number}`;
  }
  text += ')';
  b.group('', () => text, null, at, length, () => {
    b.add('dccp.feature_number', () => `Feature Number: ${rangeName(FEATURE_NAMES, number) ?? 'Unknown'} (${number})`, number, at, 1);
  });
}
