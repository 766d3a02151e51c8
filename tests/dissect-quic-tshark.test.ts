/**
 * QUIC against tshark 4.0 on the corpus's QUIC captures (a handshake over IPv6, one with a Retry,
 * one with Version Negotiation and a greased version, one cut by the snap length): Initial packets
 * decrypted with the keys derived from the client's first DCID, their frames and the TLS
 * ClientHello/ServerHello in CRYPTO frames, Retry tags verified, the crypto stream's retransmission
 * after a Retry, connection tracking that gives short headers their DCID, and the decryption
 * experts — compared as summary lines, fields, expert messages, frame.protocols and -V trees. Client
 * Initials this test protects itself (RFC 9001 A.1's keys) whose ClientHello spans two and three
 * packets, as browsers' post-quantum hellos do: tshark's handshake reassembly. And mutated copies of
 * the handshake: every packet still dissects without a dissector error. Skipped without tshark; the
 * corpus parts without the corpus.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { sievecap, timedFramesOf } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const FILES = ['quic_handshake.pcap', 'quic_retry.pcap', 'quic_vn.pcap', 'quic_handshake_truncated.pcap'].map((f) => path.join(CORPUS.dir, 'tcpdump/tests', f));
const NO_CORPUS = NO_TSHARK || (FILES.every((f) => fs.existsSync(f)) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`);
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-quic-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.number', '_ws.col.Info', '_ws.col.Protocol', 'frame.protocols', '_ws.expert.message',
  'quic.connection.number', 'quic.packet_length', 'quic.header_form', 'quic.fixed_bit', 'quic.spin_bit',
  'quic.long.packet_type', 'quic.long.reserved', 'quic.packet_number_length', 'quic.version', 'quic.dcil', 'quic.dcid',
  'quic.scil', 'quic.scid', 'quic.token_length', 'quic.length', 'quic.packet_number', 'quic.payload', 'quic.remaining_payload',
  'quic.supported_version', 'quic.vn.unused', 'quic.retry_token', 'quic.retry_integrity_tag',
  'quic.frame_type', 'quic.padding_length', 'quic.ack.largest_acknowledged', 'quic.ack.ack_delay', 'quic.ack.ack_range_count',
  'quic.ack.first_ack_range', 'quic.crypto.offset', 'quic.crypto.length',
  'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.ciphersuite', 'tls.handshake.extensions_alpn_str',
];

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(args);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

const fieldArgs = (file: string): string[] => ['-r', file, '-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])];

test('QUIC: summary lines, fields, experts and protocol chains as tshark', { skip: NO_CORPUS }, () => {
  for (const file of FILES) {
    const name = path.basename(file);
    assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), `${name}: summary lines`);
    const theirs = tshark(fieldArgs(file)).split('\n');
    const mine = ours(fieldArgs(file)).split('\n');
    assert.equal(mine.length, theirs.length, `${name}: rows`);
    for (let i = 0; i < theirs.length; i++) {
      const a = theirs[i]!.split('\t');
      const b = mine[i]!.split('\t');
      FIELDS.forEach((field, k) => assert.equal(b[k] ?? '', a[k] ?? '', `${name} row ${i + 1}: ${field}`));
    }
  }
});

test('QUIC: -V and -T json as tshark', { skip: NO_CORPUS }, () => {
  for (const file of FILES) {
    assert.equal(ours(['-r', file, '-T', 'json']), tshark(['-r', file, '-T', 'json']), `${path.basename(file)}: -T json`);
    const theirs = tshark(['-r', file, '-V']).split('\n');
    const mine = ours(['-r', file, '-V']).split('\n');
    const differing = theirs.map((line, i) => (line === mine[i] ? null : `${i + 1}: tshark ${JSON.stringify(line)} sievecap ${JSON.stringify(mine[i])}`)).filter((x) => x !== null);
    assert.equal(mine.length, theirs.length, `${path.basename(file)}: line count`);
    assert.deepEqual(differing, [], path.basename(file));
  }
});

test('QUIC: mutated handshakes dissect without a dissector error', { skip: NO_CORPUS }, () => {
  const frames = timedFramesOf(FILES[0]!);
  // A fixed generator (no randomness from the machine): each copy flips bytes and cuts the frame.
  let seed = 0x5eed;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 8;
  };
  const mutated: Buffer[] = [];
  for (let round = 0; round < 40; round++) {
    for (const { data } of frames) {
      const copy = Buffer.from(data);
      const flips = 1 + (next() % 4);
      // The loopback header, IPv6 and UDP (48 bytes) stay; the QUIC bytes change.
      for (let k = 0; k < flips && copy.length > 48; k++) copy[48 + (next() % (copy.length - 48))] = next() & 0xff;
      mutated.push(round % 5 === 4 ? copy.subarray(0, 48 + (next() % Math.max(1, copy.length - 48))) : copy);
    }
  }
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(0, 20); // DLT_NULL, as the corpus file
  const records = mutated.map((frame, k) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_600_000_000 + k, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const file = path.join(tmp, 'quic-mutated.pcap');
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  const text = ours(['-r', file, '-V']);
  assert.equal(/dissector error/.test(text), false, text.split('\n').find((l) => l.includes('dissector error')));
  assert.equal(ours(['-r', file, '-T', 'text']).trimEnd().split('\n').length, mutated.length);
  // tshark reads the same file: the frame count agrees (its dissection is the reference for the rest).
  assert.equal(tshark(['-r', file, '-T', 'fields', '-e', 'frame.number']).trimEnd().split('\n').length, mutated.length);
});

/** RFC 9001 A.1: the client's Initial keys for DCID 0x8394c8f03e515708 (the RFC's, not derived here). */
const RFC_DCID = Buffer.from('8394c8f03e515708', 'hex');
const RFC_CLIENT = { key: Buffer.from('1f369613dd76d5467730efcbe3b1a22d', 'hex'), iv: Buffer.from('fa044b2f42a3fd3b46fb255c', 'hex'), hp: Buffer.from('9f50449e04a0e810283a1e9933adedd2', 'hex') };

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 255]);
const quicVarint = (n: number): Buffer => (n < 64 ? Buffer.from([n]) : Buffer.from([0x40 | (n >> 8), n & 255]));

