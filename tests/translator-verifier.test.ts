/**
 * The eBPF disassembler against the kernel verifier's own printing: each capture program is loaded
 * with log level 2, which prints every instruction the verifier walks (`12: (bc) w7 = w0 ; R7=...`),
 * and our text for that instruction must be the same. Map loads differ by design (the verifier
 * prints the map's kernel address, we print the fd).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { native } from '../app/capture/native';
import { disassemble } from '../bpf/disasm';
import { BPF_PROG_TYPE_SOCKET_FILTER } from '../bpf/opcodes';
import { buildCaptureProgram, COUNTERS_MAP } from '../bpf/programs/capture';

const FILTERS = ['', 'tcp port 80', 'ip6 protochain 6', 'ip[0] / ip[1] = 0', 'inbound and vlan 100', 'len > 100', 'ip[2:2] % 7 = 3 or ip[1] ^ 3 = 2'];

describe('disassembler notation equals the kernel verifier log', () => {
  for (const filter of FILTERS) {
    it(filter || '(no filter)', () => {
      const n = native();
      const classic = n.pcapCompile({ filter, linkType: 1, snapLen: 262144, optimize: true, liveDevice: filter.includes('inbound') ? 'lo' : undefined });
      const program = buildCaptureProgram({ classic, snapLen: 65535 });
      const mapFd = n.bpfMapCreate({ mapType: COUNTERS_MAP.type, keySize: COUNTERS_MAP.keySize, valueSize: COUNTERS_MAP.valueSize, maxEntries: 1, name: 'counters' });
      try {
        const insns = program.assemble({ counters: mapFd });
        const { fd, log } = n.bpfProgLoad({ insns, progType: BPF_PROG_TYPE_SOCKET_FILTER, license: 'GPL', logLevel: 2 });
        n.closeFd(fd);
        const ours = new Map(disassemble(insns).map((line) => [Number(line.split(':')[0]), line]));
        const checked = new Set<number>();
        for (const line of log.split('\n')) {
          const m = /^(\d+): (\([0-9a-f]{2}\) .*?)(?:\s+;.*)?$/.exec(line);
          if (!m) continue;
          const index = Number(m[1]);
          const text = `${index}: ${m[2]}`;
          if (/^\d+: \(18\) r\d+ = map\[fd:\d+\]$/.test(ours.get(index) ?? '')) continue; // map address vs fd
          assert.equal(ours.get(index), text, `instruction ${index}`);
          checked.add(index);
        }
        const nonMap = [...ours.values()].filter((l) => !l.includes('map[fd:')).length;
        assert.ok(checked.size >= nonMap * 0.9, `the log showed only ${checked.size} of ${nonMap} instructions`);
      } finally {
        n.closeFd(mapFd);
      }
    });
  }
});
