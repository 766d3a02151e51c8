/**
 * Whole trees on corpus captures: `-V` and `-T json` of every frame equal tshark 4.0's, byte for
 * byte, for captures of Linux cooked mode (SLL, SLL2), VXLAN and IS-IS hellos (the frames a filter
 * selects), which Sievecap shows as tshark does header for header (addresses with their names,
 * padding and trailers, flag summaries). A
 * regression guard: each file here was compared whole when it was added. Skipped without tshark
 * or the corpus.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { corpusAsOne } from './support/merge';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-verbose-corpus-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Captures whose every frame agrees, or (with a filter) every frame the filter selects. */
const FILES: Record<string, string[]> = {
  'Linux cooked captures (SLL, SLL2)': [
    'lwerdna-filesamples/simple_http_sll2.pcap', 'tcpdump/tests/RADIUS-RFC3162.pcap', 'tcpdump/tests/RADIUS-RFC5580.pcap', 'tcpdump/tests/babel.pcap',
    'tcpdump/tests/lsp-ping-timestamp.pcap', 'tcpdump/tests/radius_rfc5447.pcap', 'tcpdump/tests/tcp-handshake-nano.pcap', 'tcpdump/tests/tftp-heapoverflow.pcap',
  ],
  VXLAN: [
    'tcpdump/tests/vxlan.pcap', 'tcpdump/tests/vxlan_port_8472.pcap', 'tcpdump/tests/gso-ipv4-vxlan-ipv4.pcap', 'tcpdump/tests/gso-ipv6-vxlan-ipv6.pcap',
    'tcpdump/tests/bigtcp-ipv4-vxlan-ipv6.pcap',
  ],
  'IS-IS hellos (LAN and point-to-point over Cisco HDLC: neighbors, restart signaling, adjacency state, CLNS padding)': [
    'tcpdump/tests/ISIS_external_lsp.pcap', 'tcpdump/tests/ISIS_level1_adjacency.pcap', 'tcpdump/tests/ISIS_level2_adjacency.pcap',
    'tcpdump/tests/ISIS_p2p_adjacency.pcap',
  ],
};
const FILTERS: Record<string, string> = { 'IS-IS hellos (LAN and point-to-point over Cisco HDLC: neighbors, restart signaling, adjacency state, CLNS padding)': 'isis.hello' };

for (const [what, files] of Object.entries(FILES)) {
  test(`${what}: -V and -T json equal tshark's on corpus captures`, { skip: NO_TSHARK || NO_CORPUS }, () => {
    const name = what.replace(/[^A-Za-z0-9]+/g, '-');
    for (const file of corpusAsOne(CORPUS.dir, files, path.join(tmp, `${name}.pcapng`))) {
      const filter = FILTERS[what] === undefined ? [] : ['-Y', FILTERS[what]!];
      for (const format of [['-V'], ['-T', 'json']]) {
        const args = ['-r', file, ...filter, ...format];
        const reference = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
        assert.equal(reference.status, 0, reference.stderr);
        assert.ok(reference.stdout.length > 0, `tshark shows frames of ${path.basename(file)}`);
        assert.equal(sievecap(args).stdout.toString(), reference.stdout, `${format.join(' ')} of ${path.basename(file)}`);
      }
    }
  });
}
