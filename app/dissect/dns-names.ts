/**
 * DNS names and type/class tables, as Wireshark 4.0 shows them: labels joined by '.', the root as
 * '<Root>', compression pointers followed with loop protection.
 *
 * Decompression is memoised per message: the rest of a name from a given byte (before and after
 * the first pointer) is decoded once and shared, so a message whose thousands of names run into
 * one long label chain (tcpdump's dns_fwdptr.pcap) costs time linear in its length, not in
 * names x chain length. `steps` counts every label and pointer read so tests can prove it.
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

const UNKNOWN = 0;
const OK = 1;
const TRUNCATED = 2;
const MALFORMED = 3;
const JUMP = -1;

/**
 * What is known about the rest of a name from each byte of the message, in one mode: `direct`
 * (no pointer followed yet: the name's bytes are in place) or after a pointer (where every further
 * pointer must go backwards, so a walk can only revisit a byte through a loop).
 */
class SuffixTable {
  /**
   * Per byte, five int32 slots: the owner (the reader generation that wrote them; anything else
   * reads as unknown), state, text length (sum of escaped label length + 1; over MAX_NAME_TEXT
   * means '<Name too long>'), end-or-jumps (direct mode: the byte after the in-place part; after a
   * pointer: pointers followed from here) and the walk that last visited it (to see a pointer loop
   * at once). The storage is shared by every reader of this mode and never cleared: a message
   * costs no allocation, and a reader whose bytes another reader overwrote meanwhile just
   * decodes them again.
   */
  private slots: Int32Array;
  /** Joined labels, kept only while the text length <= MAX_NAME_TEXT (valid where the owner matches). */
  private texts: string[] = [];
  walks = 0;
  private generation = 0;

  constructor(private readonly shared: SharedSlots) {
    this.slots = shared.slots;
  }

  /** Starts a reader's use of `size` bytes. */
  begin(size: number): void {
    this.slots = this.shared.reserve(size);
    this.texts = this.shared.texts;
    this.generation = this.shared.nextGeneration();
  }

  state(index: number): number {
    const at = index * 5;
    return this.slots[at] === this.generation ? this.slots[at + 1]! : UNKNOWN;
  }
  textLength(index: number): number {
    return this.slots[index * 5 + 2]!;
  }
  endOrJumps(index: number): number {
    return this.slots[index * 5 + 3]!;
  }
  text(index: number): string | undefined {
    return this.texts[index];
  }
  visitedBy(index: number): number {
    const at = index * 5;
    return this.slots[at] === this.generation ? this.slots[at + 4]! : 0;
  }
  visit(index: number, walk: number): void {
    const at = index * 5;
    if (this.slots[at] !== this.generation) {
      this.slots[at] = this.generation;
      this.slots[at + 1] = UNKNOWN;
    }
    this.slots[at + 4] = walk;
  }

  set(index: number, state: number, textLength: number, text: string, endOrJumps: number): void {
    const at = index * 5;
    if (this.slots[at] !== this.generation) {
      this.slots[at] = this.generation;
      this.slots[at + 4] = 0;
    }
    this.slots[at + 1] = state;
    this.slots[at + 2] = textLength;
    this.slots[at + 3] = endOrJumps;
    if (textLength <= MAX_NAME_TEXT && textLength > 0) this.texts[index] = text;
  }
}

/** The storage behind one mode's SuffixTables, grown to the largest message seen. */
class SharedSlots {
  slots = new Int32Array(5 * 1024);
  texts: string[] = [];
  private generation = 0;

  reserve(size: number): Int32Array {
    if (size * 5 > this.slots.length) {
      this.slots = new Int32Array(size * 5);
      this.texts = [];
      this.generation = 0;
    }
    return this.slots;
  }

  nextGeneration(): number {
    // Wrapping round would make old entries look current: start afresh instead.
    if (this.generation === 0x7fffffff) {
      this.slots.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }
}

const DIRECT_SLOTS = new SharedSlots();
const AFTER_POINTER_SLOTS = new SharedSlots();

/** Reads the names of one DNS message; use one instance for every name of that message. */
export class DnsNameReader {
  /** Label and pointer reads so far: at most twice the message length, whatever the bytes. */
  steps = 0;
  private readonly direct: SuffixTable;
  /** Made at the first compression pointer (many messages have none in their questions only). */
  private afterPointerTable: SuffixTable | null = null;
  private readonly size: number;
  /** The walk in progress: label byte positions and their lengths (JUMP for a pointer). */
  private readonly pathPositions: number[] = [];
  private readonly pathKinds: number[] = [];

  /** `messageStart` anchors compression pointers; `available` is where the captured bytes end. */
  constructor(readonly data: Buffer, readonly messageStart: number, readonly available: number) {
    const size = Math.max(0, available - messageStart) + 1;
    this.size = size;
    this.direct = new SuffixTable(DIRECT_SLOTS);
    this.direct.begin(size);
  }

