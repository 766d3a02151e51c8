/**
 * Modbus/TCP, BGP, OpenFlow and RESP against tshark 4.0 segment by segment
 * (`-o tcp.desegment_tcp_streams:FALSE`): frame.protocols, the Protocol and Info columns and each
 * protocol's main fields, frame by frame, on the corpus' captures (gopacket's Modbus files,
 * tcpdump's BGP, OpenFlow and RESP test files). Frames left out, and why:
 * - TCP's own notes in Info ("[TCP ACKed unseen segment]", "[Continuation to #N]": tshark's PDU
 *   tracking across segments), which belong to the TCP dissector;
 * - OpenFlow PACKET_IN/PACKET_OUT, whose carried frames tshark dissects, and OpenFlow 1.3 ERROR
 *   messages, whose quoted request tshark dissects as another message;
 * - tcpdump's fuzzed BGP files (*-oobr*, bgp-ub, ...) and the BGP files whose UPDATEs carry
 *   attributes Sievecap does not dissect yet (MP_REACH_NLRI prefixes, ATTR_SET, ADD-PATH).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireCorpusFile } from './support/corpus';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

interface Case {
  files: readonly string[];
  /** A tshark line of this protocol contains it. */
  marker: string;
  fields: readonly string[];
  /** At least this many frames must be compared. */
  least: number;
}

const CASES: Record<string, Case> = {
  modbus: {
    files: ['gopacket/layers/testdata/modbus.pcap', 'gopacket/layers/testdata/modbus-2.pcap'],
    marker: ':mbtcp',
    fields: [
      'mbtcp.trans_id', 'mbtcp.prot_id', 'mbtcp.len', 'mbtcp.unit_id', 'modbus.func_code', 'modbus.reference_num', 'modbus.word_cnt',
      'modbus.bit_cnt', 'modbus.byte_cnt', 'modbus.regnum16', 'modbus.regval_uint16', 'modbus.bitnum', 'modbus.bitval', 'modbus.data',
      'modbus.exception_code', 'modbus.request_frame', 'modbus.diagnostic_code', 'modbus.mei', 'modbus.read_device_id',
      'modbus.object_id', 'modbus.diagnostic.restart_communication_option', 'modbus.diagnostic.clear_ctr_diag_reg', 'modbus.padding',
    ],
    least: 140,
  },
  bgp: {
    files: [
      'bgp-4byte-asn.pcap', 'bgp-orf.pcapng', 'bgp-shutdown-msg-variations.pcap', 'lspping-fec-ldp.pcap', 'bgp-bfd-cease.pcap',
      'bgp-link-bw-extcommunity.pcapng', 'bgp-infinite-loop.pcap', 'bgp-malformed-hard-reset.pcap', 'bgp-encap.pcap', 'bgp-ovs.pcapng',
      'bgp-large-community.pcap', 'bgp-shutdown-communication.pcapng', 'bgp-extended-shutdown-msg.pcapng', 'bgp-evpn.pcap',
      'bgp-enhanced-route-refresh.pcapng', 'bgp-extended-msg.pcapng', 'bgp_notification_rr_msg_error.pcap', 'zmtp1-inf-loop-1.pcapng',
      'bgp-role.pcapng', 'bgp-cease-hard-reset.pcap', 'bgp-enhanced-route-refresh-subtype.pcapng',
    ].map((f) => `tcpdump/tests/${f}`),
    marker: ':bgp',
    fields: [
      'bgp.marker', 'bgp.length', 'bgp.type', 'bgp.open.version', 'bgp.open.myas', 'bgp.open.holdtime', 'bgp.open.identifier',
      'bgp.open.opt.len', 'bgp.open.opt.param.type', 'bgp.open.opt.param.len', 'bgp.cap.type', 'bgp.cap.length',
      'bgp.update.withdrawn_routes.length', 'bgp.update.path_attributes.length', 'bgp.update.path_attribute.flags',
      'bgp.update.path_attribute.type_code', 'bgp.update.path_attribute.length', 'bgp.update.path_attribute.origin',
      'bgp.update.path_attribute.next_hop', 'bgp.update.path_attribute.as_path_segment.as2', 'bgp.update.path_attribute.as_path_segment.as4',
      'bgp.update.path_attribute.local_pref', 'bgp.update.path_attribute.multi_exit_disc', 'bgp.prefix_length', 'bgp.nlri_prefix',
      'bgp.notify.major_error', 'bgp.route_refresh.afi', 'bgp.route_refresh.safi',
    ],
    least: 55,
  },
  openflow: {
    files: [
      'of10_pf5240.pcap', 'of10_7050sx_bsn.pcap', 'of10_7050q.pcapng', 'of10_p3295.pcap', 'of10_s4810.pcap', 'of10_7050sx_bsn-oobr.pcap',
      'of13_ericsson.pcapng',
    ].map((f) => `tcpdump/tests/${f}`),
    marker: ':openflow',
    fields: [
      'openflow.version', 'openflow_1_0.type', 'openflow.length', 'openflow.xid', 'openflow_v4.version', 'openflow_v4.type',
      'openflow_v4.length', 'openflow_v4.xid',
    ],
    least: 230,
  },
  resp: {
    // resp_2 and resp_3 (tcpdump's inline-command and malicious-input files) hold values cut by
    // segments and negative lengths, which tshark shows as "[partial]" and Sievecap does not yet.
    files: ['tcpdump/tests/resp_1_benchmark.pcap'],
    marker: ':resp',
    fields: ['resp.string', 'resp.error', 'resp.integer', 'resp.bulk_string.length', 'resp.bulk_string.value', 'resp.array.length'],
    least: 30,
  },
};

function leftOut(line: string): boolean {
  return line.includes('[TCP ') || line.includes('[Continuation to') || /openflow_v\d:eth/.test(line) || /openflow_v4.*OFPT_ERROR/.test(line);
}

for (const [name, c] of Object.entries(CASES)) {
  test(`${name}: frame.protocols, Protocol, Info and fields agree with tshark segment by segment`, { skip: NO_TSHARK }, (t) => {
    const version = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    const args = [
      '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=|',
      ...['frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', ...c.fields].flatMap((f) => ['-e', f]),
    ];
    let compared = 0;
    for (const relative of c.files) {
      const file = requireCorpusFile(relative);
      const theirs = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const ours = sievecap(['-r', file, ...args]);
      assert.equal(ours.status, 0, ours.stderr);
      const mine = ours.stdout.toString().split('\n');
      theirs.stdout.split('\n').forEach((line, k) => {
        if (!line.includes(c.marker) || leftOut(line)) return;
        compared++;
        assert.equal(mine[k], line, `${relative} frame ${k + 1} (against ${version})`);
      });
    }
    assert.ok(compared >= c.least, `${compared} ${name} frames compared`);
    t.diagnostic(`${compared} ${name} frames compared against ${version}`);
  });
}
