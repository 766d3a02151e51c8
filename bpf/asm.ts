/**
 * A small typed eBPF assembly language, after cilium/ebpf's `asm` package.
 *
 * Programs are arrays of plain-data items (instructions and label marks) that can be printed,
 * compared and concatenated. Jumps name a label, calls name a helper, map loads name a map; the
 * numbers are filled in by `assemble()` in one pass at link time (see link.ts), which fails loudly
 * on anything it cannot resolve. Nothing here runs a syscall.
 */
import { helperId } from './helpers';
import * as op from './opcodes';

export type Register = 'r0' | 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6' | 'r7' | 'r8' | 'r9' | 'r10';

export const R0: Register = 'r0';
export const R1: Register = 'r1';
export const R2: Register = 'r2';
export const R3: Register = 'r3';
export const R4: Register = 'r4';
export const R5: Register = 'r5';
export const R6: Register = 'r6';
export const R7: Register = 'r7';
export const R8: Register = 'r8';
export const R9: Register = 'r9';
/** The read-only frame pointer; the stack is the 512 bytes below it. */
export const R10: Register = 'r10';

export function registerNumber(reg: Register): number {
  return Number(reg.slice(1));
}

/** One eBPF instruction (two 8-byte slots when `imm64` or `map` is set). */
export interface Instruction {
  readonly opcode: number;
  readonly dst: Register;
  readonly src: Register;
  readonly off: number;
  readonly imm: number;
  /** Jump target: the name of a Label; the offset is computed at link time. */
  readonly target?: string;
  /** Call target: a helper name from helpers.ts; the id is filled in at link time. */
  readonly helper?: string;
  /** LdMapFd: the map's name; its fd is filled in at link time (BPF_PSEUDO_MAP_FD). */
  readonly map?: string;
  /** LdImm64: the full 64-bit immediate. */
  readonly imm64?: bigint;
}

/** A pseudo-instruction that names the position of the next instruction. */
export interface LabelMark {
  readonly label: string;
}

export type AsmItem = Instruction | LabelMark;

export function isLabel(item: AsmItem): item is LabelMark {
  return (item as LabelMark).label !== undefined;
}

/** Number of 8-byte slots an item occupies in the final program. */
export function slotCount(item: AsmItem): number {
  if (isLabel(item)) return 0;
  return item.imm64 !== undefined || item.map !== undefined ? 2 : 1;
}

function insn(opcode: number, dst: Register, src: Register, off: number, imm: number): Instruction {
  return { opcode, dst, src, off, imm };
}

function checkImm32(imm: number, what: string): number {
  if (!Number.isInteger(imm) || imm < -0x80000000 || imm > 0xffffffff) {
    throw new RangeError(`${what}: immediate ${imm} does not fit in 32 bits`);
  }
  return imm | 0; // store as the signed 32-bit value the kernel sees
}

function checkOff16(off: number, what: string): number {
  if (!Number.isInteger(off) || off < -0x8000 || off > 0x7fff) {
    throw new RangeError(`${what}: offset ${off} does not fit in a signed 16-bit field`);
  }
  return off;
}

export function Label(name: string): LabelMark {
  if (!name) throw new TypeError('Label: a label needs a non-empty name');
  return { label: name };
}

// ---------------------------------------------------------------- ALU

export interface AluOp {
  /** dst op= imm, 64-bit. */
  Imm(dst: Register, imm: number): Instruction;
  /** dst op= src, 64-bit. */
  Reg(dst: Register, src: Register): Instruction;
  /** wdst op= imm, 32-bit (the upper half of dst becomes zero). */
  Imm32(dst: Register, imm: number): Instruction;
  /** wdst op= wsrc, 32-bit (the upper half of dst becomes zero). */
  Reg32(dst: Register, src: Register): Instruction;
}

function aluOp(name: string, operation: number): AluOp {
  return {
    Imm: (dst, imm) => insn(op.BPF_ALU64 | operation | op.BPF_K, dst, R0, 0, checkImm32(imm, `${name}.Imm`)),
    Reg: (dst, src) => insn(op.BPF_ALU64 | operation | op.BPF_X, dst, src, 0, 0),
    Imm32: (dst, imm) => insn(op.BPF_ALU | operation | op.BPF_K, dst, R0, 0, checkImm32(imm, `${name}.Imm32`)),
    Reg32: (dst, src) => insn(op.BPF_ALU | operation | op.BPF_X, dst, src, 0, 0),
  };
}

