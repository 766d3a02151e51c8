/**
 * SSDP (UDP 1900) and NBNS (UDP 137), issue 12, against tshark: `-T fields` of the http.* and
 * nbns.* fields, frame.protocols, the summary line (`-T text`) and display filters, on frames this
 * test builds and on real traffic it captures between two network namespaces (python3 sockets: an
 * SSDP M-SEARCH answered by a unicast 200 OK and a NOTIFY; an NBNS name query answered with an NB
 * record). Skipped when tshark is not installed; the namespace part also when not root.
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
import { requireCorpusFile } from './support/corpus';
import { assertFiltersAgree } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ssdp-nbns-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', 'http.request.method', 'http.request.uri', 'http.request.version', 'http.response.code', 'http.response.phrase',
  'http.response.version', 'http.host', 'http.user_agent', 'http.server', 'http.location', 'http.cache_control', 'http.date',
  'http.request.full_uri', 'http.request.line', 'http.response.line', 'http.request', 'http.response', 'http.notification',
  'nbns.id', 'nbns.flags', 'nbns.flags.response', 'nbns.flags.opcode', 'nbns.flags.authoritative', 'nbns.flags.truncated',
  'nbns.flags.recdesired', 'nbns.flags.recavail', 'nbns.flags.broadcast', 'nbns.flags.rcode', 'nbns.count.queries',
  'nbns.count.answers', 'nbns.count.auth_rr', 'nbns.count.add_rr', 'nbns.name', 'nbns.type', 'nbns.class', 'nbns.ttl',
  'nbns.data_length', 'nbns.nb_flags', 'nbns.nb_flags.group', 'nbns.nb_flags.ont', 'nbns.addr', '_ws.col.Protocol', '_ws.col.Info',
];

/** The frames of app/dissect/ssdp.test.ts and nbns.test.ts (built with python3 struct, checked with tshark -V). */
const FRAMES = [
  '01005e7ffffa02000000000108004500009f00010000011107a1c0a8010aeffffffac350076c008b00004d2d534541524348202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a4d414e3a2022737364703a646973636f766572220d0a4d583a20310d0a53543a20737364703a616c6c0d0a555345522d4147454e543a204c696e75782f362055506e502f312e3120746573742f310d0a0d0a',
  '01005e7ffffa0200000000010800450000f8000100000111073ec0a80114effffffa076c076c00e400004e4f54494659202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a43414348452d434f4e54524f4c3a206d61782d6167653d313830300d0a4c4f434154494f4e3a20687474703a2f2f3139322e3136382e312e32303a38302f646573632e786d6c0d0a4e543a2075706e703a726f6f746465766963650d0a4e54533a20737364703a616c6976650d0a5345525645523a204c696e75782055506e502f312e3020782f310d0a55534e3a20757569643a313233343a3a75706e703a726f6f746465766963650d0a0d0a',
  '0200000000020200000000010800450000f4000100000111358ac0a80114c0a8010a076cc35000e00000485454502f312e3120323030204f4b0d0a43414348452d434f4e54524f4c3a206d61782d6167653d313830300d0a444154453a205468752c2030332044656320323032362031313a30303a303020474d540d0a4558543a0d0a4c4f434154494f4e3a20687474703a2f2f3139322e3136382e312e32303a38302f646573632e786d6c0d0a5345525645523a204c696e75782055506e502f312e3020782f310d0a53543a2075706e703a726f6f746465766963650d0a55534e3a20757569643a313233343a3a75706e703a726f6f746465766963650d0a0d0a',
  'ffffffffffff02000000000108004500004e0001000001113545c0a8010ac0a801ff00890089003a000012340110000100000000000020464845504643454c45484643455046464641434143414341434143414341424d0000200001',
  '02000000000202000000000108004500005a000100000111eddb0a000005c0a8010a0089008900460000123485000000000100000000204547454a454d45464644454646434647454646434341434143414341434143410000200001000493e0000600000a000005',
  'ffffffffffff0200000000010800450000600001000001113533c0a8010ac0a801ff00890089004c000012352910000100000000000120454e464a454945504644464543414341434143414341434143414341434141410000200001c00c00200001000493e000066000c0a8010a',
  '02000000000202000000000108004500004e0001000001113630c0a8010ac0a8011400890089003a000012360000000100000000000020434b4141414141414141414141414141414141414141414141414141414141410000210001',
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
  assertFiltersAgree(file, ['ssdp', 'nbns', 'http', 'http.request', 'http.notification', 'http.response.code == 200', 'nbns.flags.broadcast == 1', 'nbns.name contains "<20>"', 'nbns.addr']);
}

