/**
 * The native addon's libpcap and bpf() parts, checked against references we did not write:
 * `tcpdump -ddd` (libpcap's compiler as tcpdump drives it), tcpdump's own verdicts on corpus
 * captures, and the kernel (verifier, maps, BPF_PROG_TEST_RUN, getifaddrs as `ip` shows it).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native, type ClassicInsn } from '../app/capture/native';
import { requireCorpusFile } from './support/corpus';

const n = native();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-native-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  return execFileSync('tcpdump', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An empty pcap file of a link type, so `tcpdump -r` compiles for that link type (netmask 0, as we do). */
function emptyPcap(linkType: number, snapLen: number): string {
  const file = path.join(tmp, `empty-${linkType}-${snapLen}.pcap`);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snapLen, 16);
  header.writeUInt32LE(linkType, 20);
  fs.writeFileSync(file, header);
  return file;
}

/** Parses `tcpdump -ddd` output: a count line, then "code jt jf k" per instruction. */
function parseDdd(text: string): ClassicInsn[] {
  const lines = text.trim().split('\n');
  const count = Number(lines[0]);
  const insns = lines.slice(1).map((line) => {
    const [code, jt, jf, k] = line.trim().split(/\s+/).map(Number);
    return { code, jt, jf, k: k >>> 0 };
  });
  assert.equal(insns.length, count, 'tcpdump -ddd instruction count line');
  return insns;
}

const filters: Record<number, string[]> = {
  1: [
    'tcp port 80', 'udp', 'ip6', 'icmp or icmp6', 'vlan 100', 'vlan and tcp', 'host 10.0.0.1 and not port 22',
    'net 192.168.0.0/16', 'ether broadcast', 'ip broadcast', 'tcp[tcpflags] & tcp-syn != 0', 'greater 1000',
    'ip[6:2] & 0x1fff != 0', 'ip6 and udp dst port 53', 'arp', 'mpls',
  ],
  113: ['tcp port 80', 'ip6', 'arp', 'inbound'],
  276: ['tcp port 80', 'udp and host 1.2.3.4', 'ip6', 'ifindex 2', 'outbound'],
};

