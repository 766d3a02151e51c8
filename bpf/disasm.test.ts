/**
 * Disassembler: the expected lines are the kernel verifier's own printing of the same
 * instructions (copied from a `bpfProgLoad(..., logLevel: 2)` log on kernel 6.18; the privileged
 * test tests/translator-verifier.test.ts compares whole programs against the live verifier).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Add, And, assemble, Call, Endian, Exit, Jmp, JEq, JGe, JLe, JNe, JSet, Label, LdAbs, LdImm64, LdInd, LdMapFd,
  Ldx, Lsh, Mov, Neg, R0, R1, R2, R6, R7, R8, R9, R10, St, Stx, XAdd, type AsmItem,
} from './asm';
import { decodeInsns, disassemble, formatInsn, listing } from './disasm';

describe('eBPF disassembler (verifier notation)', () => {
  it('prints what the verifier prints', () => {
    const program: AsmItem[] = [
      Mov.Reg(R6, R1),
      St.W(R10, -8, 0),
      LdMapFd(R1, 'counters'),
      Mov.Reg(R2, R10),
      Add.Imm(R2, -8),
      Call('map_lookup_elem'),
      JEq.Imm(R0, 0, 'skip'),
      Mov.Imm(R1, 1),
      XAdd.DW(R0, 0, R1),
      Ldx.W(R1, R6, 0),
      Label('skip'),
      LdAbs.H(12),
      Mov.Reg32(R7, R0),
      JNe.Imm32(R7, 0x800, 'out'),
      JSet.Imm32(R7, 0x1fff, 'out'),
      LdAbs.B(14),
      And.Imm32(R0, 15),
      Lsh.Imm32(R0, 2),
      Mov.Reg32(R8, R0),
      LdInd.H(R8, 14),
      JGe.Reg32(R7, R8, 'out'),
      Endian.ToBE(R7, 16),
      Neg.Reg32(R7),
      Stx.W(R10, -64, R7),
      Mov.Imm32(R9, 262144),
      JLe.Imm(R9, 0x40000, 'out'),
      Mov.Imm(R9, -1),
      Label('out'),
      Mov.Reg(R0, R9),
      Exit(),
    ];
    assert.deepEqual(disassemble(assemble(program, { maps: { counters: 18 } })), [
      '0: (bf) r6 = r1',
      '1: (62) *(u32 *)(r10 -8) = 0',
      '2: (18) r1 = map[fd:18]',
      '4: (bf) r2 = r10',
      '5: (07) r2 += -8',
      '6: (85) call bpf_map_lookup_elem#1',
      '7: (15) if r0 == 0x0 goto pc+3',
      '8: (b7) r1 = 1',
      '9: (db) lock *(u64 *)(r0 +0) += r1',
      '10: (61) r1 = *(u32 *)(r6 +0)',
      '11: (28) r0 = *(u16 *)skb[12]',
      '12: (bc) w7 = w0',
      '13: (56) if w7 != 0x800 goto pc+13',
      '14: (46) if w7 & 0x1fff goto pc+12',
      '15: (30) r0 = *(u8 *)skb[14]',
      '16: (54) w0 &= 15',
      '17: (64) w0 <<= 2',
      '18: (bc) w8 = w0',
      '19: (48) r0 = *(u16 *)skb[r8 + 14]',
      '20: (3e) if w7 >= w8 goto pc+6',
      '21: (dc) r7 = be16 r7',
      '22: (84) w7 = -w7',
      '23: (63) *(u32 *)(r10 -64) = r7',
      '24: (b4) w9 = 262144',
      '25: (b5) if r9 <= 0x40000 goto pc+1',
      '26: (b7) r9 = -1',
      '27: (bf) r0 = r9',
      '28: (95) exit',
    ]);
  });

  it('prints 64-bit immediates and negative immediates as the kernel does', () => {
    assert.deepEqual(disassemble(assemble([LdImm64(R1, 0xdeadbeef00000001n), Exit()])), ['0: (18) r1 = 0xdeadbeef00000001', '2: (95) exit']);
    assert.equal(formatInsn(decodeInsns(assemble([JEq.Imm(R1, -1, 'x'), Label('x'), Exit()]))[0]!), '(15) if r1 == 0xffffffff goto pc+0');
    assert.equal(formatInsn(decodeInsns(assemble([Jmp('x'), Label('x'), Exit()]))[0]!), '(05) goto pc+0');
  });

  it('round-trips: bytes → text → the same bytes for every instruction form', () => {
    const program: AsmItem[] = [Mov.Imm32(R7, 5), Add.Reg(R7, R8), Ldx.DW(R1, R10, -16), Exit()];
    const bytes = assemble(program);
    const again = decodeInsns(bytes);
    assert.equal(again.length, 4);
    assert.deepEqual(decodeInsns(Buffer.concat(again.map((i) => {
      const b = Buffer.alloc(8);
      b[0] = i.code; b[1] = (i.src << 4) | i.dst; b.writeInt16LE(i.off, 2); b.writeInt32LE(i.imm, 4);
      return b;
    }))), again);
  });

  it('lists a program symbolically', () => {
    assert.deepEqual(listing([Label('start'), LdMapFd(R1, 'counters'), Call('ktime_get_ns'), JEq.Imm(R0, 0, 'start'), Exit()]), [
      'start:',
      '    (18) r1 = map[counters]',
      '    (85) call bpf_ktime_get_ns',
      '    (15) if r0 == 0x0 goto start',
      '    (95) exit',
    ]);
  });
});
