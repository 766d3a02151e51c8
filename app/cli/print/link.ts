/**
 * Link-layer printers (tcpdump's print-ether.c, print-sll.c, print-null.c, print-raw.c): they
 * print the link header only with -e (or when the payload is unknown), then hand the payload to
 * the network-layer printer for its ethertype or address family.
 */
import { PrintContext, hex, tok } from './context';
import { hexAndAsciiPrint, hexPrint, printableChar } from './hexdump';
import { arpPrint } from './arp';
import { stpPrint } from './stp';
import { cdpPrint } from './cdp';
import { isoclnsPrint, isoclnsPrintable } from './isis';
import { ptpPrint } from './ptp';
import { ipPrint, ip6Print } from './ip';
import { mplsPrint, mplsPrintable } from './mpls';
import { pppoePrint, pppoePrintable } from './ppp';
import { ETHERTYPE, ETHERTYPE_NAMES } from './tables';

const MAX_ETHERNET_LENGTH_VAL = 1500;

/** Prints the payload for an ethertype; false when tcpdump has no printer for it here. */
export function ethertypePrint(ctx: PrintContext, type: number, offset: number, length: number): boolean {
  switch (type) {
    case ETHERTYPE.IPV4:
      ipPrint(ctx, offset, length);
      return true;
    case ETHERTYPE.IPV6:
      ip6Print(ctx, offset, length);
      return true;
    case ETHERTYPE.ARP:
    case ETHERTYPE.REVARP:
      arpPrint(ctx, offset, length);
      return true;
    case ETHERTYPE.PPPOE_SESSION:
    case ETHERTYPE.PPPOE_DISC:
      if (!pppoePrintable(ctx, offset, length)) return false;
      pppoePrint(ctx, offset, length);
      return true;
    case ETHERTYPE.MPLS:
    case ETHERTYPE.MPLS_MULTI:
      if (!mplsPrintable(ctx, offset, length)) return false;
      mplsPrint(ctx, offset, length);
      return true;
    case 0x88cc:
      lldpPrint(ctx, offset, length);
      return true;
    case 0x88f7:
      ptpPrint(ctx, offset, length);
      return true;
    case 0x8809:
      slowPrint(ctx, offset, length);
      return true;
    case 0x888e:
      eapolPrint(ctx, offset);
      return true;
    case 0x9000:
      loopbackPrint(ctx, offset, length);
      return true;
    default:
      return false;
  }
}

/**
 * loopback_print (ethertype 0x9000, the Ethernet Configuration Testing Protocol): `Loopback,
 * skipCount 0, Reply, receipt number 0, data (40 octets)`; its fields are little-endian. Checks
 * end the packet as a cut read (tcpdump's ND_LONGJMP_FROM_TCHECK).
 */
function loopbackPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'loopback';
  const le16 = (at: number): number => ctx.u8(at) | (ctx.u8(at + 1) << 8);
  const invalid = (at: number, left: number): void => {
    ctx.print(' (invalid)');
    ctx.check(at, left);
  };
  ctx.print('Loopback');
  if (length < 2) return invalid(p, length);
  const skip = le16(p);
  p += 2;
  length -= 2;
  ctx.print(`, skipCount ${skip}${skip % 8 ? ' (bogus)' : ''}`);
  if (skip > length) return invalid(p, length);
  ctx.check(p, skip);
  p += skip;
  length -= skip;
  if (length < 2) return invalid(p, length);
  const fn = le16(p);
  p += 2;
  length -= 2;
  ctx.print(`, ${fn === 1 ? 'Reply' : fn === 2 ? 'Forward Data' : ` invalid (${fn})`}`);
  if (fn === 1 || fn === 2) {
    const header = fn === 1 ? 2 : 6;
    if (length < header) return invalid(p, length);
    ctx.print(fn === 1 ? `, receipt number ${le16(p)}` : `, forwarding address ${ctx.mac(p)}`);
    p += header;
    length -= header;
    ctx.print(`, data (${length} octets)`);
  }
  ctx.check(p, length);
}

const EAPOL_TYPES: readonly string[] = ['EAP packet', 'EAPOL start', 'EAPOL logoff', 'EAPOL key', 'Encapsulated ASF alert'];

/**
 * eapol_print (802.1X, ethertype 0x888e): `EAP packet (0) v1, len 5`. With -v tcpdump goes on with
 * the EAP message (code, id, type, identity…); this stops after the EAPOL header.
 */