describe('pcapCompile', () => {
  test(`matches tcpdump -ddd (tcpdump ${tcpdump(['--version']).split('\n')[0]})`, () => {
    console.log(`# ${n.pcapLibVersion()}`);
    for (const [linkTypeText, list] of Object.entries(filters)) {
      const linkType = Number(linkTypeText);
      const file = emptyPcap(linkType, 262144);
      for (const filter of list) {
        for (const optimize of [true, false]) {
          const expected = parseDdd(tcpdump([...(optimize ? [] : ['-O']), '-ddd', '-r', file, filter]));
          const actual = n.pcapCompile({ filter, linkType, snapLen: 262144, optimize });
          assert.deepEqual(actual, expected, `${filter} (DLT ${linkType}, optimize ${optimize})`);
        }
      }
    }
  });

  test('inbound / outbound / ifindex on a dead EN10MB handle use Linux ancillary loads', () => {
    // tcpdump refuses these on a savefile, so there is no -ddd to compare with: check the loads.
    const SKF_AD_OFF = 0xfffff000;
    const uses = (filter: string, field: number) =>
      n.pcapCompile({ filter, linkType: 1, snapLen: 262144, optimize: true }).some((i) => i.k === (SKF_AD_OFF + field) >>> 0);
    assert.ok(uses('inbound', 4), 'inbound reads SKF_AD_PKTTYPE');
    assert.ok(uses('outbound', 4), 'outbound reads SKF_AD_PKTTYPE');
    assert.ok(uses('ifindex 3', 8), 'ifindex reads SKF_AD_IFINDEX');
  });

  test('honours the snap length in ret instructions', () => {
    const file = emptyPcap(1, 96);
    const expected = parseDdd(tcpdump(['-ddd', '-r', file, 'tcp']));
    assert.deepEqual(n.pcapCompile({ filter: 'tcp', linkType: 1, snapLen: 96, optimize: true }), expected);
  });

  test('on a live handle matches tcpdump -i lo -ddd (vlan ancillary loads)', () => {
    for (const filter of ['vlan 10', 'vlan and udp', 'tcp port 80']) {
      const expected = parseDdd(tcpdump(['-i', 'lo', '-ddd', filter]));
      const actual = n.pcapCompile({ filter, linkType: 1, snapLen: 262144, optimize: true, liveDevice: 'lo' });
      assert.deepEqual(actual, expected, filter);
    }
    const live = n.pcapCompile({ filter: 'vlan 10', linkType: 1, snapLen: 262144, optimize: true, liveDevice: 'lo' });
    // SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT: libpcap chose BPF_SPECIAL_VLAN_HANDLING.
    assert.ok(live.some((i) => i.k === (0xfffff000 + 48) >>> 0), 'uses the vlan_tag_present ancillary load');
  });

  test('on a live "any" handle with LINUX_SLL2 matches tcpdump -i any -y LINUX_SLL2 -ddd', () => {
    const expected = parseDdd(tcpdump(['-i', 'any', '-y', 'LINUX_SLL2', '-ddd', 'udp port 53']));
    const actual = n.pcapCompile({ filter: 'udp port 53', linkType: 276, snapLen: 262144, optimize: true, liveDevice: 'any' });
    assert.deepEqual(actual, expected);
  });

  test("a bad filter throws libpcap's own message", () => {
    for (const filter of ['tcp port', 'host 999.1.1.1', 'foo bar']) {
      let expected = '';
      try {
        tcpdump(['-d', '-r', emptyPcap(1, 262144), filter]);
      } catch (err) {
        const lines = String((err as { stderr: string }).stderr).trim().split('\n');
        expected = lines[lines.length - 1].replace(/^tcpdump: /, '');
      }
      assert.ok(expected, `tcpdump rejects ${filter}`);
      assert.throws(
        () => n.pcapCompile({ filter, linkType: 1, snapLen: 262144, optimize: true }),
        (err: NodeJS.ErrnoException) => err.message === expected && err.code === 'EFILTER',
        filter,
      );
    }
  });

  test('a missing live device throws ENODEV naming the interface', () => {
    assert.throws(
      () => n.pcapCompile({ filter: 'ip', linkType: 1, snapLen: 65535, optimize: true, liveDevice: 'nosuchif0' }),
      (err: NodeJS.ErrnoException) => err.code === 'ENODEV' && /no such interface 'nosuchif0'/.test(err.message),
    );
  });

  test('bad arguments throw TypeError', () => {
    assert.throws(() => n.pcapCompile(undefined as never), TypeError);
    assert.throws(() => n.pcapCompile({ filter: 1 } as never), TypeError);
    assert.throws(() => n.pcapCompile({ filter: 'ip', linkType: 1, snapLen: 0, optimize: true }), TypeError);
  });
});

/** Records of a little-endian classic pcap file (the header is 24 bytes). */
function pcapRecords(file: string): { linkType: number; records: Buffer; packets: Buffer[]; lengths: number[] } {
  const buf = fs.readFileSync(file);
  assert.ok(buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d, `${file} is a LE pcap`);
  const packets: Buffer[] = [];
  const lengths: number[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const caplen = buf.readUInt32LE(off + 8);
    packets.push(buf.subarray(off + 16, off + 16 + caplen));
    lengths.push(buf.readUInt32LE(off + 12));
    off += 16 + caplen;
  }
  return { linkType: buf.readUInt32LE(20), records: buf.subarray(24), packets, lengths };
}

