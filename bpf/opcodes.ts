/**
 * eBPF opcode fields from <linux/bpf_common.h> and <linux/bpf.h>.
 *
 * An opcode byte is `class | size | mode` for loads and stores, `class | op | source` for ALU and
 * jumps. These are the raw numbers the kernel reads; the typed builders in asm.ts are what code
 * should use to make instructions.
 */

// Instruction classes (low 3 bits).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// Load/store sizes.
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// Load/store modes.
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_ATOMIC = 0xc0;

// ALU operations.
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

// Jump operations.
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;

// Operand source: immediate (K) or register (X). For BPF_END: to little / big endian.
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

/** src_reg of a 64-bit immediate load whose immediate is a map file descriptor. */
export const BPF_PSEUDO_MAP_FD = 1;

export const classOf = (opcode: number): number => opcode & 0x07;
export const sizeOf = (opcode: number): number => opcode & 0x18;
export const modeOf = (opcode: number): number => opcode & 0xe0;
export const opOf = (opcode: number): number => opcode & 0xf0;
export const sourceOf = (opcode: number): number => opcode & 0x08;

/** BPF_PROG_TYPE_SOCKET_FILTER. */
export const BPF_PROG_TYPE_SOCKET_FILTER = 1;
/** BPF_MAP_TYPE_* values used by Sievecap's programs. */
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LPM_TRIE = 11;