export const Mov = aluOp('Mov', op.BPF_MOV);
export const Add = aluOp('Add', op.BPF_ADD);
export const Sub = aluOp('Sub', op.BPF_SUB);
export const Mul = aluOp('Mul', op.BPF_MUL);
export const Div = aluOp('Div', op.BPF_DIV);
export const Mod = aluOp('Mod', op.BPF_MOD);
export const And = aluOp('And', op.BPF_AND);
export const Or = aluOp('Or', op.BPF_OR);
export const Xor = aluOp('Xor', op.BPF_XOR);
export const Lsh = aluOp('Lsh', op.BPF_LSH);
export const Rsh = aluOp('Rsh', op.BPF_RSH);
export const Arsh = aluOp('Arsh', op.BPF_ARSH);

export const Neg = {
  /** dst = -dst, 64-bit. */
  Reg: (dst: Register): Instruction => insn(op.BPF_ALU64 | op.BPF_NEG, dst, R0, 0, 0),
  /** wdst = -wdst, 32-bit. */
  Reg32: (dst: Register): Instruction => insn(op.BPF_ALU | op.BPF_NEG, dst, R0, 0, 0),
};

function checkEndianBits(bits: number): number {
  if (bits !== 16 && bits !== 32 && bits !== 64) throw new RangeError(`endian conversion width must be 16, 32 or 64, not ${bits}`);
  return bits;
}

/** Byte-order conversion of the low `bits` of dst (BPF_END); the rest of dst becomes zero. */
export const Endian = {
  /** dst = be16/be32/be64 dst: converts between host (little-endian here) and network order. */
  ToBE: (dst: Register, bits: 16 | 32 | 64): Instruction =>
    insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, dst, R0, 0, checkEndianBits(bits)),
  ToLE: (dst: Register, bits: 16 | 32 | 64): Instruction =>
    insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_LE, dst, R0, 0, checkEndianBits(bits)),
};

// ---------------------------------------------------------------- memory

type SizeName = 'B' | 'H' | 'W' | 'DW';
const SIZES: Record<SizeName, number> = { B: op.BPF_B, H: op.BPF_H, W: op.BPF_W, DW: op.BPF_DW };

function bySize<F>(make: (size: number, sizeName: SizeName) => F): Record<SizeName, F> {
  return { B: make(op.BPF_B, 'B'), H: make(op.BPF_H, 'H'), W: make(op.BPF_W, 'W'), DW: make(op.BPF_DW, 'DW') };
}

/** dst = *(size *)(src + off). */
export const Ldx = bySize((size, n) => (dst: Register, src: Register, off: number): Instruction =>
  insn(op.BPF_LDX | op.BPF_MEM | size, dst, src, checkOff16(off, `Ldx.${n}`), 0));

/** *(size *)(dst + off) = src. */
export const Stx = bySize((size, n) => (dst: Register, off: number, src: Register): Instruction =>
  insn(op.BPF_STX | op.BPF_MEM | size, dst, src, checkOff16(off, `Stx.${n}`), 0));

/** *(size *)(dst + off) = imm. */
export const St = bySize((size, n) => (dst: Register, off: number, imm: number): Instruction =>
  insn(op.BPF_ST | op.BPF_MEM | size, dst, R0, checkOff16(off, `St.${n}`), checkImm32(imm, `St.${n}`)));

/** lock *(size *)(dst + off) += src (BPF_ATOMIC | BPF_ADD, the old XADD); 32 or 64 bits only. */
export const XAdd = {
  W: (dst: Register, off: number, src: Register): Instruction =>
    insn(op.BPF_STX | op.BPF_ATOMIC | op.BPF_W, dst, src, checkOff16(off, 'XAdd.W'), op.BPF_ADD),
  DW: (dst: Register, off: number, src: Register): Instruction =>
    insn(op.BPF_STX | op.BPF_ATOMIC | op.BPF_DW, dst, src, checkOff16(off, 'XAdd.DW'), op.BPF_ADD),
};