describe('pcapFilter / pcapFilterRecords', () => {
  const files = [
    'tcpdump/tests/802.1ad_QinQ.pcap', 'tcpdump/tests/dns_tcp.pcap', 'tcpdump/tests/icmpv6-ni-flags.pcap',
    'lwerdna-filesamples/simple_http.pcap', 'lwerdna-filesamples/teardrop.pcap', 'tcpdump/tests/lisp_ipv6.pcap', 'tcpdump/tests/bigtcp-ipv6.pcap',
    'lwerdna-filesamples/simple_http_sll2.pcap',
  ];
  const verdictFilters = ['tcp', 'udp port 53', 'vlan', 'ip6', 'icmp6', 'ip[6:2] & 0x1fff != 0', 'tcp port 80 and greater 200', 'src net 192.168.0.0/16'];

  test('accept the same packets as tcpdump -r on corpus captures', () => {
    let compared = 0;
    for (const file of files.map(requireCorpusFile)) {
      const { linkType, records, packets, lengths } = pcapRecords(file);
      for (const filter of verdictFilters) {
        const out = path.join(tmp, 'accepted.pcap');
        let program: ClassicInsn[];
        try {
          program = n.pcapCompile({ filter, linkType, snapLen: 262144, optimize: true });
        } catch (err) {
          // e.g. "no VLAN support for Linux cooked v2": tcpdump must refuse it the same way.
          assert.throws(() => tcpdump(['-r', file, '-w', out, filter]), (e: { stderr: string }) =>
            e.stderr.includes((err as Error).message));
          continue;
        }
        tcpdump(['-r', file, '-w', out, filter]);
        const expected = pcapRecords(out).packets.map((p) => p.toString('hex'));
        const verdicts = n.pcapFilterRecords(program, records);
        assert.equal(verdicts.length, packets.length);
        const accepted = packets.filter((_, i) => verdicts[i] !== 0).map((p) => p.toString('hex'));
        assert.deepEqual(accepted, expected, `${path.basename(file)}: ${filter}`);
        packets.forEach((p, i) => assert.equal(n.pcapFilter(program, p, lengths[i]), verdicts[i]));
        compared += packets.length;
      }
    }
    console.log(`# ${compared} packet verdicts compared with tcpdump`);
  });

  test('rejects an invalid program (bpf_validate) and malformed records', () => {
    const jumpOut: ClassicInsn[] = [{ code: 0x05, jt: 0, jf: 0, k: 10 }, { code: 0x06, jt: 0, jf: 0, k: 0 }];
    assert.throws(() => n.pcapFilter(jumpOut, Buffer.alloc(10), 10), /bpf_validate/);
    const ok: ClassicInsn[] = [{ code: 0x06, jt: 0, jf: 0, k: 7 }];
    assert.equal(n.pcapFilter(ok, Buffer.alloc(10), 10), 7);
    const truncated = Buffer.alloc(20);
    truncated.writeUInt32LE(100, 8);
    assert.throws(() => n.pcapFilterRecords(ok, truncated), /past the end/);
    assert.throws(() => n.pcapFilter([{ code: 'x' }] as never, Buffer.alloc(1), 1), TypeError);
  });
});

/** Hand-encoded eBPF (struct bpf_insn of <linux/bpf.h>): opcode, regs, off (LE16), imm (LE32). */
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (src << 4) | dst;
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}
const MOV64_IMM = 0xb7;
const EXIT = 0x95;