function eapolPrint(ctx: PrintContext, p: number): void {
  ctx.protocol = 'eap';
  if (!ctx.has(p, 4)) return ctx.printTrunc();
  const type = ctx.u8(p + 1);
  ctx.print(`${EAPOL_TYPES[type] ?? 'unknown'} (${type}) v${ctx.u8(p)}, len ${ctx.u16(p + 2)}`);
}

const SLOW_PROTOCOLS: Readonly<Record<number, string>> = { 1: 'LACP', 2: 'MARKER', 3: 'OAM' };

/**
 * slow_print (ethertype 0x8809): `LACPv1, length 110`, `MARKERv1, …`, `OAM, length N`. With -v
 * tcpdump goes on with the TLVs on lines of their own; this stops after the first line.
 */
function slowPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'slow';
  const tooShort = (): void => ctx.print(ctx.flags.verbose ? '\n\t\t packet is too short' : ' (packet is too short)');
  if (len < 1) return tooShort();
  const subtype = ctx.u8(p);
  const name = SLOW_PROTOCOLS[subtype] ?? `unknown (${subtype})`;
  if (subtype === 1 || subtype === 2) {
    if (len < 2) return tooShort();
    const version = ctx.u8(p + 1);
    if (version !== 1) {
      ctx.print(`${name} version ${version} packet not supported`);
      return;
    }
    ctx.print(`${name}v${version}, length ${len}`);
  } else {
    ctx.print(`${name}, length ${len}`);
    if (subtype !== 3) hexPrint(ctx, '\n\t', p, Math.min(len, ctx.available(p)));
  }
}

/** The SNAP payloads printed here: Cisco's per-VLAN spanning tree, and RFC 1042's ethertypes whose printers exist. */
const SNAP_ETHERTYPES = new Set([0x0800, 0x86dd, 0x0806, 0x8035, 0x88cc]);

/**
 * llc_print's SNAP case (snap_print), for the payloads printed here: `oui Cisco (0x00000c), pid PVST
 * (0x010b)` BPDUs, CDP without -v (cdp.ts), and RFC 1042 (OUI 0) IPv4, IPv6, ARP and LLDP; false
 * (nothing printed) for any other, which the caller shows as an unknown LLC frame.
 */
function snapPrint(ctx: PrintContext, p: number, length: number): boolean {
  const org = (ctx.u8(p + 3) << 16) | ctx.u16(p + 4);
  const et = ctx.u16(p + 6);
  const pvst = org === 0x00000c && (et === 0x010b || et === 0x010c);
  // CDP without -v (cdp.ts; with -v tcpdump decodes every TLV, not done here).
  const cdp = org === 0x00000c && et === 0x2000 && ctx.flags.verbose === 0;
  const cisco = pvst || cdp;
  if (!cisco && !(org === 0 && SNAP_ETHERTYPES.has(et))) return false;
  if (ctx.flags.linkHeader) {
    ctx.print(`LLC, dsap SNAP (0xaa) ${ctx.u8(p) & 1 ? 'Group' : 'Individual'}, ssap SNAP (0xaa) ${ctx.u8(p + 1) & 1 ? 'Response' : 'Command'}, ctrl 0x03: `);
    const name = cdp ? 'CDP' : pvst ? (et === 0x010b ? 'PVST' : 'VLAN Bridge') : tok(ETHERTYPE_NAMES, 'Unknown', et);
    ctx.print(`oui ${cisco ? 'Cisco' : 'Ethernet'} (0x${hex(org, 6)}), ${cisco ? 'pid' : 'ethertype'} ${name} (0x${hex(et, 4)}), length ${length - 8}: `);
  }
  if (cdp) cdpPrint(ctx, p + 8, length - 8);
  else if (pvst) stpPrint(ctx, p + 8, length - 8);
  else ethertypePrint(ctx, et, p + 8, length - 8);
  return true;
}

/**
 * LLDP as tcpdump 4.99's lldp_print prints it without -v: `LLDP, length 135`, the system name
 * (`: switch-1.example`) when the frame has one, and ` [|lldp]` when
 * a TLV runs past the captured bytes or the frame. (-v lists the TLVs: not printed here.)
 */
