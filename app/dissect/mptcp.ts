/**
 * Multipath TCP (RFC 8684, and RFC 6824's version 0): TCP option kind 30 and its subtypes, with
 * the fields tshark 4.0 names tcp.options.mptcp.* and the `mptcp` protocol item it puts around
 * each such option (which also adds `mptcp` to frame.protocols and MPTCP to the Protocol column).
 *
 * Left out: what tshark derives by following MPTCP connections across TCP streams (mptcp.stream,
 * mptcp.master, mptcp.analysis.*, the relative mptcp.ack and mptcp.dss.dsn). The token and
 * initial data sequence number a key implies (mptcp.expected_token, mptcp.expected_idsn) depend
 * on the key alone and are computed here.
 */
import { createHash } from 'node:crypto';
import { hex, type LayerBuilder } from './builder';
import { be16, be32, bitPicture, ipv4Text, ipv6Text } from './format';

const SUBTYPES = [
  'Multipath Capable', 'Join Connection', 'Data Sequence Signal', 'Add Address', 'Remove Address',
  'Change Subflow Priority', 'TCP Fallback', 'Fast Close', 'TCP Reset',
];
const RESET_REASONS = [
  'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
  'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference',
];

/** DSS flag bits. */
const DSS_ACK = 0x01;
const DSS_ACK8 = 0x02;
const DSS_MAPPING = 0x04;
const DSS_DSN8 = 0x08;

/**
 * The bytes a subtype reads beyond its kind, length and subtype bytes, when that does not follow
 * from the option length (as tshark reads them): more than the option holds is malformed.
 */
function bytesRead(data: Buffer, at: number): number {
  const subtype = data[at + 2]! >> 4;
  if (subtype === 2) {
    const flags = data[at + 3] ?? 0;
    let n = 4;
    if (flags & DSS_ACK) n += flags & DSS_ACK8 ? 8 : 4;
    if (flags & DSS_MAPPING) n += (flags & DSS_DSN8 ? 8 : 4) + 6;
    return n;
  }
  if (subtype === 6 || subtype === 7) return 12;
  if (subtype === 0 || subtype === 3 || subtype === 8) return 4;
  return 3;
}

/**
 * Adds option 30 at data[at, at+len) (len >= 2, inside the TCP header) inside the options tree.
 * Returns false when the option is malformed: tshark then stops dissecting the options.
 */
export function dissectMptcpOption(b: LayerBuilder, at: number, len: number): boolean {
  const data = b.data;
  const ok = len >= 3 && bytesRead(data, at) <= len;
  if (!ok) b.mark('malformed', `MPTCP option of ${len} bytes is too short for its subtype`);
  if (!b.building) return ok;
  const subtype = len >= 3 ? data[at + 2]! >> 4 : -1;
  const name = SUBTYPES[subtype] ?? 'Unknown';
  const title = subtype < 0 ? 'Multipath Transmission Control Protocol' : `Multipath Transmission Control Protocol: ${SUBTYPES[subtype] ?? `Unknown (${subtype})`}`;
  b.group('mptcp', title, null, at, len, () => {
    b.add('tcp.option_kind', 'Kind: Multipath TCP (30)', 30, at, 1);
    b.add('tcp.option_len', () => `Length: ${len}`, len, at + 1, 1);
    if (subtype < 0) return;
    const first = data[at + 2]!;
    b.add('tcp.options.mptcp.subtype', () => `${bitPicture(first, 0xf0, 8)} = Multipath TCP subtype: ${name} (${subtype})`, subtype, at + 2, 1);
    addSubtypeFields(b, subtype, at, len);
  }, '');
  return ok;
}

