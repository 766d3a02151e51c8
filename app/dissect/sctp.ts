/**
 * SCTP (RFC 9260, IP protocol 132) as tshark 4.0 shows it by default: the common header (checksum
 * not verified, as tshark's default), every chunk's type, flags and length, the fields of DATA,
 * SACK and INIT/INIT_ACK chunks, and DATA payloads handed on as "data". Info lists the chunks by
 * name, with relative TSNs as tshark numbers them: from the first TSN seen in each direction.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';
import { integerValueText } from '../filter/value-names';

const CHUNKS: Record<number, string> = {
  0: 'DATA', 1: 'INIT', 2: 'INIT_ACK', 3: 'SACK', 4: 'HEARTBEAT', 5: 'HEARTBEAT_ACK', 6: 'ABORT', 7: 'SHUTDOWN', 8: 'SHUTDOWN_ACK',
  9: 'ERROR', 10: 'COOKIE_ECHO', 11: 'COOKIE_ACK', 12: 'ECNE', 13: 'CWR', 14: 'SHUTDOWN_COMPLETE', 15: 'AUTH', 16: 'NR-SACK',
  64: 'I_DATA', 128: 'ASCONF_ACK', 130: 'RE_CONFIG', 132: 'PAD', 192: 'FORWARD_TSN', 193: 'ASCONF', 194: 'I_FORWARD_TSN',
};
const BIT_1 = ['Stop processing of the packet', 'Skip chunk and continue processing'];
const BIT_2 = ['Do not report', 'Do report'];

/**
 * The first TSN seen per direction ("src:port>dst:port"), per Dissector: what relative TSNs count
 * from. Filled as frames are dissected in order, as tshark's first pass does.
 */
const firstTsns = new WeakMap<Dissector, Map<string, number>>();