function lldpPrint(ctx: PrintContext, offset: number, length: number): void {
  ctx.protocol = 'lldp';
  ctx.print(`LLDP, length ${length}`);
  let p = offset;
  let left = length;
  while (left >= 2) {
    // ND_TCHECK_LEN goes to lldp_print's trunc label: the frame ends as printed (-x dumps on).
    if (!ctx.has(p, 2)) {
      ctx.printTrunc();
      return;
    }
    const tlv = ctx.u16(p);
    const type = tlv >> 9;
    const tlvLength = tlv & 0x1ff;
    left -= 2;
    p += 2;
    if (type === 0 || tlvLength === 0) break;
    if (!ctx.has(p, tlvLength) || left < tlvLength) {
      ctx.printTrunc();
      return;
    }
    if (type === 5) {
      // The system name, printed without -v too.
      ctx.print(': ');
      for (let i = 0; i < tlvLength; i++) {
        const c = ctx.u8(p + i);
        if (c === 0) break;
        ctx.print(printableChar(c));
      }
    }
    left -= tlvLength;
    p += tlvLength;
  }
}

function etherTypeText(ctx: PrintContext, type: number): string {
  if (ctx.flags.quick) return tok(ETHERTYPE_NAMES, 'Unknown Ethertype (0x%04x)', type);
  return `ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', type)} (0x${hex(type, 4)})`;
}

/** The raw dump tcpdump prints for payloads it cannot decode (suppressed by -q, -x and -X). */
function defaultPrint(ctx: PrintContext, offset: number, caplen: number): void {
  if (!ctx.flags.suppressDefaultPrint) hexAndAsciiPrint(ctx, '\n\t', offset, caplen);
}

function isVlanType(type: number): boolean {
  return type === ETHERTYPE.VLAN || type === ETHERTYPE.VLAN_9100 || type === ETHERTYPE.VLAN_9200 ||
    type === ETHERTYPE.QINQ;
}

/**
 * The length of the 802.2 LLC header at p (tcpdump's llc_print return value): 3 for a U frame, 4
 * for I and S frames, 8 with a SNAP header (AA AA 03); what was captured at most.
 */
function llcHeaderLength(ctx: PrintContext, p: number, caplen: number): number {
  if (caplen < 3) return caplen;
  const dsap = ctx.u8(p);
  const ssap = ctx.u8(p + 1);
  const control = ctx.u8(p + 2);
  if ((control & 3) !== 3) return Math.min(4, caplen);
  if (dsap === 0xaa && ssap === 0xaa) return Math.min(8, caplen);
  return 3;
}

/**
 * The 802.2 LLC header at p and what it carries, as llc_print prints it: a header cut short,
 * SNAP, spanning tree, OSI, IP; else the SAPs (with the link addresses at `addressesAt`, source
 * and destination, unless -e printed them) and the U, S or I frame's control field, and the raw
 * dump; IPX and NetBEUI, which Sievecap does not decode, as `LLC, length N` and the dump.
 * `linkStart` is where the link header began (for -x's link-header length).
 */
