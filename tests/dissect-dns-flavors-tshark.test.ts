/**
 * mDNS, LLMNR and enhanced GRE carrying PPP (issue 12) against tshark: `-T fields` of the dns.*,
 * gre.* and ppp.* fields, frame.protocols and the summary line (`-T text`), on frames this test
 * builds and on real mDNS/LLMNR traffic it captures between two network namespaces (python3
 * sockets: a multicast and a unicast mDNS query and answer, an LLMNR query and answer). Also DNS
 * over UDP on other ports, which tshark finds by its heuristic: real queries and answers on port
 * 5300 (bench/decode/dns.py), the corpus's DNS on 8053, and built datagrams the heuristic must
 * refuse. Skipped when tshark is not installed; the namespace part also when not root.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePcap } from './support/frames';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout } from './support/netns';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree } from './support/agree';
import { requireCorpusFile } from './support/corpus';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dns-flavors-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', 'dns.id', 'dns.flags', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.authoritative', 'dns.flags.conflict',
  'dns.flags.tentative', 'dns.flags.truncated', 'dns.flags.recdesired', 'dns.flags.rcode', 'dns.count.queries', 'dns.count.answers',
  'dns.count.add_rr', 'dns.qry.name', 'dns.qry.name.len', 'dns.count.labels', 'dns.qry.type', 'dns.qry.class', 'dns.qry.qu', 'dns.resp.name',
  'dns.resp.type', 'dns.resp.class', 'dns.resp.cache_flush', 'dns.resp.ttl', 'dns.resp.len', 'dns.a', 'dns.ptr.domain_name',
  'dns.srv.service', 'dns.srv.proto', 'dns.srv.name', 'dns.srv.port', 'dns.srv.target', 'dns.txt', 'dns.txt.length',
  'gre.flags_and_version', 'gre.flags.ack', 'gre.flags.reserved', 'gre.flags.version', 'gre.proto', 'gre.key', 'gre.key.payload_length',
  'gre.key.call_id', 'gre.sequence_number', 'gre.ack_number', 'ppp.address', 'ppp.control', 'ppp.protocol', 'ip.src', 'icmp.type',
  '_ws.col.Protocol', '_ws.col.Info',
];

/** The frames of app/dissect/dns-flavors.test.ts and tunnels.test.ts (built with python3 struct, checked with tshark -V). */
const FRAMES = [
  '01005e0000fb02000000000108004500003d00010000ff111901c0a8010ae00000fb14e914e900290000000000000001000000000000045f697070045f746370056c6f63616c00000c0001',
  '01005e0000fb02000000000108004500004e00010000ff1118f0c0a8010ae00000fb14e914e9003a0000000000000002000000000000077072696e746572056c6f63616c0000018001077072696e746572056c6f63616c00001c8001',
  '01005e0000fb0200000000010800450000f000010000ff111844c0a80114e00000fb14e914e900dc0000000084000000000400000000045f697070045f746370056c6f63616c00000c000100001194001c0a4d79205072696e746572045f697070045f746370056c6f63616c000a4d79205072696e746572045f697070045f746370056c6f63616c0000218001000000780015000000000277077072696e746572056c6f63616c000a4d79205072696e746572045f697070045f746370056c6f63616c000010800100001194001309747874766572733d310871746f74616c3d31077072696e746572056c6f63616c0000018001000000780004c0a80114',
  '02000000000202000000000108004500004500010000ff113838c0a80114c0a8010a14e914e900310000000084000000000100000000077072696e746572056c6f63616c0000018001000000780004c0a80114',
  '01005e0000fb02000000000108004500003800010000ff111906c0a8010ae00000fb9c4014e90024000012340000000100000000000004686f7374056c6f63616c0000010001',
  '01005e0000fc02000000000108004500003200010000ff11190bc0a8010ae00000fcc73814eb001e0000abcd0000000100000000000004777061640000010001',
  '02000000000202000000000108004500004600010000ff11382dc0a8011ec0a8010a14ebc73800320000abcd8000000100010000000004777061640000010001047770616400000100010000001e0004c0a8011e',
  '01005e0000fc02000000000108004500003800010000ff111905c0a8010ae00000fcc73914eb002400000101000000010000000000000a66696c6573657276657200001c0001',
  '02000000000202000000000108004500004400010000ff2f3836c0a80101c0a801023081880b002040000000000500000004ff0300214500001c00070000ff01a7d70a0000010a0000020800f7ff00000000',
  '02000000000102000000000108004500002000010000ff2f385ac0a80102c0a801012081880b0000400100000005',
  '02000000000202000000000108004500003d00010000ff2f383dc0a80101c0a801023001880b001d400000000006214500001c00070000ff01a7d70a0000010a0000020800f7ff00000000',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.toString();
}

