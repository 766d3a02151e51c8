/**
 * libpcap's cooked-mode offset rewrite (pcap-linux.c, fix_program / fix_offset).
 *
 * On the `any` device libpcap opens a SOCK_DGRAM packet socket: the kernel filter sees the packet
 * from L3, while the filter was compiled for a Linux cooked header (SLL, 16 bytes, or SLL2, 20
 * bytes) that libpcap builds in user space. Before installing the filter libpcap rewrites every
 * packet load (absolute, indirect and msh): offsets past the cooked header move down by its length,
 * the header fields the kernel knows become ancillary loads, and any other header offset makes
 * libpcap give up on kernel filtering. We do the same, and give up with an error instead.
 */
import {
  BPF_ABS, BPF_IND, BPF_LD, BPF_LDX, BPF_MSH, classOf, isSpecialOffset, modeOf, SKF_AD, SKF_AD_OFF,
  type ClassicInsn,
} from './classic';

export type CookedMode = 'sll' | 'sll2';

/** DLT_LINUX_SLL header length (SLL_HDR_LEN). */
export const SLL_HDR_LEN = 16;
/** DLT_LINUX_SLL2 header length (SLL2_HDR_LEN). */
export const SLL2_HDR_LEN = 20;

/** Thrown when a filter reads a part of the cooked header the kernel cannot provide. */
export class CookedOffsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CookedOffsetError';
  }
}

const ancillary = (field: number): number => (SKF_AD_OFF + field) >>> 0;

/** fix_offset: the kernel-side k of one packet load, or throws when libpcap would punt to userland. */
export function fixCookedOffset(k: number, mode: CookedMode, index: number): number {
  const u = k >>> 0;
  if (isSpecialOffset(u)) return u; // already an ancillary load: libpcap leaves it alone
  const headerLength = mode === 'sll2' ? SLL2_HDR_LEN : SLL_HDR_LEN;
  if (u >= headerLength) return u - headerLength;
  const fields: Record<number, number> =
    mode === 'sll2'
      ? { 0: SKF_AD.PROTOCOL, 4: SKF_AD.IFINDEX, 10: SKF_AD.PKTTYPE }
      : { 0: SKF_AD.PKTTYPE, 14: SKF_AD.PROTOCOL };
  const field = fields[u];
  if (field !== undefined) return ancillary(field);
  // libpcap's `(bpf_int32)k > 0` test: every header offset but 0 and the mapped ones is refused.
  throw new CookedOffsetError(
    `instruction ${index} reads offset ${u} of the ${mode.toUpperCase()} cooked header, which the kernel cannot provide ` +
      `on a cooked (SOCK_DGRAM) socket; libpcap would filter in user space here — use a filter that does not read that header field`,
  );
}

/** fix_program: a copy of the program with every packet load rewritten for a cooked socket. */
export function applyCookedOffsets(program: readonly ClassicInsn[], mode: CookedMode): ClassicInsn[] {
  return program.map((insn, index) => {
    const cls = classOf(insn.code);
    const mode_ = modeOf(insn.code);
    const isPacketLoad = (cls === BPF_LD || cls === BPF_LDX) && (mode_ === BPF_ABS || mode_ === BPF_IND || mode_ === BPF_MSH);
    return isPacketLoad ? { ...insn, k: fixCookedOffset(insn.k, mode, index) } : { ...insn };
  });
}
