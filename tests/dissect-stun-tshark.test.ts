/**
 * STUN, TURN and classic STUN (app/dissect/stun.ts) against tshark 4.0: `-T fields` of their fields,
 * frame.protocols, the Protocol and Info columns, the summary lines (`-T text`) and display filters
 * — on frames this test builds (python3 struct, checked with tshark; the shared corpus holds no
 * STUN) and on real traffic between network namespaces: Debian's coturn (turnserver in namespace
 * B with a temporary configuration: long-term credentials, a realm, no TLS, no CLI; turnutils_peer
 * beside it) and its clients in namespace A: turnutils_stunclient (Binding, and an RFC 5780 Binding
 * the server refuses), turnutils_uclient allocating with long-term credentials over UDP with
 * channels (ChannelData) and with Send/Data indications, and over TCP. The namespaces have no
 * route anywhere else. Skipped when tshark (or, for the live test, root, tcpdump or coturn) is
 * missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout } from './support/netns';
import { assertFiltersAgree, firstDifference } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const NO_COTURN = ['turnserver', 'turnutils_uclient', 'turnutils_stunclient', 'turnutils_peer'].some((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
  ? 'coturn is not installed (apt-get install coturn)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-stun-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data',
  'stun.channel', 'stun.tcp_frame_length', 'stun.type', 'stun.type.class', 'stun.type.method', 'stun.type.method-assignment', 'stun.length',
  'stun.cookie', 'stun.id', 'stun.attributes', 'stun.attribute', 'stun.response-in', 'stun.response-to', 'stun.time', 'stun.reqduplicate',
  'stun.att.type', 'stun.att.type.comprehension', 'stun.att.type.assignment', 'stun.att.length', 'stun.att.family', 'stun.att.ipv4', 'stun.att.ipv6',
  'stun.att.port', 'stun.att.username', 'stun.att.password', 'stun.att.padding', 'stun.att.hmac', 'stun.att.crc32', 'stun.att.crc32.status',
  'stun.att.error.class', 'stun.att.error', 'stun.att.error.reason', 'stun.att.realm', 'stun.att.nonce', 'stun.att.unknown', 'stun.att.ipv4-xord',
  'stun.att.ipv6-xord', 'stun.att.port-xord', 'stun.att.icmp.type', 'stun.att.icmp.code', 'stun.att.software', 'stun.att.priority',
  'stun.att.tie-breaker', 'stun.att.lifetime', 'stun.att.change-ip', 'stun.att.change-port', 'stun.att.even-port.reserve-next',
  'stun.att.cache-timeout', 'stun.att.token', 'stun.value', 'stun.att.reserved', 'stun.att.transp', 'stun.att.channelnum', 'stun.att.magic_cookie',
  'stun.port.bandwidth', 'stun.att.google.network_id', 'stun.att.google.network_cost', 'stun.network_version', 'stun.wrong_msglen',
  'stun.unknown_attribute', 'stun.att.crc32.bad',
  'classicstun.type', 'classicstun.length', 'classicstun.id', 'classicstun.att', 'classicstun.response_in', 'classicstun.response_to',
  'classicstun.time', 'classicstun.att.type', 'classicstun.att.length', 'classicstun.att.value', 'classicstun.att.family', 'classicstun.att.ipv4',
  'classicstun.att.port', 'classicstun.att.change.ip', 'classicstun.att.change.port', 'classicstun.att.unknown', 'classicstun.att.error.class',
  'classicstun.att.error', 'classicstun.att.error.reason', 'classicstun.att.ipv4-xord', 'classicstun.att.port-xord', 'classicstun.att.server',
  'classicstun.att.lifetime', 'classicstun.att.magic.cookie', 'classicstun.att.data',
];

/** Ethernet + IPv4 + UDP/TCP frames between 10.0.0.1 and 10.0.0.2 (tests/support: python3 struct). */
const FRAMES: Record<string, string> = {
  /** Binding Request: SOFTWARE, PRIORITY, USE-CANDIDATE, ICE-CONTROLLING, USERNAME, MESSAGE-INTEGRITY, a good FINGERPRINT. */
  binding_request: '02005e10000202005e10000108004500007800010000401166720a0000010a0000029c400d9600640000000100482112a4420102030405060708090a0b0c8022000474657374002400046e7f00ff00250000802a0008000102030405060700060003613a620000080014000102030405060708090a0b0c0d0e0f1011121380280004d2779a7c',
  /** Its Success Response: XOR-MAPPED-ADDRESS (IPv4, IPv6), MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS, SOFTWARE with control characters and bad UTF-8, a bad FINGERPRINT. */
  binding_response: '02005e10000202005e10000108004500009c000100004011664e0a0000020a0000010d969c40008800000101006c2112a4420102030405060708090a0b0c002000080001329ae112a6450001000800011388c000020700200014000236620113a9fa0102030405060708090a0b0b802b000800010d960a000002802c001400020d9720010db80000000000000000000000028022000c737276010a5c7f090dc3a9ff80280004e5de8596',
  /** The request again (stun.reqduplicate). */
  binding_retransmit: '02005e10000202005e10000108004500003800010000401166b20a0000010a0000029c400d9600240000000100082112a4420102030405060708090a0b0c8022000474657374',
  /** Error Response: ERROR-CODE 438, UNKNOWN-ATTRIBUTES, REALM, NONCE, an unknown attribute, ALTERNATE-SERVER (IPv6), an unknown error code. */
  error_response: '02005e10000202005e10000108004500009400010000401166560a0000020a0000010d969c4000800000011100642112a442a1a2a3a4a5a6a7a8a9aaabac0009000f000004265374616c65204e6f6e636500000a0004000300050014000b6578616d706c652e6f7267000015000a6162636465663031323300007777000378797a008023001400020d9620010db80000000000000000000000090009000400000663',
  /** Allocate Request: REQUESTED-TRANSPORT TCP and unknown, DONT-FRAGMENT, EVEN-PORT, RESERVATION-TOKEN, LIFETIME, BANDWIDTH, REQUESTED-ADDRESS-FAMILY. */
  allocate_request: '02005e10000202005e100001080045000070000100004011667a0a0000010a0000029c400d96005c0000000300402112a442b1b2b3b4b5b6b7b8b9babbbc0019000406000000001a00000018000180000000002200080001020304050607000d00040000025800100004000000800017000402000000001900043a000000',
  /** Allocate Success Response: XOR-RELAYED-ADDRESS, XOR-MAPPED-ADDRESS, LIFETIME. */
  allocate_response: '02005e10000202005e100001080045000050000100004011669a0a0000020a0000010d969c40003c0000010300202112a442b1b2b3b4b5b6b7b8b9babbbc001600080001e1122b12a440002000080001bd522b12a443000d000400000258',
  /** Channel-Bind Request: CHANNEL-NUMBER, XOR-PEER-ADDRESS, USERNAME, NONCE, a REALM with a control character and a backslash. */
  channel_bind: '02005e10000202005e10000108004500006800010000401166820a0000010a0000029c400d9600540000000900382112a442000102030405060708090a0b000c0004400100000012000800013a4ae721c04700060005616c696365000000001500056e6f6e63650000000014000672015c65c3a90000',
  /** CreatePermission Request with IPv4 and IPv6 XOR-PEER-ADDRESSes. */
  create_permission: '02005e10000202005e10000108004500005400010000401166960a0000010a0000029c400d9600400000000800242112a4420c0d0e0f10111213141516170012000800013a4ae721c0470012001400023a4b0113a9fa0c0d0e0f1011121314151612',
  /** Send Indication: XOR-PEER-ADDRESS, DATA (5 bytes, padded). */
  send_indication: '02005e10000202005e10000108004500004800010000401166a20a0000010a0000029c400d9600340000001600182112a44228292a2b2c2d2e2f303132330012000800013a4ae721c0470013000568656c6c6f000000',
  /** ChannelData on port 3478, unpadded. */
  channel_data: '02005e10000202005e10000108004500002500010000401166c50a0000010a0000029c400d96001100004001000568656c6c6f',
  /** ChannelData padded to 4 bytes. */
  channel_data_padded: '02005e10000202005e10000108004500002800010000401166c20a0000020a0000010d969c40001400004001000568656c6c6f000000',
  /** Channel 0x8001 (reserved range): not STUN. */
  channel_data_reserved: '02005e10000202005e10000108004500002400010000401166c60a0000010a0000029c400d96001000008001000461626364',
  /** ChannelData whose length passes the datagram: not STUN. */
  channel_data_bad_length: '02005e10000202005e10000108004500002500010000401166c50a0000010a0000029c400d96001100004001000968656c6c6f',
  /** RFC 3489 attributes with the cookie: RESPONSE_ADDRESS, CHANGE_REQUEST, SOURCE_ADDRESS, CHANGED_ADDRESS (IPv6), PASSWORD, PADDING, ICMP, CACHE-TIMEOUT, MAGIC-COOKIE, REFLECTED-FROM, GOOG-NETWORK-INFO. */
  deprecated: '02005e10000202005e1000010800450000a800010000401166420a0000010a0000029c400d9600940000000100782112a4423c3d3e3f404142434445464700020008000103e8c0000201000300040000000600040008000103e9c000020200050014000203ea20010db800000000000000000000000300070004707731320026000800000000000000008004000403010000802700040000003c000f000472c64bc6000b0008000103ebc0000204c057000400000000',
  /** Message length 6, not a multiple of 4. */
  wrong_msglen: '02005e10000202005e10000108004500003600010000401166b40a0000010a0000029c400d9600220000000100062112a442505152535455565758595a5b802200026162',
  /** An attribute whose length passes the message (bogus). */
  bogus_attr_length: '02005e10000202005e10000108004500004000010000401166aa0a0000010a0000029c400d96002c0000000100102112a4425c5d5e5f606162636465666780220004616263640006001461626364',
  /** An unknown attribute whose length passes the message (malformed). */
  unknown_attr_past_end: '02005e10000202005e10000108004500003800010000401166b20a0000010a0000029c400d9600240000000100082112a44268696a6b6c6d6e6f707172737001000c61626364',
  /** A method above 0xff: not STUN. */
  method_too_big: '02005e10000202005e10000108004500003000010000401166ba0a0000010a0000029c400d96001c0000300100002112a4420102030405060708090a0b0c',
  /** Allocate Request on UDP 5000 -> 6000 (the heuristic). */
  heuristic_request: '02005e10000202005e10000108004500003800010000401166b20a0000010a0000021388177000240000000300082112a4428485868788898a8b8c8d8e8f0019000411000000',
  /** ChannelData back on that 5-tuple: STUN. */
  heuristic_channel_data: '02005e10000202005e10000108004500002400010000401166c60a0000020a0000011770138800100000400200047778797a',
  /** The same ChannelData on another 5-tuple: data. */
  heuristic_channel_data_elsewhere: '02005e10000202005e10000108004500002400010000401166c60a0000010a0000021389177000100000400200047778797a',
  /** Classic STUN Binding Request with CHANGE-REQUEST on 3478. */
  classic_request: '02005e10000202005e10000108004500003800010000401166b20a0000010a0000029c410d960024000000010008c8c9cacbcccdcecfd0d1d2d3d4d5d6d70003000400000006',
  /** Its Binding Response: MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS, XOR_MAPPED_ADDRESS, SERVER (padded: classic STUN has no padding, so the pad byte ends malformed). */
  classic_response: '02005e10000202005e100001080045000070000100004011667a0a0000020a0000010d969c41005c000001010040c8c9cacbcccdcecfd0d1d2d3d4d5d6d70001000800011388c00002070004000800010d960a0000020005000800010d970a000003802000080001db4108c9c8cc8022000b636c61737369632073727600',
  /** Classic Binding Error Response on other ports (heuristic): ERROR-CODE then misaligned attributes. */
  classic_error_elsewhere: '02005e10000202005e100001080045000080000100004011666a0a0000010a000002238c238d006c0000011100506465666768696a6b6c6d6e6f707172730009000b00000414556e6b6e6f776e00000a00040022003300060004757365720013000464617461000d00040000001e000f000472c64bc60016000400010000c001000462696e64123400027a7a0000',
  /** Classic attribute passing the message. */
  classic_bogus: '02005e10000202005e10000108004500003800010000401166b20a0000010a000002238c238d00240000000100086465666768696a6b6c6d6e6f707172730006000c61626364',
  /** TCP 3478: a whole message and the first 10 bytes of the next. */
  tcp_two_in_one: '02005e10000202005e10000108004500004e00010000400666a70a0000010a0000029c420d96000003e8000000015018ffffb6120000000100082112a442969798999a9b9c9d9e9fa0a18022000474637031000300102112a442a2a3',
  /** The rest of that message and a padded ChannelData. */
  tcp_rest: '02005e10000202005e10000108004500004e00010000400666a70a0000010a0000029c420d960000040e000000015018ffff06170000a4a5a6a7a8a9aaabacad0019000411000000000d000400000258400300057463706364000000',
  /** The response on the other direction. */
  tcp_response: '02005e10000202005e10000108004500004800010000400666ad0a0000020a0000010d969c4200000001000000015018fffff8f200000101000c2112a442969798999a9b9c9d9e9fa0a1002000080001bd502b12a443',
  /** RFC 4571 framing (RFC 6544): a 2-byte length before the message. */
  tcp_framed: '02005e10000202005e10000108004500004600010000400666af0a0000010a0000029c430d9600001388000000015018ffff0e690000001c000100082112a442969798999a9b9c9d9e9fa0a18022000474637031',
  /** TCP 4000: a STUN message found by the heuristic. */
  tcp_heuristic: '02005e10000202005e10000108004500004c00010000400666a90a0000010a0000029c440fa000001b58000000015018ffff0d870000000300102112a442a2a3a4a5a6a7a8a9aaabacad0019000411000000000d000400000258',
  /** ChannelData on that connection. */
  tcp_heuristic_more: '02005e10000202005e10000108004500003400010000400666c10a0000010a0000029c440fa000001b7c000000015018ffff4b8d0000400300057463706364000000',
  /** The Success Response cut at 90 bytes. */
  cut_response: '02005e10000202005e10000108004500009c000100004011664e0a0000020a0000010d969c40008800000101006c2112a4420102030405060708090a0b0c002000080001329ae112a6450001000800011388c000020700200014',
  /** ChannelData cut after its header. */
  cut_channel: '02005e10000202005e10000108004500002500010000401166c50a0000010a0000029c400d96001100004001000568',
};