function assertAgrees(file: string): void {
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(ours(file, fields), tshark(file, fields), '-T fields');
  assert.equal(ours(file, ['-T', 'text']), tshark(file, []), 'summary lines');
  assertFiltersAgree(file, ['mdns', 'llmnr', 'dns', 'dns.qry.qu == 1', 'dns.resp.cache_flush == 1', 'gre.ack_number', 'ppp']);
}

test('built frames: mDNS, LLMNR and GRE-carried PPP agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, FRAMES.map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
});

test('built frames: Decode As names the flavor (-d udp.port==5353,dns is DNS, 5355 as mdns is mDNS) as tshark does', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built-decode-as.pcap');
  writePcap(file, FRAMES.map((hex) => Buffer.from(hex, 'hex')));
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  for (const rules of [['udp.port==5353,dns'], ['udp.port==5355,mdns'], ['udp.port==5353,llmnr', 'udp.port==5355,dns']]) {
    const d = rules.flatMap((r) => ['-d', r]);
    assert.equal(ours(file, [...d, ...fields]), tshark(file, [...d, ...fields]), `-T fields with ${rules.join(' ')}`);
    assert.equal(ours(file, [...d, '-T', 'text']), tshark(file, d), `summary lines with ${rules.join(' ')}`);
  }
});

/** Answers one DNS-format query on each of 5353 and 5355 with an A record (mDNS: cache-flush set). */
const RESPONDER = `
import socket, select, struct
socks = []
for port in (5353, 5355):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', port))
    group = '224.0.0.251' if port == 5353 else '224.0.0.252'
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton('IP_B'))
    socks.append((port, s))
print('ready', flush=True)
answered = 0
while answered < 3:
    ready, _, _ = select.select([s for _, s in socks], [], [], 10)
    if not ready: break
    for port, s in socks:
        if s not in ready: continue
        msg, peer = s.recvfrom(2048)
        if msg[2] & 0x80: continue
        qend = 12
        while msg[qend]: qend += msg[qend] + 1
        question = msg[12:qend + 5]
        klass = 0x8001 if port == 5353 else 1
        flags = 0x8400 if port == 5353 else 0x8000
        answer = b'\\xc0\\x0c' + struct.pack('!HHIH', 1, klass, 120, 4) + socket.inet_aton('IP_B')
        s.sendto(msg[:2] + struct.pack('!HHHHH', flags, 1, 1, 0, 0) + question + answer, peer)
        answered += 1
`;

const CLIENT = `
import socket, struct
def query(id, name, qtype, klass):
    return struct.pack('!HHHHHH', id, 0, 1, 0, 0, 0) + b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\\0' + struct.pack('!HH', qtype, klass)
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
m.bind(('IP_A', 5353))
m.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('IP_A'))
m.settimeout(3)
m.sendto(query(0, 'sievecap-peer.local', 1, 1), ('224.0.0.251', 5353))
m.recvfrom(2048)
m.sendto(query(0, 'sievecap-peer.local', 1, 0x8001), ('IP_B', 5353))
m.recvfrom(2048)
l = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
l.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('IP_A'))
l.settimeout(3)
l.sendto(query(0x4242, 'sievecap-peer', 1, 1), ('224.0.0.252', 5355))
l.recvfrom(2048)
`;

test('real traffic between namespaces: mDNS and LLMNR queries and answers agree with tshark', { skip: NO_TSHARK || NOT_ROOT }, async () => {
  const pair = createNetnsPair();
  const file = path.join(tmp, 'real.pcap');
  try {
    for (const ns of [pair.nsA, pair.nsB]) pair.exec(ns, ['ip', 'route', 'add', '224.0.0.0/4', 'dev', ns === pair.nsA ? pair.vethA : pair.vethB]);
    const responder = pair.spawn(pair.nsB, ['python3', '-c', RESPONDER.replaceAll('IP_B', pair.ipB)]);
    const responderDone = finished(responder);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'udp']);
    const done = finished(td);
    try {
      // The responder prints 'ready' once it has joined its groups: a query sent before is lost (it
      // was, on a loaded machine, and the client timed out).
      await Promise.all([waitForStdout(responder, /ready/, 'the mDNS/LLMNR responder'), waitForStderr(td, /listening on/)]);
      await sleep(500);
      pair.exec(pair.nsA, ['python3', '-c', CLIENT.replaceAll('IP_A', pair.ipA).replaceAll('IP_B', pair.ipB)]);
      await sleep(800);
    } finally {
      td.kill('SIGINT');
      if (responder.pid) responder.kill('SIGTERM');
      await done;
      await responderDone;
    }
    const summary = tshark(file, []);
    assert.match(summary, /MDNS .*"QM" question/, summary);
    assert.match(summary, /MDNS .*"QU" question/, summary);
    assert.match(summary, /MDNS .*A, cache flush/, summary);
    assert.match(summary, /LLMNR .*Standard query response 0x4242/, summary);
    assertAgrees(file);
  } finally {
    pair.destroy();
  }
});

