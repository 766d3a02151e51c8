/**
 * PPP as tcpdump 4.99's print-ppp.c and print-pppoe.c print it: the PPP link type (DLT_PPP, 9),
 * PPP in PPPoE (discovery packets with their tags, session packets with the PPP frame inside) and
 * in PPTP's enhanced GRE. ppp_print reads the optional address/control field and the protocol
 * (one byte when compressed); handle_ppp prints the control protocols' first line (`LCP,
 * Conf-Request (0x01), id 1, length 12`), CHAP and PAP, and hands IPv4, IPv6, MPLS and OSI to
 * their printers. With -v the control protocols' encoded length follows; their options are not
 * decoded here (tcpdump prints each option of LCP, IPCP, IP6CP, CCP and BACP).
 */
import { PrintContext, hex, tok } from './context';
import { hexPrint, printableChar } from './hexdump';
import { ipPrint, ip6Print } from './ip';
import { isoclnsPrint } from './isis';
import { mplsPrint } from './mpls';

export const PPP_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0021, 'IP'], [0x0023, 'OSI'], [0x0025, 'NS'], [0x0027, 'DECNET'], [0x0029, 'APPLE'],
  [0x002b, 'IPX'], [0x002d, 'VJC IP'], [0x002f, 'VJNC IP'], [0x0031, 'BRPDU'], [0x0033, 'STII'],
  [0x0035, 'VINES'], [0x0281, 'MPLS'], [0x0283, 'MPLS'], [0x00fd, 'Compressed'], [0x003d, 'MLPPP'],
  [0x0057, 'IP6'], [0x0201, 'HELLO'], [0x0231, 'LUXCOM'], [0x0233, 'SNS'], [0x8021, 'IPCP'],
  [0x8023, 'OSICP'], [0x8025, 'NSCP'], [0x8027, 'DECNETCP'], [0x8029, 'APPLECP'], [0x802b, 'IPXCP'],
  [0x8033, 'STIICP'], [0x8035, 'VINESCP'], [0x8057, 'IP6CP'], [0x8281, 'MPLSCP'], [0xc021, 'LCP'],
  [0xc023, 'PAP'], [0xc025, 'LQM'], [0xc223, 'CHAP'], [0xc227, 'EAP'], [0xc027, 'SPAP'],
  [0xc123, 'Old-SPAP'], [0xc02b, 'BACP'], [0xc02d, 'BAP'], [0xc03d, 'MLPPP-CP'], [0x80fd, 'CCP'],
]);

const CP_CODES: ReadonlyMap<number, string> = new Map([
  [0, 'Vendor-Extension'], [1, 'Conf-Request'], [2, 'Conf-Ack'], [3, 'Conf-Nack'], [4, 'Conf-Reject'],
  [5, 'Term-Request'], [6, 'Term-Ack'], [7, 'Code-Reject'], [8, 'Prot-Reject'], [9, 'Echo-Request'],
  [10, 'Echo-Reply'], [11, 'Disc-Req'], [12, 'Ident'], [13, 'Time-Rem'], [14, 'Reset-Req'], [15, 'Reset-Ack'],
]);
const CHAP_CODES: ReadonlyMap<number, string> = new Map([[1, 'Challenge'], [2, 'Response'], [3, 'Success'], [4, 'Fail']]);
const PAP_CODES: ReadonlyMap<number, string> = new Map([[1, 'Auth-Req'], [2, 'Auth-ACK'], [3, 'Auth-NACK']]);
const CONTROL_PROTOCOLS = new Set([0xc021, 0x8021, 0x8023, 0x8281, 0x8057, 0x80fd, 0xc02b]);

/** The protocols handle_ppp decodes with a printer Sievecap lacks (it prints them as tcpdump cannot be matched). */
const NOT_DECODED = new Set([0x003d, 0xc02d, 0x002b, 0x8137]);

/** print_unknown_data: hex lines of what was captured, no truncation mark. */
function unknownData(ctx: PrintContext, indent: string, p: number, length: number): void {
  hexPrint(ctx, indent, p, Math.min(length, ctx.available(p)));
}

function pppTypeName(proto: number, fallback: string): string {
  return PPP_TYPE_NAMES.get(proto) ?? fallback.replace('%04x', hex(proto, 4));
}

/** Whether pppPrint prints the PPP frame at p as tcpdump does (false: Multilink PPP, BAP, IPX, HDLC escapes). */
export function pppPrintable(ctx: PrintContext, p: number, length: number): boolean {
  if (length < 2 || !ctx.has(p, 2)) return true;
  let q = p;
  const header = ctx.u16(q);
  if (header === 0x0003 || header === 0x0103 || header === 0xff03) q += 2;
  if (!ctx.has(q, 1)) return true;
  const proto = ctx.u8(q) % 2 ? ctx.u8(q) : ctx.has(q, 2) ? ctx.u16(q) : 0;
  return !NOT_DECODED.has(proto) && (proto & 0xff00) !== 0x7e00;
}

