/**
 * Display filters on Wireshark's show_exception items: `_ws.malformed` (a dissection a malformed
 * packet ended), `_ws.short` (one the snap length cut short) and the malformed item's expert,
 * against tshark 4.0's selections on corpus captures with such packets, through -Y with the
 * summary lines and with -T fields (a dissection that reads only the fields printed must still
 * reach the bytes that raise the exception). Skipped when tshark is not installed; fails when the
 * corpus is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireCorpusFile } from './support/corpus';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FILES = [
  'dpkt/examples/data/truncated_dns.pcap', // DNS cut by the snap length: _ws.short
  'tcpdump/tests/dns-badlabel.pcap', // a malformed DNS name
  'tcpdump/tests/udp-length-heapoverflow.pcap',
  'tcpdump/tests/ipv6_jumbogram_invalid_length.pcap',
  'chrissanders-packets/dns.pcap',
];
const FILTERS = ['_ws.malformed', '_ws.short', '_ws.malformed or _ws.short', 'not _ws.malformed', '_ws.expert.message == "Malformed Packet (Exception occurred)"', 'dns and _ws.short'];

function frames(args: string[]): string {
  const r = spawnSync('tshark', ['-n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('-Y _ws.malformed, _ws.short and the exception\'s expert select what tshark selects', { skip: NO_TSHARK }, () => {
  let selected = 0;
  for (const name of FILES) {
    const file = requireCorpusFile(name);
    assertFiltersAgree(file, FILTERS);
    // With -T fields the dissection reads only what it prints, unless the filter asks about exceptions.
    for (const filter of ['_ws.malformed', '_ws.short']) {
      const theirs = frames(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
      const r = sievecap(['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
      assert.equal(r.stdout.toString(), theirs, `${name} -Y ${filter} -T fields`);
      selected += theirs.split('\n').filter(Boolean).length;
    }
  }
  assert.ok(selected >= 3, `the files hold packets with exceptions (${selected} selected)`);
});
