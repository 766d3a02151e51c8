/**
 * ICMP errors and IPv6 neighbour discovery as tshark 4.0 shows them, byte for byte in -V and
 * -T json: an error's Unused/Pointer/MTU words, the datagram it quotes (the TTL note, a total
 * length longer than the quote, a TCP header cut after 8 bytes, an echo request's Data inside its
 * tree, the checksum "[in ICMP error packet]", no conversation times, a zero UDP checksum over IPv6
 * "ignored"), and Router/Neighbor Solicitation and Advertisement, Redirect and their options
 * (flags with their bit lines, "ICMPv6 Option (… : value)", prefix flags), SLAAC MAC addresses in
 * the IPv6 header, Parameter Problem's code names; MLD v1 and v2 queries and reports behind a
 * Hop-by-Hop Router Alert (tcpdump -v prints the v2 group records, -vv their sources).
 *
 * Three sources: corpus traceroutes through MPLS networks (ICMP extensions, MPLS over UDP), frames this test builds (every message kind, deterministic), and traffic made in
 * network namespaces and captured by tcpdump (traceroute-style probes with TTL/hop limit 1 through
 * a forwarding peer, UDP to a closed port over IPv4 and IPv6, the neighbour discovery Linux does).
 * The tcpdump-style lines of both (-v prints neighbour discovery's options, -vv their bytes) are
 * compared with tcpdump's. Needs root, tcpdump, tshark, ping and python3.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, waitForStderr, type NetnsPair } from './support/netns';
import { writePcap } from './support/frames';
import { sievecap } from './support/sievecap';
import { requireCorpusFile } from './support/corpus';

const tool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const MISSING = ['tshark', 'tcpdump', 'python3', 'ping'].filter((t) => !tool(t));
const NO_TOOLS = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tshark tcpdump python3 iputils-ping)` : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

// ---- frames --------------------------------------------------------------------------------------

function checksum(...parts: Buffer[]): number {
  const b = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function v6(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g, 16), k * 2));
  return out;
}

const v4 = (text: string): Buffer => Buffer.from(text.split('.').map(Number));
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

const MAC_A = Buffer.from('000c292f8031', 'hex');
const MAC_B = Buffer.from('000c291fa755', 'hex');

function ipv6(src: string, dst: string, next: number, payload: Buffer, hlim = 255): Buffer {
  return Buffer.concat([u32(0x60000000), u16(payload.length), Buffer.from([next, hlim]), v6(src), v6(dst), payload]);
}

function icmp6(src: string, dst: string, type: number, code: number, body: Buffer, hlim = 255): Buffer {
  const msg = Buffer.concat([Buffer.from([type, code, 0, 0]), body]);
  msg.writeUInt16BE(checksum(v6(src), v6(dst), u32(msg.length), u32(58), msg), 2);
  return Buffer.concat([Buffer.from('333300000001', 'hex'), MAC_A, u16(0x86dd), ipv6(src, dst, 58, msg, hlim)]);
}

/** An MLD message as Linux sends one: hop limit 1, a Hop-by-Hop header with Router Alert (MLD) and PadN. */
function mld(src: string, dst: string, type: number, body: Buffer): Buffer {
  const msg = Buffer.concat([Buffer.from([type, 0, 0, 0]), body]);
  msg.writeUInt16BE(checksum(v6(src), v6(dst), u32(msg.length), u32(58), msg), 2);
  const hbh = Buffer.from([58, 0, 5, 2, 0, 0, 1, 0]);
  return Buffer.concat([Buffer.from('333300000016', 'hex'), MAC_A, u16(0x86dd), ipv6(src, dst, 0, Buffer.concat([hbh, msg]), 1)]);
}