/** ppp_print: the header, then the frame; returns the header's length (0 when it was cut). */
export function pppPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'ppp';
  const olen = length;
  let headerLength = 0;
  if (length < 2) {
    ctx.printTrunc();
    return 0;
  }
  const header = ctx.u16(p);
  if (header === 0x0003 || header === 0x0103 || header === 0xff03) {
    if (ctx.flags.linkHeader && header !== 0xff03) ctx.print(header === 0x0003 ? 'In  ' : 'Out ');
    p += 2;
    length -= 2;
    headerLength += 2;
  }
  if (length < 2) {
    ctx.printTrunc();
    return 0;
  }
  let proto: number;
  if (ctx.u8(p) % 2) {
    proto = ctx.u8(p);
    p++;
    length--;
    headerLength++;
  } else {
    proto = ctx.u16(p);
    p += 2;
    length -= 2;
    headerLength += 2;
  }
  if (ctx.flags.linkHeader) {
    const name = PPP_TYPE_NAMES.get(proto);
    ctx.print(`${name ?? 'unknown'} (0x${hex(proto, 4)}), length ${olen}`);
    if (name === undefined) return headerLength;
    ctx.print(': ');
  }
  handlePpp(ctx, proto, p, length);
  return headerLength;
}

/** handle_ppp: the payload by its PPP protocol. */
export function handlePpp(ctx: PrintContext, proto: number, p: number, length: number): void {
  if (CONTROL_PROTOCOLS.has(proto)) {
    controlProtocolPrint(ctx, proto, p, length);
    return;
  }
  switch (proto) {
    case 0xc223:
      chapPrint(ctx, p, length);
      return;
    case 0xc023:
      papPrint(ctx, p, length);
      return;
    case 0x0800:
    case 0x002f:
    case 0x0021:
      ipPrint(ctx, p, length);
      return;
    case 0x86dd:
    case 0x0057:
      ip6Print(ctx, p, length);
      return;
    case 0x0023:
      isoclnsPrint(ctx, p, length);
      return;
    case 0x0281:
    case 0x0283:
      mplsPrint(ctx, p, length);
      return;
    case 0x00fd:
      ctx.print('compressed PPP data');
      return;
    default:
      ctx.print(`${pppTypeName(proto, 'unknown PPP protocol (0x%04x)')} `);
      unknownData(ctx, '\n\t', p, length);
  }
}

/** handle_ctrl_proto: LCP, IPCP, IP6CP, CCP, … (the options are not decoded: see the file's comment). */
function controlProtocolPrint(ctx: PrintContext, proto: number, p: number, length: number): void {
  const typeName = pppTypeName(proto, 'unknown ctrl-proto (0x%04x)');
  ctx.print(`${typeName}, `);
  if (length < 4 || !ctx.has(p, 2)) {
    ctx.print(`[|${typeName}]`);
    return;
  }
  const code = ctx.u8(p);
  ctx.print(`${tok(CP_CODES, 'Unknown Opcode', code)} (0x${hex(code, 2)}), id ${ctx.u8(p + 1)}, length ${length + 2}`);
  if (!ctx.flags.verbose) return;
  const len = ctx.u16(p + 2);
  if (len < 4) {
    ctx.print(`\n\tencoded length ${len} (< 4))`);
    return;
  }
  if (len > length) {
    ctx.print(`\n\tencoded length ${len} (> packet length ${length}))`);
    return;
  }
  ctx.print(`\n\tencoded length ${len} (=Option(s) length ${len - 4})`);
}

/** fn_print_char over n bytes. */
function printChars(ctx: PrintContext, p: number, n: number): void {
  for (let i = 0; i < n; i++) ctx.print(printableChar(ctx.u8(p + i)));
}

/** handle_chap. */
function chapPrint(ctx: PrintContext, p: number, length: number): void {
  const p0 = p;
  if (length < 1) {
    ctx.print('[|chap]');
    return;
  }
  if (length < 4) {
    ctx.print(`[|chap 0x${hex(ctx.u8(p), 2)}]`);
    return;
  }
  const code = ctx.u8(p);
  ctx.print(`CHAP, ${tok(CHAP_CODES, 'unknown', code)} (0x${hex(code, 2)})`);
  ctx.print(`, id ${ctx.u8(p + 1)}`);
  const len = ctx.u16(p + 2);
  p += 4;
  if (code === 1 || code === 2) {
    if (length - (p - p0) < 1) return;
    const valueSize = ctx.u8(p);
    p++;
    if (length - (p - p0) < valueSize) return;
    ctx.print(', Value ');
    for (let i = 0; i < valueSize; i++) ctx.print(hex(ctx.u8(p + i), 2));
    p += valueSize;
    ctx.print(', Name ');
    printChars(ctx, p, (len - (p - p0)) >>> 0);
  } else if (code === 3 || code === 4) {
    ctx.print(', Msg ');
    printChars(ctx, p, (len - (p - p0)) >>> 0);
  }
}