function llcPrint(ctx: PrintContext, linkStart: number, p: number, length: number, caplen: number, addressesAt: readonly [number, number] | null): void {
  const e = ctx.flags.linkHeader;
  if (caplen < 3 || length < 3 || ((ctx.u8(p + 2) & 3) !== 3 && (caplen < 4 || length < 4))) {
    // llc_print on a header cut short: ` [|llc]` and the bytes there are.
    ctx.protocol = 'llc';
    ctx.printTrunc();
    if (length < caplen) ctx.linkHeaderLength = p - linkStart + length;
    // Printed even with -x (llc_print calls ND_DEFAULTPRINT without asking).
    hexAndAsciiPrint(ctx, '\n\t', p, caplen);
    return;
  }
  if ((ctx.u8(p) & 0xfe) === 0xaa && (ctx.u8(p + 1) & 0xfe) === 0xaa && ctx.u8(p + 2) === 0x03 && caplen < 8) {
    // snap_print on a SNAP header cut short: ` [|snap]`, and its length counted as the link
    // header's (so -x dumps nothing more).
    if (e) ctx.print(`LLC, dsap SNAP (0xaa) ${ctx.u8(p) & 1 ? 'Group' : 'Individual'}, ssap SNAP (0xaa) ${ctx.u8(p + 1) & 1 ? 'Response' : 'Command'}, ctrl 0x03: `);
    ctx.protocol = 'snap';
    ctx.printTrunc();
    ctx.linkHeaderLength = p - linkStart + 8;
    return;
  }
  if (caplen >= 3 && length >= 3 && (ctx.u8(p) & 0xfe) === 0x42 && (ctx.u8(p + 1) & 0xfe) === 0x42 && ctx.u8(p + 2) === 0x03) {
    // Spanning tree (llc_print's LLCSAP_8021D case).
    if (e) ctx.print(`LLC, dsap STP (0x42) ${ctx.u8(p) & 1 ? 'Group' : 'Individual'}, ssap STP (0x42) ${ctx.u8(p + 1) & 1 ? 'Response' : 'Command'}, ctrl 0x03: `);
    stpPrint(ctx, p + 3, length - 3);
    return;
  }
  if (caplen >= 8 && length >= 8 && (ctx.u8(p) & 0xfe) === 0xaa && (ctx.u8(p + 1) & 0xfe) === 0xaa && ctx.u8(p + 2) === 0x03 && snapPrint(ctx, p, length)) return;
  if (caplen >= 3 && length >= 3 && (ctx.u8(p) & 0xfe) === 0xfe && (ctx.u8(p + 1) & 0xfe) === 0xfe && ctx.u8(p + 2) === 0x03 && isoclnsPrintable(ctx, p + 3)) {
    // OSI (llc_print's LLCSAP_ISONS case): IS-IS.
    if (e) ctx.print(`LLC, dsap OSI (0xfe) ${ctx.u8(p) & 1 ? 'Group' : 'Individual'}, ssap OSI (0xfe) ${ctx.u8(p + 1) & 1 ? 'Response' : 'Command'}, ctrl 0x03: `);
    isoclnsPrint(ctx, p + 3, length - 3);
    return;
  }
  const dsapField = ctx.u8(p);
  const ssapField = ctx.u8(p + 1);
  const dsap = dsapField & 0xfe;
  const ssap = ssapField & 0xfe;
  const isU = (ctx.u8(p + 2) & 3) === 3;
  const control = isU ? ctx.u8(p + 2) : ctx.u8(p + 2) | (ctx.u8(p + 3) << 8);
  ctx.protocol = 'llc';
  // IPX (Ethernet_802.3 and 802.2), NetBEUI and SNAP headers of other organisations, which
  // tcpdump decodes and Sievecap does not.
  if ((dsapField === 0xff && ssapField === 0xff) || (ssap === 0xe0 && dsap === 0xe0 && control === 3) ||
    (ssap === 0xaa && dsap === 0xaa && control === 3) ||
    (ssap === 0xf0 && dsap === 0xf0 && (!(control & 1) || control === 3))) {
    if (!e) ctx.print(`LLC, length ${length}`);
    defaultPrint(ctx, p, caplen);
    return;
  }
  if (e) {
    ctx.print(`LLC, dsap ${llcSapName(dsap, 'Unknown')} (0x${hex(dsap, 2)}) ${dsapField & 1 ? 'Group' : 'Individual'}, `);
    ctx.print(`ssap ${llcSapName(ssap, 'Unknown')} (0x${hex(ssap, 2)}) ${ssapField & 1 ? 'Response' : 'Command'}`);
    ctx.print(isU ? `, ctrl 0x${hex(control, 2)}: ` : `, ctrl 0x${hex(control, 4)}: `);
  }
  if (ssap === 0x06 && dsap === 0x06 && control === 3) {
    // RFC 948: IP over 802.2.
    ipPrint(ctx, p + 3, length - 3);
    return;
  }
  if (!e) {
    const addresses = addressesAt !== null;
    const src = addresses ? ctx.mac(addressesAt[0]) : '';
    const dst = addresses ? ctx.mac(addressesAt[1]) : '';
    if (ssap === dsap) ctx.print(addresses ? `${src} > ${dst} ${llcSapName(dsap, `Unknown DSAP 0x${hex(dsap, 2)}`)} ` : `${llcSapName(dsap, `Unknown DSAP 0x${hex(dsap, 2)}`)} `);
    else if (addresses) ctx.print(`${src} ${llcSapName(ssap, `Unknown SSAP 0x${hex(ssap, 2)}`)} > ${dst} ${llcSapName(dsap, `Unknown DSAP 0x${hex(dsap, 2)}`)} `);
    else ctx.print(`${llcSapName(ssap, `Unknown SSAP 0x${hex(ssap, 2)}`)} > ${llcSapName(dsap, `Unknown DSAP 0x${hex(dsap, 2)}`)} `);
  }
  const flagName = (v: number): string => LLC_FLAG_NAMES.get(v) ?? '?';
  if (isU) {
    const cmd = control & 0xef;
    ctx.print(`Unnumbered, ${LLC_COMMANDS.get(cmd) ?? hex(cmd, 2)}, Flags [${flagName((ssapField & 1) | (control & 0x10))}], length ${length}`);
    if ((control & ~0x10) === 0xaf) {
      // XID: its format identifier and the two bytes after it.
      const rest = length - 3;
      const captured = caplen - 3;
      if (rest === 0) return;
      if (captured < 1) {
        ctx.printTrunc();
        return;
      }
      if (ctx.u8(p + 3) === 0x81) {
        if (captured < 3 || rest < 3) {
          ctx.printTrunc();
          // Printed even with -x (llc_print calls ND_DEFAULTPRINT without asking).
          if (captured > 0) hexAndAsciiPrint(ctx, '\n\t', p + 3, captured);
        } else ctx.print(`: ${hex(ctx.u8(p + 4), 2)} ${hex(ctx.u8(p + 5), 2)}`);
        return;
      }
    }
  } else if (control & 1) {
    const supervisory = ['Receiver Ready', 'Receiver not Ready', 'Reject'][(control >> 2) & 3] ?? '?';
    ctx.print(`Supervisory, ${supervisory}, rcv seq ${(control >> 9) & 0x7f}, Flags [${flagName((ssapField & 1) | (control & 0x100))}], length ${length}`);
    return;
  } else {
    ctx.print(`Information, send seq ${(control >> 1) & 0x7f}, rcv seq ${(control >> 9) & 0x7f}, Flags [${flagName((ssapField & 1) | (control & 0x100))}], length ${length}`);
  }
  // llc_print returns -hdrlen: its caller dumps the frame from the LLC header on.
  defaultPrint(ctx, p, caplen);
}

