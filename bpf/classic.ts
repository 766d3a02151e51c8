/**
 * Classic BPF (what libpcap's pcap_compile emits): opcode constants from <pcap/bpf.h>, Linux's
 * ancillary-load offsets from <linux/filter.h>, and a disassembler printing exactly what
 * `tcpdump -d` prints (libpcap's bpf_image()).
 */
import type { ClassicInsn } from '../app/capture/native';

export type { ClassicInsn };

// The encodings classic BPF shares with eBPF (the kernel's bpf_common.h) come from opcodes.ts.
import {
  BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP,
  BPF_W, BPF_H, BPF_B,
  BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM,
  BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR,
  BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET,
  BPF_K, BPF_X,
} from './opcodes';
export {
  BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP,
  BPF_W, BPF_H, BPF_B,
  BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM,
  BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR,
  BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET,
  BPF_K, BPF_X,
};

// Classic-only classes, load modes and the return value source.
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_A = 0x10;
// BPF_MISC operations.
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Number of scratch memory words M[0..15]. */
export const BPF_MEMWORDS = 16;

// Classic and eBPF opcodes share the layout of class, size, mode, operation and source bits.
import { classOf, sizeOf, modeOf, opOf, sourceOf } from './opcodes';
export { classOf, sizeOf, modeOf, opOf, sourceOf as srcOf };
export const rvalOf = (code: number): number => code & 0x18;
export const miscOpOf = (code: number): number => code & 0xf8;

/** Linux ancillary loads: absolute loads at SKF_AD_OFF + n read skb metadata, not packet bytes. */
export const SKF_AD_OFF = -0x1000;
export const SKF_AD = {
  PROTOCOL: 0,
  PKTTYPE: 4,
  IFINDEX: 8,
  NLATTR: 12,
  NLATTR_NEST: 16,
  MARK: 20,
  QUEUE: 24,
  HATYPE: 28,
  RXHASH: 32,
  CPU: 36,
  ALU_XOR_X: 40,
  VLAN_TAG: 44,
  VLAN_TAG_PRESENT: 48,
  PAY_OFFSET: 52,
  RANDOM: 56,
  VLAN_TPID: 60,
} as const;
export const SKF_AD_MAX = 64;

/** The name of the ancillary field a load's k designates, or undefined for a packet offset. */
export function ancillaryField(k: number): keyof typeof SKF_AD | undefined {
  const u = k >>> 0;
  const base = SKF_AD_OFF >>> 0;
  if (u < base || u >= base + SKF_AD_MAX) return undefined;
  const offset = u - base;
  return (Object.keys(SKF_AD) as (keyof typeof SKF_AD)[]).find((name) => SKF_AD[name] === offset);
}

/** True when k lies in the kernel's negative "special offset" range (SKF_AD_OFF and below). */
export function isSpecialOffset(k: number): boolean {
  return (k >>> 0) >= (SKF_AD_OFF >>> 0);
}

/** Shorthands for hand-written programs and tests. */
export function stmt(code: number, k: number): ClassicInsn {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}
export function jump(code: number, k: number, jt: number, jf: number): ClassicInsn {
  return { code, jt, jf, k: k >>> 0 };
}

// libpcap's bpf_image.c prints ancillary offsets by these names.
const ANCILLARY_NAMES: Record<number, string> = {
  0: 'proto', 4: 'type', 8: 'ifidx', 12: 'nla', 16: 'nlan', 20: 'mark', 24: 'queue', 28: 'hatype',
  32: 'rxhash', 36: 'cpu', 40: 'xor_x', 44: 'vlan_tci', 48: 'vlanp', 52: 'poff', 56: 'random', 60: 'vlan_tpid',
};

const d = (k: number): string => String(k | 0); // C's %d of a u_int
const x = (k: number): string => (k >>> 0).toString(16); // C's %x

function absOperand(k: number): string {
  const offset = (k >>> 0) - (SKF_AD_OFF >>> 0);
  if (offset >= 0 && offset < SKF_AD_MAX && ANCILLARY_NAMES[offset] !== undefined) return `[${ANCILLARY_NAMES[offset]}]`;
  return `[${d(k)}]`;
}

