/**
 * Differential test of the classic → eBPF translator in the real kernel.
 *
 * For every filter expression, libpcap compiles the classic program (pcap_compile on a dead
 * EN10MB handle, native pcapCompile); the reference verdict is libpcap's own bpf_filter (native
 * pcapFilter) on each packet; the tested verdict is the capture program from buildCaptureProgram,
 * loaded with BPF_PROG_LOAD and run with BPF_PROG_TEST_RUN. Verdicts (bytes to keep) must agree
 * on every packet, and the program's counters must count exactly what was run and accepted.
 *
 * Packets: a fixed mix of everyday frames built by the test (support/seed-frames.ts), plus frames
 * from the shared corpus (tcpdump's and libpcap's test captures, VLAN-tagged ones included; see
 * support/corpus.ts for where it is looked for): the same packets on every machine.
 *
 * Where libpcap's bpf_filter cannot see what the kernel sees — the ancillary loads libpcap emits
 * for `inbound`, `outbound`, `ifindex` and live-handle `vlan` read skb metadata, and bpf_filter
 * without aux data rejects them — the reference runs the same classic program with those loads
 * replaced by the metadata values the kernel reports for the same test run (read by separate
 * probe programs). A test run always delivers a packet as PACKET_HOST on the loopback device, so
 * `outbound` is only ever false here; real outgoing packets are covered by capture tests.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { native, type ClassicInsn, type NativeBinding } from '../app/capture/native';
import { assemble, Exit, Ldx, R0, R1 } from '../bpf/asm';
import { ancillaryField, BPF_IMM, BPF_LD, BPF_LEN, classOf, disassembleClassic, modeOf, SKF_AD } from '../bpf/classic';
import { CookedOffsetError, type CookedMode } from '../bpf/cooked';
import { BPF_PROG_TYPE_SOCKET_FILTER } from '../bpf/opcodes';
import { buildCaptureProgram, COUNTERS_KEY, COUNTERS_MAP, decodeCaptureCounters } from '../bpf/programs/capture';
import { SK_BUFF } from '../bpf/translate';
import { requireCorpusDir } from './support/corpus';
import { seedFrames } from './support/seed-frames';
import {
  ethertypeOf, kernelAcceptsAsL3, readEthernetFrames, sll2Header, sllHeader, testRunFrame, withDummyEthernet,
  type Frame,
} from './translator-packets';

const SNAP = 262144;
const MAX_TEST_RUN_BYTES = 3000; // BPF_PROG_TEST_RUN takes at most about a page of packet data

const EXPRESSIONS = [
  'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6',
  'host 127.0.0.1', 'src host 127.0.0.1', 'dst host 192.168.1.1', 'host ::1', 'ip6 host ::1',
  'net 10.0.0.0/8', 'net 192.168.0.0/16', 'src net 127.0.0.0/8', 'net fe80::/10',
  'port 80', 'tcp port 80', 'udp port 53', 'port 53', 'src port 80', 'dst port 80', 'portrange 1-1023',
  'tcp portrange 8000-9000', 'udp dst portrange 5000-65535', 'ip6 and udp port 53',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'tcp[tcpflags] & tcp-rst != 0', 'tcp[tcpflags] == tcp-syn',
  'tcp and (tcp[13] & 2 != 0)', 'icmp[icmptype] = icmp-echo', 'icmp6 and ip6[40] = 128',
  'ip[2:2] > 576', 'ip[8] < 64', 'ip[0] & 0xf != 5', 'ip[6:2] & 0x1fff != 0', 'ip[2:2] / 4 > 100',
  'ip[2:2] % 7 = 3', 'ip[0] / ip[1] = 0', 'ip[0] % ip[1] = 0', 'len / (ip[1] & 3) > 10',
  'ip[2:2] * 3 - 100 > 1000', 'ip[9] ^ 17 = 0', 'ip[0] << 2 > 200', 'ip[2:2] >> 4 > 10', 'ip[1] | 0x10 = 0x10',
  '-ip[8] < 0x80000000', 'udp[8:2] = 0x1234', 'ip[2:2] - ((ip[0] & 0xf) << 2) > 100',
  'tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420', 'tcp and ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0',
  'vlan', 'vlan 100', 'vlan and ip', 'vlan 100 and ip', 'vlan and tcp port 80', 'not vlan and ip6',
  'ip6 protochain 6', 'ip6 and tcp', 'ip6 protochain 17', 'ip6[6] = 58', 'ip6 protochain 58',
  'less 100', 'greater 500', 'len > 1000', 'inbound', 'outbound', 'ifindex 1', 'ifindex 2', 'inbound and tcp',
  'not ip', 'not (tcp or udp)', 'not host 127.0.0.1 and not arp', 'ether host ff:ff:ff:ff:ff:ff',
  'ether src 00:00:00:00:00:00', 'ether broadcast', 'ether multicast', 'ip multicast', 'ip6 multicast',
  'ip proto 47 or ip proto 50', 'ether proto 0x88cc', 'mpls', 'pppoes', 'udp and ip[6:2] & 0x3fff = 0', 'llc',
  'stp', 'ip and not tcp and not udp and not icmp',
];
/** Compiled also without libpcap's optimizer: more instruction forms (scratch memory, ja, X jumps). */
const UNOPTIMIZED = ['tcp port 80', 'ip6 protochain 6', 'ip[0] / ip[1] = 0', 'vlan 100 and ip', 'portrange 1-1023', 'len / (ip[1] & 3) > 10'];
/** Compiled on a live `lo` handle, which uses the vlan ancillary loads (BPF_SPECIAL_VLAN_HANDLING). */
const LIVE_LO = ['vlan', 'vlan 100 and ip', 'vlan and tcp port 80', 'inbound or vlan'];