/** The fields after the subtype, as far as the option holds them. */
function addSubtypeFields(b: LayerBuilder, subtype: number, at: number, len: number): void {
  const data = b.data;
  const end = at + len;
  const first = data[at + 2]!;
  switch (subtype) {
    case 0: {
      const version = first & 0x0f;
      b.add('tcp.options.mptcp.version', () => `${bitPicture(first, 0x0f, 8)} = Multipath TCP version: ${version}`, version, at + 2, 1);
      if (len < 4) return;
      addCapableFlags(b, data[at + 3]!, version, at + 3);
      if (len === 12 || len === 20 || len === 22 || len === 24) {
        const key = data.readBigUInt64BE(at + 4);
        b.add('tcp.options.mptcp.sendkey', () => `Sender's Key: ${key}`, key, at + 4, 8);
        if (b.wants('mptcp.expected_token') || b.wants('mptcp.expected_idsn')) {
          const digest = createHash(version === 0 ? 'sha1' : 'sha256').update(data.subarray(at + 4, at + 12)).digest();
          const token = digest.readUInt32BE(0);
          const idsn = digest.readBigUInt64BE(digest.length - 8);
          b.add('mptcp.expected_token', () => `[Subflow token generated from key: ${token}]`, token, at + 12, 0);
          b.add('mptcp.expected_idsn', () => `[Subflow expected IDSN: ${idsn} (64bits version)]`, idsn, at + 12, 0);
        }
      }
      if (len >= 20) {
        const key = data.readBigUInt64BE(at + 12);
        b.add('tcp.options.mptcp.recvkey', () => `Receiver's Key: ${key}`, key, at + 12, 8);
      }
      if (len >= 22) {
        const length = be16(data, at + 20);
        b.add('tcp.options.mptcp.datalvllen', () => `Data-level Length: ${length}`, length, at + 20, 2);
      }
      if (len >= 24) {
        const checksum = be16(data, at + 22);
        b.add('tcp.options.mptcp.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, at + 22, 2, () => hex(checksum, 4));
      }
      return;
    }
    case 1:
      if (len === 12 || len === 16) {
        addBackupFlags(b, first, at + 2);
        const id = data[at + 3]!;
        b.add('tcp.options.mptcp.addrid', () => `Address ID: ${id}`, id, at + 3, 1);
        if (len === 12) {
          const token = be32(data, at + 4);
          b.add('tcp.options.mptcp.recvtok', () => `Receiver's Token: ${token}`, token, at + 4, 4);
        } else {
          const mac = data.readBigUInt64BE(at + 4);
          b.add('tcp.options.mptcp.sendtrunchmac', () => `Sender's Truncated HMAC: ${mac}`, mac, at + 4, 8);
        }
        const random = be32(data, end - 4);
        b.add('tcp.options.mptcp.sendrand', () => `Sender's Random Number: ${random}`, random, end - 4, 4);
      } else if (len === 24) {
        addReserved(b, at);
        const mac = data.subarray(at + 4, at + 24);
        b.add('tcp.options.mptcp.sendhmac', () => `Sender's HMAC: ${mac.toString('hex')}`, mac, at + 4, 20, () => mac.toString('hex'));
      }
      return;
    case 2:
      addDss(b, at, end);
      return;
    case 3: {
      b.add('tcp.options.mptcp.echo', () => `${bitPicture(first, 0x01, 8)} = Echo: ${first & 1}`, first & 1, at + 2, 1);
      if (len < 4) return;
      const id = data[at + 3]!;
      b.add('tcp.options.mptcp.addrid', () => `Address ID: ${id}`, id, at + 3, 1);
      let o = at + 4;
      if (len === 8 || len === 10 || len === 16 || len === 18) {
        const address = ipv4Text(data, o);
        b.add('tcp.options.mptcp.ipv4', () => `Advertised IPv4 Address: ${address}`, address, o, 4);
        o += 4;
      } else if (len === 20 || len === 22 || len === 28 || len === 30) {
        const address = ipv6Text(data, o);
        b.add('tcp.options.mptcp.ipv6', () => `Advertised IPv6 Address: ${address}`, address, o, 16);
        o += 16;
      } else return;
      if (len % 4 === 2) {
        const port = be16(data, o);
        b.add('tcp.options.mptcp.port', () => `Advertised port: ${port}`, port, o, 2);
        o += 2;
      }
      if (o + 8 === end) {
        const mac = data.readBigUInt64BE(o);
        b.add('tcp.options.mptcp.addaddrtrunchmac', () => `Truncated HMAC: ${mac}`, mac, o, 8);
      }
      return;
    }
    case 4: {
      const count = len - 3;
      b.add('mptcp.rm_addr.count', () => `[Number of removed addresses: ${count}]`, count, at + 2, 1);
      for (let o = at + 3; o < end; o++) {
        const id = data[o]!;
        b.add('tcp.options.mptcp.addrid', () => `Address ID: ${id}`, id, o, 1);
      }
      return;
    }
    case 5:
      addBackupFlags(b, first, at + 2);
      if (len === 4) {
        const id = data[at + 3]!;
        b.add('tcp.options.mptcp.addrid', () => `Address ID: ${id}`, id, at + 3, 1);
      }
      return;
    case 6: {
      if (len >= 4) addReserved(b, at);
      if (len < 12) return;
      const dsn = data.readBigUInt64BE(at + 4);
      b.add('tcp.options.mptcp.rawdataseqno', () => `Data Sequence Number: ${dsn}`, dsn, at + 4, 8);
      return;
    }
    case 7: {
      if (len >= 4) addReserved(b, at);
      if (len < 12) return;
      const key = data.readBigUInt64BE(at + 4);
      b.add('tcp.options.mptcp.recvkey', () => `Receiver's Key: ${key}`, key, at + 4, 8);
      return;
    }
    case 8: {
      addResetFlags(b, first, at + 2);
      if (len < 4) return;
      const reason = data[at + 3]!;
      b.add('tcp.options.mptcp.rst_reason', () => `TCPRST Reason: ${RESET_REASONS[reason] ?? 'Unknown'} (${hex(reason, 2)})`, reason, at + 3, 1, () => hex(reason, 2));
      return;
    }
    default:
  }
}

/** MP_CAPABLE's flags: version 0 has A, B, five reserved bits and H (HMAC-SHA1); version 1 adds C and uses SHA-256. */
function addCapableFlags(b: LayerBuilder, flags: number, version: number, at: number): void {
  b.group('tcp.options.mptcp.flags', () => `Multipath TCP flags: ${hex(flags, 2)}`, flags, at, 1, () => {
    const bit = (abbrev: string, mask: number, label: string) =>
      b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${label}: ${flags & mask ? 1 : 0}`, flags & mask ? 1 : 0, at, 1);
    bit('tcp.options.mptcp.checksumreq.flags', 0x80, 'Checksum required');
    bit('tcp.options.mptcp.extensibility.flag', 0x40, 'Extensibility');
    if (version === 0) {
      bit('tcp.options.mptcp.sha1.flag', 0x01, 'Use HMAC-SHA1');
      const reserved = flags & 0x3e;
      b.add('tcp.options.mptcp.reserved.flag', () => `${bitPicture(flags, 0x3e, 8)} = Reserved: ${hex(reserved >> 1, 2)}`, reserved >> 1, at, 1, () => hex(reserved >> 1, 2));
    } else {
      bit('tcp.options.mptcp.nomoresubflows.flag', 0x20, 'Do not attempt to establish new subflows to this address and port');
      bit('tcp.options.mptcp.sha256.flag', 0x01, 'Use HMAC-SHA256');
      const reserved = (flags & 0x1e) >> 1;
      b.add('tcp.options.mptcp.reserved.flag', () => `${bitPicture(flags, 0x1e, 8)} = Reserved: ${hex(reserved, 1)}`, reserved, at, 1, () => hex(reserved, 2));
    }
  }, () => hex(flags, 2));
}

/** MP_JOIN's and MP_PRIO's flags: the subtype byte, whose lowest bit is B (backup). */
function addBackupFlags(b: LayerBuilder, flags: number, at: number): void {
  b.group('tcp.options.mptcp.flags', () => `Multipath TCP flags: ${hex(flags, 2)}`, flags, at, 1, () => {
    b.add('tcp.options.mptcp.backup.flag', () => `${bitPicture(flags, 0x01, 8)} = Backup flag: ${flags & 1}`, flags & 1, at, 1);
  }, () => hex(flags, 2));
}

const RESET_FLAGS: Array<[number, string, string, string]> = [
  [0x8, 'tcp.options.mptcp.flag_U.flag', 'Flag U', 'Flag U'],
  [0x4, 'tcp.options.mptcp.flag_V.flag', 'Flag V', 'Flag V'],
  [0x2, 'tcp.options.mptcp.flag_W.flag', 'Flag W', 'Flag W'],
  [0x1, 'tcp.options.mptcp.flag_T.flag', 'Transient', 'Transient'],
];

/** MP_TCPRST's flags U, V, W and T: booleans in the subtype byte's low nibble, named in the label when set. */
function addResetFlags(b: LayerBuilder, flags: number, at: number): void {
  const set = RESET_FLAGS.filter(([mask]) => flags & mask).map(([, , , n]) => `, ${n}`).join('');
  b.group('tcp.options.mptcp.flags', () => `Multipath TCP flags: ${hex(flags, 2)}${set}`, flags, at, 1, () => {
    for (const [mask, abbrev, label] of RESET_FLAGS) {
      const on = (flags & mask) !== 0;
      b.add(abbrev, () => `${bitPicture(flags & 0x0f, mask, 4)} = ${label}: ${on ? 'Set' : 'Not set'}`, on, at, 1);
    }
  }, () => hex(flags, 2));
}

/** The 12 reserved bits after the subtype (MP_JOIN's third message, MP_FAIL, MP_FASTCLOSE). */
function addReserved(b: LayerBuilder, at: number): void {
  const word = be16(b.data, at + 2);
  const reserved = word & 0x0fff;
  b.add('tcp.options.mptcp.reserved', () => `${bitPicture(word, 0x0fff, 16)} = Reserved: ${hex(reserved, 3)}`, reserved, at + 2, 2, () => hex(reserved, 4));
}

const DSS_FLAGS: Array<[number, string, string]> = [
  [0x10, 'tcp.options.mptcp.datafin.flag', 'DATA_FIN'],
  [DSS_DSN8, 'tcp.options.mptcp.dseqn8.flag', 'Data Sequence Number is 8 octets'],
  [DSS_MAPPING, 'tcp.options.mptcp.dseqnpresent.flag', 'Data Sequence Number, Subflow Sequence Number, Data-level Length, Checksum present'],
  [DSS_ACK8, 'tcp.options.mptcp.dataack8.flag', 'Data ACK is 8 octets'],
  [DSS_ACK, 'tcp.options.mptcp.dataackpresent.flag', 'Data ACK is present'],
];

/** DSS: flags, then the data ACK and the mapping they announce, as far as the option holds them. */
function addDss(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  if (at + 4 > end) return;
  const flags = data[at + 3]!;
  b.group('tcp.options.mptcp.flags', () => `Multipath TCP flags: ${hex(flags, 2)}`, flags, at + 3, 1, () => {
    for (const [mask, abbrev, label] of DSS_FLAGS) {
      b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${label}: ${flags & mask ? 1 : 0}`, flags & mask ? 1 : 0, at + 3, 1);
    }
  }, () => hex(flags, 2));
  let o = at + 4;
  if (flags & DSS_ACK) {
    if (flags & DSS_ACK8) {
      if (o + 8 > end) return;
      const ack = data.readBigUInt64BE(o);
      b.add('tcp.options.mptcp.rawdataack', () => `Original MPTCP Data ACK: ${ack} (64bits)`, ack, o, 8);
      o += 8;
    } else {
      if (o + 4 > end) return;
      const ack = be32(data, o);
      b.add('tcp.options.mptcp.rawdataack', () => `Original MPTCP Data ACK: ${ack}`, ack, o, 4);
      o += 4;
    }
  }
  if (!(flags & DSS_MAPPING)) return;
  const dsnLength = flags & DSS_DSN8 ? 8 : 4;
  if (o + dsnLength > end) return;
  const dsn = dsnLength === 8 ? data.readBigUInt64BE(o) : be32(data, o);
  b.add('tcp.options.mptcp.rawdataseqno', () => `Data Sequence Number: ${dsn}  (${dsnLength * 8}bits version)`, dsn, o, dsnLength);
  o += dsnLength;
  if (o + 4 > end) return;
  const ssn = be32(data, o);
  b.add('tcp.options.mptcp.subflowseqno', () => `Subflow Sequence Number: ${ssn}`, ssn, o, 4);
  o += 4;
  if (o + 2 > end) return;
  const length = be16(data, o);
  b.add('tcp.options.mptcp.datalvllen', () => `Data-level Length: ${length}`, length, o, 2);
}