  private get afterPointer(): SuffixTable {
    if (this.afterPointerTable === null) {
      this.afterPointerTable = new SuffixTable(AFTER_POINTER_SLOTS);
      this.afterPointerTable.begin(this.size);
    }
    return this.afterPointerTable;
  }

  /** Reads a possibly compressed name at `offset` (>= messageStart); never reads past `available`. */
  read(offset: number): DnsName {
    if (offset < this.messageStart || offset >= this.available) return { text: '<Root>', length: Math.max(0, this.available - offset), problem: 'truncated' };
    const i = this.resolve(offset, true);
    const t = this.direct;
    const textLength = t.textLength(i);
    const text = textLength > MAX_NAME_TEXT ? '<Name too long>' : textLength === 0 ? '<Root>' : t.text(i)!;
    const length = this.messageStart + t.endOrJumps(i) - offset;
    const state = t.state(i);
    return state === OK ? { text, length } : { text, length, problem: state === TRUNCATED ? 'truncated' : 'malformed' };
  }

  /**
   * Fills the table entry for `start` and returns its index: walks forward until a known byte or
   * the end of the name, then fills every byte walked, last first.
   */
  private resolve(start: number, direct: boolean): number {
    const table = direct ? this.direct : this.afterPointer;
    const positions = this.pathPositions;
    const kinds = this.pathKinds;
    const pathStart = positions.length;
    const walk = ++table.walks;
    const limit = this.available - this.messageStart;
    let position = start;
    // The end of the walk: its state, text length, text and end-or-jumps.
    let state = OK;
    let textLength = 0;
    let text = '';
    let endOrJumps = 0;
    let known = false;
    for (;;) {
      const index = position - this.messageStart;
      if (position < this.available && table.state(index) !== UNKNOWN) {
        state = table.state(index);
        textLength = table.textLength(index);
        text = table.text(index) ?? '';
        endOrJumps = table.endOrJumps(index);
        known = true;
        break;
      }
      if (index < limit && table.visitedBy(index) === walk) {
        state = MALFORMED; // back where this walk has been: a pointer loop
        break;
      }
      if (++this.steps > 4 * limit + 16) {
        state = MALFORMED; // cannot happen (each byte is walked once per mode); a last safeguard
        break;
      }
      if (position >= this.available) {
        state = TRUNCATED;
        endOrJumps = index;
        break;
      }
      table.visit(index, walk);
      const labelLength = this.data[position]!;
      if (labelLength === 0) {
        endOrJumps = index + 1;
        break;
      }
      if ((labelLength & 0xc0) === 0xc0) {
        if (position + 2 > this.available) {
          state = TRUNCATED;
          endOrJumps = index;
          break;
        }
        const target = this.messageStart + (this.data.readUInt16BE(position) & 0x3fff);
        if (direct) {
          // The first pointer ends the name in place; a pointer to itself is the trivial loop.
          endOrJumps = index + 2;
          if (target === position || target >= this.available) {
            state = target === position ? MALFORMED : TRUNCATED;
            break;
          }
          const rest = this.resolve(target, false);
          const after = this.afterPointer;
          state = after.endOrJumps(rest) + 1 > MAX_POINTER_JUMPS ? MALFORMED : after.state(rest);
          textLength = after.textLength(rest);
          text = after.text(rest) ?? '';
          break;
        }
        if (target >= position) {
          state = MALFORMED;
          break;
        }
        positions.push(position);
        kinds.push(JUMP);
        position = target;
        continue;
      }
      if ((labelLength & 0xc0) !== 0) {
        // 0x40 extended / 0x80 reserved label types: Wireshark cannot decode them either.
        state = MALFORMED;
        endOrJumps = index + 1;
        break;
      }
      if (position + 1 + labelLength > this.available) {
        state = TRUNCATED;
        endOrJumps = index;
        break;
      }
      positions.push(position);
      kinds.push(labelLength);
      position += 1 + labelLength;
    }
    // After a pointer the table counts pointers, not where the name ends.
    if (!direct && !known) endOrJumps = 0;
    const terminal = position - this.messageStart;
    if (terminal < limit && table.state(terminal) === UNKNOWN && table.visitedBy(terminal) === walk) {
      table.set(terminal, state, textLength, text, endOrJumps);
    }
    for (let k = positions.length - 1; k >= pathStart; k--) {
      const at = positions[k]!;
      const kind = kinds[k]!;
      if (kind === JUMP) {
        endOrJumps++;
        if (endOrJumps >= MAX_POINTER_JUMPS) state = MALFORMED;
      } else {
        const escapedLength = labelTextLength(this.data, at + 1, kind);
        const joined = escapedLength + 1 + textLength;
        if (joined <= MAX_NAME_TEXT) {
          const label = labelText(this.data.subarray(at + 1, at + 1 + kind));
          text = textLength === 0 ? label : `${label}.${text}`;
        }
        textLength = joined;
      }
      table.set(at - this.messageStart, state, textLength, text, endOrJumps);
    }
    positions.length = pathStart;
    kinds.length = pathStart;
    return start - this.messageStart;
  }
}

/** Reads one name on its own (a fresh reader; use DnsNameReader for the names of a whole message). */
export function readDnsName(data: Buffer, messageStart: number, offset: number, available: number): DnsName {
  return new DnsNameReader(data, messageStart, available).read(offset);
}

/** The length of labelText()'s result, without building it. */
function labelTextLength(data: Buffer, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const b = data[i]!;
    n += b === 0x2e || b === 0x5c ? 2 : b >= 0x20 && b < 0x7f ? 1 : 4;
  }
  return n;
}

