/**
 * MPTCP (TCP option 30), SSH (TCP 22), FTP (TCP 21), ESP (IP 50, UDP 4500), UDP encapsulation and ISAKMP (UDP
 * 500/4500) against tshark: `-T fields` of their fields, frame.protocols, the Protocol and Info
 * columns, the summary line (`-T text`) and display filters, on frames this test builds, on the
 * corpus captures that hold these protocols, and on real SSH traffic between two network
 * namespaces (Debian's ssh client against a small banner-and-KEXINIT server). tshark runs with
 * TCP desegmentation off, as Sievecap dissects each segment on its own. Skipped when tshark is not
 * installed; the corpus part when the corpus is missing; the namespace part when not root or
 * without the ssh client.
 */
// test-runner: beside the others (its SSH server listens inside a network namespace of its own): scripts/run-tests.js
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePcap } from './support/frames';
import { corpusLocation } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout } from './support/netns';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_SSH = spawnSync('ssh', ['-V']).status !== 0 ? 'the ssh client is not installed (apt-get install openssh-client)' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const CORPUS = corpusLocation().dir;
const NO_CORPUS = fs.existsSync(CORPUS) ? false : `the shared corpus is missing (${CORPUS}; see tests/support/corpus.ts)`;
const NO_DESEGMENT = ['-o', 'tcp.desegment_tcp_streams:FALSE'];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcp-ipsec-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const COLUMNS = ['frame.protocols', '_ws.col.Protocol', '_ws.col.Info'];
const MPTCP_FIELDS = [
  'tcp.options.mptcp.subtype', 'tcp.options.mptcp.version', 'tcp.options.mptcp.flags', 'tcp.options.mptcp.checksumreq.flags',
  'tcp.options.mptcp.extensibility.flag', 'tcp.options.mptcp.nomoresubflows.flag', 'tcp.options.mptcp.sha1.flag',
  'tcp.options.mptcp.sha256.flag', 'tcp.options.mptcp.reserved.flag', 'tcp.options.mptcp.sendkey', 'tcp.options.mptcp.recvkey',
  'mptcp.expected_token', 'mptcp.expected_idsn', 'tcp.options.mptcp.datalvllen', 'tcp.options.mptcp.checksum',
  'tcp.options.mptcp.backup.flag', 'tcp.options.mptcp.addrid', 'tcp.options.mptcp.recvtok', 'tcp.options.mptcp.sendrand',
  'tcp.options.mptcp.sendtrunchmac', 'tcp.options.mptcp.reserved', 'tcp.options.mptcp.sendhmac', 'tcp.options.mptcp.datafin.flag',
  'tcp.options.mptcp.dseqn8.flag', 'tcp.options.mptcp.dseqnpresent.flag', 'tcp.options.mptcp.dataack8.flag',
  'tcp.options.mptcp.dataackpresent.flag', 'tcp.options.mptcp.rawdataack', 'tcp.options.mptcp.rawdataseqno',
  'tcp.options.mptcp.subflowseqno', 'tcp.options.mptcp.echo', 'tcp.options.mptcp.ipv4', 'tcp.options.mptcp.ipv6',
  'tcp.options.mptcp.port', 'tcp.options.mptcp.addaddrtrunchmac', 'mptcp.rm_addr.count', 'tcp.options.mptcp.flag_U.flag',
  'tcp.options.mptcp.flag_V.flag', 'tcp.options.mptcp.flag_W.flag', 'tcp.options.mptcp.flag_T.flag', 'tcp.options.mptcp.rst_reason',
];
/** The ISAKMP header (the first occurrence: tshark's payloads repeat isakmp.nextpayload), ESP, udpencap. */
const IPSEC_FIELDS = [
  'isakmp.ispi', 'isakmp.rspi', 'isakmp.nextpayload', 'isakmp.version', 'isakmp.mjver', 'isakmp.mnver', 'isakmp.exchangetype',
  'isakmp.flags', 'isakmp.flag_e', 'isakmp.flag_c', 'isakmp.flag_a', 'isakmp.flag_i', 'isakmp.flag_v', 'isakmp.flag_r',
  'isakmp.messageid', 'isakmp.length', 'udpencap.nat_keepalive', 'udpencap.non_esp_marker', 'esp.spi', 'esp.sequence',
];
const SSH_FIELDS = [
  'ssh.protocol', 'ssh.direction', 'ssh.packet_length', 'ssh.padding_length', 'ssh.message_code', 'ssh.padding_string', 'ssh.cookie',
  'ssh.kex_algorithms_length', 'ssh.kex_algorithms', 'ssh.server_host_key_algorithms', 'ssh.encryption_algorithms_client_to_server',
  'ssh.encryption_algorithms_server_to_client', 'ssh.mac_algorithms_client_to_server', 'ssh.compression_algorithms_server_to_client',
  'ssh.languages_client_to_server_length', 'ssh.first_kex_packet_follows', 'ssh.kex.reserved', 'ssh.kex.hassh_algorithms',
  'ssh.kex.hassh', 'ssh.kex.hasshserver_algorithms', 'ssh.kex.hasshserver', 'ssh.packet_length_encrypted', 'ssh.encrypted_packet',
];

