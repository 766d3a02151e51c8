/**
 * pcapng Custom Blocks against tshark: tshark 4.0 lists each Custom Block (0x00000BAD, 0x40000BAD)
 * as a frame of its own (no encapsulation, no time stamp, frame.len = block length - 16), between
 * the packets. CaptureReader returns them, in the same places, only with `customBlocks: true`.
 * Checked on a file made here and, when the shared corpus is present, on the pcapng-test-generator
 * files that contain custom blocks (test017, test018, test102, test202).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { block, epb, idb, option, sampleFrame, shb, spb, u32Value } from '../app/pcap/craft';
import { CaptureReader } from '../app/pcap';
import { requireTool, runTool, tempDir } from './pcap-helpers';
import { requireCorpusDir } from './support/corpus';

const tmp = tempDir('custom-blocks');
after(tmp.remove);

/** One record as a line of `-e frame.len -e frame.cap_len -e frame.time_epoch -e frame.encap_type`, time reduced to present/absent. */
function tsharkRecords(file: string): string[] {
  const r = runTool('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch', '-e', 'frame.encap_type']);
  assert.equal(r.code, 0, `tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [len, capLen, epoch, encap] = l.split('\t');
    return `${len} ${capLen} ${epoch ? 'time' : 'no-time'} ${encap ? 'packet' : 'custom'}`;
  });
}

function ourRecords(file: string): string[] {
  const reader = CaptureReader.open(file, { customBlocks: true });
  const out: string[] = [];
  for (const p of reader) out.push(`${p.origLen} ${p.capLen} ${p.noTimestamp ? 'no-time' : 'time'} ${p.customBlock ? 'custom' : 'packet'}`);
  reader.close();
  assert.equal(reader.error, null, reader.error?.message);
  return out;
}

test('custom blocks are numbered among packets as tshark numbers them (crafted file, both byte orders)', () => {
  requireTool('tshark');
  const section = (le: boolean): Buffer[] => [
    shb(le), idb(le, 1, 0),
    block(le, 0xbad, Buffer.concat([u32Value(le, 32473), Buffer.from('first custom block')])),
    epb(le, 0, 1_700_000_000_000_000n, sampleFrame(1, 60)),
    spb(le, sampleFrame(2, 70)),
    block(le, 0x40000bad, Buffer.concat([u32Value(le, 32473), Buffer.from('not to be copied')]), [option(1, 'an option')]),
    epb(le, 0, 1_700_000_000_001_000n, sampleFrame(3, 80)),
  ];
  const file = path.join(tmp.dir, 'custom.pcapng');
  fs.writeFileSync(file, Buffer.concat([...section(true), ...section(false)]));
  const theirs = tsharkRecords(file);
  assert.equal(theirs.length, 10, `tshark lists 6 packets and 4 custom blocks: ${theirs.join('; ')}`);
  assert.deepEqual(ourRecords(file), theirs);
});

test('pcapng-test-generator files with custom blocks: same records as tshark', () => {
  const corpus = requireCorpusDir();
  requireTool('tshark');
  const files = ['basic/test017', 'basic/test018', 'advanced/test102', 'difficult/test202']
    .flatMap((f) => ['output_le', 'output_be'].map((o) => path.join(corpus, 'pcapng-test-generator', o, `${f}.pcapng`)))
    .filter((f) => fs.existsSync(f));
  assert.ok(files.length > 0, `no pcapng-test-generator files under ${corpus}`);
  for (const f of files) assert.deepEqual(ourRecords(f), tsharkRecords(f), f);
});