function ipv4(src: string, dst: string, proto: number, payload: Buffer, ttl = 64): Buffer {
  const h = Buffer.concat([Buffer.from([0x45, 0]), u16(20 + payload.length), u16(1), u16(0), Buffer.from([ttl, proto]), u16(0), v4(src), v4(dst)]);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

function icmp4(type: number, code: number, rest: Buffer, body: Buffer): Buffer {
  const m = Buffer.concat([Buffer.from([type, code, 0, 0]), rest, body]);
  m.writeUInt16BE(checksum(m), 2);
  return m;
}

const eth4 = (packet: Buffer): Buffer => Buffer.concat([MAC_B, MAC_A, u16(0x0800), packet]);
const linkAddress = (type: number, mac: Buffer): Buffer => Buffer.concat([Buffer.from([type, 1]), mac]);

/** Every kind of message the dissectors treat apart, built the way the RFCs lay them out. */
function builtFrames(): Buffer[] {
  const a = 'fe80::20c:29ff:fe2f:8031';
  const r = 'fe80::1';
  const prefix = Buffer.concat([Buffer.from([3, 4, 64, 0xc0]), u32(86400), u32(14400), u32(0), v6('2001:db8:1::')]);
  const mtu = Buffer.concat([Buffer.from([5, 1, 0, 0]), u32(1500)]);
  const quoted6 = ipv6(a, '2001:db8:9::9', 17, Buffer.concat([u16(40000), u16(33435), u16(16), u16(0), Buffer.from('12345678')]), 1);
  const udp = Buffer.concat([u16(40000), u16(33435), u16(16), u16(0), Buffer.from('abcdefgh')]);
  const quoted4 = ipv4('10.0.0.2', '10.9.9.9', 17, udp, 1);
  const tcp = Buffer.concat([u16(40000), u16(80), u32(1000), u32(0), Buffer.from([0x50, 0x02]), u16(65535), u16(0), u16(0)]);
  const echo = icmp4(8, 0, Buffer.concat([u16(5), u16(1)]), Buffer.from('xxxxxxxx'));
  const record = (type: number, group: string, sources: string[], aux: Buffer): Buffer =>
    Buffer.concat([Buffer.from([type, aux.length / 4]), u16(sources.length), v6(group), ...sources.map(v6), aux]);
  return [
    // MLD: v1 query, report and done; v2 queries (sources, flags, the exponential codes); v2
    // reports (record types, sources, auxiliary data; one claiming more records than it holds).
    mld(a, 'ff02::1', 130, Buffer.concat([u16(10000), u16(0), v6('::')])),
    mld(a, 'ff02::1:ff11:2', 131, Buffer.concat([u16(0), u16(0), v6('ff02::1:ff11:2')])),
    mld(a, 'ff02::2', 132, Buffer.concat([u16(0), u16(0), v6('ff02::1:ff11:2')])),
    mld(a, 'ff02::1', 130, Buffer.concat([u16(10000), u16(0), v6('ff05::1:3'), Buffer.from([0x0a, 125]), u16(2), v6('2001:db8::1'), v6('2001:db8::2')])),
    mld(a, 'ff02::1', 130, Buffer.concat([u16(0x8123), u16(0), v6('::'), Buffer.from([0x02, 0x85]), u16(0)])),
    mld(a, 'ff02::16', 143, Buffer.concat([u16(0), u16(3), record(4, 'ff02::1:ff9d:3d85', [], Buffer.alloc(0)),
      record(1, 'ff05::fb', ['2001:db8::5'], Buffer.from('deadbeef', 'hex')), record(6, 'ff0e::123', ['2001:db8::7', '2001:db8::8'], Buffer.alloc(0))])),
    mld(a, 'ff02::16', 143, Buffer.concat([u16(0), u16(2), record(2, 'ff02::fb', [], Buffer.alloc(0))])),
    icmp6(a, 'ff02::2', 133, 0, Buffer.concat([Buffer.alloc(4), linkAddress(1, MAC_A)])),
    icmp6(r, 'ff02::1', 134, 0, Buffer.concat([Buffer.from([64, 0x48]), u16(1800), u32(30000), u32(1000), linkAddress(1, MAC_A), mtu, prefix])),
    icmp6(r, 'ff02::1', 134, 0, Buffer.concat([Buffer.from([0, 0xa4]), u16(0), u32(0), u32(0), prefix])),
    icmp6(a, 'ff02::1:ff00:1', 135, 0, Buffer.concat([Buffer.alloc(4), v6('2001:db8:1::1'), linkAddress(1, MAC_A)])),
    icmp6(r, a, 136, 0, Buffer.concat([u32(0xe0000000), v6('2001:db8:1::1'), linkAddress(2, MAC_A)])),
    icmp6(r, a, 136, 0, Buffer.concat([u32(0x80000000), v6('2001:db8:1::1')])),
    icmp6(r, a, 137, 0, Buffer.concat([Buffer.alloc(4), v6('fe80::2'), v6('2001:db8:9::9'), linkAddress(2, MAC_A)])),
    icmp6(r, a, 1, 4, Buffer.concat([Buffer.alloc(4), quoted6])),
    icmp6(r, a, 2, 0, Buffer.concat([u32(1280), quoted6])),
    icmp6(r, a, 3, 0, Buffer.concat([Buffer.alloc(4), quoted6])),
    icmp6(r, a, 4, 0, Buffer.concat([u32(6), quoted6])),
    icmp6(r, a, 4, 1, Buffer.concat([u32(40), quoted6])),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(11, 0, Buffer.alloc(4), quoted4))),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(3, 3, Buffer.alloc(4), quoted4))),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(3, 4, Buffer.concat([u16(0), u16(1400)]), quoted4))),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(12, 0, Buffer.from([8, 0, 0, 0]), quoted4))),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(3, 1, Buffer.alloc(4), ipv4('10.0.0.2', '10.9.9.9', 6, tcp, 3).subarray(0, 28)))),
    eth4(ipv4('10.0.0.1', '10.0.0.2', 1, icmp4(11, 0, Buffer.alloc(4), ipv4('10.0.0.2', '10.9.9.9', 1, echo, 1)))),
  ];
}