type PacketSizeName = 'B' | 'H' | 'W';
/** r0 = packet[k] (network order, converted to host order); needs ctx in r6; clobbers r1–r5. */
export const LdAbs: Record<PacketSizeName, (k: number) => Instruction> = {
  B: (k) => insn(op.BPF_LD | op.BPF_ABS | op.BPF_B, R0, R0, 0, checkImm32(k, 'LdAbs.B')),
  H: (k) => insn(op.BPF_LD | op.BPF_ABS | op.BPF_H, R0, R0, 0, checkImm32(k, 'LdAbs.H')),
  W: (k) => insn(op.BPF_LD | op.BPF_ABS | op.BPF_W, R0, R0, 0, checkImm32(k, 'LdAbs.W')),
};
/** r0 = packet[src + k]; needs ctx in r6; clobbers r1–r5. */
export const LdInd: Record<PacketSizeName, (src: Register, k: number) => Instruction> = {
  B: (src, k) => insn(op.BPF_LD | op.BPF_IND | op.BPF_B, R0, src, 0, checkImm32(k, 'LdInd.B')),
  H: (src, k) => insn(op.BPF_LD | op.BPF_IND | op.BPF_H, R0, src, 0, checkImm32(k, 'LdInd.H')),
  W: (src, k) => insn(op.BPF_LD | op.BPF_IND | op.BPF_W, R0, src, 0, checkImm32(k, 'LdInd.W')),
};

/** dst = imm (64-bit immediate, two slots). */
export function LdImm64(dst: Register, imm: bigint): Instruction {
  const value = BigInt.asUintN(64, imm);
  return { opcode: op.BPF_LD | op.BPF_IMM | op.BPF_DW, dst, src: R0, off: 0, imm: 0, imm64: value };
}

/** dst = the map named `map` (BPF_PSEUDO_MAP_FD; the fd comes from assemble()'s map table). */
export function LdMapFd(dst: Register, map: string): Instruction {
  if (!map) throw new TypeError('LdMapFd: a map load needs a map name');
  return { opcode: op.BPF_LD | op.BPF_IMM | op.BPF_DW, dst, src: R1, off: 0, imm: 0, map };
}

// ---------------------------------------------------------------- jumps

export interface JumpOp {
  /** if dst op imm goto label (64-bit compare). */
  Imm(dst: Register, imm: number, label: string): Instruction;
  /** if dst op src goto label (64-bit compare). */
  Reg(dst: Register, src: Register, label: string): Instruction;
  /** if wdst op imm goto label (32-bit compare, BPF_JMP32). */
  Imm32(dst: Register, imm: number, label: string): Instruction;
  /** if wdst op wsrc goto label (32-bit compare, BPF_JMP32). */
  Reg32(dst: Register, src: Register, label: string): Instruction;
}

function target(label: string, what: string): string {
  if (!label) throw new TypeError(`${what}: a jump needs a target label name`);
  return label;
}

function jumpOp(name: string, operation: number): JumpOp {
  return {
    Imm: (dst, imm, label) => ({ ...insn(op.BPF_JMP | operation | op.BPF_K, dst, R0, 0, checkImm32(imm, `${name}.Imm`)), target: target(label, name) }),
    Reg: (dst, src, label) => ({ ...insn(op.BPF_JMP | operation | op.BPF_X, dst, src, 0, 0), target: target(label, name) }),
    Imm32: (dst, imm, label) => ({ ...insn(op.BPF_JMP32 | operation | op.BPF_K, dst, R0, 0, checkImm32(imm, `${name}.Imm32`)), target: target(label, name) }),
    Reg32: (dst, src, label) => ({ ...insn(op.BPF_JMP32 | operation | op.BPF_X, dst, src, 0, 0), target: target(label, name) }),
  };
}

export const JEq = jumpOp('JEq', op.BPF_JEQ);
export const JNe = jumpOp('JNe', op.BPF_JNE);
export const JGt = jumpOp('JGt', op.BPF_JGT);
export const JGe = jumpOp('JGe', op.BPF_JGE);
export const JLt = jumpOp('JLt', op.BPF_JLT);
export const JLe = jumpOp('JLe', op.BPF_JLE);
export const JSgt = jumpOp('JSgt', op.BPF_JSGT);
export const JSge = jumpOp('JSge', op.BPF_JSGE);
export const JSlt = jumpOp('JSlt', op.BPF_JSLT);
export const JSle = jumpOp('JSle', op.BPF_JSLE);
export const JSet = jumpOp('JSet', op.BPF_JSET);

/** goto label. */
export function Jmp(label: string): Instruction {
  return { ...insn(op.BPF_JMP | op.BPF_JA, R0, R0, 0, 0), target: target(label, 'Jmp') };
}