/** Frames cut by the snap length: how long they were on the wire (the frames they were cut from). */
const WIRE_LENGTHS: Record<string, number> = { cut_response: FRAMES.binding_response!.length / 2, cut_channel: FRAMES.channel_data!.length / 2 };

const FILTERS = [
  'stun', 'classicstun', 'data', 'stun.type.class == 0x11', 'stun.type.method == 0x0009', 'stun.response-to', 'stun.reqduplicate', 'stun.time >= 0',
  'stun.att.ipv4 == 192.0.2.7', 'stun.att.ipv6 == 2001:db8::7', 'stun.att.port-xord == 3a:4a', 'stun.att.crc32.status == 0', 'stun.att.crc32.bad',
  'stun.channel == 0x4001', 'stun.att.realm contains "exam"', 'stun.att.error == 38', 'stun.att.username == "alice"', 'stun.unknown_attribute',
  'stun.att.lifetime > 0', 'stun.wrong_msglen', 'stun.tcp_frame_length', 'classicstun.att.port == 3478', 'stun.att.transp == 0x11',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertAgrees(file: string, filters: readonly string[]): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(firstDifference(ours(file, fields), tshark(file, fields)), '', `-T fields of ${path.basename(file)}`);
  assert.equal(firstDifference(ours(file, ['-T', 'text']), tshark(file, [])), '', `summary lines of ${path.basename(file)}`);
  assertFiltersAgree(file, filters);
}