interface Metadata { pktType: number; ifindex: number; protocol: number; vlanPresent: number; vlanTci: number; vlanProto: number }

let n: NativeBinding;
let corpusDir = '';
let frames: Frame[] = [];
let meta: Metadata[] = [];
let corpusFrames = 0;
let builtFrames = 0;

/** Reads one __sk_buff field per packet with a two-instruction program (no translator involved). */
function probe(offset: number, packets: Buffer[]): number[] {
  const { fd } = n.bpfProgLoad({ insns: assemble([Ldx.W(R0, R1, offset), Exit()]), progType: BPF_PROG_TYPE_SOCKET_FILTER, license: 'GPL' });
  try {
    return packets.map((p) => n.bpfProgTestRun(fd, p, 1).retval);
  } finally {
    n.closeFd(fd);
  }
}

function metadataFor(packets: Buffer[]): Metadata[] {
  const [pktType, ifindex, protocol, vlanPresent, vlanTci, vlanProto] = [
    SK_BUFF.pkt_type, SK_BUFF.ifindex, SK_BUFF.protocol, SK_BUFF.vlan_present, SK_BUFF.vlan_tci, SK_BUFF.vlan_proto,
  ].map((off) => probe(off, packets));
  const swap16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);
  return packets.map((_, i) => ({
    pktType: pktType![i]!, ifindex: ifindex![i]!, protocol: swap16(protocol![i]!), vlanPresent: vlanPresent![i]!,
    vlanTci: vlanTci![i]!, vlanProto: swap16(vlanProto![i]!),
  }));
}

/** The classic program with each ancillary load replaced by the kernel's value for this packet. */
function withAncillaryValues(program: readonly ClassicInsn[], m: Metadata): ClassicInsn[] {
  const values: Partial<Record<keyof typeof SKF_AD, number>> = {
    PKTTYPE: m.pktType, IFINDEX: m.ifindex, PROTOCOL: m.protocol, VLAN_TAG_PRESENT: m.vlanPresent, VLAN_TAG: m.vlanTci, VLAN_TPID: m.vlanProto,
  };
  return program.map((insn) => {
    const field = classOf(insn.code) === BPF_LD ? ancillaryField(insn.k) : undefined;
    if (field === undefined) return insn;
    const value = values[field];
    if (value === undefined) throw new Error(`no kernel value for ancillary field ${field}`);
    return { code: BPF_LD | BPF_IMM, jt: 0, jf: 0, k: value };
  });
}

