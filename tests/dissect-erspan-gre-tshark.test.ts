/**
 * ERSPAN type II and III headers, GRE's protocol types and version, and 802.1Q priorities, against
 * tshark 4.0: the corpus's ERSPAN captures as summary lines and -V trees (type II, type III with an
 * unknown frame type, type III cut short), various_gre.pcap's summary lines (GRE keepalives, Cisco
 * metadata), and VLAN frames this test builds with every priority. Skipped without tshark; the
 * corpus part without the corpus.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const TESTS = path.join(CORPUS.dir, 'tcpdump/tests');
const NO_CORPUS = NO_TSHARK || (fs.existsSync(path.join(TESTS, 'erspan-type-iii-ft-7.pcap')) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`);
const ENV = { ...process.env, TZ: 'UTC' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-erspan-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(args);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

test('ERSPAN and GRE on the corpus: summary lines and -V as tshark', { skip: NO_CORPUS }, () => {
  for (const name of ['erspan-type-ii-1.pcap', 'erspan-type-iii-ft-7.pcap']) {
    const file = path.join(TESTS, name);
    assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), `${name}: summary lines`);
    assert.deepEqual(ours(['-r', file, '-V']).split('\n'), tshark(['-r', file, '-V']).split('\n'), `${name}: -V`);
  }
  for (const name of ['erspan-type-iii-ft-0.pcap', 'erspan-type-iii-pb-1.pcap', 'various_gre.pcap', 'erspan-type-i-1.pcap']) {
    const file = path.join(TESTS, name);
    assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), `${name}: summary lines`);
  }
  // The ERSPAN header's lines of a type III capture whose frame inside is Ethernet.
  const file = path.join(TESTS, 'erspan-type-iii-ft-0.pcap');
  const erspanLines = (text: string): string[] => text.split('\n').filter((line, i, all) => {
    for (let k = i; k >= 0; k--) if (!all[k]!.startsWith(' ')) return all[k]!.startsWith('Encapsulated Remote Switch') || all[k]!.startsWith('Generic Routing');
    return false;
  });
  assert.deepEqual(erspanLines(ours(['-r', file, '-V'])), erspanLines(tshark(['-r', file, '-V'])));
});

test('802.1Q priorities named as tshark names them', { skip: NO_TSHARK }, () => {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = [0, 1, 2, 3, 4, 5, 6, 7].map((priority) => {
    const arp = Buffer.from('0001080006040001020000000001c0a80001000000000000c0a80002', 'hex');
    const frame = Buffer.concat([Buffer.from('ffffffffffff020000000001', 'hex'), Buffer.from([0x81, 0, (priority << 5) | 0, 5, 0x08, 0x06]), arp]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(priority, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const file = path.join(tmp, 'vlan-priorities.pcap');
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  const priorities = (text: string): string[] => text.split('\n').filter((line) => line.includes('= Priority'));
  const theirs = priorities(tshark(['-r', file, '-V']));
  assert.equal(theirs.length, 8);
  assert.deepEqual(priorities(ours(['-r', file, '-V'])), theirs);
});