/** Built with python3 struct and checked with tshark -V: one frame per MPTCP subtype (each on its own ports), ESP, ISAKMP, UDP 4500. */
const IPSEC_MPTCP_FRAMES = [
  '02000000000202000000000108004500003c00010000400666b90a0000010a0000029c4107d3000003e8000007d0a010ffff000000001e14010129a6c86981ad933c1fdb5df328bc3def', // capable
  '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4207d4000003e8000007d08002ffff000000001e0c00819b5fd6a1e2c3b4a5', // capable_v0
  '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4307d5000003e8000007d08002ffff000000001e0c1005aabbccdd11223344', // join_syn
  '02000000000202000000000108004500004000010000400666b50a0000010a0000029c4407d6000003e8000007d0b010ffff000000001e181000cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a', // join_ack
  '02000000000202000000000108004500005400010000400666a10a0000010a0000029c4507d0000003e8000007d0c018ffff0000000001011e14200f0102030405060708111213141516171800000001001030313233343536373839616263646566', // dss_overrun
  '02000000000202000000000108004500005400010000400666a10a0000010a0000029c4f07d3000003e8000007d0c018ffff0000000001011e1a200f0102030405060708111213141516171800000001001030313233343536373839616263646566', // dss_full
  '02000000000202000000000108004500003800010000400666bd0a0000010a0000029c4607d1000003e8000007d09010ffff000000001e082001000000641e04400101010101', // dss_two
  '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4707d2000003e8000007d08010ffff000000001e0a30020a0000051f900101', // add_addr
  '02000000000202000000000108004500004400010000400666b10a0000010a0000029c4807d3000003e8000007d0c010ffff000000001e1c300620010db80000000000000000000000010102030405060708', // add_addr6
  '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4907d4000003e8000007d07010ffff000000001e06400102030101', // remove
  '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4a07d5000003e8000007d07010ffff000000001e04510701010101', // prio
  '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4b07d6000003e8000007d08010ffff000000001e0c60000102030405060708', // fail
  '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4c07d0000003e8000007d08010ffff000000001e0c7000d006c1f39a2fe344', // fastclose
  '02000000000202000000000108004500002c00010000400666c90a0000010a0000029c4d07d1000003e8000007d06014ffff000000001e048a03', // reset
  '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4e07d2000003e8000007d07010ffff00000000020405b41e032000', // dss_short
  '02000000000202000000000108004500003400010000403266950a0000010a000002f4dc0ae50000002a000000000000000000000000000000000000000000000000', // esp
  '02000000000202000000000108004500001b00010000403266ae0a0000010a00000200000001000000', // esp_short
  '02000000000202000000000108004500004400010000401166a60a0000010a00000201f401f4003000009e89f2388f90bc1e0a74357ce3d1a4bf051002010000000000000028000000000000000000000000', // isakmp_v1
  '02000000000202000000000108004500003800010000401166b20a0000010a00000201f401f400240000a88875a8198992a6000000000000000021202208000000000000001c', // isakmp_v2
  '02000000000202000000000108004500003800010000401166b20a0000010a00000201f401f400240000a88875a8198992a671be8358efae76632e202320000000010000001c', // isakmp_v2_resp
  '02000000000202000000000108004500001d00010000401166cd0a0000010a0000021194119400090000ff', // nat_keepalive
  '02000000000202000000000108004500004800010000401166a20a0000010a0000021194119400340000000000009e89f2388f90bc1e0a74357ce3d1a4bf081020010000000700000028000000000000000000000000', // udpencap_ike
  '02000000000202000000000108004500004400010000401166a60a0000010a0000021194119400300000f4dc0ae5000000030000000000000000000000000000000000000000000000000000000000000000', // udpencap_esp
];
const SSH_FRAMES = [
  '02000000000202000000000108004500004800010000400666ad0a0000010a0000029c400016000003e8000007d05018ffff000000005353482d322e302d4f70656e5353485f392e3270312044656269616e2d320d0a',
  '02000000000202000000000108004500005000010000400666a50a0000020a00000100169c40000007d0000004085018ffff000000005353482d322e302d4f70656e5353485f392e3270312044656269616e2d322b646562313275330d0a',
  '0200000000020200000000010800450000fd00010000400665f80a0000010a0000029c40001600000408000007f85018ffff00000000000000d10414000102030405060708090a0b0c0d0e0f0000002f637572766532353531392d7368613235362c6469666669652d68656c6c6d616e2d67726f757031342d7368613235360000000b7373682d656432353531390000002863686163686132302d706f6c7931333035406f70656e7373682e636f6d2c6165733132382d6374720000000a6165733132382d6374720000000d686d61632d736861322d3235360000000d686d61632d736861322d323536000000046e6f6e65000000046e6f6e650000000000000000000000000000000000',
  '0200000000020200000000010800450000fd00010000400665f80a0000020a00000100169c40000007f8000004dd5018ffff00000000000000d10414000102030405060708090a0b0c0d0e0f00000011637572766532353531392d7368613235360000000b7373682d65643235353139000000286165733132382d6374722c63686163686132302d706f6c7931333035406f70656e7373682e636f6d000000286165733132382d6374722c63686163686132302d706f6c7931333035406f70656e7373682e636f6d0000000d686d61632d736861322d3235360000000d686d61632d736861322d323536000000046e6f6e65000000046e6f6e650000000000000000000000000000000000',
  '020000000002020000000001080045000058000100004006669d0a0000010a0000029c400016000004dd000008cd5018ffff000000000000002c061e000000200000000000000000000000000000000000000000000000000000000000000000000000000000',
  '02000000000202000000000108004500011e00010000400665d70a0000020a00000100169c40000008cd0000050d5018ffff00000000000000ba061f000000330000000b7373682d65643235353139000000200101010101010101010101010101010101010101010101010101010101010101000000200000000000000000000000000000000000000000000000000000000000000000000000530000000b7373682d6564323535313900000040020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020000000000000000000c0a150000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '02000000000202000000000108004500003800010000400666bd0a0000010a0000029c4000160000050d000009c35018ffff000000000000000c0a1500000000000000000000',
  '02000000000202000000000108004500006400010000400666910a0000010a0000029c4000160000051d000009c35018ffff00000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b',
  '02000000000202000000000108004500005400010000400666a10a0000020a00000100169c40000009c3000005595018ffff00000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...NO_DESEGMENT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertFields(file: string, fields: readonly string[], occurrence: 'a' | 'f' = 'a', columns: readonly string[] = COLUMNS): void {
  const args = ['-T', 'fields', '-E', 'header=y', '-E', `occurrence=${occurrence}`, ...[...columns, ...fields].flatMap((f) => ['-e', f])];
  assert.equal(ours(file, args), tshark(file, args), `-T fields of ${path.basename(file)}`);
}

