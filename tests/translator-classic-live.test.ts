/**
 * Classic disassembler against `tcpdump -d` for programs libpcap compiles on a live handle (root
 * needed): those use Linux ancillary loads (`ldb [vlanp]`, `ldh [type]`, `ld [ifidx]`), which
 * tcpdump prints by name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ancillaryField, disassembleClassic, type ClassicInsn } from '../bpf/classic';

function tcpdump(args: string[]): string {
  const run = spawnSync('tcpdump', args, { encoding: 'utf8' });
  if (run.error) throw new Error(`tcpdump is needed for this test (apt-get install tcpdump): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`tcpdump ${args.join(' ')} failed (a live compile on lo needs root): ${run.stderr}`);
  return run.stdout;
}

const parseDd = (text: string): ClassicInsn[] =>
  [...text.matchAll(/\{ 0x([0-9a-f]+), (\d+), (\d+), 0x([0-9a-f]+) \}/g)].map((m) => ({
    code: parseInt(m[1]!, 16), jt: Number(m[2]), jf: Number(m[3]), k: parseInt(m[4]!, 16),
  }));

describe('classic disassembler equals `tcpdump -d -i lo` (ancillary loads)', () => {
  for (const filter of ['vlan 100 or inbound or ifindex 1', 'outbound and vlan and tcp', 'vlan and vlan 200']) {
    it(filter, () => {
      const program = parseDd(tcpdump(['-dd', '-i', 'lo', filter]));
      assert.ok(program.some((insn) => ancillaryField(insn.k) !== undefined));
      assert.equal(disassembleClassic(program), tcpdump(['-d', '-i', 'lo', filter]));
    });
  }
});
