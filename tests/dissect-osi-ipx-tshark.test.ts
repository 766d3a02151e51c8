/**
 * IS-IS over the OSI network layer (on 802.2 LLC and Cisco HDLC) and IPX (on LLC and raw 802.3), against tshark 4.0 on the corpus
 * (tcpdump's and libpcap's test captures): frame.protocols, the Protocol and Info columns, the
 * address columns and the header, fixed and common TLV fields. Left out: IPX frames carrying SMB
 * browser announcements (tshark goes on to SMB, Sievecap stops at NetBIOS over IPX) and the
 * captures on Juniper's link type, which Sievecap does not read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { mergeCaptures } from './support/merge';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const ISIS_FILES = [
  'ISIS_external_lsp.pcap', 'ISIS_level1_adjacency.pcap', 'ISIS_level2_adjacency.pcap', 'isis_iid_tlv.pcap', 'spb.pcap', 'isis_sr.pcapng',
  'isis_sid.pcap', 'isis_cap_tlv.pcap', 'fletcher-checksum-negative-shift.pcap', 'isis-seg-fault-1.pcapng', 'isis-seg-fault-2.pcapng',
  'isis-extd-ipreach-oobr.pcap', 'isis-areaaddr-oobr-1.pcap', 'isis-areaaddr-oobr-2.pcap',
  // Cisco HDLC (protocol 0xfefe, a padding byte first).
  'ISIS_p2p_adjacency.pcap', 'isis-seg-fault-3.pcapng', 'isis-extd-isreach-oobr.pcap',
].map((name) => `tcpdump/tests/${name}`).concat(['libpcap/tests/filter/ISIS_external_lsp.pcap', 'libpcap/tests/filter/ISIS_p2p_adjacency.pcap']);
const IPX_FILES = ['ipx.pcap', 'ipx-invalid-length.pcap', 'smb_print_trans-oobr1.pcap'].map((name) => `tcpdump/tests/${name}`)
  // Novell's raw 802.3 (IPX right after the length) with NetBIOS over IPX names and session packets.
  .concat(['libpcap/tests/filter/llc.pcap']);

const COLUMNS = ['frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info'];
const ISIS_FIELDS = [
  [
    'isis.irpd', 'isis.len', 'isis.version', 'isis.sysid_len', 'isis.type', 'isis.type.reserved', 'isis.version2', 'isis.reserved', 'isis.max_area_adr',
  ],
  [
    'isis.hello.circuit_type', 'isis.hello.reserved', 'isis.hello.source_id', 'isis.hello.holding_timer', 'isis.hello.pdu_length',
    'isis.hello.priority', 'isis.hello.lan_id', 'isis.hello.local_circuit_id', 'isis.hello.clv.type', 'isis.hello.clv.length',
    'isis.hello.area_address', 'isis.hello.clv_nlpid.nlpid', 'isis.hello.clv_ipv4_int_addr', 'isis.hello.iid', 'isis.hello.supported_itid',
  ],
  [
    'isis.lsp.pdu_length', 'isis.lsp.remaining_life', 'isis.lsp.lsp_id', 'isis.lsp.sequence_number', 'isis.lsp.checksum',
    'isis.lsp.checksum.status', 'isis.lsp.partition_repair', 'isis.lsp.att', 'isis.lsp.overload', 'isis.lsp.is_type', 'isis.lsp.clv.type',
    'isis.lsp.clv.length', 'isis.lsp.area_address', 'isis.lsp.hostname', 'isis.lsp.clv_nlpid.nlpid', 'isis.lsp.clv_ipv4_int_addr',
    'isis.lsp.clv_te_router_id', 'isis.lsp.iid',
  ],
  [
    'isis.csnp.pdu_length', 'isis.csnp.source_id', 'isis.csnp.source_circuit', 'isis.csnp.start_lsp_id', 'isis.csnp.end_lsp_id',
    'isis.csnp.clv.type', 'isis.csnp.clv.length', 'isis.csnp.lsp_id', 'isis.csnp.lsp_seq_num', 'isis.csnp.lsp_remain_life',
    'isis.csnp.lsp_checksum', 'isis.csnp.iid', 'isis.csnp.supported_itid', 'isis.psnp.pdu_length', 'isis.psnp.source_id',
    'isis.psnp.source_circuit', 'isis.psnp.clv.type', 'isis.psnp.clv.length',
  ],
];
const IPX_FIELDS = [
  [
    '_ws.col.Source', '_ws.col.Destination', 'ipx.checksum', 'ipx.src', 'ipx.dst', 'ipx.len', 'ipx.hops', 'ipx.packet_type', 'ipx.dst.net',
    'ipx.dst.node', 'ipx.dst.socket', 'ipx.src.net', 'ipx.src.node', 'ipx.src.socket', 'ipx.addr', 'ipx.net', 'ipx.node', 'ipx.socket',
  ],
  [
    'ipxsap.packet_type', 'ipxsap.request', 'ipxsap.response', 'ipxsap.server.type', 'ipxsap.server.name', 'ipxsap.server.network',
    'ipxsap.server.node', 'ipxsap.server.socket', 'ipxsap.server.intermediate_networks', 'ipxrip.packet_type', 'ipxrip.request',
    'ipxrip.response', 'ipxrip.route_vector', 'ipxrip.hops', 'ipxrip.ticks',
  ],
];

/**
 * Runs both tools on each file with each field group and compares, frame by frame, the lines
 * `take` accepts (it sees tshark's frame.protocols); returns how many frames were compared.
 */
