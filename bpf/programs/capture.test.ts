/**
 * The capture program's structure (the kernel runs it in tests/translator-diff.test.ts): counters
 * before any packet load, one flat program, stages in order, map spec and the per-CPU decoder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLabel, Label, Mov, R0, type AsmItem } from '../asm';
import * as c from '../classic';
import { BPF_ABS, BPF_IND, BPF_LD, classOf, modeOf } from '../opcodes';
import { buildCaptureProgram, COUNTER_FIELDS, COUNTERS_MAP, decodeCaptureCounters } from './capture';
import { composeStages, StackAllocator } from './stages';

// `tcpdump -dd -r <EN10MB file> tcp port 80`, without the IPv6 half: ldh [12]; jeq #0x800; ldb [23] ...
const IPV4_TCP: c.ClassicInsn[] = [
  c.stmt(0x28, 12), c.jump(0x15, 0x800, 0, 3), c.stmt(0x30, 23), c.jump(0x15, 6, 0, 1),
  c.stmt(0x06, 262144), c.stmt(0x06, 0),
];

const instructions = (items: AsmItem[]) => items.filter((i) => !isLabel(i)) as Exclude<AsmItem, { label: string }>[];

describe('capture program', () => {
  it('bumps the seen counters before the first packet load and returns r0 once', () => {
    const { insns, maps } = buildCaptureProgram({ classic: IPV4_TCP, snapLen: 1500 });
    assert.deepEqual(maps, [COUNTERS_MAP]);
    const list = instructions(insns);
    const firstPacketLoad = list.findIndex((i) => classOf(i.opcode) === BPF_LD && [BPF_ABS, BPF_IND].includes(modeOf(i.opcode)));
    const firstXadd = list.findIndex((i) => i.opcode === 0xdb);
    assert.ok(firstXadd >= 0 && firstXadd < firstPacketLoad, 'the seen counters must come before any LD_ABS');
    assert.deepEqual(list[0], Mov.Reg('r6', 'r1'));
    assert.equal(list.filter((i) => i.opcode === 0x95).length, 1, 'one exit');
    assert.equal(list.filter((i) => i.helper !== undefined && i.helper !== 'map_lookup_elem').length, 0);
    assert.ok(!list.some((i) => i.opcode === 0x85 && i.src === 'r1'), 'no bpf-to-bpf calls: LD_ABS forbids them');
  });

  it('caps at the snap length and labels each stage', () => {
    const { insns } = buildCaptureProgram({ classic: IPV4_TCP, snapLen: 96 });
    const labels = insns.filter(isLabel).map((l) => l.label);
    assert.deepEqual(labels.filter((l) => l.startsWith('stage_')), ['stage_prologue', 'stage_filter', 'stage_epilogue']);
    assert.ok(instructions(insns).some((i) => i.opcode === 0xb5 && i.imm === 96), 'if r9 <= 96');
  });

  it('assembles with the counters map fd and refuses a missing one', () => {
    const program = buildCaptureProgram({ classic: IPV4_TCP, snapLen: 262144 });
    const bytes = program.assemble({ counters: 9 });
    assert.equal(bytes.length % 8, 0);
    assert.throws(() => program.assemble({}), /unknown map 'counters'/);
  });

  it('refuses a bad snap length', () => {
    assert.throws(() => buildCaptureProgram({ classic: IPV4_TCP, snapLen: 0 }), /snapLen/);
  });

  it('rewrites offsets for a cooked socket', () => {
    const sll2Ip = [c.stmt(0x28, 0), c.jump(0x15, 0x800, 0, 1), c.stmt(0x06, 262144), c.stmt(0x06, 0)];
    const list = instructions(buildCaptureProgram({ classic: sll2Ip, snapLen: 100, cooked: 'sll2' }).insns);
    assert.ok(list.some((i) => i.opcode === 0x61 && i.off === 16), 'protocol comes from __sk_buff');
  });
});

describe('counters map', () => {
  it('is a per-CPU array of four u64 under key 0', () => {
    assert.deepEqual(COUNTERS_MAP, { name: 'counters', type: 6, keySize: 4, valueSize: 32, maxEntries: 1 });
    assert.deepEqual(COUNTER_FIELDS, ['seenPackets', 'seenBytes', 'acceptedPackets', 'acceptedBytes']);
  });
  it('sums the per-CPU slots', () => {
    const value = Buffer.alloc(32 * 3);
    [[1, 100, 1, 60], [2, 200, 0, 0], [3, 300, 2, 90]].forEach((cpu, i) => cpu.forEach((v, j) => value.writeBigUInt64LE(BigInt(v), i * 32 + j * 8)));
    assert.deepEqual(decodeCaptureCounters(value, 3), { seenPackets: 6, seenBytes: 600, acceptedPackets: 3, acceptedBytes: 150 });
    assert.throws(() => decodeCaptureCounters(value, 4), /4 CPUs need 128/);
  });
});

describe('stages', () => {
  it('share one stack without overlap and fail loudly when it runs out', () => {
    const stack = new StackAllocator();
    assert.equal(stack.allocate('a', 4), -8);
    assert.equal(stack.allocate('b', 72), -80);
    assert.throws(() => stack.allocate('c', 500), /stack exhausted: c needs 504 bytes but a, b already use 80/);
  });
  it('refuse two different definitions of one map', () => {
    const stage = (name: string, maxEntries: number) => ({
      name, maps: [{ ...COUNTERS_MAP, maxEntries }], emit: () => [Label(`${name}_x`), Mov.Imm(R0, 0)],
    });
    assert.throws(() => composeStages([stage('one', 1), stage('two', 2)], 'r9'), /define map 'counters' differently/);
  });
});