function assertText(file: string, filters: readonly string[]): void {
  assert.equal(ours(file, ['-T', 'text']), tshark(file, []), `summary lines of ${path.basename(file)}`);
  assertFiltersAgree(file, filters, { tsharkArgs: NO_DESEGMENT });
}

test('built frames: MPTCP subtypes, ESP, ISAKMP and UDP 4500 agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built-ipsec-mptcp.pcap');
  writePcap(file, IPSEC_MPTCP_FRAMES.map((hex) => Buffer.from(hex, 'hex')));
  assertFields(file, MPTCP_FIELDS);
  assertFields(file, IPSEC_FIELDS, 'f');
  assertText(file, ['mptcp', 'tcp.options.mptcp.subtype == 2', 'mptcp.expected_token == 2740809090', 'esp', 'esp.spi == 0xf4dc0ae5', 'isakmp', 'udpencap', 'isakmp.exchangetype == 34']);
});

test('built frames: an SSH handshake segment by segment agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built-ssh.pcap');
  writePcap(file, SSH_FRAMES.map((hex) => Buffer.from(hex, 'hex')));
  assertFields(file, SSH_FIELDS);
  assertText(file, ['ssh', 'ssh.message_code == 21', 'ssh.protocol contains "OpenSSH"', 'ssh.direction == 1']);
});

/**
 * Corpus captures and the field lists they agree on (tshark's payload-level ISAKMP and SSH fields
 * are left out). For TCP captures the Info column is left out too: tshark's TCP analysis
 * ("[TCP Dup ACK ...]", retransmissions) is not this test's subject.
 */
const CORPUS_FILES: Array<[string, readonly string[], 'a' | 'f']> = [
  ...['mptcp-v1', 'mptcp-aa-v1', 'mptcp-aa-echo', 'mptcp-fclose', 'mptcp-tcprst', 'mptcp-dss-oobr'].map((n) => [`tcpdump/tests/${n}.pcap`, MPTCP_FIELDS, 'a'] as [string, readonly string[], 'a']),
  ...['02-sunrise-sunset-esp', '08-sunrise-sunset-aes', '08-sunrise-sunset-esp2', 'espudp1', 'isakmp4500', 'ikev2-id-normal', 'isakmp-identification-segfault', 'isakmp-no-none-np.pcapng']
    .map((n) => [`tcpdump/tests/${n.includes('.') ? n : `${n}.pcap`}`, IPSEC_FIELDS, 'f'] as [string, readonly string[], 'f']),
  ['libpcap/tests/filter/isakmp4500.pcap', IPSEC_FIELDS, 'f'],
  ['tcpdump/tests/geneve.pcap', SSH_FIELDS, 'a'],
  ['libpcap/tests/filter/geneve.pcap', SSH_FIELDS, 'a'],
  ['tcpdump/tests/ipoib.pcap', SSH_FIELDS, 'a'],
];