describe('bpf()', () => {
  test('a program returning 42 loads and test-runs to 42', () => {
    const insns = Buffer.concat([insn(MOV64_IMM, 0, 0, 0, 42), insn(EXIT, 0, 0, 0, 0)]);
    const { fd, log } = n.bpfProgLoad({ insns, progType: 1, license: 'GPL', name: 'ret42', logLevel: 1 });
    try {
      assert.match(log, /processed 2 insns/);
      const data = Buffer.alloc(64, 0xab);
      const run = n.bpfProgTestRun(fd, data, 3);
      assert.equal(run.retval, 42);
      assert.ok(run.dataOut.length > 0);
    } finally {
      n.closeFd(fd);
    }
  });

  test('a rejected program throws with the verifier log', () => {
    const insns = insn(EXIT, 0, 0, 0, 0); // r0 never written
    assert.throws(
      () => n.bpfProgLoad({ insns, progType: 1, license: 'GPL' }),
      (err: NodeJS.ErrnoException & { verifierLog: string }) =>
        err.code === 'EACCES' && err.errno === 13 && err.syscall === 'bpf(BPF_PROG_LOAD)' &&
        /R0 !read_ok/.test(err.message) && /R0 !read_ok/.test(err.verifierLog),
    );
  });

  test('bad arguments throw TypeError', () => {
    assert.throws(() => n.bpfProgLoad({ insns: Buffer.alloc(7), progType: 1, license: 'GPL' }), TypeError);
    assert.throws(() => n.bpfProgLoad({ insns: Buffer.alloc(8), progType: 1, license: 'GPL', name: 'bad name!' }), TypeError);
    assert.throws(() => n.bpfMapLookup(-1, Buffer.alloc(4), 4), TypeError);
  });

  test('hash map create / update / lookup / next-key / delete round trip', () => {
    const fd = n.bpfMapCreate({ mapType: 1, keySize: 4, valueSize: 8, maxEntries: 16, name: 'roundtrip' });
    try {
      const key = (i: number) => Buffer.from(new Uint32Array([i]).buffer);
      for (const i of [5, 9, 13]) n.bpfMapUpdate(fd, key(i), Buffer.from(new BigUint64Array([BigInt(i * 1000)]).buffer));
      assert.equal(n.bpfMapLookup(fd, key(9), 8)?.readBigUInt64LE(0), 9000n);
      assert.equal(n.bpfMapLookup(fd, key(4), 8), null);
      const seen: number[] = [];
      for (let k = n.bpfMapNextKey(fd, null, 4); k; k = n.bpfMapNextKey(fd, k, 4)) seen.push(k.readUInt32LE(0));
      assert.deepEqual(seen.sort((a, b) => a - b), [5, 9, 13]);
      assert.equal(n.bpfMapDelete(fd, key(9)), true);
      assert.equal(n.bpfMapDelete(fd, key(9)), false);
      assert.throws(() => n.bpfMapUpdate(fd, key(5), Buffer.alloc(8), 1 /* BPF_NOEXIST */), { code: 'EEXIST' });
      // bpftool, the kernel's own tool, sees the same map.
      const dump = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'name', 'roundtrip'], { encoding: 'utf8' }));
      assert.equal(dump.type, 'hash');
      assert.equal(dump.max_entries, 16);
    } finally {
      n.closeFd(fd);
    }
  });

  test('possibleCpus matches the kernel list', () => {
    const text = fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    const count = text.split(',').reduce((sum, r) => {
      const [a, b] = r.split('-').map(Number);
      return sum + (b === undefined ? 1 : b - a + 1);
    }, 0);
    assert.equal(n.possibleCpus(), count);
    assert.ok(n.possibleCpus() >= os.cpus().length);
  });

  test('closeFd on a closed descriptor throws EBADF', () => {
    const fd = n.bpfMapCreate({ mapType: 2, keySize: 4, valueSize: 4, maxEntries: 1 });
    n.closeFd(fd);
    assert.throws(() => n.closeFd(fd), { code: 'EBADF' });
  });
});

describe('listInterfaces', () => {
  test('agrees with `ip -j addr`', () => {
    const ours = n.listInterfaces();
    const theirs = JSON.parse(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8' })) as Array<{
      ifindex: number; ifname: string; flags: string[]; mtu: number; address?: string; link_type: string;
      addr_info: Array<{ family: string; local: string; prefixlen: number; broadcast?: string }>;
    }>;
    assert.deepEqual(ours.map((i) => i.index), [...ours.map((i) => i.index)].sort((a, b) => a - b), 'ordered by index');
    for (const ref of theirs) {
      const mine = ours.find((i) => i.index === ref.ifindex);
      assert.ok(mine, `${ref.ifname} listed`);
      assert.equal(mine.name, ref.ifname);
      assert.equal(mine.mtu, ref.mtu);
      assert.equal(mine.up, ref.flags.includes('UP'));
      assert.equal(mine.loopback, ref.flags.includes('LOOPBACK'));
      if (ref.address && ref.link_type !== 'none') assert.equal(mine.mac, ref.address);
      const v4 = ref.addr_info.filter((a) => a.family === 'inet').map((a) => a.local).sort();
      assert.deepEqual(mine.addresses.filter((a) => a.family === 'inet').map((a) => a.address).sort(), v4);
    }
    const lo = ours.find((i) => i.name === 'lo');
    assert.ok(lo && lo.loopback && lo.hardwareType === 772);
    assert.ok(lo.addresses.some((a) => a.address === '127.0.0.1' && a.netmask === '255.0.0.0'));
  });
});