/** A client Initial (2-byte packet number, padded to 1200 bytes) protected as RFC 9001 §5 says. */
function protectedInitial(pn: number, frames: Buffer): Buffer {
  const pnLength = 2;
  const headerLength = 1 + 4 + 1 + RFC_DCID.length + 1 + 1 + 2 + pnLength;
  const payload = Buffer.concat([frames, Buffer.alloc(Math.max(0, 1200 - headerLength - 16 - frames.length))]);
  const length = pnLength + payload.length + 16;
  const header = Buffer.concat([Buffer.from([0xc0 | (pnLength - 1), 0, 0, 0, 1, RFC_DCID.length]), RFC_DCID, Buffer.from([0, 0]), u16(0x4000 | length), u16(pn)]);
  const nonce = Buffer.from(RFC_CLIENT.iv);
  nonce[10]! ^= pn >> 8;
  nonce[11]! ^= pn & 255;
  const gcm = crypto.createCipheriv('aes-128-gcm', RFC_CLIENT.key, nonce);
  gcm.setAAD(header);
  const packet = Buffer.concat([header, gcm.update(payload), gcm.final(), gcm.getAuthTag()]);
  const pnOffset = header.length - pnLength;
  const ecb = crypto.createCipheriv('aes-128-ecb', RFC_CLIENT.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLength; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

/** A TLS 1.3 ClientHello with SNI and a bulky extension of a type Wireshark has no name for. */
function longClientHello(bulk: number): Buffer {
  const sni = Buffer.from('example.test');
  const sniExtension = Buffer.concat([u16(0), u16(sni.length + 5), u16(sni.length + 3), Buffer.from([0]), u16(sni.length), sni]);
  const versions = Buffer.from([0, 43, 0, 3, 2, 3, 4]);
  const filler = Buffer.concat([u16(0x1234), u16(bulk), Buffer.alloc(bulk, 0x5a)]);
  const extensions = Buffer.concat([sniExtension, versions, filler]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(extensions.length), extensions]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 255, body.length & 255]), body]);
}

/** Ethernet/IPv4/UDP frames 10.0.0.1:50000 → 10.0.0.2:443 in a pcap, one second apart. */
function udpPcap(file: string, payloads: Buffer[]): string {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = payloads.map((payload, k) => {
    const udp = Buffer.concat([u16(50000), u16(443), u16(8 + payload.length), u16(0), payload]);
    const ip = Buffer.concat([Buffer.from([0x45, 0]), u16(20 + udp.length), u16(k + 1), u16(0), Buffer.from([64, 17]), u16(0), Buffer.from([10, 0, 0, 1, 10, 0, 0, 2])]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]), ip, udp]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + k, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  return file;
}

