/**
 * RX with AFS (UDP 7000-7009, 7021, also quoted inside ICMP errors), Kerberos 4 (on the Kerberos
 * port, hence "kerberos:krb4"), EIGRP (IP protocol 88) and PGM (113) against tshark 4.0 on the tcpdump test
 * captures of the corpus: frame.protocols, the Protocol and Info columns and the header fields,
 * frame by frame, for every frame tshark shows one of these protocols in.
 *
 * Known difference, left out: tshark decodes the AFS call arguments and marks two PROT id-to-name
 * replies of afs.pcap malformed; Sievecap does not decode the arguments yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireCorpusFile } from './support/corpus';
import { assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const COLUMNS = ['frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info'];

const RX_FIELDS = [
  'rx.epoch', 'rx.cid', 'rx.callnumber', 'rx.seq', 'rx.serial', 'rx.type', 'rx.flags', 'rx.flags.client_init', 'rx.flags.last_packet',
  'rx.userstatus', 'rx.securityindex', 'rx.spare', 'rx.serviceid', 'rx.reason', 'rx.num_acks', 'rx.max_mtu', 'rx.if_mtu', 'rx.rwind',
  'rx.max_packets', 'rx.version', 'rx.nonce', 'rx.min_level', 'rx.kvno', 'rx.ticket_len', 'rx.abort_code',
  'afs.fs.opcode', 'afs.cb.opcode', 'afs.prot.opcode', 'afs.vldb.opcode', 'afs.vol.opcode', 'afs.backup.opcode',
  'afs.reqframe', 'afs.repframe', 'afs.time', 'afs.service',
];
const KRB4_FIELDS = [
  'krb4.version', 'krb4.auth_msg_type', 'krb4.m_type', 'krb4.byte_order', 'krb4.name', 'krb4.instance', 'krb4.realm', 'krb4.time_sec',
  'krb4.lifetime', 'krb4.s_name', 'krb4.s_instance',
];
const EIGRP_FIELDS = [
  'eigrp.version', 'eigrp.opcode', 'eigrp.checksum', 'eigrp.checksum.status', 'eigrp.flags', 'eigrp.flags.init', 'eigrp.flags.eot',
  'eigrp.seq', 'eigrp.ack', 'eigrp.vrid', 'eigrp.as', 'eigrp.tlv_type', 'eigrp.tlv.len', 'eigrp.par.k1', 'eigrp.par.k3',
  'eigrp.par.holdtime', 'eigrp.release_version', 'eigrp.tlv_version',
];

const PGM_FIELDS = [
  'pgm.hdr.sport', 'pgm.hdr.dport', 'pgm.hdr.type', 'pgm.hdr.opts', 'pgm.hdr.opts.opt', 'pgm.hdr.gsi', 'pgm.hdr.tsdulen', 'pgm.spm.sqn',
  'pgm.spm.trail', 'pgm.spm.lead', 'pgm.spm.pathafi', 'pgm.spm.path.ipv4', 'pgm.nak.sqn', 'pgm.nak.srcafi', 'pgm.poll.sqn', 'pgm.poll.round',
  'pgm.poll.subtype', 'pgm.poll.path.ipv4', 'pgm.poll.backoff_ivl', 'pgm.polr.sqn', 'pgm.polr.round', 'data.len',
];

interface Case {
  files: readonly string[];
  fields: readonly string[];
  /** tshark's frame.protocols of the frames compared. */
  chain: RegExp;
  /** Frames of a file left out, with the reason in the file's comment. */
  skip?: (line: string) => boolean;
  atLeast: number;
}

function compare(c: Case): number {
  const args = ['-n', '-T', 'fields', '-E', 'separator=|', ...[...COLUMNS, ...c.fields].flatMap((f) => ['-e', f])];
  let compared = 0;
  for (const name of c.files) {
    const file = requireCorpusFile(`tcpdump/tests/${name}`);
    const theirs = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(theirs.status, 0, theirs.stderr);
    const ours = sievecap(['-r', file, ...args]);
    assert.equal(ours.status, 0, ours.stderr.toString());
    const mine = new Map(ours.stdout.toString().split('\n').map((line) => [line.split('|')[0], line] as const));
    for (const line of theirs.stdout.split('\n')) {
      const [number, chain] = line.split('|');
      if (!chain || !c.chain.test(chain) || c.skip?.(line)) continue;
      compared++;
      assert.equal(mine.get(number), line, `${name} frame ${number}`);
    }
  }
  assert.ok(compared >= c.atLeast, `${compared} frames compared`);
  return compared;
}

test('RX and AFS agree with tshark 4.0 (afs.pcap, rx_serviceid_oobr.pcap)', { skip: NO_TSHARK }, () => {
  compare({
    files: ['afs.pcap', 'rx_serviceid_oobr.pcap'],
    fields: RX_FIELDS,
    chain: /:rx(:|$)/,
    skip: (line) => line.includes('PROT Reply: id-to-name (505)[Malformed Packet]'),
    atLeast: 440,
  });
});

test('Kerberos 4 on the Kerberos port agrees with tshark 4.0 (babel_update_oobr.pcap)', { skip: NO_TSHARK }, () => {
  compare({ files: ['babel_update_oobr.pcap'], fields: KRB4_FIELDS, chain: /:kerberos:krb4$/, atLeast: 88 });
});

test('EIGRP agrees with tshark 4.0 (EIGRP_*.pcap, eigrp-tlv-oobr.pcap)', { skip: NO_TSHARK }, () => {
  compare({
    files: ['EIGRP_adjacency.pcap', 'EIGRP_goodbye.pcap', 'EIGRP_subnet_down.pcap', 'EIGRP_subnet_up.pcap', 'EIGRP_ipv6.pcap', 'eigrp-tlv-oobr.pcap'],
    fields: EIGRP_FIELDS,
    chain: /:eigrp$/,
    atLeast: 106,
  });
});

test('PGM agrees with tshark 4.0 (pgm_*.pcap), including the frames it declines or shows no layer for', { skip: NO_TSHARK }, () => {
  compare({
    files: ['pgm_zmtp1.pcap', 'pgm_poll_polr.pcap', 'pgm_group_addr_asan.pcap', 'pgm_opts_asan.pcap', 'pgm_opts_asan_2.pcap', 'pgm_opts_asan_3.pcap'],
    fields: PGM_FIELDS,
    chain: /./,
    atLeast: 38,
  });
});

test('display filters on RX, AFS and EIGRP fields pick the frames tshark picks', { skip: NO_TSHARK }, () => {
  const cases: Array<[string, string]> = [
    ['afs.pcap', 'afs.fs.opcode == 132'], ['afs.pcap', 'rx.type == 2'], ['afs.pcap', 'afs.reqframe == 22'],
    ['afs.pcap', 'rx.flags.client_init == 1 && afs'], ['EIGRP_subnet_down.pcap', 'eigrp.opcode == 4'], ['EIGRP_adjacency.pcap', 'eigrp.ack > 0'],
    ['babel_update_oobr.pcap', 'krb4.m_type == 4'], ['pgm_zmtp1.pcap', 'pgm.hdr.type == 4'], ['pgm_poll_polr.pcap', 'pgm.poll.subtype == 0'],
  ];
  for (const name of new Set(cases.map(([n]) => n))) {
    const filters = cases.filter(([n]) => n === name).map(([, filter]) => filter);
    const frames = assertFrameSelectionsAgree(requireCorpusFile(`tcpdump/tests/${name}`), filters);
    filters.forEach((filter, i) => assert.ok(frames[i]!.length > 0, `${name}: ${filter}: tshark matched nothing`));
  }
});