/** handle_pap. */
function papPrint(ctx: PrintContext, p: number, length: number): void {
  const p0 = p;
  if (length < 1) {
    ctx.print('[|pap]');
    return;
  }
  if (length < 4) {
    ctx.print(`[|pap 0x${hex(ctx.u8(p), 2)}]`);
    return;
  }
  const code = ctx.u8(p);
  ctx.print(`PAP, ${tok(PAP_CODES, 'unknown', code)} (0x${hex(code, 2)})`);
  ctx.print(`, id ${ctx.u8(p + 1)}`);
  const len = ctx.u16(p + 2);
  p += 4;
  if (len > length) {
    ctx.print(`, length ${len} > packet size`);
    return;
  }
  length = len;
  if (length < p - p0) {
    ctx.print(`, length ${length} < PAP header length`);
    return;
  }
  const counted = (label: string): boolean => {
    if (length - (p - p0) < 1) return false;
    const n = ctx.u8(p);
    p++;
    if (length - (p - p0) < n) return false;
    ctx.print(label);
    printChars(ctx, p, n);
    p += n;
    return true;
  };
  if (code === 1) {
    if (len < 6) {
      ctx.print('[|pap]');
      return;
    }
    if (counted(', Peer ')) counted(', Name ');
  } else if (code === 2 || code === 3) {
    if (len < 5) {
      ctx.print('[|pap]');
      return;
    }
    counted(', Msg ');
  }
}

const PPPOE_CODES: ReadonlyMap<number, string> = new Map([[0x09, 'PADI'], [0x07, 'PADO'], [0x19, 'PADR'], [0x65, 'PADS'], [0xa7, 'PADT'], [0, '']]);
const PPPOE_TAGS: ReadonlyMap<number, string> = new Map([
  [0, 'EOL'], [0x0101, 'Service-Name'], [0x0102, 'AC-Name'], [0x0103, 'Host-Uniq'], [0x0104, 'AC-Cookie'],
  [0x0105, 'Vendor-Specific'], [0x0110, 'Relay-Session-ID'], [0x0120, 'PPP-Max-Payload'],
  [0x0201, 'Service-Name-Error'], [0x0202, 'AC-System-Error'], [0x0203, 'Generic-Error'],
]);

/** Whether pppoePrint prints the PPPoE packet at p as tcpdump does. */
export function pppoePrintable(ctx: PrintContext, p: number, length: number): boolean {
  if (length < 6 || !ctx.has(p, 6) || ctx.u8(p + 1) !== 0) return true;
  return pppPrintable(ctx, p + 6, Math.min(ctx.u16(p + 4), length - 6));
}

/** pppoe_print (ethertypes 0x8863 and 0x8864). */
export function pppoePrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'pppoe';
  if (length < 6) {
    ctx.print(` (length ${length} < 6) (invalid)`);
    return;
  }
  length -= 6;
  ctx.check(p, 6);
  const version = ctx.u8(p) >> 4;
  const type = ctx.u8(p) & 0x0f;
  const code = ctx.u8(p + 1);
  const session = ctx.u16(p + 2);
  let pppoeLength = ctx.u16(p + 4);
  const payload = p + 6;
  if (version !== 1) ctx.print(` [ver ${version}]`);
  if (type !== 1) ctx.print(` [type ${type}]`);
  ctx.print(`PPPoE ${PPPOE_CODES.get(code) ?? `PAD-${code.toString(16)}`}`);
  if (code === 0x09 && pppoeLength > 1484 - 6) ctx.print(` [len ${pppoeLength}!]`);
  if (pppoeLength > length) {
    ctx.print(` [len ${pppoeLength} > ${length}!]`);
    pppoeLength = length;
  }
  if (session) ctx.print(` [ses 0x${session.toString(16)}]`);
  if (code === 0) {
    ctx.print(' ');
    pppPrint(ctx, payload, pppoeLength);
    return;
  }
  let tagType = 0xffff;
  let q = payload;
  while (tagType && q < payload + pppoeLength) {
    tagType = ctx.u16(q);
    const tagLength = ctx.u16(q + 2);
    q += 4;
    const name = PPPOE_TAGS.get(tagType) ?? `TAG-0x${tagType.toString(16)}`;
    if (tagLength) {
      ctx.check(q, tagLength);
      let text = '';
      let ascii = 0;
      let garbage = 0;
      for (let v = q; v < q + tagLength && text.length < 79; v++) {
        const c = ctx.data[v]!;
        if (c >= 0x20 && c < 0x7f) {
          text += String.fromCharCode(c);
          ascii++;
        } else {
          text += '.';
          garbage++;
        }
      }
      if (ascii > garbage) ctx.print(` [${name} "${text}"]`);
      else {
        let hexText = '';
        for (let v = q; v < q + tagLength; v++) hexText += hex(ctx.data[v]!, 2).toUpperCase();
        ctx.print(` [${name} 0x${hexText}]`);
      }
    } else ctx.print(` [${name}]`);
    q += tagLength;
  }
}