export function dissectSctp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'sctp', 'Stream Control Transmission Protocol', offset, end, p.selection);
  let bases = firstTsns.get(d);
  if (!bases) firstTsns.set(d, (bases = new Map()));
  let info = '';
  const payloads: Array<[number, number]> = [];
  let lastData = -1;
  dissectSafely(b, () => {
    const srcPort = b.u16(offset, 'source port');
    const dstPort = b.u16(offset + 2, 'destination port');
    b.title(() => `Stream Control Transmission Protocol, Src Port: ${srcPort} (${srcPort}), Dst Port: ${dstPort} (${dstPort})`);
    b.add('sctp.srcport', () => `Source port: ${srcPort}`, srcPort, offset, 2);
    b.add('sctp.dstport', () => `Destination port: ${dstPort}`, dstPort, offset + 2, 2);
    const tag = b.u32(offset + 4, 'verification tag');
    b.add('sctp.verification_tag', () => `Verification tag: ${hex(tag, 8)}`, tag, offset + 4, 4, () => hex(tag, 8));
    // tshark 4.0 indexes associations only when asked to (sctp.association_index, off by default).
    b.add('sctp.assoc_index', '[Association index: disabled (enable in preferences)]', 65535, offset, 0);
    b.add('sctp.port', () => `Port: ${srcPort}`, srcPort, offset, 2).hidden = true;
    b.add('sctp.port', () => `Port: ${dstPort}`, dstPort, offset + 2, 2).hidden = true;
    const checksum = b.u32(offset + 8, 'checksum');
    b.add('sctp.checksum', () => `Checksum: ${hex(checksum, 8)} [unverified]`, checksum, offset + 8, 4, () => hex(checksum, 8));
    b.add('sctp.checksum.status', '[Checksum Status: Unverified]', 2, offset + 8, 0);
    const forward = `${p.netSrc}:${srcPort}>${p.netDst}:${dstPort}`;
    const reverse = `${p.netDst}:${dstPort}>${p.netSrc}:${srcPort}`;
    let at = offset + 12;
    const stop = Math.min(end, data.length);
    while (end - at >= 4) {
      const type = b.u8(at, 'chunk type');
      const flags = b.u8(at + 1, 'chunk flags');
      const length = b.u16(at + 2, 'chunk length');
      const name = CHUNKS[type] ?? 'UNKNOWN';
      const chunk = at;
      if (length < 4) info += `${name} `;
      const summary = chunkSummary(data, type, flags, chunk, length, stop, bases, forward);
      // A DATA chunk's item covers its header; its payload is the next layer's.
      b.group('', () => `${name} chunk${summary}`, null, chunk, type === 0 && length >= 16 ? 16 : length, () => {
        b.group('sctp.chunk_type', () => `Chunk type: ${name} (${type})`, type, chunk, 1, () => {
          b.add('sctp.chunk_bit_1', () => `${bitPicture(type, 0x80, 8)} = Bit: ${BIT_1[type >> 7]}`, (type & 0x80) !== 0, chunk, 1);
          b.add('sctp.chunk_bit_2', () => `${bitPicture(type, 0x40, 8)} = Bit: ${BIT_2[(type >> 6) & 1]}`, (type & 0x40) !== 0, chunk, 1);
        });
        b.group('sctp.chunk_flags', () => `Chunk flags: ${hex(flags, 2)}`, flags, chunk + 1, 1, () => {
          if (type === 3) b.add('sctp.sack_nounce_sum', () => `${bitPicture(flags, 1, 8)} = Nounce sum: ${flags & 1}`, flags & 1, chunk + 1, 1);
          if (type === 14) b.add('sctp.shutdown_complete_t_bit', () => `${bitPicture(flags, 1, 8)} = T-Bit: ${flags & 1 ? 'Tag reflected' : 'Tag not reflected'}`, (flags & 1) !== 0, chunk + 1, 1);
          if (type !== 0) return;
          b.add('sctp.data_i_bit', () => `${bitPicture(flags, 8, 8)} = I-Bit: ${flags & 8 ? 'Send SACK immediately' : 'Possibly delay SACK'}`, (flags & 8) !== 0, chunk + 1, 1);
          b.add('sctp.data_u_bit', () => `${bitPicture(flags, 4, 8)} = U-Bit: ${flags & 4 ? 'Unordered delivery' : 'Ordered delivery'}`, (flags & 4) !== 0, chunk + 1, 1);
          b.add('sctp.data_b_bit', () => `${bitPicture(flags, 2, 8)} = B-Bit: ${flags & 2 ? 'First segment' : 'Subsequent segment'}`, (flags & 2) !== 0, chunk + 1, 1);
          b.add('sctp.data_e_bit', () => `${bitPicture(flags, 1, 8)} = E-Bit: ${flags & 1 ? 'Last segment' : 'Not the last segment'}`, (flags & 1) !== 0, chunk + 1, 1);
        }, () => hex(flags, 2));
        b.add('sctp.chunk_length', () => `Chunk length: ${length}`, length, chunk + 2, 2);
        if (length < 4) throw new StopDissection('malformed', `${name} chunk length ${length} is shorter than its header`);
        b.need(chunk, length, `${name} chunk`);
        if (type === 0 && length >= 16) {
          const tsn = b.u32(chunk + 4, 'TSN');
          if (!bases.has(forward)) bases.set(forward, tsn);
          const relative = (tsn - bases.get(forward)!) >>> 0;
          b.add('sctp.data_tsn', () => `Transmission sequence number (relative): ${relative}`, relative, chunk + 4, 4);
          b.add('sctp.data_tsn_raw', () => `Transmission sequence number (absolute): ${tsn}`, tsn, chunk + 4, 4);
          const sid = b.u16(chunk + 8, 'stream identifier');
          b.add('sctp.data_sid', () => `Stream identifier: ${hex(sid, 4)}`, sid, chunk + 8, 2, () => hex(sid, 4));
          const ssn = b.u16(chunk + 10, 'stream sequence number');
          b.add('sctp.data_ssn', () => `Stream sequence number: ${ssn}`, ssn, chunk + 10, 2);
          const ppid = b.u32(chunk + 12, 'payload protocol identifier');
          b.add('sctp.data_payload_proto_id', () => `Payload protocol identifier: ${ppid === 0 ? 'not specified' : (integerValueText('sctp.data_payload_proto_id', ppid) ?? 'Unknown')} (${ppid})`, ppid, chunk + 12, 4);
          info += `DATA (TSN=${relative}) `;
          if (length > 16) payloads.push([chunk + 16, chunk + length]);
        } else if (type === 3 && length >= 16) {
          const ack = b.u32(chunk + 4, 'cumulative TSN ack');
          const base = bases.get(reverse);
          const relative = base === undefined ? ack : (ack - base) >>> 0;
          b.add('sctp.sack_cumulative_tsn_ack', () => `Cumulative TSN ACK (relative): ${relative}`, relative, chunk + 4, 4);
          b.add('sctp.sack_cumulative_tsn_ack_raw', () => `Cumulative TSN ACK (absolute): ${ack}`, ack, chunk + 4, 4);
          const window = b.u32(chunk + 8, 'a_rwnd');
          b.add('sctp.sack_a_rwnd', () => `Advertised receiver window credit (a_rwnd): ${window}`, window, chunk + 8, 4);
          const gaps = b.u16(chunk + 12, 'number of gap blocks');
          b.add('sctp.sack_number_of_gap_blocks', () => `Number of gap acknowledgement blocks: ${gaps}`, gaps, chunk + 12, 2);
          const dups = b.u16(chunk + 14, 'number of duplicated TSNs');
          b.add('sctp.sack_number_of_duplicated_tsns', () => `Number of duplicated TSNs: ${dups}`, dups, chunk + 14, 2);
          info += `SACK (Ack=${relative}, Arwnd=${window}) `;
        } else {
          if ((type === 1 || type === 2) && length >= 20) {
            const initialTsn = init(b, type === 1 ? 'init' : 'initack', chunk);
            // The initial TSN is where the sender's relative TSNs start.
            if (!bases.has(forward)) bases.set(forward, initialTsn);
            parameters(b, chunk + 20, chunk + length);
          } else if (type === 4 || type === 5) parameters(b, chunk + 4, chunk + length);
          else if (type === 10 && length > 4) {
            b.add('sctp.cookie', () => `Cookie: ${bytesLabelHex(data, chunk + 4, length - 4)}`, data.subarray(chunk + 4, chunk + length), chunk + 4, length - 4, () => bytesHex(data, chunk + 4, length - 4));
          } else if (type === 7 && length >= 8) {
            const ack = b.u32(chunk + 4, 'cumulative TSN ack');
            b.add('sctp.shutdown_cumulative_tsn_ack', () => `Cumulative TSN Ack: ${ack}`, ack, chunk + 4, 4);
          }
          info += `${name} `;
        }
        // The chunk's padding, inside its tree.
        const paddedEnd = chunk + ((length + 3) & ~3);
        if (paddedEnd > chunk + length && paddedEnd <= stop) {
          const padding = b.bytes(chunk + length, paddedEnd - chunk - length, 'chunk padding');
          b.add('sctp.chunk_padding', () => `Chunk padding: ${padding.toString('hex')}`, Buffer.from(padding), chunk + length, padding.length, () => padding.toString('hex'));
        }
      });
      const padded = chunk + ((length + 3) & ~3);
      at = Math.min(padded, Math.max(end, chunk + length));
      lastData = type === 0 && length >= 16 ? chunk : -1;
    }
    // The SCTP item ends at the last chunk it shows, a DATA chunk's header when that is the last.
    b.setLength((lastData >= 0 ? lastData + 16 : Math.min(at, stop)) - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol('SCTP', info + statusSuffix(b.layer));
  for (const [start, stop] of payloads) d.data(p, data, start, stop);
}

/** An INIT or INIT_ACK chunk's fixed fields; returns its initial TSN. */
function init(b: LayerBuilder, prefix: 'init' | 'initack', chunk: number): number {
  const tag = b.u32(chunk + 4, 'initiate tag');
  b.add(`sctp.${prefix}_initiate_tag`, () => `Initiate tag: ${hex(tag, 8)}`, tag, chunk + 4, 4, () => hex(tag, 8));
  b.add('sctp.initiate_tag', () => `Initiate tag: ${hex(tag, 8)}`, tag, chunk + 4, 4, () => hex(tag, 8)).hidden = true;
  const credit = b.u32(chunk + 8, 'a_rwnd');
  b.add(`sctp.${prefix}_credit`, () => `Advertised receiver window credit (a_rwnd): ${credit}`, credit, chunk + 8, 4);
  const out = b.u16(chunk + 12, 'outbound streams');
  b.add(`sctp.${prefix}_nr_out_streams`, () => `Number of outbound streams: ${out}`, out, chunk + 12, 2);
  const inbound = b.u16(chunk + 14, 'inbound streams');
  b.add(`sctp.${prefix}_nr_in_streams`, () => `Number of inbound streams: ${inbound}`, inbound, chunk + 14, 2);
  const tsn = b.u32(chunk + 16, 'initial TSN');
  b.add(`sctp.${prefix}_initial_tsn`, () => `Initial TSN: ${tsn}`, tsn, chunk + 16, 4);
  return tsn;
}

/**
 * What packet-sctp.c appends to a chunk's title: a DATA chunk's delivery, TSN (relative), stream,
 * sequence, payload protocol and length; SACK's cumulative TSN (absolute), window and counts;
 * INIT's streams; HEARTBEAT's information and COOKIE_ECHO's cookie lengths; SHUTDOWN's TSN.
 * Empty when the chunk is cut short.
 */
function chunkSummary(data: Buffer, type: number, flags: number, chunk: number, length: number, stop: number, bases: Map<string, number>, forward: string): string {
  if (chunk + Math.max(length, 4) > stop) return '';
  switch (type) {
    case 0: {
      if (length < 16) return '';
      const tsn = data.readUInt32BE(chunk + 4);
      if (!bases.has(forward)) bases.set(forward, tsn);
      const relative = (tsn - bases.get(forward)!) >>> 0;
      const segment = flags & 2 ? (flags & 1 ? 'complete segment' : 'first segment') : flags & 1 ? 'last segment' : 'middle segment';
      const payload = length - 16;
      return ` (${flags & 4 ? 'unordered' : 'ordered'}, ${segment}, TSN: ${relative}, SID: ${data.readUInt16BE(chunk + 8)}, SSN: ${data.readUInt16BE(chunk + 10)}, PPID: ${data.readUInt32BE(chunk + 12)}, payload length: ${payload} byte${payload === 1 ? '' : 's'})`;
    }
    case 3:
      if (length < 16) return '';
      return ` (Cumulative TSN: ${data.readUInt32BE(chunk + 4)}, a_rwnd: ${data.readUInt32BE(chunk + 8)}, gaps: ${data.readUInt16BE(chunk + 12)}, duplicate TSNs: ${data.readUInt16BE(chunk + 14)})`;
    case 1:
    case 2:
      if (length < 20) return '';
      return ` (Outbound streams: ${data.readUInt16BE(chunk + 12)}, inbound streams: ${data.readUInt16BE(chunk + 14)})`;
    case 4:
    case 5:
      return ` (Information: ${length - 4} bytes)`;
    case 10:
      return ` (Cookie length: ${length - 4} bytes)`;
    case 7:
      return length < 8 ? '' : ` (Cumulative TSN ack: ${data.readUInt32BE(chunk + 4)})`;
    default:
      return '';
  }
}

const PARAMETER_TYPES: Record<number, string> = {
  0x1: 'Heartbeat info', 0x5: 'IPv4 address', 0x6: 'IPv6 address', 0x7: 'State cookie', 0x8: 'Unrecognized parameter',
  0x9: 'Cookie preservative', 0xb: 'Hostname address', 0xc: 'Supported address types', 0xd: 'Outgoing SSN reset request',
  0xe: 'Incoming SSN reset request', 0xf: 'SSN/TSN reset request', 0x10: 'Re-configuration response', 0x11: 'Add outgoing streams request',
  0x12: 'Add incoming streams request', 0x8000: 'ECN', 0x8002: 'Random', 0x8003: 'Authenticated Chunk list',
  0x8004: 'Requested HMAC Algorithm', 0x8008: 'Supported Extensions', 0xc000: 'Forward TSN supported', 0xc001: 'Add IP address',
  0xc002: 'Delete IP address', 0xc003: 'Error cause indication', 0xc004: 'Set primary address', 0xc005: 'Success report',
  0xc006: 'Adaptation Layer Indication',
};

const ADDRESS_TYPES: Record<number, string> = { 5: 'IPv4 address', 6: 'IPv6 address', 11: 'Hostname address' };

/**
 * The parameters of an INIT, INIT_ACK or HEARTBEAT chunk, as packet-sctp.c shows them: each a
 * subtree named by its type (with a summary for heartbeat information, state cookies and address
 * types), its type with the two action bits, its length, its value, and padding to 4 bytes.
 */
function parameters(b: LayerBuilder, at: number, stop: number): void {
  const data = b.data;
  while (stop - at >= 4 && at + 4 <= data.length) {
    const type = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (length < 4 || at + length > Math.min(stop, data.length)) return;
    const name = PARAMETER_TYPES[type] ?? 'Unknown';
    const valueLength = length - 4;
    const value = at + 4;
    const padded = Math.min(at + ((length + 3) & ~3), stop);
    let summary = '';
    if (type === 0x1) summary = ` (Information: ${valueLength} bytes)`;
    else if (type === 0x7) summary = ` (Cookie length: ${valueLength} bytes)`;
    else if (type === 0xc) {
      const kinds: string[] = [];
      for (let k = value; k + 2 <= at + length; k += 2) kinds.push((ADDRESS_TYPES[data.readUInt16BE(k)] ?? 'Unknown').replace(' address', ''));
      summary = ` (Supported types: ${kinds.join(', ')})`;
    }
    const from = at;
    b.group('', () => `${name} parameter${summary}`, null, from, padded - from, () => {
      b.group('sctp.parameter_type', () => `Parameter type: ${name} (${hex(type, 4)})`, type, from, 2, () => {
        b.add('sctp.parameter_bit_1', () => `${bitPicture(type, 0x8000, 16)} = Bit: ${type & 0x8000 ? 'Skip parameter and continue processing of the chunk' : 'Stop processing of chunk'}`, (type & 0x8000) !== 0, from, 2);
        b.add('sctp.parameter_bit_2', () => `${bitPicture(type, 0x4000, 16)} = Bit: ${type & 0x4000 ? 'Do report' : 'Do not report'}`, (type & 0x4000) !== 0, from, 2);
      }, () => hex(type, 4));
      b.add('sctp.parameter_length', () => `Parameter length: ${length}`, length, from + 2, 2);
      const bytes = (abbrev: string, label: string): void => {
        if (valueLength > 0) b.add(abbrev, () => `${label}: ${bytesLabelHex(data, value, valueLength)}`, data.subarray(value, value + valueLength), value, valueLength, () => bytesHex(data, value, valueLength));
      };
      if (type === 0x1) bytes('sctp.parameter_heartbeat_information', 'Heartbeat information');
      else if (type === 0x7) bytes('sctp.parameter_state_cookie', 'State cookie');
      else if (type === 0xc) {
        for (let k = value; k + 2 <= from + length; k += 2) {
          const kind = data.readUInt16BE(k);
          b.add('sctp.parameter_supported_address_type', () => `Supported address type: ${ADDRESS_TYPES[kind] ?? 'Unknown'} (${kind})`, kind, k, 2);
        }
      } else if (type !== 0x8000 && type !== 0xc000) bytes('sctp.parameter_value', 'Parameter value');
      if (padded > from + length) {
        const padding = padded - from - length;
        b.add('sctp.parameter_padding', () => `Parameter padding: ${bytesHex(data, from + length, padding)}`, data.subarray(from + length, padded), from + length, padding, () => bytesHex(data, from + length, padding));
      }
    });
    at = padded;
  }
}