const LLC_SAP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Null'], [0xff, 'Global'], [0x02, '802.1B I'], [0x03, '802.1B G'], [0x06, 'IP'], [0x04, 'SNA'],
  [0x0e, 'ProWay NM'], [0x42, 'STP'], [0x4e, 'RS511'], [0x7e, 'ISO8208'], [0x8e, 'ProWay'], [0xaa, 'SNAP'],
  [0xe0, 'IPX'], [0xf0, 'NetBeui'], [0xfe, 'OSI'],
]);
const LLC_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x03, 'ui'], [0xe3, 'test'], [0xaf, 'xid'], [0x63, 'ua'], [0x43, 'disc'], [0x0f, 'dm'], [0x6f, 'sabme'], [0x87, 'frmr'],
]);
const LLC_FLAG_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Command'], [1, 'Response'], [0x10, 'Poll'], [0x11, 'Final'], [0x100, 'Poll'], [0x101, 'Final'],
]);

function llcSapName(sap: number, fallback: string): string {
  return LLC_SAP_NAMES.get(sap) ?? fallback;
}

export function tciText(tci: number): string {
  return `vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ', DEI' : ''}`;
}

export function etherPrint(ctx: PrintContext, offset: number, length: number, caplen: number): void {
  ctx.protocol = 'ether';
  if (length < caplen) {
    ctx.print(`[length ${length} < caplen ${caplen}] (invalid)`);
    ctx.linkHeaderLength = length;
    return;
  }
  if (caplen < 14) {
    ctx.printTrunc();
    ctx.linkHeaderLength = caplen;
    return;
  }
  const origLength = length;
  const dst = offset;
  const src = offset + 6;
  let p = offset + 12;
  length -= 12;
  caplen -= 12;
  const e = ctx.flags.linkHeader;
  if (e) ctx.print(`${ctx.mac(src)} > ${ctx.mac(dst)}, `);
  let lengthType = ctx.u16(p);
  p += 2;
  length -= 2;
  caplen -= 2;
  let printedLength = false;
  while (isVlanType(lengthType)) {
    if (caplen < 4 || length < 4) {
      ctx.protocol = 'vlan';
      ctx.printTrunc();
      ctx.linkHeaderLength = p - offset + (caplen < 4 ? caplen : length);
      return;
    }
    if (e) {
      const tag = ctx.u16(p);
      ctx.print(etherTypeText(ctx, lengthType));
      ctx.print(printedLength ? ', ' : `, length ${origLength}: `);
      printedLength = true;
      ctx.print(`${tciText(tag)}, `);
    }
    lengthType = ctx.u16(p + 2);
    p += 4;
    length -= 4;
    caplen -= 4;
  }
  if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
    // 802.3 with an LLC header: not decoded here; show it as tcpdump frames it, then the bytes.
    if (lengthType < length) {
      length = lengthType;
      if (caplen > length) caplen = length;
    }
    ctx.pushSnap(p, length);
    ctx.linkHeaderLength = p - offset + llcHeaderLength(ctx, p, caplen);
    if (e) ctx.print(printedLength ? '802.3' : `802.3, length ${length}: `);
    llcPrint(ctx, offset, p, length, caplen, [src, dst]);
    return;
  }
  if (e) {
    ctx.print(etherTypeText(ctx, lengthType));
    ctx.print(printedLength ? ', ' : `, length ${origLength}: `);
  }
  ctx.linkHeaderLength = p - offset;
  if (!ethertypePrint(ctx, lengthType, p, length)) {
    if (!e) {
      ctx.print(`${ctx.mac(src)} > ${ctx.mac(dst)}, `);
      ctx.print(`${etherTypeText(ctx, lengthType)}, length ${origLength}: `);
    }
    defaultPrint(ctx, p, caplen);
  }
}

