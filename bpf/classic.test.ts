/**
 * The classic disassembler must print exactly what `tcpdump -d` prints. The programs come from
 * `tcpdump -dd` (the same compiler, printed as C initialisers), so the test needs only tcpdump.
 * Ancillary loads need a live handle (root): tests/translator-classic-live.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ancillaryField, disassembleClassic, SKF_AD_OFF, type ClassicInsn } from './classic';

const FILTERS = [
  'tcp port 80',
  'host 10.0.0.1',
  'net 10.0.0.0/8 and not port 22',
  'ip6 protochain 6',
  'len < 100 and ip[0] / ip[1] = 1',
  'ip[0] % 3 = 1',
  'ip[1] ^ 3 = 2 or ip[1] | 4 = 5',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0',
  'vlan 100 and ip',
  'icmp6 or arp',
  'ether broadcast',
  'ip[2:2] - 20 > 576',
  'ip[0] << 1 > 3 and ip[0] >> 1 < 100',
  'ip[0] * 2 = 4 and -ip[1] = 0',
  'greater 500',
  'portrange 1000-2000',
];

let dir = '';
let emptyPcap = '';

function tcpdump(args: string[]): string {
  const run = spawnSync('tcpdump', args, { encoding: 'utf8' });
  if (run.error) throw new Error(`tcpdump is needed for this test (apt-get install tcpdump): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`tcpdump ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

function parseDd(text: string): ClassicInsn[] {
  return [...text.matchAll(/\{ 0x([0-9a-f]+), (\d+), (\d+), 0x([0-9a-f]+) \}/g)].map((m) => ({
    code: parseInt(m[1]!, 16), jt: Number(m[2]), jf: Number(m[3]), k: parseInt(m[4]!, 16),
  }));
}

describe('classic disassembler equals `tcpdump -d`', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-classic-'));
    emptyPcap = path.join(dir, 'empty.pcap');
    // A pcap file with no packets: tcpdump needs one to know the link type (EN10MB).
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    fs.writeFileSync(emptyPcap, header);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const filter of FILTERS) {
    it(filter, () => {
      const program = parseDd(tcpdump(['-dd', '-r', emptyPcap, filter]));
      assert.ok(program.length > 0);
      assert.equal(disassembleClassic(program), tcpdump(['-d', '-r', emptyPcap, filter]));
    });
  }

  it('names ancillary offsets', () => {
    assert.equal(ancillaryField(SKF_AD_OFF + 4), 'PKTTYPE');
    assert.equal(ancillaryField((SKF_AD_OFF + 48) >>> 0), 'VLAN_TAG_PRESENT');
    assert.equal(ancillaryField(14), undefined);
  });
});