function opAndOperand(insn: ClassicInsn, n: number): [string, string] {
  const k = insn.k;
  switch (insn.code) {
    case BPF_RET | BPF_K: return ['ret', `#${d(k)}`];
    case BPF_RET | BPF_A: return ['ret', ''];
    case BPF_LD | BPF_W | BPF_ABS: return ['ld', absOperand(k)];
    case BPF_LD | BPF_H | BPF_ABS: return ['ldh', absOperand(k)];
    case BPF_LD | BPF_B | BPF_ABS: return ['ldb', absOperand(k)];
    case BPF_LD | BPF_W | BPF_LEN: return ['ld', '#pktlen'];
    case BPF_LD | BPF_W | BPF_IND: return ['ld', `[x + ${d(k)}]`];
    case BPF_LD | BPF_H | BPF_IND: return ['ldh', `[x + ${d(k)}]`];
    case BPF_LD | BPF_B | BPF_IND: return ['ldb', `[x + ${d(k)}]`];
    case BPF_LD | BPF_IMM: return ['ld', `#0x${x(k)}`];
    case BPF_LDX | BPF_IMM: return ['ldx', `#0x${x(k)}`];
    case BPF_LDX | BPF_MSH | BPF_B: return ['ldxb', `4*([${d(k)}]&0xf)`];
    case BPF_LD | BPF_MEM: return ['ld', `M[${d(k)}]`];
    case BPF_LDX | BPF_MEM: return ['ldx', `M[${d(k)}]`];
    case BPF_ST: return ['st', `M[${d(k)}]`];
    case BPF_STX: return ['stx', `M[${d(k)}]`];
    case BPF_JMP | BPF_JA: return ['ja', d(n + 1 + k)];
    case BPF_JMP | BPF_JGT | BPF_K: return ['jgt', `#0x${x(k)}`];
    case BPF_JMP | BPF_JGE | BPF_K: return ['jge', `#0x${x(k)}`];
    case BPF_JMP | BPF_JEQ | BPF_K: return ['jeq', `#0x${x(k)}`];
    case BPF_JMP | BPF_JSET | BPF_K: return ['jset', `#0x${x(k)}`];
    case BPF_JMP | BPF_JGT | BPF_X: return ['jgt', 'x'];
    case BPF_JMP | BPF_JGE | BPF_X: return ['jge', 'x'];
    case BPF_JMP | BPF_JEQ | BPF_X: return ['jeq', 'x'];
    case BPF_JMP | BPF_JSET | BPF_X: return ['jset', 'x'];
    case BPF_ALU | BPF_ADD | BPF_X: return ['add', 'x'];
    case BPF_ALU | BPF_SUB | BPF_X: return ['sub', 'x'];
    case BPF_ALU | BPF_MUL | BPF_X: return ['mul', 'x'];
    case BPF_ALU | BPF_DIV | BPF_X: return ['div', 'x'];
    case BPF_ALU | BPF_MOD | BPF_X: return ['mod', 'x'];
    case BPF_ALU | BPF_AND | BPF_X: return ['and', 'x'];
    case BPF_ALU | BPF_OR | BPF_X: return ['or', 'x'];
    case BPF_ALU | BPF_XOR | BPF_X: return ['xor', 'x'];
    case BPF_ALU | BPF_LSH | BPF_X: return ['lsh', 'x'];
    case BPF_ALU | BPF_RSH | BPF_X: return ['rsh', 'x'];
    case BPF_ALU | BPF_ADD | BPF_K: return ['add', `#${d(k)}`];
    case BPF_ALU | BPF_SUB | BPF_K: return ['sub', `#${d(k)}`];
    case BPF_ALU | BPF_MUL | BPF_K: return ['mul', `#${d(k)}`];
    case BPF_ALU | BPF_DIV | BPF_K: return ['div', `#${d(k)}`];
    case BPF_ALU | BPF_MOD | BPF_K: return ['mod', `#${d(k)}`];
    case BPF_ALU | BPF_AND | BPF_K: return ['and', `#0x${x(k)}`];
    case BPF_ALU | BPF_OR | BPF_K: return ['or', `#0x${x(k)}`];
    case BPF_ALU | BPF_XOR | BPF_K: return ['xor', `#0x${x(k)}`];
    case BPF_ALU | BPF_LSH | BPF_K: return ['lsh', `#${d(k)}`];
    case BPF_ALU | BPF_RSH | BPF_K: return ['rsh', `#${d(k)}`];
    case BPF_ALU | BPF_NEG: return ['neg', ''];
    case BPF_MISC | BPF_TAX: return ['tax', ''];
    case BPF_MISC | BPF_TXA: return ['txa', ''];
    default: return ['unimp', `0x${x(insn.code)}`];
  }
}

/** One instruction as libpcap's bpf_image() formats it, e.g. `(001) jeq      #0x800           jt 2\tjf 5`. */
export function formatClassicInsn(insn: ClassicInsn, n: number): string {
  const [name, operand] = opAndOperand(insn, n);
  const index = String(n).padStart(3, '0');
  if (classOf(insn.code) === BPF_JMP && opOf(insn.code) !== BPF_JA) {
    return `(${index}) ${name.padEnd(8)} ${operand.padEnd(16)} jt ${n + 1 + insn.jt}\tjf ${n + 1 + insn.jf}`;
  }
  return `(${index}) ${name.padEnd(8)} ${operand}`;
}

/** The whole program, one line per instruction, exactly as `tcpdump -d` prints it. */
export function disassembleClassic(program: readonly ClassicInsn[]): string {
  return program.map((insn, n) => formatClassicInsn(insn, n) + '\n').join('');
}
