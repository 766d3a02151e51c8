/**
 * eBPF disassembler printing the kernel verifier's notation (kernel/bpf/disasm.c, the same text
 * `bpftool prog dump xlated` prints), e.g. `0: (b7) r0 = 0`, `5: (15) if r0 == 0x0 goto pc+3`.
 *
 * Differences from the kernel, on purpose: a map load prints `map[fd:N]` (the verifier prints the
 * kernel pointer, bpftool prints `map[id:N]`; the fd is what the bytes hold before loading).
 */
import { isLabel, registerNumber, type AsmItem } from './asm';
import { helperName } from './helpers';
import * as op from './opcodes';

/** One struct bpf_insn as stored in a program buffer. */
export interface RawInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export function decodeInsns(program: Buffer): RawInsn[] {
  if (program.length % 8 !== 0) throw new RangeError(`an eBPF program is a multiple of 8 bytes; got ${program.length}`);
  const out: RawInsn[] = [];
  for (let at = 0; at < program.length; at += 8) {
    out.push({
      code: program[at]!,
      dst: program[at + 1]! & 0x0f,
      src: program[at + 1]! >> 4,
      off: program.readInt16LE(at + 2),
      imm: program.readInt32LE(at + 4),
    });
  }
  return out;
}

const ALU_STRINGS: Record<number, string> = {
  [op.BPF_ADD]: '+=', [op.BPF_SUB]: '-=', [op.BPF_MUL]: '*=', [op.BPF_DIV]: '/=', [op.BPF_OR]: '|=',
  [op.BPF_AND]: '&=', [op.BPF_LSH]: '<<=', [op.BPF_RSH]: '>>=', [op.BPF_NEG]: 'neg', [op.BPF_MOD]: '%=',
  [op.BPF_XOR]: '^=', [op.BPF_MOV]: '=', [op.BPF_ARSH]: 's>>=', [op.BPF_END]: 'endian',
};
const JMP_STRINGS: Record<number, string> = {
  [op.BPF_JA]: 'jmp', [op.BPF_JEQ]: '==', [op.BPF_JGT]: '>', [op.BPF_JLT]: '<', [op.BPF_JGE]: '>=',
  [op.BPF_JLE]: '<=', [op.BPF_JSET]: '&', [op.BPF_JNE]: '!=', [op.BPF_JSGT]: 's>', [op.BPF_JSLT]: 's<',
  [op.BPF_JSGE]: 's>=', [op.BPF_JSLE]: 's<=', [op.BPF_CALL]: 'call', [op.BPF_EXIT]: 'exit',
};
const LDST_STRINGS: Record<number, string> = { [op.BPF_W]: 'u32', [op.BPF_H]: 'u16', [op.BPF_B]: 'u8', [op.BPF_DW]: 'u64' };

const hex = (n: number): string => (n >>> 0).toString(16);
const signed = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);
const code = (c: number): string => `(${c.toString(16).padStart(2, '0')})`;

/**
 * Text of one instruction without its index. `next` is the following slot, needed for the second
 * half of a 64-bit immediate load.
 */