test('built frames: STUN, TURN and classic STUN agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  // One second apart plus a quarter millisecond per frame: stun.time has something to show.
  Object.entries(FRAMES).forEach(([name, hex], k) => {
    writer.writePacket({ tsNs: BigInt(k) * 1_000_250_000n, data: Buffer.from(hex, 'hex'), origLen: WIRE_LENGTHS[name] });
  });
  writer.close();
  const summary = tshark(file, []);
  for (const expected of ['CLASSIC-STUN', 'ChannelData TURN Message', 'Malformed Packet', 'Packet size limited during capture']) assert.ok(summary.includes(expected), `${expected} in:\n${summary}`);
  assertAgrees(file, FILTERS);
});

/** The server's configuration: listens on namespace B's address only, long-term credentials, nothing else. */
function turnConfig(ipB: string, dir: string): string {
  return [
    `listening-ip=${ipB}`, `relay-ip=${ipB}`, 'listening-port=3478', 'lt-cred-mech', 'user=alice:secret', 'realm=example.org',
    'no-tls', 'no-dtls', 'no-cli', 'log-file=stdout', 'simple-log', 'no-multicast-peers', 'allow-loopback-peers',
    `pidfile=${path.join(dir, 'turnserver.pid')}`, `userdb=${path.join(dir, 'turndb')}`, '',
  ].join('\n');
}

