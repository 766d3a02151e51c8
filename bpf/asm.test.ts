/**
 * Assembler encodings against bytes written out from the kernel's own instruction macros
 * (include/linux/filter.h: BPF_MOV64_IMM, BPF_LD_ABS, BPF_LD_MAP_FD, BPF_STX_XADD, ...), as used
 * in samples/bpf/sock_example.c and tools/testing/selftests/bpf, and link-time errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Add, And, Arsh, assemble, AssemblyError, Call, Div, dropJumpsToNext, Endian, Exit, Jmp, JEq, JGe, JGt, JLe, JLt,
  JNe, JSet, JSge, JSgt, JSle, JSlt, Label, LdAbs, LdImm64, LdInd, LdMapFd, Ldx, Lsh, Mod, Mov, Mul, Neg, Or,
  R0, R1, R2, R3, R6, R7, R8, R10, Rsh, St, Stx, Sub, XAdd, Xor, type AsmItem,
} from './asm';

const hex = (items: AsmItem[], maps?: Record<string, number>): string[] =>
  (assemble(items, { maps }).toString('hex').match(/.{16}/g) ?? []);

describe('assembler encodings (struct bpf_insn, little-endian)', () => {
  it('encodes the kernel macros byte for byte', () => {
    const cases: [AsmItem, string][] = [
      [Mov.Imm(R0, 0), 'b700000000000000'], // BPF_MOV64_IMM(BPF_REG_0, 0)
      [Mov.Reg(R6, R1), 'bf16000000000000'], // BPF_MOV64_REG(BPF_REG_6, BPF_REG_1)
      [Mov.Imm32(R0, -1), 'b4000000ffffffff'], // BPF_MOV32_IMM(BPF_REG_0, -1)
      [Mov.Reg32(R7, R0), 'bc07000000000000'], // BPF_MOV32_REG(BPF_REG_7, BPF_REG_0)
      [Add.Imm(R2, -4), '07020000fcffffff'], // BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4)
      [Add.Reg(R0, R1), '0f10000000000000'],
      [Sub.Imm32(R1, 1), '1401000001000000'],
      [Mul.Reg32(R7, R8), '2c87000000000000'],
      [Div.Imm32(R7, 4), '3407000004000000'],
      [Mod.Reg32(R7, R8), '9c87000000000000'],
      [And.Imm32(R0, 0xf), '540000000f000000'],
      [Or.Reg(R1, R2), '4f21000000000000'],
      [Xor.Imm(R3, 0xff), 'a7030000ff000000'],
      [Lsh.Imm32(R0, 2), '6400000002000000'],
      [Rsh.Reg(R1, R2), '7f21000000000000'],
      [Arsh.Imm(R1, 3), 'c701000003000000'],
      [Neg.Reg32(R7), '8407000000000000'],
      [Neg.Reg(R7), '8707000000000000'],
      [Endian.ToBE(R7, 16), 'dc07000010000000'], // BPF_ENDIAN(BPF_TO_BE, BPF_REG_7, 16)
      [LdAbs.B(23), '3000000017000000'], // BPF_LD_ABS(BPF_B, ETH_HLEN + offsetof(struct iphdr, protocol))
      [LdAbs.H(12), '280000000c000000'],
      [LdAbs.W(26), '200000001a000000'],
      [LdInd.H(R8, 14), '488000000e000000'], // BPF_LD_IND(BPF_H, BPF_REG_8, 14)
      [Ldx.W(R1, R6, 0), '6161000000000000'], // BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_6, 0)
      [Ldx.DW(R0, R10, -8), '79a0f8ff00000000'],
      [Stx.W(R10, -4, R0), '630afcff00000000'],
      [St.W(R10, -4, 0), '620afcff00000000'], // BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0)
      [St.DW(R10, -16, 7), '7a0af0ff07000000'],
      [XAdd.DW(R0, 0, R1), 'db10000000000000'], // BPF_STX_XADD / BPF_ATOMIC_OP(BPF_DW, BPF_ADD, r0, r1, 0)
      [XAdd.W(R0, 4, R1), 'c310040000000000'],
      [Call('map_lookup_elem'), '8500000001000000'], // BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem)
      [Call('skb_load_bytes'), '850000001a000000'],
      [Call('ktime_get_ns'), '8500000005000000'],
      [Call('get_smp_processor_id'), '8500000008000000'],
      [Exit(), '9500000000000000'],
    ];
    for (const [item, bytes] of cases) assert.deepEqual(hex([item]), [bytes], JSON.stringify(item));
  });

  it('encodes 64-bit immediates and map loads in two slots', () => {
    assert.deepEqual(hex([LdImm64(R1, 0x1122334455667788n)]), ['1801000088776655', '0000000044332211']);
    assert.deepEqual(hex([LdImm64(R2, -1n)]), ['18020000ffffffff', '00000000ffffffff']);
    // BPF_LD_MAP_FD(BPF_REG_1, 7): src_reg = BPF_PSEUDO_MAP_FD
    assert.deepEqual(hex([LdMapFd(R1, 'counters')], { counters: 7 }), ['1811000007000000', '0000000000000000']);
  });

  it('resolves forward and backward jumps across 64-bit loads', () => {
    const items: AsmItem[] = [
      Label('top'),
      JEq.Imm(R0, 0, 'out'), // 0: skips the two slots of LdImm64 and the Jmp
      LdImm64(R1, 5n), // 1-2
      Jmp('top'), // 3: back to 0 → off -4
      Label('out'),
      Exit(), // 4
    ];
    assert.deepEqual(hex(items), ['1500030000000000', '1801000005000000', '0000000000000000', '0500fcff00000000', '9500000000000000']);
  });

  it('encodes every conditional jump, 64 and 32-bit, immediate and register', () => {
    const ops = [
      [JEq, 0x10], [JGt, 0x20], [JGe, 0x30], [JSet, 0x40], [JNe, 0x50], [JSgt, 0x60], [JSge, 0x70],
      [JLt, 0xa0], [JLe, 0xb0], [JSlt, 0xc0], [JSle, 0xd0],
    ] as const;
    for (const [j, code] of ops) {
      const buf = assemble([j.Imm(R1, 7, 'l'), j.Reg(R1, R2, 'l'), j.Imm32(R1, 7, 'l'), j.Reg32(R1, R2, 'l'), Label('l'), Exit()]);
      assert.deepEqual([buf[0], buf[8], buf[16], buf[24]], [code | 0x05, code | 0x0d, code | 0x06, code | 0x0e]);
      assert.deepEqual([buf.readInt16LE(2), buf.readInt16LE(10), buf.readInt16LE(18), buf.readInt16LE(26)], [3, 2, 1, 0]);
      assert.equal(buf[9], 0x21);
    }
  });
});

describe('assembler errors', () => {
  it('refuses an unknown label', () => {
    assert.throws(() => assemble([JEq.Imm(R0, 0, 'nowhere'), Exit()]), (e: unknown) =>
      e instanceof AssemblyError && /unknown label 'nowhere'/.test(e.message));
  });
  it('refuses a duplicate label', () => {
    assert.throws(() => assemble([Label('a'), Mov.Imm(R0, 0), Label('a'), Exit()]), /duplicate label 'a'/);
  });
  it('refuses a label that marks no instruction', () => {
    assert.throws(() => assemble([Jmp('end'), Exit(), Label('end')]), /marks no instruction/);
  });
  it('refuses a jump beyond the 16-bit offset range', () => {
    const filler = Array.from({ length: 40000 }, () => Mov.Imm(R0, 0));
    assert.throws(() => assemble([Jmp('far'), ...filler, Label('far'), Exit()]), /beyond the 16-bit offset range/);
    assert.doesNotThrow(() => assemble([Jmp('near'), ...filler.slice(0, 32767), Label('near'), Exit()]));
  });
  it('refuses an unknown helper and an unknown map', () => {
    assert.throws(() => assemble([Call('no_such_helper'), Exit()]), /unknown helper 'no_such_helper'/);
    assert.throws(() => assemble([LdMapFd(R1, 'ghost'), Exit()], { maps: { counters: 3 } }), /unknown map 'ghost'/);
  });
  it('refuses immediates and offsets that do not fit', () => {
    assert.throws(() => Mov.Imm(R0, 2 ** 32), /does not fit in 32 bits/);
    assert.throws(() => Ldx.W(R0, R10, -40000), /signed 16-bit/);
  });
});

describe('program specs are plain data', () => {
  it('prints and compares as JSON', () => {
    const program = [Mov.Imm(R0, 1), JEq.Imm(R0, 1, 'done'), Mov.Imm(R0, 0), Label('done'), Exit()];
    const copy = JSON.parse(JSON.stringify(program)) as AsmItem[];
    assert.deepEqual(copy, program);
    assert.deepEqual(assemble(copy), assemble(program));
  });
  it('drops a jump to the label right after it', () => {
    const program = dropJumpsToNext([Mov.Imm(R0, 1), Jmp('next'), Label('other'), Label('next'), Exit()]);
    assert.equal(program.length, 4);
  });
});