const hasAncillary = (program: readonly ClassicInsn[]): boolean =>
  program.some((insn) => classOf(insn.code) === BPF_LD && ancillaryField(insn.k) !== undefined);

interface Case {
  label: string;
  classic: ClassicInsn[];
  /** eBPF snap length (the classic program's own `ret #k` may differ). */
  snapLen: number;
  cooked?: CookedMode;
  /** Packets as the test run gets them, and the reference verdict for each. */
  inputs: Buffer[];
  expected: number[];
  /** Byte count the program should see for each packet (skb->len). */
  lengths: number[];
}

interface Outcome { compared: number; accepted: number; mismatches: string[] }

/** Loads the capture program for a case, runs every packet, checks verdicts and counters. */
function runCase(c: Case): Outcome {
  const program = buildCaptureProgram({ classic: c.classic, snapLen: c.snapLen, cooked: c.cooked });
  const mapFd = n.bpfMapCreate({
    mapType: COUNTERS_MAP.type, keySize: COUNTERS_MAP.keySize, valueSize: COUNTERS_MAP.valueSize, maxEntries: COUNTERS_MAP.maxEntries, name: COUNTERS_MAP.name,
  });
  const mismatches: string[] = [];
  try {
    let fd: number;
    try {
      fd = n.bpfProgLoad({ insns: program.assemble({ counters: mapFd }), progType: BPF_PROG_TYPE_SOCKET_FILTER, license: 'GPL', name: 'sievecap_test' }).fd;
    } catch (e) {
      const log = (e as { log?: string }).log ?? '';
      return { compared: 0, accepted: 0, mismatches: [`${c.label}: the kernel refused the program: ${(e as Error).message}\n${log.slice(-2000)}`] };
    }
    let accepted = 0;
    let acceptedBytes = 0;
    try {
      c.inputs.forEach((input, i) => {
        const got = n.bpfProgTestRun(fd, input, 1).retval;
        if (got !== c.expected[i]) {
          mismatches.push(`${c.label}: packet ${i} (${input.subarray(14, 40).toString('hex')}…): eBPF ${got}, libpcap ${c.expected[i]}`);
        }
        if (got > 0) {
          accepted++;
          acceptedBytes += c.lengths[i]!;
        }
      });
    } finally {
      n.closeFd(fd);
    }
    const counters = decodeCaptureCounters(n.bpfMapLookup(mapFd, COUNTERS_KEY, COUNTERS_MAP.valueSize * n.possibleCpus())!, n.possibleCpus());
    const want = { seenPackets: c.inputs.length, seenBytes: c.lengths.reduce((a, b) => a + b, 0), acceptedPackets: accepted, acceptedBytes };
    if (JSON.stringify(counters) !== JSON.stringify(want)) mismatches.push(`${c.label}: counters ${JSON.stringify(counters)}, expected ${JSON.stringify(want)}`);
  } finally {
    n.closeFd(mapFd);
  }
  return { compared: c.inputs.length, accepted: c.expected.filter((v) => v > 0).length, mismatches };
}

function ethernetCase(label: string, classic: ClassicInsn[], snapLen: number): Case {
  const ancillary = hasAncillary(classic);
  const expected = frames.map((f, i) => {
    const verdict = n.pcapFilter(ancillary ? withAncillaryValues(classic, meta[i]!) : classic, f.data, f.data.length);
    return Math.min(verdict, snapLen);
  });
  return {
    label, classic, snapLen, expected, inputs: frames.map((f) => testRunFrame(f.data)), lengths: frames.map((f) => f.data.length),
  };
}

