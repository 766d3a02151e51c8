/**
 * Spanning tree BPDUs as tcpdump 4.99's print-stp.c prints them without -v: 802.1d and 802.1w
 * configuration BPDUs with their flags and bridge and port ids, MSTP (802.1s) and SPB (802.1aq)
 * BPDUs with their CIST flags, topology changes, ` (invalid)` for BPDUs too short for their type.
 * (-v adds the timers, root ids and MSTIs: not printed here.)
 */
import { PrintContext, hex } from './context';

const VERSIONS = new Map([
  [0, '802.1d'],
  [2, '802.1w'],
  [3, '802.1s'],
  [4, '802.1aq'],
]);
const TYPES = new Map([
  [0x00, 'Config'],
  [0x02, 'Rapid STP'],
  [0x80, 'Topology Change'],
]);
const FLAGS: Array<[number, string]> = [
  [0x01, 'Topology change'],
  [0x02, 'Proposal'],
  [0x10, 'Learn'],
  [0x20, 'Forward'],
  [0x40, 'Agreement'],
  [0x80, 'Topology change ACK'],
];
/** struct stp_bpdu_: protocol id … v1 length. */
const BPDU_LENGTH = 36;
const MSTP_MIN_LENGTH = 102;
const SPB_MIN_LENGTH = 87;
/** Where MSTP's version 3 length lies in the BPDU. */
const VER3_LENGTH_OFFSET = 36;

/** bittok2str: the names of the flags set, in the table's order, or `none`. */
function flagNames(flags: number): string {
  const names = FLAGS.filter(([bit]) => (flags & bit) === bit).map(([, name]) => name);
  return names.length ? names.join(', ') : 'none';
}

function bridgeId(ctx: PrintContext, p: number): string {
  const b = ctx.bytes(p, 8);
  return `${hex(b[0]!, 2)}${hex(b[1]!, 2)}.${[...b.subarray(2)].map((x) => hex(x, 2)).join(':')}`;
}

function configBpdu(ctx: PrintContext, p: number, length: number): void {
  ctx.print(`, Flags [${flagNames(ctx.u8(p + 4))}]`);
  const id = bridgeId(ctx, p + 17);
  ctx.print(`, bridge-id ${id}.${hex(ctx.u16(p + 25), 4)}, length ${length}`);
}

export function stpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'stp';
  const invalid = (): void => ctx.print(' (invalid)');
  if (length < 4) return invalid();
  if (ctx.u16(p)) {
    ctx.print(`unknown STP version, length ${length}`);
    return;
  }
  const version = ctx.u8(p + 2);
  ctx.print(`STP ${VERSIONS.get(version) ?? `Unknown STP protocol (0x${hex(version, 2)})`}`);
  if (!VERSIONS.has(version)) return;
  const type = ctx.u8(p + 3);
  ctx.print(`, ${TYPES.get(type) ?? `Unknown BPDU Type (0x${hex(type, 2)})`}`);
  if (type === 0x00) {
    if (length < BPDU_LENGTH - 1) return invalid();
    configBpdu(ctx, p, length);
  } else if (type === 0x02) {
    if (version === 2) {
      if (length < BPDU_LENGTH) return invalid();
      configBpdu(ctx, p, length);
    } else if (version === 3 || version === 4) {
      if (length < MSTP_MIN_LENGTH) return invalid();
      if (ctx.u8(p + 35) !== 0) return invalid();
      const mstpLength = ctx.u16(p + VER3_LENGTH_OFFSET) + 2;
      if (length < BPDU_LENGTH + mstpLength) return invalid();
      ctx.print(`, CIST Flags [${flagNames(ctx.u8(p + 4))}], length ${length}`);
      if (version === 4) {
        const spbLength = ctx.u16(p + VER3_LENGTH_OFFSET + mstpLength) + 2;
        if (length < BPDU_LENGTH + mstpLength + spbLength || spbLength < SPB_MIN_LENGTH) return invalid();
      }
    }
  }
}