/** print_fddi_fc: the frame control byte as -e names it (`async0 `). */
function fddiFrameControlText(fc: number): string {
  switch (fc) {
    case 0x00: return 'void ';
    case 0x80: return 'nrt ';
    case 0xc0: return 'rt ';
    case 0x41: return 'info ';
    case 0x4f: return 'nsa ';
    case 0xc2: return 'beacon ';
    case 0xc3: return 'claim ';
  }
  const z = (fc & 0x0f).toString(16);
  switch (fc & 0xf0) {
    case 0xc0: return `mac${z} `;
    case 0x40: return `smt${z} `;
    case 0x50: return `async${z} `;
    case 0xd0: return `sync${z} `;
    case 0x60: return `imp_async${z} `;
    case 0xe0: return `imp_sync${z} `;
    default: return `${hex(fc, 2)} `;
  }
}

/**
 * DLT_FDDI (print-fddi.c): a 13-byte header (frame control, destination, source). tcpdump built
 * for Linux takes the addresses as they are (no bit swapping, unlike Wireshark). With -e:
 * `async0 SRC > DST, length N: `; async LLC frames go on to 802.2 LLC, SMT frames say their
 * printer is not written, any other frame is the header and the raw dump.
 */
export function fddiPrint(ctx: PrintContext, length: number, caplen: number): void {
  ctx.protocol = 'fddi';
  const s = ctx.start;
  if (caplen < 13) {
    ctx.printTrunc();
    ctx.linkHeaderLength = caplen;
    return;
  }
  const fc = ctx.u8(s);
  const header = (len: number): void => {
    if (!ctx.flags.quick) ctx.print(fddiFrameControlText(fc));
    ctx.print(`${ctx.mac(s + 7)} > ${ctx.mac(s + 1)}, length ${len}: `);
  };
  if (ctx.flags.linkHeader) header(length);
  const p = s + 13;
  length -= 13;
  caplen -= 13;
  ctx.linkHeaderLength = 13;
  if ((fc & 0xf0) === 0x50) {
    ctx.linkHeaderLength = 13 + llcHeaderLength(ctx, p, caplen);
    llcPrint(ctx, s, p, length, caplen, [s + 7, s + 1]);
  } else if ((fc & 0xf0) === 0x40) {
    ctx.print('<SMT printer not yet implemented>');
  } else {
    if (!ctx.flags.linkHeader) header(length + 13);
    defaultPrint(ctx, p, caplen);
  }
}

const SLL_PKTTYPE = new Map<number, string>([[0, 'In'], [1, 'B'], [2, 'M'], [3, 'P'], [4, 'Out']]);

