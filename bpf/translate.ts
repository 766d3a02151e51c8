/**
 * Classic BPF (as libpcap emits it) → an eBPF fragment for a socket filter, as a chain of small
 * named passes after cloudflare/cbpfc: validate → (cooked offsets) → reachability → jump targets →
 * scratch reads → emit.
 *
 * Register use (ctx must already be in r6, which LD_ABS/LD_IND need):
 *   r7 = A, r8 = X (both kept zero-extended 32-bit values, so every classic operation maps to a
 *   32-bit ALU or JMP32 instruction with the same unsigned semantics), the result register
 *   (r9 by default) receives the verdict. M[0..15] live on the stack. LD_ABS/LD_IND and helper
 *   calls clobber r0–r5, so nothing the fragment needs lives there.
 *
 * `ret` does not exit: it sets the result register and jumps to the caller's label, so later
 * stages (snap-length cap, counters) run. The classic semantics of failures are kept: division or
 * modulo by zero and unreadable offsets give the result 0; an out-of-bounds LD_ABS/LD_IND ends the
 * whole program with 0 in the kernel, exactly as the classic filter would drop the packet.
 *
 * Backward jumps (libpcap's `ip6 protochain` loop) are kept as eBPF bounded loops with a turn
 * counter on the stack: the verdict is 0 after maxLoopIterations turns (default 256, which covers
 * every frame up to 2102 bytes, as each turn consumes at least 8 bytes of extension header).
 * The verifier walks each turn, so such programs take about a second to load.
 *
 * Ancillary loads become __sk_buff field reads (CPU and RANDOM become helper calls); those with no
 * eBPF equivalent for a socket filter (HATYPE, PAY_OFFSET, NLATTR, NLATTR_NEST) are refused.
 */
import {
  Add, And, Call, Div, Endian, Jmp, JEq, JGe, JGt, JLe, JLt, JNe, JSet, Label, LdAbs, LdInd, Ldx, Lsh, Mod,
  Mov, Mul, Neg, Or, R0, R6, R7, R8, R9, R10, Rsh, St, Stx, Sub, Xor,
  isLabel, type AluOp, type AsmItem, type JumpOp, type Register,
} from './asm';
import * as c from './classic';
import { applyCookedOffsets, type CookedMode } from './cooked';

/** Offsets of struct __sk_buff fields in <linux/bpf.h>. */
export const SK_BUFF = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24,
  vlan_proto: 28, priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68,
} as const;

export const REG_A: Register = R7;
export const REG_X: Register = R8;
export const REG_CTX: Register = R6;

export interface TranslateOptions {
  /** Label the fragment jumps to once the verdict (bytes to keep, 0 = drop) is in resultRegister. */
  doneLabel: string;
  /** Register receiving the verdict; default r9. Must not be r0–r6, r7 (A), r8 (X) or r10. */
  resultRegister?: Register;
  /** Prefix of the fragment's own labels, to keep them apart from other stages'. Default 'cbpf_'. */
  labelPrefix?: string;
  /**
   * Frame-pointer offset of the fragment's TRANSLATED_STACK_BYTES of stack: a loop counter at
   * stackOffset, then M[i] at stackOffset + 8 + 4*i. Default -TRANSLATED_STACK_BYTES.
   */
  stackOffset?: number;
  /** Most times backward jumps may be taken before the verdict is 0 (see emitBackwardJump). Default 256. */
  maxLoopIterations?: number;
  /** Rewrite packet offsets for a cooked (SOCK_DGRAM) socket as libpcap does for `any`. */
  cooked?: CookedMode;
}

/** Raised for a classic program this translator cannot (or must not) turn into eBPF. */
/** Stack bytes a translated fragment uses: an 8-byte loop counter and the 16 words of M[]. */
export const TRANSLATED_STACK_BYTES = 8 + 4 * 16;

export class TranslateError extends Error {
  constructor(message: string, readonly index?: number) {
    super(message);
    this.name = 'TranslateError';
  }
}

const where = (program: readonly c.ClassicInsn[], i: number): string =>
  `instruction ${i} \`${c.formatClassicInsn(program[i]!, i).replace(/\s+/g, ' ')}\``;

// ---------------------------------------------------------------- pass: validate

