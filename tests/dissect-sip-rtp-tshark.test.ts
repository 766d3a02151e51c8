/**
 * SIP with SDP, and the RTP/RTCP an SDP offer/answer sets up (app/dissect/sip.ts, rtp.ts), against
 * tshark 4.0: frame.protocols, Protocol, Info and the sip/sdp/rtp/rtpevent/rtcp fields with
 * `-T fields`, the summary lines and display filters — on the built call of
 * app/dissect/sip-test-frames.ts, on the corpus capture holding RTCP (inside an ICMP quote, found by
 * tshark's RTCP heuristic), and on real traffic between network namespaces: Debian's SIPp
 * (sip-tester) as UAS in namespace B and UAC in namespace A, three calls over UDP, three over TCP,
 * and one call over UDP that plays the RTP stream SIPp ships (g711a.pcap and an RFC 2833 DTMF) to
 * a UAS echoing it (-rtp_echo), so both directions of SDP-announced RTP appear. Skipped when
 * tshark (or, for the live tests, root, tcpdump or sip-tester) is missing; fails when the corpus is.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr } from './support/netns';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { sipTestFrames } from '../app/dissect/sip-test-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const NO_SIPP = spawnSync('sipp', ['-v']).error !== undefined ? 'sipp is not installed (apt-get install sip-tester)' : false;
/** The RTP stream and DTMF event SIPp's uac_pcap scenario plays (shipped by Debian's sip-tester). */
const SIPP_MEDIA = '/usr/share/sip-tester';
const NO_SIPP_MEDIA = fs.existsSync(path.join(SIPP_MEDIA, 'g711a.pcap')) ? false : `${SIPP_MEDIA}/g711a.pcap is missing (sip-tester)`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-sip-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info',
  'sip.Method', 'sip.r-uri', 'sip.r-uri.user', 'sip.r-uri.host', 'sip.r-uri.port', 'sip.Status-Code', 'sip.Status-Line', 'sip.Request-Line',
  'sip.From', 'sip.from.addr', 'sip.from.display.info', 'sip.from.tag', 'sip.To', 'sip.to.addr', 'sip.to.tag', 'sip.tag', 'sip.display.info',
  'sip.Call-ID', 'sip.call_id_generated', 'sip.CSeq', 'sip.CSeq.seq', 'sip.CSeq.method', 'sip.Via', 'sip.Via.transport', 'sip.Via.sent-by.address',
  'sip.Via.sent-by.port', 'sip.Via.branch', 'sip.Via.rport', 'sip.Contact', 'sip.contact.uri', 'sip.contact.host', 'sip.contact.param',
  'sip.contact.parameter', 'sip.Content-Type', 'sip.Content-Length', 'sip.Max-Forwards', 'sip.Subject', 'sip.Expires', 'sip.msg_hdr',
  'sip.msg_body', 'sip.resend', 'sip.response-request', 'sip.response-time', 'sip.release-time', 'sip.header_not_terminated',
  'sdp.version', 'sdp.owner', 'sdp.owner.username', 'sdp.owner.sessionid', 'sdp.owner.address', 'sdp.session_name', 'sdp.connection_info',
  'sdp.connection_info.address', 'sdp.time', 'sdp.time.start', 'sdp.bandwidth', 'sdp.bandwidth.modifier', 'sdp.bandwidth.value', 'sdp.media',
  'sdp.media.media', 'sdp.media.port', 'sdp.media.port_string', 'sdp.media.proto', 'sdp.media.format', 'sdp.media_attr', 'sdp.session_attr',
  'sdp.media_attribute.field', 'sdp.media_attribute.value', 'sdp.session_attr.field', 'sdp.mime.type', 'sdp.sample_rate', 'sdp.fmtp.parameter',
  'rtp.setup', 'rtp.setup-frame', 'rtp.setup-method', 'rtp.version', 'rtp.padding', 'rtp.ext', 'rtp.cc', 'rtp.marker', 'rtp.p_type', 'rtp.seq',
  'rtp.extseq', 'rtp.timestamp', 'rtp.ssrc', 'rtp.payload', 'rtpevent.event_id', 'rtpevent.end_of_event', 'rtpevent.volume', 'rtpevent.duration',
  'rtcp.setup-frame', 'rtcp.version', 'rtcp.rc', 'rtcp.sc', 'rtcp.pt', 'rtcp.length', 'rtcp.senderssrc', 'rtcp.timestamp.ntp.msw',
  'rtcp.timestamp.ntp', 'rtcp.timestamp.rtp', 'rtcp.sender.packetcount', 'rtcp.ssrc.identifier', 'rtcp.ssrc.fraction', 'rtcp.ssrc.cum_nr',
  'rtcp.ssrc.ext_high', 'rtcp.ssrc.jitter', 'rtcp.ssrc.lsr', 'rtcp.ssrc.dlsr', 'rtcp.sdes.type', 'rtcp.sdes.text', 'rtcp.length_check',
  'rtcp.profile-specific-extension',
];
const FILTERS = [
  'sip', 'sdp', 'rtcp', 'rtpevent', 'sip.Method == "INVITE"', 'sip.Status-Code == 200', 'sip.CSeq.method == "BYE"', 'rtp.setup-method == "SDP"',
  'rtp.p_type == 8', 'rtp.marker == 1', 'sdp.media.port > 1000', 'sip.response-time >= 0', 'rtpevent.end_of_event == 1', 'sip.call_id_generated',
];

