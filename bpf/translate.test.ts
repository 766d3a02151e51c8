/**
 * Unit tests of the translator's passes (no kernel needed). The behaviour against libpcap and the
 * kernel is tested in tests/translator-diff.test.ts; here: validation, the cooked rewrite (checked
 * against pcap-linux.c's fix_offset, case by case), ancillary mapping and the emitted shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assemble } from './asm';
import * as c from './classic';
import { applyCookedOffsets, CookedOffsetError, fixCookedOffset } from './cooked';
import { listing } from './disasm';
import { hasBackwardJumps, jumpTargets, reachableInsns, scratchReads, translateClassic, TranslateError, validateClassic } from './translate';

const { stmt, jump } = c;
const RET_ALL = stmt(c.BPF_RET | c.BPF_K, 262144);
const RET_NONE = stmt(c.BPF_RET | c.BPF_K, 0);
const ad = (field: number): number => (c.SKF_AD_OFF + field) >>> 0;

// `tcpdump -dd -r <EN10MB file> ip` : ldh [12]; jeq #0x800 jt 2 jf 3; ret #262144; ret #0
const IP_ONLY: c.ClassicInsn[] = [stmt(0x28, 12), jump(0x15, 0x800, 0, 1), RET_ALL, RET_NONE];

describe('validate pass', () => {
  it('accepts what libpcap emits', () => assert.doesNotThrow(() => validateClassic(IP_ONLY)));
  it('refuses empty programs, unknown opcodes, bad scratch words, constant division by zero, long shifts', () => {
    assert.throws(() => validateClassic([]), /empty/);
    assert.throws(() => validateClassic([stmt(0xff, 0), RET_NONE]), /unknown classic opcode 0xff at instruction 0/);
    assert.throws(() => validateClassic([stmt(c.BPF_LD | c.BPF_MEM, 16), RET_NONE]), /scratch word 16/);
    assert.throws(() => validateClassic([stmt(c.BPF_ST, 20), RET_NONE]), /scratch word 20/);
    assert.throws(() => validateClassic([stmt(c.BPF_ALU | c.BPF_DIV | c.BPF_K, 0), RET_NONE]), /divides by the constant 0/);
    assert.throws(() => validateClassic([stmt(c.BPF_ALU | c.BPF_MOD | c.BPF_K, 0), RET_NONE]), /divides by the constant 0/);
    assert.throws(() => validateClassic([stmt(c.BPF_ALU | c.BPF_LSH | c.BPF_K, 32), RET_NONE]), /more than 31 bits/);
  });
  it('refuses jumps past the end and programs that run off the end', () => {
    assert.throws(() => validateClassic([jump(0x15, 1, 0, 5), RET_NONE]), /jumps to 6, past the end/);
    assert.throws(() => validateClassic([stmt(c.BPF_LD | c.BPF_IMM, 1)]), /must be `ret`/);
  });
});

describe('control-flow passes', () => {
  it('finds reachable instructions, jump targets and scratch reads', () => {
    const program = [
      stmt(c.BPF_LD | c.BPF_MEM, 3), // 0
      jump(0x15, 1, 1, 0), // 1 → 2 / 3
      stmt(c.BPF_JMP | c.BPF_JA, 1), // 2 → 4
      RET_NONE, // 3
      RET_ALL, // 4
      RET_NONE, // 5 unreachable
    ];
    const reachable = reachableInsns(program);
    assert.deepEqual([...reachable].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual([...jumpTargets(program, reachable)].sort(), [2, 3, 4]);
    assert.deepEqual(scratchReads(program, reachable), [3]);
  });
  it('treats a `ja` with k ≥ 2^31 as a backward jump, as libpcap does (ip6 protochain)', () => {
    const loop = [stmt(c.BPF_LD | c.BPF_B | c.BPF_ABS, 20), jump(0x15, 6, 1, 0), stmt(c.BPF_JMP | c.BPF_JA, -3), RET_ALL];
    assert.doesNotThrow(() => validateClassic(loop));
    assert.equal(hasBackwardJumps(loop, reachableInsns(loop)), true);
    const text = listing(translateClassic(loop, { doneLabel: 'done', maxLoopIterations: 10 })).join('\n');
    assert.match(text, /if w0 > 0xa goto cbpf_reject/);
    assert.match(text, /goto cbpf_0/);
  });
});

describe('emit pass', () => {
  it('translates `ip` into loads, 32-bit jumps and a jump to the caller\'s label', () => {
    assert.deepEqual(listing(translateClassic(IP_ONLY, { doneLabel: 'done' })), [
      '    (b7) r7 = 0',
      '    (b7) r8 = 0',
      '    (28) r0 = *(u16 *)skb[12]',
      '    (bc) w7 = w0',
      '    (56) if w7 != 0x800 goto cbpf_3',
      '    (b4) w9 = 262144',
      '    (05) goto done',
      'cbpf_3:',
      '    (b4) w9 = 0',
      '    (05) goto done',
    ]);
  });
  it('guards division and modulo by X against zero with a verdict of 0', () => {
    const program = [stmt(c.BPF_LDX | c.BPF_IMM, 0), stmt(c.BPF_ALU | c.BPF_DIV | c.BPF_X, 0), stmt(c.BPF_ALU | c.BPF_MOD | c.BPF_X, 0), stmt(c.BPF_RET | c.BPF_A, 0)];
    const text = listing(translateClassic(program, { doneLabel: 'done' }));
    assert.equal(text.filter((l) => l.includes('if w8 == 0x0 goto cbpf_reject')).length, 2);
    assert.deepEqual(text.slice(-3), ['cbpf_reject:', '    (b4) w9 = 0', '    (05) goto done']);
  });
  it('maps ancillary loads to struct __sk_buff fields, converting protocol to host order', () => {
    const load = (field: number): string[] => listing(translateClassic([stmt(0x28, ad(field)), stmt(c.BPF_RET | c.BPF_A, 0)], { doneLabel: 'd' })).slice(2, -2);
    assert.deepEqual(load(c.SKF_AD.PROTOCOL), ['    (61) r7 = *(u32 *)(r6 +16)', '    (dc) r7 = be16 r7']);
    assert.deepEqual(load(c.SKF_AD.PKTTYPE), ['    (61) r7 = *(u32 *)(r6 +4)']);
    assert.deepEqual(load(c.SKF_AD.IFINDEX), ['    (61) r7 = *(u32 *)(r6 +40)']);
    assert.deepEqual(load(c.SKF_AD.MARK), ['    (61) r7 = *(u32 *)(r6 +8)']);
    assert.deepEqual(load(c.SKF_AD.QUEUE), ['    (61) r7 = *(u32 *)(r6 +12)']);
    assert.deepEqual(load(c.SKF_AD.RXHASH), ['    (61) r7 = *(u32 *)(r6 +68)']);
    assert.deepEqual(load(c.SKF_AD.VLAN_TAG), ['    (61) r7 = *(u32 *)(r6 +24)']);
    assert.deepEqual(load(c.SKF_AD.VLAN_TAG_PRESENT), ['    (61) r7 = *(u32 *)(r6 +20)']);
    assert.deepEqual(load(c.SKF_AD.VLAN_TPID), ['    (61) r7 = *(u32 *)(r6 +28)', '    (dc) r7 = be16 r7']);
    assert.deepEqual(load(c.SKF_AD.CPU), ['    (85) call bpf_get_smp_processor_id', '    (bc) w7 = w0']);
    assert.deepEqual(load(c.SKF_AD.RANDOM), ['    (85) call bpf_get_prandom_u32', '    (bc) w7 = w0']);
  });
  it('refuses ancillary loads without a __sk_buff equivalent, naming them', () => {
    for (const [field, name] of [[c.SKF_AD.HATYPE, 'HATYPE'], [c.SKF_AD.PAY_OFFSET, 'PAY_OFFSET'], [c.SKF_AD.NLATTR, 'NLATTR']] as const) {
      assert.throws(() => translateClassic([stmt(0x20, ad(field)), RET_NONE], { doneLabel: 'd' }), (e: unknown) =>
        e instanceof TranslateError && e.message.includes(name) && e.message.includes('__sk_buff'));
    }
  });
  it('keeps the result register away from what the fragment clobbers', () => {
    assert.throws(() => translateClassic(IP_ONLY, { doneLabel: 'd', resultRegister: 'r0' }), /result register/);
    assert.throws(() => translateClassic(IP_ONLY, { doneLabel: 'd', resultRegister: 'r7' }), /result register/);
  });
  it('assembles once the caller provides the label', () => {
    assert.equal(assemble([...translateClassic(IP_ONLY, { doneLabel: 'done' }), { label: 'done' }, { opcode: 0x95, dst: 'r0', src: 'r0', off: 0, imm: 0 }]).length % 8, 0);
  });
});

describe('cooked offsets (pcap-linux.c fix_offset)', () => {
  it('SLL2: protocol, ifindex and packet type become ancillary loads; the payload moves down 20 bytes', () => {
    assert.equal(fixCookedOffset(0, 'sll2', 0), ad(c.SKF_AD.PROTOCOL));
    assert.equal(fixCookedOffset(4, 'sll2', 0), ad(c.SKF_AD.IFINDEX));
    assert.equal(fixCookedOffset(10, 'sll2', 0), ad(c.SKF_AD.PKTTYPE));
    assert.equal(fixCookedOffset(20, 'sll2', 0), 0);
    assert.equal(fixCookedOffset(29, 'sll2', 0), 9);
    assert.throws(() => fixCookedOffset(8, 'sll2', 3), (e: unknown) => e instanceof CookedOffsetError && /instruction 3 reads offset 8/.test(e.message));
  });
  it('SLL: packet type and protocol become ancillary loads; the payload moves down 16 bytes', () => {
    assert.equal(fixCookedOffset(0, 'sll', 0), ad(c.SKF_AD.PKTTYPE));
    assert.equal(fixCookedOffset(14, 'sll', 0), ad(c.SKF_AD.PROTOCOL));
    assert.equal(fixCookedOffset(16, 'sll', 0), 0);
    assert.throws(() => fixCookedOffset(6, 'sll', 0), CookedOffsetError);
  });
  it('leaves existing ancillary loads and non-packet loads alone, and rewrites ind and msh loads', () => {
    const program = [
      stmt(0x28, ad(c.SKF_AD.VLAN_TAG_PRESENT)),
      stmt(c.BPF_LD | c.BPF_IMM, 14),
      stmt(c.BPF_LDX | c.BPF_MSH | c.BPF_B, 20),
      stmt(c.BPF_LD | c.BPF_H | c.BPF_IND, 22),
      RET_ALL,
    ];
    assert.deepEqual(applyCookedOffsets(program, 'sll2').map((i) => i.k), [ad(c.SKF_AD.VLAN_TAG_PRESENT), 14, 0, 2, 262144]);
  });
});