/** A UDP datagram 10.0.0.1:40000 → 10.0.0.2:PORT carrying `payload` (hex), in an Ethernet frame; checksum 0 (none). */
function udpFrame(port: number, payload: string): Buffer {
  const body = Buffer.from(payload, 'hex');
  const ip = Buffer.from('450000000001000040110000' + '0a000001' + '0a000002', 'hex');
  ip.writeUInt16BE(20 + 8 + body.length, 2);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(port, 2);
  udp.writeUInt16BE(8 + body.length, 4);
  return Buffer.concat([Buffer.from('020000000002020000000001' + '0800', 'hex'), ip, udp, body]);
}

const QUESTION = '076578616d706c6503636f6d0000010001'; // example.com A IN

test('built frames: DNS on other UDP ports where tshark\'s heuristic takes it, and datagrams it refuses', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'heuristic.pcap');
  writePcap(file, [
    udpFrame(5300, `1234 0100 0001 0000 0000 0000 ${QUESTION}`.replaceAll(' ', '')), // a query: taken
    udpFrame(5300, `1234 8180 0001 0001 0000 0000 ${QUESTION} c00c000100010000003c00040a000002`.replaceAll(' ', '')), // its response: taken
    udpFrame(6000, `beef 8180 0000 0064 000a 000a`.replaceAll(' ', '') + '00'.repeat(8)), // a response at the limits (100, 10, 10): taken, malformed
    udpFrame(6001, `1234 0900 0001 0000 0000 0000 ${QUESTION}`.replaceAll(' ', '')), // opcode 1 (inverse query): refused
    udpFrame(6002, `1234 0100 0002 0000 0000 0000 ${QUESTION}${QUESTION}`.replaceAll(' ', '')), // a query with two questions: refused
    udpFrame(6003, `1234 0100 0001 0001 0000 0000 ${QUESTION}`.replaceAll(' ', '')), // a query with an answer: refused
    udpFrame(6004, `1234 8180 0001 0065 0000 0000 ${QUESTION}`.replaceAll(' ', '')), // a response with 101 answers: refused
    udpFrame(6005, `1234 8180 0001 0000 000b 0000 ${QUESTION}`.replaceAll(' ', '')), // 11 authority records: refused
    udpFrame(6006, `1234 0100 0001 0000 0000 000b ${QUESTION}`.replaceAll(' ', '')), // 11 additional records: refused
    udpFrame(6007, '123401000001000000000000'), // a header alone: refused
  ]);
  const protocols = tshark(file, ['-T', 'fields', '-e', 'frame.protocols']).trim().split('\n');
  assert.deepEqual(protocols.map((p) => p.endsWith(':dns')), [true, true, true, false, false, false, false, false, false, false], protocols.join('\n'));
  assertAgrees(file);
});

test('corpus: DNS on port 8053 agrees with tshark', { skip: NO_TSHARK }, () => {
  assertAgrees(requireCorpusFile('tcpdump/tests/dns_udp_8053.pcap'));
});

test('real traffic between namespaces: DNS queries and answers on port 5300 agree with tshark', { skip: NO_TSHARK || NOT_ROOT }, async () => {
  const pair = createNetnsPair();
  const file = path.join(tmp, 'port-5300.pcap');
  const script = path.join(__dirname, '..', '..', 'bench', 'decode', 'dns.py');
  try {
    const server = pair.spawn(pair.nsB, ['python3', script, 'server', pair.ipB, '5300', '20']);
    const serverDone = finished(server);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'udp']);
    const done = finished(td);
    try {
      await waitForStderr(td, /listening on/);
      await sleep(300);
      pair.exec(pair.nsA, ['python3', script, 'client', pair.ipB, '5300', '20']);
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      await done;
      await serverDone;
    }
    const summary = tshark(file, []);
    assert.ok((summary.match(/ DNS .*Standard query response/g) ?? []).length >= 15, summary);
    assertAgrees(file);
  } finally {
    pair.destroy();
  }
});

test('corpus: DNS messages cut by a snap length (editcap -s) end their Info with tshark\'s note, as tshark\'s', { skip: NO_TSHARK }, () => {
  let noted = 0;
  for (const snap of [48, 60, 80, 120, 200]) {
    const cut = path.join(tmp, `dns-s${snap}.pcap`);
    const r = spawnSync('editcap', ['-s', String(snap), requireCorpusFile('chrissanders-packets/dns.pcap'), cut], { encoding: 'utf8' });
    assert.equal(r.status, 0, `editcap: ${r.stderr}`);
    const theirs = tshark(cut, []);
    assert.equal(ours(cut, ['-T', 'text']), theirs, `summary lines at snap length ${snap}`);
    noted += (theirs.match(/\[Packet size limited during capture\]/g) ?? []).length;
  }
  assert.ok(noted >= 20, `only ${noted} cut messages compared`);
});