test('built frames: SSDP and NBNS agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, FRAMES.map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
});

/** Answers an SSDP M-SEARCH (unicast 200 OK) and an NBNS name query for SIEVECAP-PEER<20> (NB record). */
const RESPONDER = `
import socket, select, struct
ssdp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ssdp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ssdp.bind(('', 1900))
ssdp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('239.255.255.250') + socket.inet_aton('IP_B'))
nbns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
nbns.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
nbns.bind(('', 137))
print('ready', flush=True)
answered = 0
while answered < 2:
    ready, _, _ = select.select([ssdp, nbns], [], [], 10)
    if not ready: break
    if ssdp in ready:
        msg, peer = ssdp.recvfrom(2048)
        if msg.startswith(b'M-SEARCH'):
            ssdp.sendto(b'HTTP/1.1 200 OK\\r\\nCACHE-CONTROL: max-age=1800\\r\\nEXT:\\r\\nLOCATION: http://IP_B:49152/desc.xml\\r\\nSERVER: Linux/6 UPnP/1.1 sievecap/1\\r\\nST: upnp:rootdevice\\r\\nUSN: uuid:5e1e-0001::upnp:rootdevice\\r\\n\\r\\n', peer)
            answered += 1
    if nbns in ready:
        msg, peer = nbns.recvfrom(2048)
        if msg[2] & 0x80: continue
        name = msg[12:12 + 34]
        nbns.sendto(msg[:2] + struct.pack('!HHHHH', 0x8500, 0, 1, 0, 0) + name + struct.pack('!HHIHH', 0x20, 1, 300000, 6, 0) + socket.inet_aton('IP_B'), peer)
        answered += 1
`;

const CLIENT = `
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('IP_A'))
s.settimeout(3)
s.sendto(b'M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: 1\\r\\nST: upnp:rootdevice\\r\\nUSER-AGENT: Linux/6 UPnP/1.1 sievecap-test/1\\r\\n\\r\\n', ('239.255.255.250', 1900))
s.recvfrom(2048)
s.sendto(b'NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nCACHE-CONTROL: max-age=1800\\r\\nLOCATION: http://IP_A:49152/desc.xml\\r\\nNT: upnp:rootdevice\\r\\nNTS: ssdp:alive\\r\\nUSN: uuid:5e1e-0002::upnp:rootdevice\\r\\n\\r\\n', ('239.255.255.250', 1900))
n = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
n.bind(('IP_A', 137))
n.settimeout(3)
raw = b'SIEVECAP-PEER'.ljust(15) + b'\\x20'
name = bytes([32]) + b''.join(bytes([0x41 + (c >> 4), 0x41 + (c & 15)]) for c in raw) + b'\\0'
n.sendto(struct.pack('!HHHHHH', 0x5eca, 0x0010, 1, 0, 0, 0) + name + struct.pack('!HH', 0x20, 1), ('IP_B', 137))
n.recvfrom(2048)
`;

test('real traffic between namespaces: SSDP search, answer and notify, NBNS query and answer agree with tshark', { skip: NO_TSHARK || NOT_ROOT }, async () => {
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
      await Promise.all([waitForStdout(responder, /ready/, 'the SSDP/NBNS responder'), waitForStderr(td, /listening on/)]);
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
    assert.match(summary, /SSDP .*M-SEARCH \* HTTP\/1\.1/, summary);
    assert.match(summary, /SSDP .*HTTP\/1\.1 200 OK/, summary);
    assert.match(summary, /SSDP .*NOTIFY \* HTTP\/1\.1/, summary);
    assert.match(summary, /NBNS .*Name query NB SIEVECAP-PEER<20>/, summary);
    assert.match(summary, /NBNS .*Name query response NB /, summary);
    assertAgrees(file);
  } finally {
    pair.destroy();
  }
});

test('an NBNS packet cut by the snap length says so in Info, as tshark does (corpus: tcpdump nbns-valgrind.pcap)', { skip: NO_TSHARK }, () => {
  const file = requireCorpusFile('tcpdump/tests/nbns-valgrind.pcap');
  assertAgrees(file);
  assert.match(ours(file, ['-T', 'text']), /Name query\[Packet size limited during capture\]/);
});