function compare(files: string[], groups: string[][], take: (protocols: string) => boolean): number {
  let compared = 0;
  // The captures merged into one file (support/merge.ts): one start of each tool, not one per capture.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-osi-ipx-'));
  const merged = mergeCaptures(files.map(requireCorpusFile), path.join(dir, 'corpus.pcapng'));
  try {
    for (const file of [...(merged.file ? [merged.file] : []), ...merged.apart]) {
      const name = file === merged.file ? `the merged capture (${merged.ranges})` : file;
      const args = (fields: string[]) => ['-r', file, '-n', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])];
      const chains = spawnSync('tshark', args(['frame.protocols']), { encoding: 'utf8' }).stdout.split('\n');
      const wanted = chains.map((chain) => chain !== '' && take(chain));
      const fields = [...COLUMNS, ...groups.flat()];
      const theirs = spawnSync('tshark', args(fields), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const ours = sievecap(args(fields));
      assert.equal(ours.status, 0, ours.stderr.toString());
      const a = ours.stdout.toString().split('\n');
      theirs.stdout.split('\n').forEach((line, k) => {
        if (!wanted[k]) return;
        compared++;
        const mine = a[k]!.split('|');
        line.split('|').forEach((value, i) => assert.equal(mine[i], value, `${name} frame ${k + 1}: ${fields[i]}`));
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return compared;
}

test('IS-IS over LLC and Cisco HDLC agrees with tshark on the corpus: chain, columns, header, PDU and TLV fields', { skip: NO_TSHARK }, () => {
  const compared = compare(ISIS_FILES, ISIS_FIELDS, (chain) => chain.includes('osi:'));
  assert.ok(compared >= 230, `${compared} IS-IS frames compared`);
  console.log(`# ${compared} IS-IS frames equal to ${spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
});

test('IPX over LLC and raw 802.3 agrees with tshark on the corpus: chain, columns, header, SAP and RIP fields', { skip: NO_TSHARK }, () => {
  const compared = compare(IPX_FILES, IPX_FIELDS, (chain) => chain.includes('ipx') && !chain.includes(':smb'));
  assert.ok(compared >= 65, `${compared} IPX frames compared`);
  console.log(`# ${compared} IPX frames equal to ${spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
});
