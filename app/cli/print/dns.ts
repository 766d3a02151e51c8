/**
 * DNS in tcpdump's compact form (print-domain.c): `12345+ A? example.com. (29)` for queries and
 * `12345 1/0/0 A 1.2.3.4 (45)` for responses. Names follow compression pointers backwards only,
 * as tcpdump does, so a looping pointer prints `<BAD PTR>` instead of hanging.
 */
import { PrintContext, Truncated, tok } from './context';
import { formatIpv6 } from './names';
import { printableChar } from './hexdump';

const TYPES = new Map<number, string>([
  [1, 'A'], [2, 'NS'], [3, 'MD'], [4, 'MF'], [5, 'CNAME'], [6, 'SOA'], [7, 'MB'], [8, 'MG'], [9, 'MR'],
  [10, 'NULL'], [11, 'WKS'], [12, 'PTR'], [13, 'HINFO'], [14, 'MINFO'], [15, 'MX'], [16, 'TXT'], [17, 'RP'],
  [18, 'AFSDB'], [19, 'X25'], [20, 'ISDN'], [21, 'RT'], [22, 'NSAP'], [23, 'NSAP_PTR'], [24, 'SIG'],
  [25, 'KEY'], [26, 'PX'], [27, 'GPOS'], [28, 'AAAA'], [29, 'LOC'], [30, 'NXT'], [31, 'EID'], [32, 'NIMLOC'],
  [33, 'SRV'], [34, 'ATMA'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'], [38, 'A6'], [39, 'DNAME'], [40, 'SINK'],
  [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'], [45, 'IPSECKEY'], [46, 'RRSIG'], [47, 'NSEC'],
  [48, 'DNSKEY'], [99, 'SPF'], [100, 'UINFO'], [101, 'UID'], [102, 'GID'], [103, 'UNSPEC'], [104, 'UNSPECA'],
  [249, 'TKEY'], [250, 'TSIG'], [251, 'IXFR'], [252, 'AXFR'], [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'],
  [256, 'URI'],
]);

/** ` A`, ` AAAA`, ...: the record types below 257 with their leading space, made once. */
const TYPE_TEXT = Array.from({ length: 257 }, (_, type) => ` ${tok(TYPES, 'Type%u', type)}`);

/** ` <type name>` for a record type. */
function typeText(type: number): string {
  return TYPE_TEXT[type] ?? ` ${tok(TYPES, 'Type%u', type)}`;
}

const CLASSES = new Map<number, string>([[1, 'IN'], [3, 'CHAOS'], [4, 'HS'], [255, 'ANY']]);

const OPCODES = [
  '', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD',
  ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef',
];

const RCODES = [
  '', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet',
  ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange', ' BadVers', 'Resp17',
  ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie',
];

const rcodeText = (rcode: number): string => RCODES[rcode] ?? ` Resp${rcode & 0xfff}`;

const MAXCDNAME = 255;

/** ns_nskip: the offset after a name, or undefined when it runs off the capture. */
function skipName(ctx: PrintContext, cp: number): number | undefined {
  if (!ctx.has(cp, 1)) return undefined;
  let i = ctx.u8(cp++);
  while (i) {
    switch (i & 0xc0) {
      case 0xc0:
        return cp + 1;
      case 0x40: {
        if ((i & 0x3f) !== 1 || !ctx.has(cp, 1)) return undefined;
        const bitlen = ctx.u8(cp++) || 256;
        cp += Math.floor((bitlen + 7) / 8);
        break;
      }
      case 0x80:
        return undefined;
      default:
        cp += i;
    }
    if (!ctx.has(cp, 1)) return undefined;
    i = ctx.u8(cp++);
  }
  return cp;
}

/** labellen: length of the label at cp, or -1 after printing what is wrong. */
function labelLength(ctx: PrintContext, cp: number): number {
  if (!ctx.has(cp, 1)) return -1;
  const i = ctx.u8(cp);
  switch (i & 0xc0) {
    case 0x40: {
      if ((i & 0x3f) !== 1) {
        ctx.print(`<ELT ${i & 0x3f}>`);
        return -1;
      }
      if (!ctx.has(cp + 1, 1)) return -1;
      const bitlen = ctx.u8(cp + 1) || 256;
      return Math.floor((bitlen + 7) / 8) + 1;
    }
    case 0x80:
      ctx.print('<BAD LABEL TYPE>');
      return -1;
    default:
      return i;
  }
}

/** Prints n bytes as tcpdump's nd_printn; false when the capture ends first. */
function printN(ctx: PrintContext, cp: number, n: number): boolean {
  if (n <= 0) return n === 0;
  // The bounds are checked once for the whole run (u8's check per byte, hoisted).
  if (cp < ctx.start && cp < ctx.snapEnd) throw new Truncated();
  const end = Math.min(cp + n, ctx.snapEnd);
  const out = ctx.out;
  const d = ctx.data;
  for (let at = cp; at < end; at++) {
    const c = d[at]!;
    if (c >= 0x20 && c < 0x7f) out.byte(c);
    else out.text(printableChar(c));
  }
  return end - cp >= n;
}

/** fqdn_print: prints a name; returns the offset after it in the record, or undefined. */
function printName(ctx: PrintContext, cp: number, base: number): number | undefined {
  let l = labelLength(ctx, cp);
  if (l === -1 || !ctx.has(cp, 1)) return undefined;
  let maxOffset = cp - base;
  let i = ctx.u8(cp++);
  let compress = false;
  let rp: number | undefined;
  if ((i & 0xc0) !== 0xc0) rp = cp + l;
  let nameChars = 0;
  if (i === 0) {
    ctx.out.byte(0x2e);
    return rp;
  }
  while (i && cp < ctx.snapEnd) {
    switch (i & 0xc0) {
      case 0xc0: {
        if (!compress) {
          rp = cp + 1;
          compress = true;
        }
        if (!ctx.has(cp, 1)) return undefined;
        const offset = ((i << 8) | ctx.u8(cp)) & 0x3fff;
        if (offset >= maxOffset) {
          ctx.print('<BAD PTR>');
          return undefined;
        }
        maxOffset = offset;
        cp = base + offset;
        if (!ctx.has(cp, 1)) return undefined;
        i = ctx.u8(cp);
        l = labelLength(ctx, cp);
        if (l === -1) return undefined;
        cp++;
        continue;
      }
      case 0x40:
        ctx.print(`<ELT ${i & 0x3f}>`);
        return undefined;
      case 0x80:
        ctx.print('<BAD LABEL TYPE>');
        return undefined;
      default:
        if (nameChars + l <= MAXCDNAME) {
          if (!printN(ctx, cp, l)) return undefined;
        } else if (nameChars < MAXCDNAME) {
          if (!printN(ctx, cp, MAXCDNAME - nameChars)) return undefined;
        }
        nameChars += l;
    }
    cp += l;
    if (nameChars <= MAXCDNAME) ctx.out.byte(0x2e);
    nameChars++;
    if (!ctx.has(cp, 1)) return undefined;
    i = ctx.u8(cp);
    l = labelLength(ctx, cp);
    if (l === -1) return undefined;
    cp++;
    if (!compress && rp !== undefined) rp += l + 1;
  }
  if (nameChars > MAXCDNAME) ctx.print('<DOMAIN NAME TOO LONG>');
  return rp;
}

function printQuestion(ctx: PrintContext, cp: number, base: number, mdns: boolean): number | undefined {
  const start = cp;
  const after = skipName(ctx, cp);
  if (after === undefined || !ctx.has(after, 4)) return undefined;
  ctx.print(typeText(ctx.u16(after)));
  const rawClass = ctx.u16(after + 2);
  const cls = mdns ? rawClass & 0x7fff : rawClass;
  if (cls !== 1) ctx.print(` ${tok(CLASSES, '(Class %u)', cls)}`);
  if (mdns) ctx.print(rawClass & 0x8000 ? ' (QU)' : ' (QM)');
  ctx.print('? ');
  const end = printName(ctx, start, base);
  return end === undefined ? undefined : end + 4;
}

/** ns_rprint for the answer section without -vv; undefined means truncated. */
function printRecord(ctx: PrintContext, cp: number, base: number, mdns: boolean): number | undefined {
  let at: number | undefined;
  if (ctx.flags.verbose > 0) {
    ctx.print(' ');
    at = printName(ctx, cp, base);
    if (at === undefined) return undefined;
  } else at = skipName(ctx, cp);
  if (at === undefined || !ctx.has(at, 10)) return ctx.snapEnd;
  const type = ctx.u16(at);
  const rawClass = ctx.u16(at + 2);
  const cls = mdns ? rawClass & 0x7fff : rawClass;
  if (cls !== 1 && type !== 41) ctx.print(` ${tok(CLASSES, '(Class %u)', cls)}`);
  if (mdns && rawClass & 0x8000) ctx.print(' (Cache flush)');
  const optFlags = type === 41 ? ctx.u16(at + 6) : 0;
  if (type !== 41 && ctx.flags.verbose > 2) ctx.print(` [${relativeTime(ctx.u32(at + 4))}]`);
  const len = ctx.u16(at + 8);
  at += 10;
  const rp = at + len;
  ctx.print(typeText(type));
  if (rp > ctx.snapEnd) return undefined;
  switch (type) {
    case 1:
      if (!ctx.has(at, 4)) return undefined;
      ctx.out.byte(0x20);
      printIpv4(ctx, at);
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      ctx.print(' ');
      if (printName(ctx, at, base) === undefined) return undefined;
      break;
    case 15:
      ctx.print(' ');
      if (!ctx.has(at, 2) || printName(ctx, at + 2, base) === undefined) return undefined;
      ctx.print(` ${ctx.u16(at)}`);
      break;
    case 16:
      while (at < rp) {
        ctx.print(' "');
        const n = ctx.u8(at);
        if (!printN(ctx, at + 1, n)) return undefined;
        at += 1 + n;
        ctx.print('"');
      }
      break;
    case 33:
      ctx.print(' ');
      if (!ctx.has(at, 6) || printName(ctx, at + 6, base) === undefined) return undefined;
      ctx.print(`:${ctx.u16(at + 4)} ${ctx.u16(at)} ${ctx.u16(at + 2)}`);
      break;
    case 28:
      if (!ctx.has(at, 16)) return undefined;
      ctx.print(` ${formatIpv6(ctx.bytes(at, 16))}`);
      break;
    case 256:
      if (!ctx.has(at, len)) return undefined;
      ctx.print(` ${ctx.u16(at)} ${ctx.u16(at + 2)} `);
      if (!printN(ctx, at + 4, len - 4)) return undefined;
      break;
    case 6: {
      if (ctx.flags.verbose === 0) break;
      ctx.print(' ');
      let next = printName(ctx, at, base);
      if (next === undefined) return undefined;
      ctx.print(' ');
      next = printName(ctx, next, base);
      if (next === undefined || !ctx.has(next, 20)) return undefined;
      for (let i = 0; i < 5; i++) ctx.print(` ${ctx.u32(next + 4 * i)}`);
      break;
    }
    case 41:
      ctx.print(` UDPsize=${cls}`);
      if (optFlags & 0x8000) ctx.print(' DO');
      if (at < rp) {
        ctx.print(' [');
        while (at < rp) {
          const next = printEdnsOption(ctx, at);
          if (next === undefined) return undefined;
          at = next;
          if (at < rp) ctx.print(',');
        }
        ctx.print(']');
      }
      break;
    default:
      break;
  }
  return rp;
}

export function dnsPrint(ctx: PrintContext, bp: number, length: number, overTcp: boolean, mdns: boolean): void {
  ctx.protocol = 'domain';
  if (overTcp) {
    if (length < 2) {
      ctx.print(` [DNS over TCP: length ${length} < 2] (invalid)`);
      return;
    }
    length -= 2;
    const prefix = ctx.u16(bp);
    if (prefix !== length) {
      ctx.print(` [prefix length(${prefix}) != length(${length})] (invalid)`);
      return;
    }
    bp += 2;
    ctx.print(' ');
  }
  if (length < 12) {
    ctx.print(`domain [length ${length} < 12] (invalid)`);
    return;
  }
  ctx.check(bp, 12);
  const id = ctx.u16(bp);
  const flags = ctx.u16(bp + 2);
  let qd = ctx.u16(bp + 4);
  let an = ctx.u16(bp + 6);
  const ns = ctx.u16(bp + 8);
  const ar = ctx.u16(bp + 10);
  const rcode = extendedRcode(ctx, bp, flags, qd, an + ns, ar);
  const opcode = OPCODES[(flags >> 11) & 0xf]!;
  let cp: number | undefined = bp + 12;
  const trunc = (): void => ctx.printTrunc();
  if (flags & 0x8000) {
    const out = ctx.out;
    out.uint(id);
    out.text(opcode);
    out.text(rcodeText(rcode));
    if (flags & 0x0400) out.byte(0x2a);
    if (!(flags & 0x0080)) out.byte(0x2d);
    if (flags & 0x0200) out.byte(0x7c);
    if (flags & 0x0020) out.byte(0x24);
    if (qd !== 1) ctx.print(` [${qd}q]`);
    // The question section on -vv.
    for (let i = 0; i < qd; i++) {
      if (i !== 0) ctx.print(',');
      if (ctx.flags.verbose > 1) {
        ctx.print(' q:');
        cp = printQuestion(ctx, cp, bp, mdns);
      } else {
        cp = skipName(ctx, cp);
        if (cp !== undefined) cp += 4;
      }
      if (cp === undefined) return trunc();
    }
    out.byte(0x20);
    out.uint(an);
    out.byte(0x2f);
    out.uint(ns);
    out.byte(0x2f);
    out.uint(ar);
    if (an) {
      cp = printRecord(ctx, cp, bp, mdns);
      if (cp === undefined) return trunc();
      an--;
      while (cp < ctx.snapEnd && an) {
        ctx.print(',');
        cp = printRecord(ctx, cp, bp, mdns);
        if (cp === undefined) return trunc();
        an--;
      }
    }
    if (an) return trunc();
    // The authority and additional sections on -vv.
    if (ctx.flags.verbose > 1) {
      cp = printSection(ctx, cp, bp, mdns, ' ns:', ns);
      if (cp === undefined) return trunc();
      cp = printSection(ctx, cp, bp, mdns, ' ar:', ar);
      if (cp === undefined) return trunc();
    }
  } else {
    ctx.out.uint(id);
    ctx.out.text(opcode);
    if (flags & 0x0100) ctx.out.byte(0x2b);
    if (flags & 0x0010) ctx.out.byte(0x25);
    if (flags & 0x6cf) ctx.print(` [b2&3=0x${flags.toString(16)}]`);
    if (((flags >> 11) & 0xf) === 1) {
      if (qd) ctx.print(` [${qd}q]`);
      if (an !== 1) ctx.print(` [${an}a]`);
    } else {
      if (an) ctx.print(` [${an}a]`);
      if (qd !== 1) ctx.print(` [${qd}q]`);
    }
    if (ns) ctx.print(` [${ns}n]`);
    if (ar) ctx.print(` [${ar}au]`);
    if (qd) {
      cp = printQuestion(ctx, cp, bp, mdns);
      if (cp === undefined) return trunc();
      qd--;
      while (cp < ctx.snapEnd && qd) {
        cp = printQuestion(ctx, cp, bp, mdns);
        if (cp === undefined) return trunc();
        qd--;
      }
    }
    if (qd) return trunc();
    // The other sections on -vv.
    if (ctx.flags.verbose > 1) {
      for (const [label, count] of [[' an:', an], [' ns:', ns], [' ar:', ar]] as const) {
        cp = printSection(ctx, cp!, bp, mdns, label, count);
        if (cp === undefined) return trunc();
      }
    }
  }
  ctx.out.text(' (');
  ctx.out.uint(length);
  ctx.out.byte(0x29);
}

/** A dotted-quad address read in place (the caller checked the bounds). */
function printIpv4(ctx: PrintContext, at: number): void {
  const out = ctx.out;
  const d = ctx.data;
  out.uint(d[at]!);
  out.byte(0x2e);
  out.uint(d[at + 1]!);
  out.byte(0x2e);
  out.uint(d[at + 2]!);
  out.byte(0x2e);
  out.uint(d[at + 3]!);
}

/** The rcode with the EDNS extended bits from an OPT record, as tcpdump finds it. */
function extendedRcode(ctx: PrintContext, bp: number, flags: number, qd: number, anNs: number, ar: number): number {
  let rcode = flags & 0xf;
  // Only an OPT record in the additional section changes the rcode.
  if (ar === 0) return rcode;
  try {
    let cp: number | undefined = bp + 12;
    for (let i = 0; i < qd; i++) {
      cp = skipName(ctx, cp);
      if (cp === undefined) return rcode;
      cp += 4;
      if (cp >= ctx.snapEnd) return rcode;
    }
    for (let i = 0; i < anNs; i++) {
      cp = skipName(ctx, cp);
      if (cp === undefined) return rcode;
      cp += 8;
      if (cp + 2 > ctx.snapEnd) return rcode;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.snapEnd) return rcode;
    }
    for (let i = 0; i < ar; i++) {
      cp = skipName(ctx, cp);
      if (cp === undefined || cp + 2 > ctx.snapEnd) return rcode;
      const type = ctx.u16(cp);
      cp += 4;
      if (cp + 1 > ctx.snapEnd) return rcode;
      if (type === 41) return rcode | (ctx.u8(cp) << 4);
      cp += 4;
      if (cp + 2 > ctx.snapEnd) return rcode;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.snapEnd) return rcode;
    }
  } catch (err) {
    if (!(err instanceof Truncated)) throw err;
  }
  return rcode;
}

/**
 * One section's records after its label (` ns:`, ` ar:`), comma-separated, as tcpdump prints them
 * on -vv; undefined when the capture ends first (the section not printed whole).
 */
function printSection(ctx: PrintContext, cp: number, bp: number, mdns: boolean, label: string, count: number): number | undefined {
  if (count === 0) return cp;
  if (cp >= ctx.snapEnd) return undefined;
  ctx.print(label);
  let at: number | undefined = printRecord(ctx, cp, bp, mdns);
  if (at === undefined) return undefined;
  count--;
  while (at < ctx.snapEnd && count) {
    ctx.print(',');
    at = printRecord(ctx, at, bp, mdns);
    if (at === undefined) return undefined;
    count--;
  }
  return count ? undefined : at;
}

/** unsigned_relts_print: seconds as '1d2h3m4s' ('0s' for none). */
function relativeTime(secs: number): string {
  if (secs === 0) return '0s';
  let text = '';
  for (const [unit, size] of RELTS_UNITS) {
    if (secs >= size) {
      text += `${Math.floor(secs / size)}${unit}`;
      secs %= size;
    }
  }
  return text;
}

const RELTS_UNITS: ReadonlyArray<[string, number]> = [['y', 31536000], ['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];

const EDNS_OPTIONS = new Map<number, string>([
  [1, 'LLQ'], [2, 'UL'], [3, 'NSID'], [5, 'DAU'], [6, 'DHU'], [7, 'N3U'], [8, 'ECS'], [9, 'EXPIRE'], [10, 'COOKIE'],
  [11, 'KEEPALIVE'], [12, 'PADDING'], [13, 'CHAIN'], [14, 'KEY-TAG'], [16, 'CLIENT-TAG'], [17, 'SERVER-TAG'],
]);
/** DNSSEC algorithms (DAU), DS digests (DHU) and NSEC3 hashes (N3U) as tcpdump names them. */
const DAU_ALGORITHMS = new Map<number, string>([
  [0, 'DELETE'], [1, 'RSA/MD5'], [2, 'DH'], [3, 'DSA'], [4, 'ECC'], [5, 'RSA/SHA1'], [6, 'DSA-NSEC3-SHA1'],
  [7, 'RSASHA1-NSEC3-SHA1'], [8, 'RSA/SHA-256'], [10, 'RSA/SHA-512'], [12, 'ECC-GOST'], [13, 'ECDSAP256SHA256'],
  [14, 'ECDSAP384SHA384'], [15, 'ED25519'], [16, 'ED448'], [252, 'INDIRECT'], [253, 'PRIVATEDNS'], [254, 'PRIVATEOID'],
]);
const DHU_ALGORITHMS = new Map<number, string>([[1, 'SHA-1'], [2, 'SHA-256'], [3, 'GOST_R_34.11-94'], [4, 'SHA-384']]);
const N3U_ALGORITHMS = new Map<number, string>([[1, 'SHA-1']]);

/** eopt_print: one EDNS option of an OPT record ('COOKIE c s', 'ECS a/s/s', ...); undefined when cut. */
function printEdnsOption(ctx: PrintContext, cp: number): number | undefined {
  if (!ctx.has(cp, 2)) return undefined;
  const option = ctx.u16(cp);
  ctx.print(tok(EDNS_OPTIONS, 'Opt%u', option));
  if (!ctx.has(cp + 2, 2)) return undefined;
  const len = ctx.u16(cp + 2);
  const at = cp + 4;
  if (!ctx.has(at, len)) return undefined;
  if (len === 0) return at;
  ctx.print(' ');
  const bytes = ctx.bytes(at, len);
  const algorithms = (names: ReadonlyMap<number, string>): string => [...bytes].map((b) => tok(names, 'Alg_%u', b)).join(' ');
  switch (option) {
    case 8:
      ctx.print(ecsText(bytes));
      break;
    case 10:
      if (len < 8 || (len > 8 && len < 16) || len > 40) ctx.print(' (invalid)');
      else ctx.print(len > 8 ? `${bytes.toString('hex', 0, 8)} ${bytes.toString('hex', 8)}` : bytes.toString('hex'));
      break;
    case 11:
      ctx.print(len !== 2 ? ' (invalid)' : `${(bytes.readUInt16BE(0) / 10).toFixed(1)} sec`);
      break;
    case 9:
      ctx.print(len !== 4 ? ' (invalid)' : `${bytes.readUInt32BE(0)} sec`);
      break;
    case 12:
      ctx.print(`(${len})`);
      break;
    case 14:
      if (len % 2 !== 0) ctx.print(' (invalid)');
      else ctx.print(Array.from({ length: len / 2 }, (_, i) => bytes.readUInt16BE(2 * i)).join(' '));
      break;
    case 5:
      ctx.print(algorithms(DAU_ALGORITHMS));
      break;
    case 6:
      ctx.print(algorithms(DHU_ALGORITHMS));
      break;
    case 7:
      ctx.print(algorithms(N3U_ALGORITHMS));
      break;
    case 13:
      printName(ctx, at, at + len);
      break;
    default:
      ctx.print(bytes.toString('hex'));
  }
  return at + len;
}

/** edns_print_ecs: 'ADDRESS/SOURCE/SCOPE', the address padded with zeros, or ' (invalid)'. */
function ecsText(bytes: Buffer): string {
  if (bytes.length < 4) return ' (invalid)';
  const family = bytes.readUInt16BE(0);
  const source = bytes[2]!;
  const scope = bytes[3]!;
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (bits === 0 || bytes.length - 4 > bits / 8) return ' (invalid)';
  if (source > bits || scope > bits || Math.floor((source + 7) / 8) !== bytes.length - 4) return ' (invalid)';
  const padded = Buffer.alloc(bits / 8);
  bytes.copy(padded, 0, 4);
  const address = family === 1 ? [...padded].join('.') : formatIpv6(padded);
  return `${address}/${source}/${scope}`;
}