/** Wireshark escapes label bytes outside printable ASCII (space included in it, as tshark shows "My Printer._ipp._tcp.local") as \DDD (decimal) and '.' inside a label as '\.'. */
function labelText(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x2e) out += '\\.';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
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

/**
 * Wireshark's descriptions of record types (dns_types_description_vals, as `tshark -G values`
 * lists them for dns.qry.type): the tree's "Type: A (Host Address) (1)" and -z dns,tree's rows.
 */
const TYPE_DESCRIPTIONS: Record<number, string> = {
  0: 'Unused', 1: 'A (Host Address)', 2: 'NS (authoritative Name Server)', 3: 'MD (Mail Destination)',
  4: 'MF (Mail Forwarder)', 5: 'CNAME (Canonical NAME for an alias)', 6: 'SOA (Start Of a zone of Authority)',
  7: 'MB (MailBox domain name)', 8: 'MG (Mail Group member)', 9: 'MR (Mail Rename domain)', 10: 'NULL RR',
  11: 'WKS (Well Known Service)', 12: 'PTR (domain name PoinTeR)', 13: 'HINFO (host information)',
  14: 'MINFO (Mailbox or mail list information)', 15: 'MX (Mail eXchange)', 16: 'TXT (Text strings)',
  17: 'RP (Responsible Person)', 18: 'AFSDB (AFS Data Base location)', 19: 'X25 (XX.25 PSDN address)',
  20: 'ISDN (ISDN address)', 21: 'RT (Route Through)', 22: 'NSAP (NSAP address)',
  23: 'NSAP-PTR (NSAP domain name pointer)', 24: 'SIG (security signature)', 25: 'KEY (security key)',
  26: 'PX (X.400 mail mapping information)', 27: 'GPOS (Geographical Position)', 28: 'AAAA (IPv6 Address)',
  29: 'LOC (Location Information)', 30: 'NXT (Next Domain)', 31: 'EID (Endpoint Identifier)',
  32: 'NIMLOC (Nimrod Locator)', 33: 'SRV (Server Selection)', 34: 'ATMA (ATM Address)',
  35: 'NAPTR (Naming Authority Pointer)', 36: 'KX (Key Exchanger)', 37: 'CERT', 38: 'A6 (OBSOLETE - use AAAA)',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS (Delegation Signer)', 44: 'SSHFP (SSH Key Fingerprint)',
  45: 'IPSECKEY', 46: 'RRSIG (Resource Record Signature)', 47: 'NSEC (Next Secure)', 48: 'DNSKEY (DNS Public Key)',
  49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 55: 'HIP (Host Identity Protocol)', 57: 'RKEY',
  58: 'TALINK (Trust Anchor LINK)', 59: 'CDS (Child DS)', 60: 'CDNSKEY (DNSKEY(s) the Child wants reflected in DS)',
  61: 'OPENPGPKEY (OpenPGP Key)', 62: 'CSYNC (Child-to-Parent Synchronization)', 63: 'ZONEMD',
  64: 'SVCB (General Purpose Service Endpoints)', 65: 'HTTPS (HTTPS Specific Service Endpoints)', 99: 'SPF',
  100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID (NodeID)', 105: 'L32 (Locator32)',
  106: 'L64 (Locator64)', 107: 'LP (Locator FQDN)', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY (Transaction Key)',
  250: 'TSIG (Transaction Signature)', 251: 'IXFR (incremental transfer)', 252: 'AXFR (transfer of an entire zone)',
  253: 'MAILB (mailbox-related RRs)', 254: 'MAILA (mail agent RRs)',
  255: '* (A request for all records the server/cache has available)', 256: 'URI',
  257: 'CAA (Certification Authority Restriction)', 32768: 'TA (DNSSEC Trust Authorities)',
  32769: 'DLV (DNSSEC Lookaside Validation)', 65281: 'WINS', 65282: 'WINS-R', 65422: 'XPF',
};

/** 'A (Host Address)'; null for a type Wireshark does not describe. */
export function dnsTypeDescription(type: number): string | null {
  return TYPE_DESCRIPTIONS[type] ?? null;
}