function cookedTypeText(type: number): string {
  if (type > MAX_ETHERNET_LENGTH_VAL) return etherTypeTextFull(type);
  if (type === 1) return '802.3';
  if (type === 4) return '802.2';
  return `ethertype Unknown (0x${hex(type, 4)})`;
}

function etherTypeTextFull(type: number): string {
  return `ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', type)} (0x${hex(type, 4)})`;
}

/** The payload of a cooked (SLL/SLL2) header, from its protocol field on (tcpdump's `recurse`). */
function cookedPayload(
  ctx: PrintContext,
  type: number,
  p: number,
  length: number,
  caplen: number,
  printHeader: () => void,
): void {
  for (;;) {
    ctx.linkHeaderLength = p - ctx.start;
    if (type <= MAX_ETHERNET_LENGTH_VAL) {
      defaultPrint(ctx, p, caplen);
      return;
    }
    if (type === ETHERTYPE.VLAN) {
      if (caplen < 4) {
        ctx.protocol = 'vlan';
        ctx.printTrunc();
        ctx.linkHeaderLength = p - ctx.start + caplen;
        return;
      }
      if (ctx.flags.linkHeader) ctx.print(`${tciText(ctx.u16(p))}, `);
      type = ctx.u16(p + 2);
      if (type <= MAX_ETHERNET_LENGTH_VAL) type = 4;
      if (!ctx.flags.quick) ctx.print(`ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', type)}, `);
      p += 4;
      length -= 4;
      caplen -= 4;
      continue;
    }
    if (!ethertypePrint(ctx, type, p, length)) {
      if (!ctx.flags.linkHeader) printHeader();
      defaultPrint(ctx, p, caplen);
    }
    return;
  }
}

export function sllPrint(ctx: PrintContext, length: number, caplen: number): void {
  ctx.protocol = 'sll';
  const s = ctx.start;
  ctx.check(s, 16);
  const printHeader = (): void => {
    ctx.protocol = 'sll';
    ctx.print(`${(SLL_PKTTYPE.get(ctx.u16(s)) ?? '?').padStart(3)} `);
    if (ctx.u16(s + 4) === 6) ctx.print(`${ctx.mac(s + 6)} `);
    if (!ctx.flags.quick) ctx.print(`${cookedTypeText(ctx.u16(s + 14))}, length ${length}: `);
  };
  if (ctx.flags.linkHeader) printHeader();
  if (ctx.u16(s + 2) === 803) {
    ctx.print('[802.11 radiotap not decoded]');
    ctx.linkHeaderLength = 16;
    return;
  }
  cookedPayload(ctx, ctx.u16(s + 14), s + 16, length - 16, caplen - 16, printHeader);
}

export function sll2Print(
  ctx: PrintContext,
  length: number,
  caplen: number,
  interfaceName: (ifindex: number) => string | undefined,
): void {
  ctx.protocol = 'sll2';
  const s = ctx.start;
  ctx.check(s, 20);
  const ifindex = ctx.u32(s + 4);
  ctx.print(`${(interfaceName(ifindex) ?? '?').padEnd(5)} `);
  ctx.print(`${(SLL_PKTTYPE.get(ctx.u8(s + 10)) ?? '?').padEnd(3)} `);
  const printHeader = (): void => {
    ctx.protocol = 'sll2';
    ctx.print(`ifindex ${ifindex} `);
    if (ctx.u8(s + 11) === 6) ctx.print(`${ctx.mac(s + 12)} `);
    if (!ctx.flags.quick) ctx.print(`${cookedTypeText(ctx.u16(s))}, length ${length}: `);
  };
  if (ctx.flags.linkHeader) printHeader();
  if (ctx.u16(s + 8) === 803) {
    ctx.print('[802.11 radiotap not decoded]');
    ctx.linkHeaderLength = 20;
    return;
  }
  cookedPayload(ctx, ctx.u16(s), s + 20, length - 20, caplen - 20, printHeader);
}

const BSD_AF_NAMES = new Map<number, string>([
  [2, 'IPv4'], [6, 'NS'], [7, 'ISO'], [16, 'Appletalk'], [23, 'IPX'], [24, 'IPv6'], [28, 'IPv6'], [30, 'IPv6'],
]);