/** Fewer filters on the live captures (each is two runs over hundreds of frames). */
const LIVE_FILTERS = ['sip', 'sdp', 'sip.Status-Code == 200', 'rtp.setup-method == "SDP"', 'rtpevent.end_of_event == 1'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

/** The first line where two outputs differ, for a readable failure. */
function firstDifference(ours: string, theirs: string): string {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `line ${i + 1}:\n  ours:   ${a[i]}\n  tshark: ${b[i]}`;
  return '';
}

function assertAgrees(file: string, filters = FILTERS): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  const ours = run('ours', file, fields);
  const theirs = run('tshark', file, fields);
  assert.ok(ours === theirs, `-T fields: ${firstDifference(ours, theirs)}`);
  const summary = run('tshark', file, []);
  const oursSummary = run('ours', file, []);
  assert.ok(oursSummary === summary, `summary lines: ${firstDifference(oursSummary, summary)}`);
  assertFiltersAgree(file, filters);
}

test('built SIP call with SDP, RTP, RTCP and cut messages agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  for (const frame of sipTestFrames()) writer.writePacket(frame);
  writer.close();
  assert.match(run('tshark', file, []), /RTP EVENT/);
  assertAgrees(file);
});

test('corpus: RTCP found by the heuristic inside an ICMP quote agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(requireCorpusDir(), 'tcpdump/tests/icmp-cksum-oobr-1.pcap');
  assert.match(run('ours', file, ['-T', 'fields', '-e', 'frame.protocols']), /rtcp/);
  assertAgrees(file, ['rtcp', 'rtcp.pt == 200']);
});

/** SIPp's uac_pcap scenario, its media files taken from where Debian installs them. */
function uacPcapScenario(): string {
  const r = spawnSync('sipp', ['-sd', 'uac_pcap'], { encoding: 'utf8', timeout: 10000 });
  const xml = String(r.stdout).replace(/pcap\/(g711a|dtmf_2833_1)\.pcap/g, `${SIPP_MEDIA}/$1.pcap`);
  assert.match(xml, /play_pcap_audio/, 'sipp -sd uac_pcap gave no scenario');
  const file = path.join(tmp, 'uac_pcap.xml');
  fs.writeFileSync(file, xml);
  return file;
}

/**
 * One SIPp session between the namespaces, captured on A's veth: a UAS in B (echoing RTP), a UAC
 * in A placing `calls` calls (bounded by -m and -timeout, the process by a timeout of its own).
 */
async function sippSession(name: string, transport: 'u1' | 't1', calls: number, scenario?: string): Promise<string> {
  const pair = createNetnsPair();
  const file = path.join(tmp, `${name}.pcap`);
  try {
    const uas = pair.spawn(pair.nsB, ['sipp', '-sn', 'uas', '-i', pair.ipB, '-p', '5060', '-t', transport, '-rtp_echo', '-mi', pair.ipB, '-nostdin', '-timeout', '60s']);
    const uasDone = finished(uas);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'ip']);
    const done = finished(td);
    let client = '';
    try {
      await waitForStderr(td, /listening on/);
      await sleep(1500);
      const args = [...(scenario ? ['-sf', scenario] : ['-sn', 'uac']), `${pair.ipB}:5060`, '-i', pair.ipA, '-mi', pair.ipA, '-t', transport, '-m', String(calls), '-timeout', '30s', '-nostdin'];
      const r = spawnSync('ip', ['netns', 'exec', pair.nsA, 'sipp', ...args], { timeout: 40000, encoding: 'utf8' });
      client = `status ${r.status} ${r.error ?? ''}`;
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (uas.pid) uas.kill('SIGTERM');
      await done;
      await uasDone;
    }
    assert.match(client, /status 0/, `sipp client: ${client}`);
  } finally {
    pair.destroy();
  }
  return file;
}

const LIVE_SKIP = NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_SIPP;

test('real traffic between namespaces: SIPp calls over UDP agree with tshark', { skip: LIVE_SKIP }, async () => {
  const file = await sippSession('sip-udp', 'u1', 3);
  const summary = run('tshark', file, []);
  assert.equal(summary.match(/SIP\/SDP .*Request: INVITE/g)?.length, 3, summary);
  assert.match(summary, /Status: 200 OK \(BYE\)/);
  assertAgrees(file, LIVE_FILTERS);
});

test('real traffic between namespaces: SIPp calls over TCP agree with tshark', { skip: LIVE_SKIP }, async () => {
  const file = await sippSession('sip-tcp', 't1', 3);
  const summary = run('tshark', file, []);
  assert.equal(summary.match(/SIP\/SDP .*Request: INVITE/g)?.length, 3, summary);
  assertAgrees(file, [...LIVE_FILTERS, 'tcp.len > 0 && !sip']);
});

test('real traffic between namespaces: a SIPp call with RTP media (g711a.pcap, DTMF, echoed) agrees with tshark', { skip: LIVE_SKIP || NO_SIPP_MEDIA }, async () => {
  const file = await sippSession('sip-rtp', 'u1', 1, uacPcapScenario());
  const summary = run('tshark', file, []);
  assert.ok((summary.match(/ RTP .*PT=ITU-T G\.711 PCMA/g)?.length ?? 0) > 100, 'too few RTP frames');
  assert.match(summary, /RTP EVENT .*DTMF One 1/);
  assertAgrees(file, LIVE_FILTERS);
});