const KNOWN_CODES = new Set<number>([
  c.BPF_RET | c.BPF_K, c.BPF_RET | c.BPF_A,
  ...[c.BPF_W, c.BPF_H, c.BPF_B].flatMap((s) => [c.BPF_LD | s | c.BPF_ABS, c.BPF_LD | s | c.BPF_IND]),
  c.BPF_LD | c.BPF_W | c.BPF_LEN, c.BPF_LDX | c.BPF_W | c.BPF_LEN, c.BPF_LD | c.BPF_IMM, c.BPF_LDX | c.BPF_IMM,
  c.BPF_LDX | c.BPF_MSH | c.BPF_B, c.BPF_LD | c.BPF_MEM, c.BPF_LDX | c.BPF_MEM, c.BPF_ST, c.BPF_STX,
  c.BPF_JMP | c.BPF_JA,
  ...[c.BPF_JEQ, c.BPF_JGT, c.BPF_JGE, c.BPF_JSET].flatMap((o) => [c.BPF_JMP | o | c.BPF_K, c.BPF_JMP | o | c.BPF_X]),
  ...[c.BPF_ADD, c.BPF_SUB, c.BPF_MUL, c.BPF_DIV, c.BPF_MOD, c.BPF_AND, c.BPF_OR, c.BPF_XOR, c.BPF_LSH, c.BPF_RSH]
    .flatMap((o) => [c.BPF_ALU | o | c.BPF_K, c.BPF_ALU | o | c.BPF_X]),
  c.BPF_ALU | c.BPF_NEG, c.BPF_MISC | c.BPF_TAX, c.BPF_MISC | c.BPF_TXA,
]);

/** Checks what libpcap's bpf_validate checks, with messages naming the instruction. */
export function validateClassic(program: readonly c.ClassicInsn[]): void {
  if (program.length === 0) throw new TranslateError('the classic program is empty; pcap_compile always emits at least `ret`');
  program.forEach((insn, i) => {
    if (!KNOWN_CODES.has(insn.code)) throw new TranslateError(`unknown classic opcode 0x${insn.code.toString(16)} at instruction ${i}`, i);
    const cls = c.classOf(insn.code);
    const mode = c.modeOf(insn.code);
    if ((cls === c.BPF_LD || cls === c.BPF_LDX) && mode === c.BPF_MEM && insn.k >= c.BPF_MEMWORDS) {
      throw new TranslateError(`${where(program, i)} reads scratch word ${insn.k}; there are only ${c.BPF_MEMWORDS}`, i);
    }
    if ((cls === c.BPF_ST || cls === c.BPF_STX) && insn.k >= c.BPF_MEMWORDS) {
      throw new TranslateError(`${where(program, i)} writes scratch word ${insn.k}; there are only ${c.BPF_MEMWORDS}`, i);
    }
    if (cls === c.BPF_ALU && c.srcOf(insn.code) === c.BPF_K) {
      const operation = c.opOf(insn.code);
      if ((operation === c.BPF_DIV || operation === c.BPF_MOD) && insn.k === 0) {
        throw new TranslateError(`${where(program, i)} divides by the constant 0`, i);
      }
      if ((operation === c.BPF_LSH || operation === c.BPF_RSH) && insn.k >= 32) {
        throw new TranslateError(`${where(program, i)} shifts by ${insn.k}, more than 31 bits`, i);
      }
    }
    if (cls === c.BPF_JMP) {
      for (const t of successors(insn, i)) {
        if (t >= program.length) throw new TranslateError(`${where(program, i)} jumps to ${t}, past the end of the program`, i);
      }
    }
  });
  const last = program[program.length - 1]!;
  if (c.classOf(last.code) !== c.BPF_RET && !(c.classOf(last.code) === c.BPF_JMP)) {
    throw new TranslateError(`the last instruction must be \`ret\` or a jump; ${where(program, program.length - 1)} would run off the end`);
  }
}

// ---------------------------------------------------------------- pass: control flow

/**
 * Where `ja` goes: like libpcap's bpf_filter and bpf_validate, i + 1 + k in unsigned 32-bit
 * arithmetic, so a k above 2^31 is a backward jump (libpcap's `ip6 protochain` loop uses one;
 * conditional jumps, with 8-bit offsets, only go forward).
 */
function jaTarget(insn: c.ClassicInsn, i: number): number {
  return (i + 1 + insn.k) % 2 ** 32;
}

function successors(insn: c.ClassicInsn, i: number): number[] {
  const cls = c.classOf(insn.code);
  if (cls === c.BPF_RET) return [];
  if (cls !== c.BPF_JMP) return [i + 1];
  if (c.opOf(insn.code) === c.BPF_JA) return [jaTarget(insn, i)];
  return [i + 1 + insn.jt, i + 1 + insn.jf];
}