/** DLT_NULL / DLT_LOOP: a 4-byte address family in either byte order. */
export function nullPrint(ctx: PrintContext, length: number, caplen: number): void {
  ctx.protocol = 'null';
  const s = ctx.start;
  let family = ctx.u32le(s);
  if ((family & 0xffff0000) !== 0) family = ctx.u32(s);
  const header = (len: number): void => {
    if (!ctx.flags.quick) ctx.print(`AF ${tok(BSD_AF_NAMES, 'Unknown', family)} (${family})`);
    else ctx.print(tok(BSD_AF_NAMES, 'Unknown AF %u', family));
    ctx.print(`, length ${len}: `);
  };
  if (ctx.flags.linkHeader) header(length);
  ctx.linkHeaderLength = 4;
  switch (family) {
    case 2:
      ipPrint(ctx, s + 4, length - 4);
      return;
    case 24:
    case 28:
    case 30:
      ip6Print(ctx, s + 4, length - 4);
      return;
    default:
      if (!ctx.flags.linkHeader) header(length);
      defaultPrint(ctx, s + 4, caplen - 4);
  }
}

/** DLT_RAW / IPV4 / IPV6: the packet starts with the IP header (tcpdump's ipN_print). */
export function rawPrint(ctx: PrintContext, length: number): void {
  ctx.protocol = 'raw';
  if (ctx.flags.linkHeader) ctx.print('ip: ');
  ctx.protocol = 'ipn';
  if (length < 1) {
    ctx.print(`truncated-ip ${length}`);
    return;
  }
  const s = ctx.start;
  const version = ctx.u8(s) & 0xf0;
  if (version === 0x40) ipPrint(ctx, s, length);
  else if (version === 0x60) ip6Print(ctx, s, length);
  else ctx.print(`unknown ip ${version >> 4}`);
}

/**
 * nflog_if_print (LINKTYPE_NFLOG, 239: Linux's netfilter log): the 4-byte header (family,
 * version, resource ID) with -e, its TLVs skipped up to the packet payload's, then the IPv4 or
 * IPv6 packet; another family prints the header and the raw dump. The TLV lengths are in the
 * capturing host's byte order, which libpcap converts to the reader's: little-endian here.
 */
export function nflogPrint(ctx: PrintContext, length: number, caplen: number): void {
  ctx.protocol = 'nflog';
  if (caplen < 4) {
    ctx.printTrunc();
    ctx.linkHeaderLength = caplen;
    return;
  }
  ctx.linkHeaderLength = 4;
  const h = ctx.start;
  const family = ctx.u8(h);
  const version = ctx.u8(h + 1);
  const header = (len: number): void => {
    ctx.print(`version ${version}, resource ID ${ctx.u16(h + 2)}`);
    if (!ctx.flags.quick) ctx.print(`, family ${family === 2 ? 'IPv4' : family === 10 ? 'IPv6' : 'Unknown'} (${family})`);
    else ctx.print(`, ${family === 2 ? 'IPv4' : family === 10 ? 'IPv6' : `Unknown NFLOG (0x${hex(family, 2)})`}`);
    ctx.print(`, length ${len}: `);
  };
  if (version !== 0) {
    ctx.print(`version ${version} (unknown)`);
    return;
  }
  if (ctx.flags.linkHeader) header(length);
  let p = h + 4;
  let headerSize = 4;
  length -= 4;
  caplen -= 4;
  while (length > 0) {
    if (caplen < 4) return nflogTrunc(ctx, headerSize);
    let size = ctx.u8(p) | (ctx.u8(p + 1) << 8);
    if (size % 4 !== 0) size += 4 - (size % 4);
    if (size < 4 || caplen < size) return nflogTrunc(ctx, headerSize);
    if ((ctx.u8(p + 2) | (ctx.u8(p + 3) << 8)) === 9) {
      p += 4;
      headerSize += 4;
      length -= 4;
      caplen -= 4;
      break;
    }
    p += size;
    headerSize = (headerSize + size) & 0xffff;
    length -= size;
    caplen -= size;
  }
  ctx.linkHeaderLength = headerSize;
  if (family === 2) ipPrint(ctx, p, length);
  else if (family === 10) ip6Print(ctx, p, length);
  else {
    if (!ctx.flags.linkHeader) header(length + 4);
    defaultPrint(ctx, p, caplen);
  }
}

function nflogTrunc(ctx: PrintContext, headerSize: number): void {
  ctx.printTrunc();
  ctx.linkHeaderLength = headerSize;
}