// ---- runs ------------------------------------------------------------------------------------------

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(args);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

/** Per frame, the first line that differs (at most `limit` frames), for a readable failure. */
function firstDifferences(a: string, b: string, limit = 6): string[] {
  const split = (s: string) => s.split(/\n(?=Frame \d+: )/);
  const fa = split(a);
  const fb = split(b);
  const out: string[] = [];
  for (let k = 0; k < Math.max(fa.length, fb.length) && out.length < limit; k++) {
    const la = (fa[k] ?? '').split('\n');
    const lb = (fb[k] ?? '').split('\n');
    const at = la.findIndex((line, i) => line !== lb[i]);
    if (at >= 0 || la.length !== lb.length) {
      const i = at >= 0 ? at : Math.min(la.length, lb.length);
      out.push(`frame ${k + 1}, line ${i + 1}: ours ${JSON.stringify(la[i])} tshark ${JSON.stringify(lb[i])}`);
    }
  }
  return out;
}

function sameAsTshark(file: string, args: string[], what: string, resolve = false): number {
  // Without -n both resolve MAC names (Wireshark's manuf): "VMware_2f:80:31 (00:0c:29:2f:80:31)".
  const n = resolve ? [] : ['-n'];
  const a = ours([...n, '-r', file, ...args]);
  const b = tshark([...n, '-r', file, ...args]);
  assert.deepEqual(firstDifferences(a, b), [], `${what}: frames whose output differs from tshark's`);
  assert.equal(a, b, what);
  return a.split('\n').length;
}

/** The tcpdump-style lines (the default output) against tcpdump's own: the options of neighbour discovery with -v, their bytes with -vv. */
function sameAsTcpdump(file: string): void {
  for (const v of [[], ['-v'], ['-vv']]) {
    const r = spawnSync('tcpdump', ['-n', ...v, '-r', file], { encoding: 'utf8' });
    assert.equal(ours(['-n', ...v, '-r', file]), r.stdout, `tcpdump -n ${v.join(' ')} on ${path.basename(file)}`);
  }
}

const FIELDS = [
  'frame.number', 'icmp.unused', 'icmp.pointer', 'icmp.mtu', 'ip.ttl', 'ip.checksum', 'icmpv6.reserved', 'icmpv6.code',
  'icmpv6.nd.ra.flag.prf', 'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o', 'icmpv6.opt.prefix.flag.a', 'icmpv6.opt.linkaddr',
  'ipv6.src_slaac_mac', 'ipv6.dst_slaac_mac', 'udp.checksum.status', 'tcp.seq', 'data.len', 'frame.protocols',
  'ipv6.opt.router_alert', 'ipv6.opt.padn', 'icmpv6.mld.maximum_response_code', 'icmpv6.mld.flag.s', 'icmpv6.mld.qqi',
  'icmpv6.mld.source_address', 'icmpv6.mldr.mar.record_type', 'icmpv6.mldr.mar.source_address', 'icmpv6.mldr.mar.auxiliary_data',
];