/** Indices reachable from instruction 0 (the kernel verifier refuses unreachable code). */
export function reachableInsns(program: readonly c.ClassicInsn[]): Set<number> {
  const seen = new Set<number>([0]);
  const work = [0];
  while (work.length > 0) {
    const i = work.pop()!;
    for (const s of successors(program[i]!, i)) {
      if (!seen.has(s)) {
        seen.add(s);
        work.push(s);
      }
    }
  }
  return seen;
}

/** True when some reachable `ja` jumps backward (the program has a loop). */
export function hasBackwardJumps(program: readonly c.ClassicInsn[], reachable: Set<number>): boolean {
  return [...reachable].some((i) => program[i]!.code === (c.BPF_JMP | c.BPF_JA) && jaTarget(program[i]!, i) <= i);
}

/** Reachable instructions that some other reachable instruction jumps to (they need a label). */
export function jumpTargets(program: readonly c.ClassicInsn[], reachable: Set<number>): Set<number> {
  const targets = new Set<number>();
  for (const i of reachable) {
    const insn = program[i]!;
    if (c.classOf(insn.code) !== c.BPF_JMP) continue;
    for (const s of successors(insn, i)) if (s !== i + 1 || c.opOf(insn.code) !== c.BPF_JA) targets.add(s);
  }
  return targets;
}

/** Scratch words read by reachable instructions: zeroed at entry (the verifier refuses reads of uninitialised stack). */
export function scratchReads(program: readonly c.ClassicInsn[], reachable: Set<number>): number[] {
  const slots = new Set<number>();
  for (const i of reachable) {
    const insn = program[i]!;
    if ((insn.code === (c.BPF_LD | c.BPF_MEM)) || insn.code === (c.BPF_LDX | c.BPF_MEM)) slots.add(insn.k);
  }
  return [...slots].sort((a, b) => a - b);
}

// ---------------------------------------------------------------- pass: emit

interface EmitContext {
  program: readonly c.ClassicInsn[];
  result: Register;
  done: string;
  prefix: string;
  scratch: number;
  loopCounter: number;
  maxLoopIterations: number;
  /** Set when some instruction needs the shared "verdict 0" block. */
  usesReject: boolean;
}

const ALU_OPS: Record<number, AluOp> = {
  [c.BPF_ADD]: Add, [c.BPF_SUB]: Sub, [c.BPF_MUL]: Mul, [c.BPF_DIV]: Div, [c.BPF_MOD]: Mod,
  [c.BPF_AND]: And, [c.BPF_OR]: Or, [c.BPF_XOR]: Xor, [c.BPF_LSH]: Lsh, [c.BPF_RSH]: Rsh,
};
// For a jump whose true branch falls through: the eBPF condition that takes the false branch.
const JUMPS: Record<number, { op: JumpOp; inverse?: JumpOp }> = {
  [c.BPF_JEQ]: { op: JEq, inverse: JNe },
  [c.BPF_JGT]: { op: JGt, inverse: JLe },
  [c.BPF_JGE]: { op: JGe, inverse: JLt },
  [c.BPF_JSET]: { op: JSet },
};
const PACKET_LOAD_SIZES: Record<number, 'B' | 'H' | 'W'> = { [c.BPF_B]: 'B', [c.BPF_H]: 'H', [c.BPF_W]: 'W' };

const labelOf = (ctx: EmitContext, i: number): string => `${ctx.prefix}${i}`;
const rejectLabel = (ctx: EmitContext): string => `${ctx.prefix}reject`;

function reject(ctx: EmitContext): AsmItem[] {
  ctx.usesReject = true;
  return [Jmp(rejectLabel(ctx))];
}

/** An ancillary load (SKF_AD_OFF + n) as the kernel's classic-to-eBPF conversion defines it. */
function emitAncillary(ctx: EmitContext, i: number): AsmItem[] {
  const field = c.ancillaryField(ctx.program[i]!.k);
  switch (field) {
    case 'PROTOCOL': // skb->protocol is in network order; the classic load yields host order
      return [Ldx.W(REG_A, REG_CTX, SK_BUFF.protocol), Endian.ToBE(REG_A, 16)];
    case 'PKTTYPE': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.pkt_type)];
    case 'IFINDEX': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.ifindex)];
    case 'MARK': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.mark)];
    case 'QUEUE': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.queue_mapping)];
    case 'RXHASH': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.hash)];
    case 'VLAN_TAG': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.vlan_tci)];
    case 'VLAN_TAG_PRESENT': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.vlan_present)];
    case 'VLAN_TPID': return [Ldx.W(REG_A, REG_CTX, SK_BUFF.vlan_proto), Endian.ToBE(REG_A, 16)];
    case 'CPU': return [Call('get_smp_processor_id'), Mov.Reg32(REG_A, R0)];
    case 'RANDOM': return [Call('get_prandom_u32'), Mov.Reg32(REG_A, R0)];
    case 'ALU_XOR_X': return [Xor.Reg32(REG_A, REG_X)];
    default:
      throw new TranslateError(
        `${where(ctx.program, i)} loads the ancillary field ${field ?? `at offset ${ctx.program[i]!.k - (c.SKF_AD_OFF >>> 0)}`}, ` +
          'which has no struct __sk_buff equivalent for an eBPF socket filter; use a filter without it',
        i,
      );
  }
}