test('QUIC: a ClientHello over two and three Initial packets, reassembled as tshark does', { skip: NO_TSHARK }, () => {
  const hello = longClientHello(1500);
  for (const splits of [[1000], [600, 1200]]) {
    const bounds = [0, ...splits, hello.length];
    const packets = bounds.slice(0, -1).map((from, i) => {
      const part = hello.subarray(from, bounds[i + 1]);
      return protectedInitial(i, Buffer.concat([Buffer.from([6]), quicVarint(from), quicVarint(part.length), part]));
    });
    const file = udpPcap(path.join(tmp, `hello-${splits.join('-')}.pcap`), packets);
    assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), `split at ${splits}: summary lines`);
    assert.deepEqual(ours(['-r', file, '-V']).split('\n'), tshark(['-r', file, '-V']).split('\n'), `split at ${splits}: -V`);
    const fields = ['frame.protocols', 'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.fragment', 'tls.handshake.fragment.count', 'quic.crypto.offset'];
    const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
    assert.equal(ours(args), tshark(args), `split at ${splits}: fields`);
  }
});

/** A QUIC variable-length integer in its shortest form. */
function varintOf(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return u16(0x4000 | n);
  if (n < 2 ** 30) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((0x80000000 | n) >>> 0);
    return b;
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n) | 0xc000000000000000n);
  return b;
}

/**
 * A ClientHello with status_request, compress_certificate and a quic_transport_parameters
 * extension holding every kind tshark 4.0 decodes (preferred_address, version_information,
 * Google's, trailing bytes after a value, names it does not know).
 */
function transportParametersHello(): Buffer {
  const param = (id: number, value: Buffer): Buffer => Buffer.concat([varintOf(id), varintOf(value.length), value]);
  const params = Buffer.concat([
    param(0x00, Buffer.from('0102030405060708', 'hex')), param(0x01, varintOf(30000)), param(0x02, Buffer.alloc(16, 0xab)),
    param(0x03, varintOf(1472)), param(0x04, varintOf(1048576)), param(0x05, varintOf(65536)), param(0x06, varintOf(65536)),
    param(0x07, varintOf(65536)), param(0x08, varintOf(100)), param(0x09, varintOf(3)), param(0x0a, varintOf(3)), param(0x0b, varintOf(25)),
    param(0x0c, Buffer.alloc(0)),
    param(0x0d, Buffer.concat([Buffer.from([10, 0, 0, 9]), u16(443), Buffer.alloc(16, 1), u16(8443), Buffer.from([4]), Buffer.from('a1a2a3a4', 'hex'), Buffer.alloc(16, 0xcd)])),
    param(0x0e, varintOf(8)), param(0x0f, Buffer.from('c0c1c2c3', 'hex')), param(0x10, Buffer.from('d0d1', 'hex')), param(0x20, varintOf(65535)),
    param(0x2ab2, Buffer.alloc(0)), param(0x11, Buffer.from('0000000100000001', 'hex')), param(0x4752, Buffer.from('Chrome/120')),
    param(0x3128, varintOf(1)), param(0x3127, Buffer.from('RVCM')), param(0x3129, Buffer.from('Chrome/120')), param(0xff04de1b, varintOf(1000)),
    param(0x1b, Buffer.from('7777', 'hex')), param(0x7a3f, Buffer.from('55', 'hex')),
  ]);
  const sni = Buffer.from('example.test');
  const extensions = Buffer.concat([
    u16(0), u16(sni.length + 5), u16(sni.length + 3), Buffer.from([0]), u16(sni.length), sni,
    Buffer.from([0, 43, 0, 3, 2, 3, 4]),
    Buffer.from([0, 5, 0, 5, 1, 0, 0, 0, 0]),
    Buffer.from([0, 27, 0, 5, 4, 0, 2, 0, 1]),
    u16(57), u16(params.length), params,
  ]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(extensions.length), extensions]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 255, body.length & 255]), body]);
}

test('QUIC: transport parameters, status_request and compress_certificate as tshark', { skip: NO_TSHARK }, () => {
  const hello = transportParametersHello();
  const file = udpPcap(path.join(tmp, 'transport-parameters.pcap'), [protectedInitial(0, Buffer.concat([Buffer.from([6, 0]), varintOf(hello.length), hello]))]);
  assert.deepEqual(ours(['-r', file, '-V']).split('\n'), tshark(['-r', file, '-V']).split('\n'), '-V');
  assert.equal(ours(['-r', file, '-T', 'json']), tshark(['-r', file, '-T', 'json']), '-T json');
  const fields = ['tls.quic.parameter.type', 'tls.quic.parameter.max_idle_timeout', 'tls.quic.parameter.initial_source_connection_id', 'tls.quic.parameter.preferred_address.ipv6address', 'tls.quic.parameter.vi.chosen_version', 'tls.compress_certificate.algorithm', 'tls.handshake.extensions_status_request_type'];
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  assert.equal(ours(args), tshark(args), 'fields');
});
