/**
 * SCTP (RFC 9260, IP protocol 132) as tshark 4.0 shows it by default: the common header (checksum
 * not verified, as tshark's default), every chunk's type, flags and length, the fields of DATA,
 * SACK and INIT/INIT_ACK chunks, and DATA payloads handed on as "data". Info lists the chunks by
 * name, with relative TSNs as tshark numbers them: from the first TSN seen in each direction.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

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
  dissectSafely(b, () => {
    const srcPort = b.u16(offset, 'source port');
    const dstPort = b.u16(offset + 2, 'destination port');
    b.title(() => `Stream Control Transmission Protocol, Src Port: ${srcPort} (${srcPort}), Dst Port: ${dstPort} (${dstPort})`);
    b.add('sctp.srcport', () => `Source port: ${srcPort}`, srcPort, offset, 2);
    b.add('sctp.dstport', () => `Destination port: ${dstPort}`, dstPort, offset + 2, 2);
    b.add('sctp.port', '', srcPort, offset, 2).hidden = true;
    b.add('sctp.port', '', dstPort, offset + 2, 2).hidden = true;
    const tag = b.u32(offset + 4, 'verification tag');
    b.add('sctp.verification_tag', () => `Verification tag: ${hex(tag, 8)}`, tag, offset + 4, 4, () => hex(tag, 8));
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
      b.group('', () => `${name} chunk`, null, chunk, length, () => {
        b.group('sctp.chunk_type', () => `Chunk type: ${name} (${type})`, type, chunk, 1, () => {
          b.add('sctp.chunk_bit_1', () => `${bitPicture(type, 0x80, 8)} = Bit: ${BIT_1[type >> 7]}`, (type & 0x80) !== 0, chunk, 1);
          b.add('sctp.chunk_bit_2', () => `${bitPicture(type, 0x40, 8)} = Bit: ${BIT_2[(type >> 6) & 1]}`, (type & 0x40) !== 0, chunk, 1);
        });
        b.group('sctp.chunk_flags', () => `Chunk flags: ${hex(flags, 2)}`, flags, chunk + 1, 1, () => {
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
          b.add('sctp.data_payload_proto_id', () => `Payload protocol identifier: ${ppid === 0 ? 'not specified' : 'Unknown'} (${ppid})`, ppid, chunk + 12, 4);
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
          }
          info += `${name} `;
        }
      });
      const padded = chunk + ((length + 3) & ~3);
      if (padded > chunk + length && padded <= stop) {
        const padding = b.bytes(chunk + length, padded - chunk - length, 'chunk padding');
        b.add('sctp.chunk_padding', () => `Chunk padding: ${padding.toString('hex')}`, Buffer.from(padding), chunk + length, padding.length, () => padding.toString('hex'));
      }
      at = Math.min(padded, Math.max(end, chunk + length));
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('SCTP', info + statusSuffix(b.layer));
  for (const [start, stop] of payloads) d.data(p, data, start, stop);
}

/** An INIT or INIT_ACK chunk's fixed fields; returns its initial TSN. */
function init(b: LayerBuilder, prefix: 'init' | 'initack', chunk: number): number {
  const tag = b.u32(chunk + 4, 'initiate tag');
  b.add(`sctp.${prefix}_initiate_tag`, () => `Initiate tag: ${hex(tag, 8)}`, tag, chunk + 4, 4, () => hex(tag, 8));
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