function emitLoad(ctx: EmitContext, i: number): AsmItem[] {
  const insn = ctx.program[i]!;
  const scratch = (reg: Register): AsmItem[] => [Ldx.W(reg, R10, ctx.scratch + 4 * insn.k)];
  const dst = c.classOf(insn.code) === c.BPF_LD ? REG_A : REG_X;
  switch (c.modeOf(insn.code)) {
    case c.BPF_IMM: return [Mov.Imm32(dst, insn.k)];
    case c.BPF_LEN: return [Ldx.W(dst, REG_CTX, SK_BUFF.len)];
    case c.BPF_MEM: return scratch(dst);
    case c.BPF_ABS: {
      if (c.ancillaryField(insn.k) !== undefined || c.isSpecialOffset(insn.k)) return emitAncillary(ctx, i);
      // A k the kernel would read as a negative (special) offset can never be in the packet.
      if (insn.k > 0x7fffffff) return reject(ctx);
      return [LdAbs[PACKET_LOAD_SIZES[c.sizeOf(insn.code)]!](insn.k), Mov.Reg32(REG_A, R0)];
    }
    case c.BPF_IND:
      if (insn.k > 0x7fffffff) return reject(ctx); // X + k at a special offset: classic returns 0
      return [LdInd[PACKET_LOAD_SIZES[c.sizeOf(insn.code)]!](REG_X, insn.k), Mov.Reg32(REG_A, R0)];
    case c.BPF_MSH: // X = 4 * (packet[k] & 0xf), the IPv4 header length idiom
      if (insn.k > 0x7fffffff) return reject(ctx);
      return [LdAbs.B(insn.k), And.Imm32(R0, 0xf), Lsh.Imm32(R0, 2), Mov.Reg32(REG_X, R0)];
    default: throw new TranslateError(`unsupported load mode at ${where(ctx.program, i)}`, i);
  }
}

function emitAlu(ctx: EmitContext, i: number): AsmItem[] {
  const insn = ctx.program[i]!;
  const operation = c.opOf(insn.code);
  if (operation === c.BPF_NEG) return [Neg.Reg32(REG_A)];
  const alu = ALU_OPS[operation]!;
  if (c.srcOf(insn.code) === c.BPF_K) return [alu.Imm32(REG_A, insn.k)];
  const out: AsmItem[] = [];
  if (operation === c.BPF_DIV || operation === c.BPF_MOD) {
    // Classic: division by zero ends the filter with 0; eBPF would quietly yield 0 (or A) instead.
    ctx.usesReject = true;
    out.push(JEq.Imm32(REG_X, 0, rejectLabel(ctx)));
  }
  out.push(alu.Reg32(REG_A, REG_X));
  return out;
}

/**
 * A backward `ja`. Classic loops end because every turn moves X further into the packet until a
 * load falls off its end; the eBPF verifier cannot see that, so the turns are counted on the stack
 * and the verdict is 0 after maxLoopIterations of them, which the verifier can prove.
 */
function emitBackwardJump(ctx: EmitContext, target: number): AsmItem[] {
  ctx.usesReject = true;
  return [
    Ldx.W(R0, R10, ctx.loopCounter),
    Add.Imm32(R0, 1),
    JGt.Imm32(R0, ctx.maxLoopIterations, rejectLabel(ctx)),
    Stx.W(R10, ctx.loopCounter, R0),
    Jmp(labelOf(ctx, target)),
  ];
}