function report(t: TestContext, what: string, cases: number, outcomes: Outcome[]): void {
  const compared = outcomes.reduce((a, o) => a + o.compared, 0);
  const mismatches = outcomes.flatMap((o) => o.mismatches);
  const accepted = outcomes.reduce((a, o) => a + o.accepted, 0);
  t.diagnostic(`${what}: ${cases} programs, ${compared} verdicts compared (libpcap accepts ${accepted}), ${compared - mismatches.length} agree` +
    ` (${mismatches.length === 0 ? '100' : ((100 * (compared - mismatches.length)) / Math.max(compared, 1)).toFixed(3)}%)`);
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} disagreements`);
}

describe('classic → eBPF translator agrees with libpcap in the kernel', () => {
  before(() => {
    n = native();
    const built: Frame[] = seedFrames().map((data, k) => ({ source: `seed frame ${k + 1}`, data }));
    builtFrames = built.length;
    corpusDir = requireCorpusDir();
    const corpus: Frame[] = [];
    const folders = [path.join(corpusDir, 'tcpdump', 'tests'), path.join(corpusDir, 'libpcap', 'tests', 'filter')];
    for (const folder of folders.filter((f) => fs.existsSync(f))) {
      for (const name of fs.readdirSync(folder).filter((f) => /\.pcap(ng)?$/.test(f)).sort()) {
        const all = readEthernetFrames(path.join(folder, name), 400);
        const tagged = all.filter((f) => [0x8100, 0x88a8, 0x9100].includes(ethertypeOf(f.data))).slice(0, 20);
        corpus.push(...all.slice(0, 6), ...tagged);
      }
    }
    const seen = new Set<string>();
    frames = [...built, ...corpus].filter((f) => {
      const key = f.data.toString('base64');
      if (f.data.length === 0 || f.data.length > MAX_TEST_RUN_BYTES || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    corpusFrames = frames.length - builtFrames;
    meta = metadataFor(frames.map((f) => testRunFrame(f.data)));
  });

  it('on Ethernet frames, for every expression (dead EN10MB handle, optimized and not, live lo)', (t) => {
    t.diagnostic(`libpcap ${n.pcapLibVersion()}; ${frames.length} packets (${builtFrames} built by the test, ${corpusFrames} from ${corpusDir})`);
    const vlanFrames = frames.filter((f) => ethertypeOf(f.data) === 0x8100).length;
    assert.ok(corpusFrames > 0 && vlanFrames > 0, `the corpus sample should hold frames, VLAN-tagged ones among them (${corpusFrames}, ${vlanFrames} tagged)`);
    t.diagnostic(`${vlanFrames} VLAN-tagged frames`);
    const cases: Case[] = [];
    for (const filter of EXPRESSIONS) {
      cases.push(ethernetCase(filter, n.pcapCompile({ filter, linkType: 1, snapLen: SNAP, optimize: true }), SNAP));
    }
    for (const filter of UNOPTIMIZED) {
      cases.push(ethernetCase(`${filter} (unoptimized)`, n.pcapCompile({ filter, linkType: 1, snapLen: SNAP, optimize: false }), SNAP));
    }
    for (const filter of LIVE_LO) {
      const classic = n.pcapCompile({ filter, linkType: 1, snapLen: SNAP, optimize: true, liveDevice: 'lo' });
      assert.ok(hasAncillary(classic), `live compile of '${filter}' should use ancillary loads:\n${disassembleClassic(classic)}`);
      cases.push(ethernetCase(`${filter} (live lo)`, classic, SNAP));
    }
    report(t, `${EXPRESSIONS.length} expressions (+${UNOPTIMIZED.length} unoptimized, +${LIVE_LO.length} live-handle) × ${frames.length} packets`, cases.length, cases.map(runCase));
    assert.ok(EXPRESSIONS.length >= 60);
  });

  it('caps the verdict at the snap length, and keeps the classic program\'s own smaller `ret`', (t) => {
    const cases: Case[] = [];
    for (const filter of ['', 'tcp', 'ip6 and tcp', 'len > 100']) {
      cases.push(ethernetCase(`${filter || '(no filter)'} capped at 64`, n.pcapCompile({ filter, linkType: 1, snapLen: SNAP, optimize: true }), 64));
      cases.push(ethernetCase(`${filter || '(no filter)'} with -s 96`, n.pcapCompile({ filter, linkType: 1, snapLen: 96, optimize: true }), SNAP));
    }
    report(t, 'snap length', cases.length, cases.map(runCase));
  });

  for (const mode of ['sll2', 'sll'] as const) {
    it(`rewrites offsets for a cooked socket as libpcap does on \`any\` (${mode.toUpperCase()})`, (t) => {
      // A SOCK_DGRAM packet socket shows the filter the packet from L3, which is what a test run shows
      // a program when the dummy Ethernet header carries the ethertype. The reference is libpcap's
      // bpf_filter on the cooked header libpcap would build for the same packet, with the length the
      // kernel filter sees (libpcap's fix_program leaves `len` alone: in the kernel it is the L3 length).
      const linkType = mode === 'sll2' ? 276 : 113;
      const eligible = frames
        .map((f, i) => ({ f, m: meta[i]! }))
        .filter(({ f }) => f.data.length > 14 && ethertypeOf(f.data) >= 0x600 && ![0x8100, 0x88a8, 0x9100].includes(ethertypeOf(f.data)))
        .filter(({ f }) => kernelAcceptsAsL3(f.data.subarray(14), ethertypeOf(f.data)));
      const cases: Case[] = [];
      let refusedByLibpcap = 0;
      let kernelCannot = 0;
      let readsLength = 0;
      for (const filter of EXPRESSIONS) {
        let classic: ClassicInsn[];
        try {
          classic = n.pcapCompile({ filter, linkType, snapLen: SNAP, optimize: true });
        } catch {
          refusedByLibpcap++; // e.g. `ether host` has no meaning on a cooked link
          continue;
        }
        if (classic.some((insn) => modeOf(insn.code) === BPF_LEN && classOf(insn.code) <= 1)) {
          // `len` in a kernel filter on a cooked socket is the L3 length (libpcap's fix_program leaves
          // it alone), in user space it includes the cooked header: the two differ by design.
          readsLength++;
          continue;
        }
        try {
          buildCaptureProgram({ classic, snapLen: SNAP, cooked: mode });
        } catch (e) {
          if (!(e instanceof CookedOffsetError)) throw e;
          kernelCannot++; // libpcap would fall back to filtering in user space
          continue;
        }
        const payloads = eligible.map(({ f }) => f.data.subarray(14));
        cases.push({
          label: `${filter} (${mode})`, classic, snapLen: SNAP, cooked: mode,
          inputs: eligible.map(({ f }, i) => withDummyEthernet(payloads[i]!, ethertypeOf(f.data))),
          lengths: payloads.map((p) => p.length),
          expected: eligible.map(({ f, m }, i) => {
            const header = mode === 'sll2' ? sll2Header(ethertypeOf(f.data), m.ifindex, m.pktType, f.data) : sllHeader(ethertypeOf(f.data), m.pktType, f.data);
            const packet = Buffer.concat([header, payloads[i]!]);
            // SLL has no ifindex field: libpcap compiles `ifindex` to an ancillary load there.
            return n.pcapFilter(hasAncillary(classic) ? withAncillaryValues(classic, m) : classic, packet, packet.length);
          }),
        });
      }
      t.diagnostic(`${refusedByLibpcap} expressions refused by pcap_compile for ${mode.toUpperCase()}, ${kernelCannot} need user-space ` +
        `filtering in libpcap too, ${readsLength} read \`len\` (not comparable, see above)`);
      assert.ok(cases.length >= 50, `only ${cases.length} cooked cases`);
      report(t, `${cases.length} expressions × ${eligible.length} packets, ${mode.toUpperCase()}`, cases.length, cases.map(runCase));
    });
  }
});
