/**
 * OSI over 802.2 LLC (DSAP and SSAP 0xfe, UI frames) as tcpdump 4.99's isoclns_print prints IS-IS
 * without -v (print-isoclns.c isis_print): the PDU type and its brief header —
 * `IS-IS, L1 Lan IIH, src-id 2222.2222.2222, lan-id 2222.2222.2222.01, prio 64, length 1497`,
 * `IS-IS, L2 LSP, lsp-id 0192.0168.0001.00-00, seq 0x0000000b, lifetime  1196s, length 495`,
 * `IS-IS, L1 CSNP, src-id 3333.3333.3333.00, length 83` — and its complaints about a bad common
 * header, followed by the PDU's bytes. With -v tcpdump decodes every TLV, and other NLPIDs (CLNP,
 * ES-IS) have printers of their own: not printed here; the caller shows the frame as an unknown
 * LLC frame then.
 */
import { PrintContext } from './context';
import { hexPrint } from './hexdump';

const NLPID_ISIS = 0x83;
const COMMON_HEADER = 8;
const SYSTEM_ID = 6;
const NODE_ID = 7;
const LSP_ID = 8;

const PDU_NAMES: ReadonlyMap<number, string> = new Map([
  [15, 'L1 Lan IIH'],
  [16, 'L2 Lan IIH'],
  [17, 'p2p IIH'],
  [18, 'L1 LSP'],
  [20, 'L2 LSP'],
  [24, 'L1 CSNP'],
  [25, 'L2 CSNP'],
  [26, 'L1 PSNP'],
  [27, 'L2 PSNP'],
]);

/** The fixed header after the common one, by PDU type (isis_*_header sizes). */
const HEADER_SIZES: ReadonlyMap<number, number> = new Map([
  [15, 19],
  [16, 19],
  [17, 12],
  [18, 19],
  [20, 19],
  [24, 25],
  [25, 25],
  [26, 9],
  [27, 9],
]);

/**
 * Whether isoclnsPrint prints the OSI PDU at p (after the LLC header): IS-IS without -v, and a
 * PDU whose first byte was not captured (` [|isoclns]`, whatever the flags).
 */
export function isoclnsPrintable(ctx: PrintContext, p: number): boolean {
  return !ctx.has(p, 1) || (ctx.flags.verbose === 0 && ctx.u8(p) === NLPID_ISIS);
}

/** isoclns_print for the PDUs isoclnsPrintable accepts. */
export function isoclnsPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'isoclns';
  ctx.u8(p);
  if (ctx.flags.linkHeader) ctx.print('OSI NLPID IS-IS (0x83): ');
  if (!isisPrint(ctx, p, length)) hexPrint(ctx, '\n\t', p, Math.min(length, ctx.available(p)));
}

/** isis_print without -v; false where tcpdump's returns 0 (its caller then dumps the PDU). */
function isisPrint(ctx: PrintContext, p: number, length: number): boolean {
  ctx.protocol = 'isis';
  const e = ctx.flags.linkHeader;
  // ND_TCHECK_SIZE and the length checks go to isis_print's trunc label: ` [|isis]`, and the
  // frame ends as printed (the -x dump follows); a field read past the capture ends it as a cut
  // read does (the top level's Truncated).
  if (!ctx.has(p, COMMON_HEADER) || length < COMMON_HEADER) {
    ctx.printTrunc();
    return true;
  }
  if (!e) ctx.print('IS-IS');
  const version = ctx.u8(p + 2);
  if (version !== 1) {
    ctx.print(`version ${version} packet not supported`);
    return false;
  }
  const idLength = ctx.u8(p + 3);
  if (idLength !== SYSTEM_ID && idLength !== 0) {
    ctx.print(`system ID length of ${idLength} is not supported`);
    return false;
  }
  const pduVersion = ctx.u8(p + 5);
  if (pduVersion !== 1) {
    ctx.print(`version ${pduVersion} packet not supported`);
    return false;
  }
  const fixedLength = ctx.u8(p + 1);
  if (length < fixedLength) {
    ctx.print(`fixed header length ${fixedLength} > packet length ${length}`);
    return false;
  }
  if (fixedLength < COMMON_HEADER) {
    ctx.print(`fixed header length ${fixedLength} < minimum header size ${COMMON_HEADER}`);
    return false;
  }
  if (ctx.u8(p + 7) === 255) {
    ctx.print('bad packet -- 255 areas');
    return false;
  }
  const type = ctx.u8(p + 4);
  ctx.print(`${e ? '' : ', '}${PDU_NAMES.get(type) ?? `unknown PDU-Type ${type}`}`);
  const headerSize = HEADER_SIZES.get(type);
  if (headerSize === undefined) {
    ctx.print(`, length ${length}`);
    return true;
  }
  if (fixedLength !== COMMON_HEADER + headerSize) {
    // tcpdump's PSNP message starts with a dash, the others with a comma.
    ctx.print(`${type === 26 || type === 27 ? '- ' : ', '}bogus fixed header length ${fixedLength} should be ${type === 18 || type === 20 ? headerSize : COMMON_HEADER + headerSize}`);
    return false;
  }
  const h = p + COMMON_HEADER;
  if (!ctx.has(h, headerSize) || length < COMMON_HEADER + headerSize) {
    ctx.printTrunc();
    return true;
  }
  switch (type) {
    case 15:
    case 16:
      ctx.print(`, src-id ${isisId(ctx, h + 1, SYSTEM_ID)}`);
      ctx.print(`, lan-id ${isisId(ctx, h + 12, NODE_ID)}, prio ${ctx.u8(h + 11)}`);
      break;
    case 17:
      ctx.print(`, src-id ${isisId(ctx, h + 1, SYSTEM_ID)}`);
      break;
    case 18:
    case 20:
      ctx.print(`, lsp-id ${isisId(ctx, h + 4, LSP_ID)}, seq 0x${ctx.u32(h + 12).toString(16).padStart(8, '0')}, lifetime ${String(ctx.u16(h + 2)).padStart(5)}s`);
      break;
    default:
      // CSNP and PSNP: the source is a node ID.
      ctx.print(`, src-id ${isisId(ctx, h + 2, NODE_ID)}`);
      break;
  }
  ctx.print(`, length ${length}`);
  return true;
}

/** isis_print_id: `xxxx.xxxx.xxxx`, then `.yy` for a node ID and `-zz` for an LSP ID. */
function isisId(ctx: PrintContext, p: number, idLength: number): string {
  let text = '';
  for (let i = 1; i <= SYSTEM_ID; i++) {
    text += ctx.u8(p + i - 1).toString(16).padStart(2, '0');
    if (i === 2 || i === 4) text += '.';
  }
  if (idLength >= NODE_ID) text += `.${ctx.u8(p + SYSTEM_ID).toString(16).padStart(2, '0')}`;
  if (idLength === LSP_ID) text += `-${ctx.u8(p + NODE_ID).toString(16).padStart(2, '0')}`;
  return text;
}