describe('ICMP errors and IPv6 neighbour discovery agree with tshark', { skip: NO_TOOLS || NOT_ROOT }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-icmp-errors-'));
  const built = path.join(tmp, 'built.pcap');
  const live = path.join(tmp, 'live.pcap');
  let pair: NetnsPair | undefined;

  before(async () => {
    writePcap(built, builtFrames());
    pair = createNetnsPair();
    const p = pair;
    // B forwards (towards networks nobody has): a probe with TTL / hop limit 1 gets Time Exceeded.
    p.exec(p.nsB, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    p.exec(p.nsB, ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    p.exec(p.nsA, ['ip', 'route', 'add', '10.99.0.0/24', 'via', p.ipB]);
    p.exec(p.nsA, ['ip', '-6', 'route', 'add', 'fd99::/64', 'via', p.ip6B]);
    // B's route for them leads back to A, so B forwards (and first checks the TTL) instead of
    // answering Net Unreachable.
    p.exec(p.nsB, ['ip', 'route', 'add', '10.99.0.0/24', 'via', p.ipA]);
    p.exec(p.nsB, ['ip', '-6', 'route', 'add', 'fd99::/64', 'via', p.ip6A]);
    // ping exits 1 when nothing answers; what matters is what it sent and got.
    const probe = (args: string[]): void => void spawnSync('ip', ['netns', 'exec', p.nsA, 'ping', ...args], { timeout: 10_000 });
    const td = p.spawn(p.nsA, ['tcpdump', '--immediate-mode', '-U', '-c', '60', '-i', p.vethA, '-w', live, 'icmp or icmp6 or udp']);
    const done = finished(td);
    await waitForStderr(td, /listening on/);
    probe(['-c', '2', '-i', '0.05', '-t', '1', '-W', '1', '10.99.0.1']);
    probe(['-6', '-c', '2', '-i', '0.05', '-t', '1', '-W', '1', 'fd99::1']);
    // UDP to a port nobody listens on: Port Unreachable over IPv4 and IPv6.
    p.exec(p.nsA, ['python3', '-c', [
      'import socket, time',
      `for fam, host in ((socket.AF_INET, '${p.ipB}'), (socket.AF_INET6, '${p.ip6B}')):`,
      '    s = socket.socket(fam, socket.SOCK_DGRAM)',
      '    for k in range(2):',
      `        s.sendto(b'probe' + bytes([k]) * 20, (host, 33435 + k))`,
      '        time.sleep(0.05)',
    ].join('\n')], 10_000);
    const timer = setTimeout(() => td.kill('SIGINT'), 3000);
    await done;
    clearTimeout(timer);
  });

  after(() => {
    pair?.destroy();
    if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('built frames: -V and -T json byte for byte, and the fields', () => {
    const lines = sameAsTshark(built, ['-V'], '-V on built frames') + sameAsTshark(built, ['-T', 'json'], '-T json on built frames');
    sameAsTshark(built, ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])], '-T fields on built frames');
    sameAsTshark(built, ['-T', 'text'], 'summary lines on built frames');
    // Expert info inside a quoted datagram shows in the tree but is not counted (in_error_pkt).
    sameAsTshark(built, ['-q', '-z', 'expert'], '-z expert on built frames');
    sameAsTshark(built, ['-V'], '-V on built frames with name resolution', true);
    sameAsTcpdump(built);
    console.log(`built: ${builtFrames().length} frames, ${lines} lines equal`);
  });

  test('corpus traceroutes: RFC 4884 lengths (one past the message: malformed), extensions (MPLS stack, interface information), MPLS over UDP', () => {
    let lines = 0;
    for (const name of ['tcpdump/tests/mpls-traceroute.pcap', 'tcpdump/tests/icmp-rfc5837.pcap', 'tcpdump/tests/mpls-over-udp.pcap']) {
      const file = requireCorpusFile(name);
      lines += sameAsTshark(file, ['-V'], `-V on ${name}`) + sameAsTshark(file, ['-T', 'json'], `-T json on ${name}`);
    }
    // Time Exceeded whose RFC 4884 length points past the message (its payload over 136 bytes, the
    // quoted datagram under 128): tshark ends it "[Malformed Packet]" after the quote (frames 26, 28, 30).
    const traceroute = requireCorpusFile('chrissanders-packets/icmp_traceroute.pcapng');
    lines += sameAsTshark(traceroute, ['-V'], '-V on icmp_traceroute.pcapng') + sameAsTshark(traceroute, ['-T', 'text'], 'summary lines on icmp_traceroute.pcapng');
    sameAsTshark(traceroute, ['-q', '-z', 'expert'], '-z expert on icmp_traceroute.pcapng');
    console.log(`corpus: ${lines} lines equal`);
  });

  test('traffic made in namespaces: -V and -T json byte for byte', () => {
    const rows = ours(['-n', '-r', live, '-T', 'fields', '-e', 'icmp.type', '-e', 'icmpv6.type']).trim().split('\n').map((l) => l.split('\t').map((v) => v.split(',')[0]!));
    const v4 = new Set(rows.map((r) => r[0]).filter(Boolean));
    const v6 = new Set(rows.map((r) => r[1]).filter(Boolean));
    // Time Exceeded and Port Unreachable over both, and IPv6's neighbour discovery.
    for (const type of ['11', '3']) assert.ok(v4.has(type), `the capture has ICMP type ${type} (${[...v4].join(', ')})`);
    for (const type of ['3', '1', '135', '136']) assert.ok(v6.has(type), `the capture has ICMPv6 type ${type} (${[...v6].join(', ')})`);
    const lines = sameAsTshark(live, ['-V'], '-V on live traffic') + sameAsTshark(live, ['-T', 'json'], '-T json on live traffic');
    sameAsTshark(live, ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])], '-T fields on live traffic');
    sameAsTshark(live, ['-q', '-z', 'expert'], '-z expert on live traffic');
    sameAsTcpdump(live);
    console.log(`live: ${rows.length} frames (ICMP ${[...v4].join(', ')}; ICMPv6 ${[...v6].join(', ')}), ${lines} lines equal`);
  });
});