test('real traffic between namespaces: coturn and its clients agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_COTURN }, async () => {
  const pair = createNetnsPair();
  const dir = path.join(tmp, 'turn');
  fs.mkdirSync(dir);
  const config = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(config, turnConfig(pair.ipB, dir));
  const file = path.join(tmp, 'turn.pcap');
  try {
    const server = pair.spawn(pair.nsB, ['turnserver', '-c', config]);
    const serverDone = finished(server);
    const peer = pair.spawn(pair.nsB, ['turnutils_peer', '-L', pair.ipB, '-p', '3480']);
    const peerDone = finished(peer);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'ip']);
    const done = finished(td);
    const outputs: string[] = [];
    try {
      await Promise.all([waitForStdout(server, /Relay ports initialization done/, 'turnserver', 15000), waitForStderr(td, /listening on/)]);
      await sleep(1000);
      const client = (args: string[], timeout: number): void => {
        const r = spawnSync('ip', ['netns', 'exec', pair.nsA, ...args], { timeout, encoding: 'utf8' });
        outputs.push(`$ ${args.join(' ')}\n${r.stdout}${r.stderr}`);
      };
      client(['turnutils_stunclient', pair.ipB], 10000);
      // RFC 5780 Binding: the server refuses (one address only) and the client waits for more: stopped.
      client(['turnutils_stunclient', '-f', pair.ipB], 3000);
      const turn = ['-u', 'alice', '-w', 'secret', '-e', pair.ipB, '-r', '3480', '-n', '3', '-m', '1', '-c', '-l', '40', '-z', '5'];
      client(['turnutils_uclient', ...turn, pair.ipB], 30000);
      client(['turnutils_uclient', '-s', ...turn, pair.ipB], 30000);
      client(['turnutils_uclient', '-t', ...turn, pair.ipB], 30000);
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      if (peer.pid) peer.kill('SIGTERM');
      await done;
      await serverDone;
      await peerDone;
    }
    const summary = tshark(file, []);
    for (const expected of [
      /STUN \d+ Binding Success Response XOR-MAPPED-ADDRESS/, /Binding Error Response error-code: 420/, /Allocate Error Response error-code: 401 \(Unauthenticated\) Unauthorized with nonce realm: example\.org/,
      /Allocate Success Response XOR-RELAYED-ADDRESS/, /Channel-Bind Request ChannelNumber=0x[0-9a-f]+ XOR-PEER-ADDRESS/, /ChannelData TURN Message/,
      /Send Indication XOR-PEER-ADDRESS/, /Data Indication XOR-PEER-ADDRESS/, /CreatePermission Success Response/,
    ]) assert.match(summary, expected, `${outputs.join('\n')}\n${summary}`);
    assert.ok(tshark(file, ['-Y', 'tcp && stun']).length > 0, 'no STUN over TCP');
    assertAgrees(file, ['stun', 'stun.channel', 'stun.response-to', 'stun.reqduplicate', 'stun.att.crc32.status == 1', 'stun.att.username == "alice"', 'tcp && stun.type.class == 0x10', 'icmp && stun', 'data', 'stun.att.transp == 0x11']);
  } finally {
    pair.destroy();
  }
});