function emitJump(ctx: EmitContext, i: number): AsmItem[] {
  const insn = ctx.program[i]!;
  if (c.opOf(insn.code) === c.BPF_JA) {
    const target = jaTarget(insn, i);
    if (target <= i) return emitBackwardJump(ctx, target);
    return target === i + 1 ? [] : [Jmp(labelOf(ctx, target))];
  }
  const { op, inverse } = JUMPS[c.opOf(insn.code)]!;
  const trueLabel = labelOf(ctx, i + 1 + insn.jt);
  const falseLabel = labelOf(ctx, i + 1 + insn.jf);
  const byX = c.srcOf(insn.code) === c.BPF_X;
  const cond = (j: JumpOp, label: string): AsmItem => (byX ? j.Reg32(REG_A, REG_X, label) : j.Imm32(REG_A, insn.k, label));
  if (insn.jt === insn.jf) return insn.jt === 0 ? [] : [Jmp(trueLabel)];
  if (insn.jt === 0 && inverse) return [cond(inverse, falseLabel)];
  return insn.jf === 0 ? [cond(op, trueLabel)] : [cond(op, trueLabel), Jmp(falseLabel)];
}

function emitInsn(ctx: EmitContext, i: number): AsmItem[] {
  const insn = ctx.program[i]!;
  switch (c.classOf(insn.code)) {
    case c.BPF_LD:
    case c.BPF_LDX: return emitLoad(ctx, i);
    case c.BPF_ST: return [Stx.W(R10, ctx.scratch + 4 * insn.k, REG_A)];
    case c.BPF_STX: return [Stx.W(R10, ctx.scratch + 4 * insn.k, REG_X)];
    case c.BPF_ALU: return emitAlu(ctx, i);
    case c.BPF_JMP: return emitJump(ctx, i);
    case c.BPF_RET:
      return [c.rvalOf(insn.code) === c.BPF_A ? Mov.Reg32(ctx.result, REG_A) : Mov.Imm32(ctx.result, insn.k), Jmp(ctx.done)];
    case c.BPF_MISC:
      return [c.miscOpOf(insn.code) === c.BPF_TAX ? Mov.Reg32(REG_X, REG_A) : Mov.Reg32(REG_A, REG_X)];
    default: throw new TranslateError(`unsupported instruction class at ${where(ctx.program, i)}`, i);
  }
}

/** Runs every pass and returns the eBPF fragment (plain data, ready to splice into a program). */
export function translateClassic(classic: readonly c.ClassicInsn[], options: TranslateOptions): AsmItem[] {
  const result = options.resultRegister ?? R9;
  if ([R0, 'r1', 'r2', 'r3', 'r4', 'r5', R6, R7, R8, R10].includes(result)) {
    throw new TranslateError(`the result register must be one the fragment leaves alone (r9 normally), not ${result}`);
  }
  const stack = options.stackOffset ?? -TRANSLATED_STACK_BYTES;
  if (stack > -TRANSLATED_STACK_BYTES || stack < -512 || stack % 8 !== 0) {
    throw new TranslateError(`stackOffset ${stack} must be a multiple of 8 between -512 and -${TRANSLATED_STACK_BYTES}`);
  }
  const scratch = stack + 8;
  validateClassic(classic);
  const program = options.cooked ? applyCookedOffsets(classic, options.cooked) : [...classic];
  const reachable = reachableInsns(program);
  const targets = jumpTargets(program, reachable);
  const ctx: EmitContext = {
    program, result, done: options.doneLabel, prefix: options.labelPrefix ?? 'cbpf_', scratch, loopCounter: stack,
    maxLoopIterations: options.maxLoopIterations ?? 256, usesReject: false,
  };

  // Classic BPF starts with A = X = 0 and reads of unwritten scratch words are refused by the kernel
  // verifier, so give every word the program reads a defined value.
  const out: AsmItem[] = [Mov.Imm(REG_A, 0), Mov.Imm(REG_X, 0)];
  for (const slot of scratchReads(program, reachable)) out.push(St.W(R10, scratch + 4 * slot, 0));
  if (hasBackwardJumps(program, reachable)) out.push(St.DW(R10, stack, 0));
  for (let i = 0; i < program.length; i++) {
    if (!reachable.has(i)) continue;
    if (targets.has(i)) out.push(Label(labelOf(ctx, i)));
    out.push(...emitInsn(ctx, i));
  }
  if (ctx.usesReject) out.push(Label(rejectLabel(ctx)), Mov.Imm32(result, 0), Jmp(ctx.done));
  // A fall-through successor of a conditional jump was labelled in case; drop labels nothing names.
  const referenced = new Set(out.map((item) => (isLabel(item) ? undefined : item.target)));
  return out.filter((item) => !isLabel(item) || referenced.has(item.label));
}
