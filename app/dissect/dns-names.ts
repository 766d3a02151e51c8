/**
 * DNS names and type/class tables, as Wireshark 4.0 shows them: labels joined by '.', the root as
 * '<Root>', compression pointers followed with loop protection.
 */

export interface DnsName {
  /** The name as Wireshark prints it. */
  text: string;
  /** Bytes the name occupies where it starts (up to and including the first pointer). */
  length: number;
  /** Why the name could not be read in full, if it could not. */
  problem?: 'truncated' | 'malformed';
}

/** Wireshark gives up after this many bytes of name (MAX_DNAME_LEN) and after this many jumps. */
const MAX_NAME_TEXT = 255;
const MAX_POINTER_JUMPS = 128;

/**
 * Reads a possibly compressed name at `offset`. `messageStart` anchors compression pointers;
 * `available` is where the captured bytes end. Never reads past `available`.
 */
export function readDnsName(data: Buffer, messageStart: number, offset: number, available: number): DnsName {
  const labels: string[] = [];
  let textLength = 0;
  let position = offset;
  let length = -1;
  let jumps = 0;
  let tooLong = false;
  for (;;) {
    if (position >= available) return finish(labels, length < 0 ? position - offset : length, 'truncated', tooLong);
    const labelLength = data[position]!;
    if (labelLength === 0) {
      if (length < 0) length = position + 1 - offset;
      return finish(labels, length, undefined, tooLong);
    }
    if ((labelLength & 0xc0) === 0xc0) {
      if (position + 2 > available) return finish(labels, length < 0 ? position - offset : length, 'truncated', tooLong);
      const target = messageStart + (data.readUInt16BE(position) & 0x3fff);
      if (length < 0) length = position + 2 - offset;
      if (++jumps > MAX_POINTER_JUMPS || target >= position && jumps > 1 || target === position) {
        return finish(labels, length, 'malformed', tooLong);
      }
      position = target;
      continue;
    }
    if ((labelLength & 0xc0) !== 0) {
      // 0x40 extended / 0x80 reserved label types: Wireshark cannot decode them either.
      return finish(labels, length < 0 ? position + 1 - offset : length, 'malformed', tooLong);
    }
    if (position + 1 + labelLength > available) {
      return finish(labels, length < 0 ? position - offset : length, 'truncated', tooLong);
    }
    const label = labelText(data.subarray(position + 1, position + 1 + labelLength));
    textLength += label.length + 1;
    if (textLength > MAX_NAME_TEXT) tooLong = true;
    else labels.push(label);
    position += 1 + labelLength;
  }
}

function finish(labels: string[], length: number, problem: DnsName['problem'], tooLong: boolean): DnsName {
  const text = tooLong ? '<Name too long>' : labels.length === 0 ? '<Root>' : labels.join('.');
  return problem ? { text, length, problem } : { text, length };
}

/** Wireshark escapes label bytes outside printable ASCII as \DDD (decimal) and '.' inside a label as '\.'. */
function labelText(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x2e) out += '\\.';
    else if (b === 0x5c) out += '\\\\';
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`;
  }
  return out;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL',
  11: 'WKS', 12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB',
  19: 'X25', 20: 'ISDN', 21: 'RT', 22: 'NSAP', 23: 'NSAP-PTR', 24: 'SIG', 25: 'KEY', 26: 'PX',
  27: 'GPOS', 28: 'AAAA', 29: 'LOC', 30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA',
  35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6', 39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL',
  43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID',
  50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP', 56: 'NINFO', 57: 'RKEY',
  58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD', 64: 'SVCB',
  65: 'HTTPS', 99: 'SPF', 100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID', 105: 'L32',
  106: 'L64', 107: 'LP', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR',
  252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: 'ANY', 256: 'URI', 257: 'CAA', 258: 'AVC',
  259: 'DOA', 260: 'AMTRELAY', 32768: 'TA', 32769: 'DLV', 65281: 'WINS', 65282: 'WINS-R',
  65521: 'XPF',
};

export function dnsTypeName(type: number): string {
  const name = TYPE_NAMES[type];
  if (name) return name;
  if (type === 0) return 'Unused';
  return `Unknown (${type})`;
}

const OPCODE_NAMES: Record<number, string> = {
  0: 'Standard query', 1: 'Inverse query', 2: 'Server status request', 4: 'Zone change notification',
  5: 'Dynamic update', 6: 'DNS Stateful operations (DSO)',
};

export function dnsOpcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `Unknown operation (${opcode})`;
}

const RCODE_NAMES: Record<number, string> = {
  0: 'No error', 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented',
  5: 'Refused', 6: 'Name exists', 7: 'RRset exists', 8: 'RRset does not exist', 9: 'Not authoritative',
  10: 'Name out of zone', 11: 'DSO-Type not implemented',
};

export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `Unknown error (${rcode})`;
}