/** Calls a kernel helper by name (helpers.ts); arguments in r1–r5, result in r0, r1–r5 clobbered. */
export function Call(helper: string): Instruction {
  if (!helper) throw new TypeError('Call: a call needs a helper name');
  return { ...insn(op.BPF_JMP | op.BPF_CALL, R0, R0, 0, 0), helper };
}

/** Returns r0. */
export function Exit(): Instruction {
  return insn(op.BPF_JMP | op.BPF_EXIT, R0, R0, 0, 0);
}

export { SIZES as MEMORY_SIZES };
export type { SizeName };

/**
 * Peephole: removes `goto L` when label L is the very next item (stages and translated fragments
 * end with a jump to a label their caller places right after them).
 */
export function dropJumpsToNext(items: readonly AsmItem[]): AsmItem[] {
  return items.filter((item, i) => {
    if (isLabel(item) || item.opcode !== (op.BPF_JMP | op.BPF_JA) || item.target === undefined) return true;
    for (let j = i + 1; j < items.length && isLabel(items[j]!); j++) {
      if ((items[j] as LabelMark).label === item.target) return false;
    }
    return true;
  });
}

// ---------------------------------------------------------------- link

export interface AssembleOptions {
  /** File descriptors of the maps named by LdMapFd instructions. */
  maps?: Record<string, number>;
}

/** Raised for anything the linker cannot resolve; `item` is the index in the input array. */
export class AssemblyError extends Error {
  constructor(message: string, readonly item: number) {
    super(message);
    this.name = 'AssemblyError';
  }
}

/** Slot index of every label; throws on a duplicate or on a label that marks no instruction. */
export function resolveLabels(items: readonly AsmItem[]): Map<string, number> {
  const labels = new Map<string, number>();
  let slot = 0;
  items.forEach((item, index) => {
    if (isLabel(item)) {
      if (labels.has(item.label)) throw new AssemblyError(`duplicate label '${item.label}' (item ${index}): each label may be defined once`, index);
      labels.set(item.label, slot);
    }
    slot += slotCount(item);
  });
  for (const [name, at] of labels) {
    if (at === slot) throw new AssemblyError(`label '${name}' is at the end of the program and marks no instruction`, items.length);
  }
  return labels;
}

/**
 * Encodes a program as struct bpf_insn records (8 bytes each, little-endian), resolving every jump
 * offset, helper id and map fd in one pass.
 */
export function assemble(items: readonly AsmItem[], options: AssembleOptions = {}): Buffer {
  const labels = resolveLabels(items);
  const slots = items.reduce((n, item) => n + slotCount(item), 0);
  const out = Buffer.alloc(slots * 8);
  let slot = 0;
  items.forEach((item, index) => {
    if (isLabel(item)) return;
    let { off, imm } = item;
    let src = registerNumber(item.src);
    if (item.target !== undefined) {
      const at = labels.get(item.target);
      if (at === undefined) throw new AssemblyError(`jump to unknown label '${item.target}' (item ${index})`, index);
      off = at - (slot + 1);
      if (off < -0x8000 || off > 0x7fff) {
        throw new AssemblyError(`jump to '${item.target}' (item ${index}) spans ${off} instructions, beyond the 16-bit offset range`, index);
      }
    }
    if (item.helper !== undefined) {
      const id = helperId(item.helper);
      if (id === undefined) throw new AssemblyError(`call of unknown helper '${item.helper}' (item ${index}); known helpers are listed in bpf/helpers.ts`, index);
      imm = id;
    }
    let high = 0;
    if (item.map !== undefined) {
      const fd = options.maps?.[item.map];
      if (fd === undefined) throw new AssemblyError(`load of unknown map '${item.map}' (item ${index}); pass its fd in assemble()'s maps table`, index);
      imm = fd;
      src = op.BPF_PSEUDO_MAP_FD;
    } else if (item.imm64 !== undefined) {
      imm = Number(BigInt.asIntN(32, item.imm64));
      high = Number(BigInt.asIntN(32, item.imm64 >> 32n));
    }
    const at = slot * 8;
    out[at] = item.opcode;
    out[at + 1] = (src << 4) | registerNumber(item.dst);
    out.writeInt16LE(off, at + 2);
    out.writeInt32LE(imm | 0, at + 4);
    if (slotCount(item) === 2) out.writeInt32LE(high, at + 12);
    slot += slotCount(item);
  });
  return out;
}