test('corpus captures with MPTCP, ESP, ISAKMP and SSH agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, (t) => {
  for (const [relative, fields, occurrence] of CORPUS_FILES) {
    const file = path.join(CORPUS, relative);
    if (!fs.existsSync(file)) {
      t.diagnostic(`${relative} is not in this corpus: skipped`);
      continue;
    }
    assertFields(file, fields, occurrence, fields === IPSEC_FIELDS ? COLUMNS : COLUMNS.slice(0, 2));
  }
});

const FTP_FIELDS = [
  'ftp.request', 'ftp.response', 'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg', 'ftp.passive.ip',
  'ftp.passive.port', 'ftp.current-working-directory',
];

test('corpus FTP control connection agrees with tshark', { skip: NO_TSHARK || NO_CORPUS }, (t) => {
  const file = path.join(CORPUS, 'chrissanders-packets/tickedoffdeveloper.pcapng');
  if (!fs.existsSync(file)) {
    t.skip('chrissanders-packets/tickedoffdeveloper.pcapng is not in this corpus');
    return;
  }
  // The control connection (its data connections: tests/dissect-ftp-data-tshark.test.ts).
  const args = ['-Y', 'tcp.port == 21', '-T', 'fields', '-E', 'header=y', ...[...COLUMNS, ...FTP_FIELDS].flatMap((f) => ['-e', f])];
  assert.equal(ours(file, args), tshark(file, args));
  assertFiltersAgree(file, ['ftp', 'ftp.request.command == "USER"', 'ftp.response.code == 227', 'ftp.current-working-directory == "/backup/"'], { tsharkArgs: NO_DESEGMENT });
});

/** In namespace B: an SSH server that sends its banner, then (after the client's) a KEXINIT, reads what the client sends, and closes. */
const SERVER = `
import socket, struct, time
def s(x): return struct.pack('!I', len(x)) + x
s0 = socket.socket(); s0.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s0.bind(('IP_B', 22)); s0.listen(1); s0.settimeout(10)
print('ready', flush=True)
c, _ = s0.accept(); c.settimeout(2)
c.sendall(b'SSH-2.0-SievecapTest_1.0\\r\\n')
# Wait for the client's banner: before it tshark cannot know the SSH version.
seen = b''
while b'\\n' not in seen:
    more = c.recv(4096)
    if not more: break
    seen += more
body = b'\\x14' + bytes(range(16))
for x in (b'curve25519-sha256', b'ssh-ed25519', b'aes128-ctr', b'aes128-ctr', b'hmac-sha2-256', b'hmac-sha2-256', b'none', b'none', b'', b''): body += s(x)
body += bytes(5)
pad = 8 - (len(body) + 5) % 8 + 8
c.sendall(struct.pack('!IB', len(body) + pad + 1, pad) + body + bytes(pad))
end = time.time() + 2
try:
    while time.time() < end:
        if not c.recv(65536): break
except OSError:
    pass
c.close()
`;

test('real traffic between namespaces: an ssh client\'s banner and key exchange agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_SSH || NO_TCPDUMP }, async () => {
  const pair = createNetnsPair();
  const file = path.join(tmp, 'real-ssh.pcap');
  try {
    const server = pair.spawn(pair.nsB, ['python3', '-c', SERVER.replaceAll('IP_B', pair.ipB)]);
    const serverDone = finished(server);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'tcp port 22']);
    const done = finished(td);
    try {
      await Promise.all([waitForStdout(server, /ready/, 'the SSH test server'), waitForStderr(td, /listening on/)]);
      await sleep(300);
      spawnSync('ip', ['netns', 'exec', pair.nsA, 'ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'ConnectTimeout=5', '-F', '/dev/null', `sievecap@${pair.ipB}`, 'true'], { timeout: 15000, stdio: 'ignore' });
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      await done;
      await serverDone;
    }
    const summary = tshark(file, []);
    assert.match(summary, /SSH .*Client: Protocol \(SSH-2\.0-OpenSSH/, summary);
    assert.match(summary, /Server: Protocol \(SSH-2\.0-SievecapTest_1\.0\)/, summary);
    assert.match(summary, /Server: Key Exchange Init/, summary);
    assert.match(summary, /Client: .*Key Exchange Init/, summary);
    assertFields(file, SSH_FIELDS);
    assertText(file, ['ssh', 'ssh.message_code == 20']);
  } finally {
    pair.destroy();
  }
});
