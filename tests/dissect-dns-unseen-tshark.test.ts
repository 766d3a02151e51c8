/**
 * DNS messages nobody sees (no tree, no columns, no dns.* field asked for: `-T fields -e
 * frame.number`, conversation reports, an engine replaying frames for their state) are only matched
 * to their transactions, not parsed (ctx.unseen). The matching must be the one a full dissection
 * does: here frames seen and unseen alternate in one Dissector, and every seen frame's
 * request/response fields are compared with tshark's for the same file — a real capture
 * (chrissanders-packets/dns_lab.pcapng) with retransmitted requests and responses and an
 * unsolicited response added by repeating and dropping its frames.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dissector } from '../app/dissect/dissector';
import type { DissectOptions, Field } from '../app/dissect/model';
import { CaptureReader } from '../app/pcap/reader';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusDir } from './support/corpus';

const FIELDS = ['dns.response_to', 'dns.time', 'dns.retransmit_request_in', 'dns.retransmit_response_in', 'dns.retransmission', 'dns.unsolicited'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dns-unseen-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Frame {
  tsNs: bigint;
  data: Buffer;
  origLen: number;
  linkType: number;
}

function readFrames(file: string): Frame[] {
  const reader = CaptureReader.open(file);
  const frames: Frame[] = [];
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) frames.push({ tsNs: p.tsNs, data: Buffer.from(p.data), origLen: p.origLen, linkType: p.linkType });
  } finally {
    reader.close();
  }
  return frames;
}

function find(fields: readonly Field[], abbrev: string): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    const inner = f.children && find(f.children, abbrev);
    if (inner) return inner;
  }
  return undefined;
}

test('DNS transactions matched without a dissection of the message equal tshark\'s, frames seen and unseen alternating', () => {
  const original = readFrames(path.join(requireCorpusDir(), 'chrissanders-packets', 'dns_lab.pcapng'));
  assert.ok(original.length >= 12, `dns_lab.pcapng: ${original.length} frames`);
  // Frames 1-2, 3-4, 5-6 … are query/response pairs. Repeat query 1 and response 4 just after
  // themselves (retransmissions, within tshark's 5 s), drop query 5 (its response is unsolicited).
  const frames: Frame[] = [];
  original.forEach((f, i) => {
    if (i === 4) return;
    frames.push(f);
    if (i === 0 || i === 3) frames.push({ ...f, tsNs: f.tsNs + 1000n });
  });
  const file = path.join(tmp, 'dns-retransmissions.pcap');
  const writer = new PcapWriter(file, { linkType: frames[0]!.linkType, snapLen: 262144 });
  for (const f of frames) writer.writePacket(f);
  writer.close();

  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const theirs = r.stdout.split('\n').slice(0, frames.length).map((line) => line.split('\t'));
  assert.equal(theirs.length, frames.length);
  const kinds = new Set(theirs.flatMap((values) => FIELDS.filter((_, k) => values[k] !== '')));
  for (const field of ['dns.response_to', 'dns.retransmit_request_in', 'dns.retransmit_response_in', 'dns.unsolicited']) {
    assert.ok(kinds.has(field), `the built capture has a ${field} for tshark`);
  }

  const seen: DissectOptions = { fields: new Set(FIELDS), columns: false };
  const unseen: DissectOptions = { fields: new Set(['frame.number']), columns: false };
  for (const seenEvery of [1, 2, 3]) {
    const d = new Dissector();
    let compared = 0;
    frames.forEach((f, i) => {
      const looked = i % seenEvery === 0;
      const packet = d.dissect({ number: i + 1, ...f }, looked ? seen : unseen);
      if (!looked) return;
      const dns = packet.layers.find((l) => l.protocol === 'dns');
      assert.ok(dns, `frame ${i + 1}: a DNS layer`);
      const ours = FIELDS.map((abbrev) => find(dns.fields, abbrev)?.text ?? '');
      const expected = theirs[i]!.map((v) => (v === 'True' ? '1' : v));
      assert.deepEqual(ours, expected, `frame ${i + 1} (every ${seenEvery}. frame seen)`);
      compared++;
    });
    assert.ok(compared >= frames.length / 3);
  }
});