export function formatInsn(insn: RawInsn, next?: RawInsn): string {
  const cls = op.classOf(insn.code);
  const c = code(insn.code);
  if (cls === op.BPF_ALU || cls === op.BPF_ALU64) {
    const r = cls === op.BPF_ALU ? 'w' : 'r';
    const operation = op.opOf(insn.code);
    if (operation === op.BPF_END) {
      if (cls === op.BPF_ALU64) return `${c} r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
      const order = op.sourceOf(insn.code) === op.BPF_TO_BE ? 'be' : 'le';
      return `${c} r${insn.dst} = ${order}${insn.imm} r${insn.dst}`;
    }
    if (operation === op.BPF_NEG) return `${c} ${r}${insn.dst} = -${r}${insn.dst}`;
    const name = ALU_STRINGS[operation] ?? '?';
    if (op.sourceOf(insn.code) === op.BPF_X) return `${c} ${r}${insn.dst} ${name} ${r}${insn.src}`;
    return `${c} ${r}${insn.dst} ${name} ${insn.imm}`;
  }
  if (cls === op.BPF_STX) {
    const size = LDST_STRINGS[op.sizeOf(insn.code)];
    if (op.modeOf(insn.code) === op.BPF_MEM) return `${c} *(${size} *)(r${insn.dst} ${signed(insn.off)}) = r${insn.src}`;
    if (op.modeOf(insn.code) === op.BPF_ATOMIC && insn.imm === op.BPF_ADD) {
      return `${c} lock *(${size} *)(r${insn.dst} ${signed(insn.off)}) += r${insn.src}`;
    }
    return `${c} BUG_stx_${hex(insn.code)}`;
  }
  if (cls === op.BPF_ST) {
    if (op.modeOf(insn.code) !== op.BPF_MEM) return `${c} BUG_st_${hex(insn.code)}`;
    return `${c} *(${LDST_STRINGS[op.sizeOf(insn.code)]} *)(r${insn.dst} ${signed(insn.off)}) = ${insn.imm}`;
  }
  if (cls === op.BPF_LDX) {
    if (op.modeOf(insn.code) !== op.BPF_MEM) return `${c} BUG_ldx_${hex(insn.code)}`;
    return `${c} r${insn.dst} = *(${LDST_STRINGS[op.sizeOf(insn.code)]} *)(r${insn.src} ${signed(insn.off)})`;
  }
  if (cls === op.BPF_LD) {
    const size = LDST_STRINGS[op.sizeOf(insn.code)];
    const mode = op.modeOf(insn.code);
    if (mode === op.BPF_ABS) return `${c} r0 = *(${size} *)skb[${insn.imm}]`;
    if (mode === op.BPF_IND) return `${c} r0 = *(${size} *)skb[r${insn.src} + ${insn.imm}]`;
    if (mode === op.BPF_IMM && op.sizeOf(insn.code) === op.BPF_DW) {
      if (insn.src === op.BPF_PSEUDO_MAP_FD) return `${c} r${insn.dst} = map[fd:${insn.imm}]`;
      const value = (BigInt(next?.imm ?? 0) << 32n) | BigInt(insn.imm >>> 0);
      return `${c} r${insn.dst} = 0x${BigInt.asUintN(64, value).toString(16)}`;
    }
    return `${c} BUG_ld_${hex(insn.code)}`;
  }
  if (cls === op.BPF_JMP || cls === op.BPF_JMP32) {
    const operation = op.opOf(insn.code);
    if (operation === op.BPF_CALL) {
      const name = insn.src === 0 ? helperName(insn.imm) : undefined;
      if (insn.src === 1) return `${c} call pc${signed(insn.imm)}`;
      return `${c} call ${name ? `bpf_${name}` : 'unknown'}#${insn.imm}`;
    }
    if (insn.code === (op.BPF_JMP | op.BPF_JA)) return `${c} goto pc${signed(insn.off)}`;
    if (insn.code === (op.BPF_JMP32 | op.BPF_JA)) return `${c} gotol pc${signed(insn.imm)}`;
    if (insn.code === (op.BPF_JMP | op.BPF_EXIT)) return `${c} exit`;
    const r = cls === op.BPF_JMP32 ? 'w' : 'r';
    const name = JMP_STRINGS[operation] ?? '?';
    if (op.sourceOf(insn.code) === op.BPF_X) return `${c} if ${r}${insn.dst} ${name} ${r}${insn.src} goto pc${signed(insn.off)}`;
    return `${c} if ${r}${insn.dst} ${name} 0x${hex(insn.imm)} goto pc${signed(insn.off)}`;
  }
  return `${c} unknown`;
}

/** One line per instruction, `index: (code) text`, as the verifier's log and bpftool print them. */
export function disassemble(program: Buffer): string[] {
  const insns = decodeInsns(program);
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    lines.push(`${i}: ${formatInsn(insn, insns[i + 1])}`);
    if (insn.code === (op.BPF_LD | op.BPF_IMM | op.BPF_DW)) i++; // second half of the 64-bit immediate
  }
  return lines;
}

/**
 * A symbolic listing of an unassembled program: labels on their own lines, jumps by label name,
 * calls by helper name, map loads by map name. For logs and reviews of program specs.
 */
export function listing(items: readonly AsmItem[]): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (isLabel(item)) {
      lines.push(`${item.label}:`);
      continue;
    }
    const raw: RawInsn = { code: item.opcode, dst: registerNumber(item.dst), src: registerNumber(item.src), off: item.off, imm: item.imm };
    let text = formatInsn(raw);
    if (item.target !== undefined) text = text.replace(/goto pc[+-]\d+$/, `goto ${item.target}`);
    if (item.helper !== undefined) text = text.replace(/call .*$/, `call bpf_${item.helper}`);
    if (item.map !== undefined) text = text.replace(/= .*$/, `= map[${item.map}]`);
    if (item.imm64 !== undefined) text = text.replace(/= .*$/, `= 0x${item.imm64.toString(16)}`);
    lines.push(`    ${text}`);
  }
  return lines;
}
