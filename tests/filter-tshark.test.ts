/**
 * Display filters agree with tshark's -Y: for every filter below, the frames that
 * `sievecap -r F -Y X -T fields -e frame.number` prints are exactly those that
 * `tshark -r F -n -Y X -T fields -e frame.number` prints (both with their defaults: TCP
 * desegmentation on).
 *
 * F is one pcapng file: corpus captures (HTTP, DNS, DHCP, ICMP, ARP, IPv6, VLAN) and a capture this
 * test makes itself on a veth between two network namespaces (curl ↔ python3 http.server over IPv4
 * and IPv6, ping, ping -6, UDP), concatenated with mergecap so sievecap runs once per filter and
 * tshark once for all of them (a Lua tap Listener per filter, support/agree.ts; a Listener's filter
 * is the display-filter engine -Y uses).
 */
// test-runner: beside the others (its traffic runs between network namespaces of its own; SIGKILL ends a child that ignored SIGINT): scripts/run-tests.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../app/cli/main';
import type { CliIo } from '../app/cli/io';
import { requireCorpusFile } from './support/corpus';
import { tsharkFrameSelections } from './support/agree';
import { createNetnsPair, finished, sleep, waitForStderr } from './support/netns';

/** Files of the shared corpus (support/corpus.ts finds it). */
const CORPUS_FILES = [
  'chrissanders-packets/http_google.pcapng',
  'chrissanders-packets/http_post.pcapng',
  'chrissanders-packets/http_ip4and6.pcapng',
  'chrissanders-packets/http_espn.pcapng',
  'chrissanders-packets/dns_query_response.pcapng',
  'chrissanders-packets/dhcp_nolease_initialization.pcapng',
  'chrissanders-packets/icmp_echo.pcapng',
  'chrissanders-packets/icmp_traceroute.pcapng',
  'chrissanders-packets/icmpv6_neighbor_solicitation.pcapng',
  'chrissanders-packets/arp_resolution.pcapng',
  'chrissanders-packets/tcp_refuseconnection.pcapng',
  'dpkt/examples/data/http.pcap',
  'dpkt/examples/data/dns_icmp.pcap',
  'dpkt/examples/data/nb6-http.pcap',
  'tcpdump/tests/802.1ad_QinQ.pcap',
  'tcpdump/tests/ipv6-routing-header.pcap',
  'tcpdump/tests/dhcpv6-ia-na.pcap',
  'tcpdump/tests/icmp6-rfc8335.pcap',
];

/** Every construct of the language, over fields of every kind. */
const FILTERS = [
  // protocols as presence
  'tcp', 'udp', 'dns', 'http', 'icmp', 'icmpv6', 'arp', 'dhcp', 'ipv6', 'vlan', 'dhcpv6',
  // field presence, and/or/not in both spellings, parentheses, precedence
  'tcp.flags.syn',
  'tcp.options.mss_val',
  '!tcp',
  'not (tcp or udp)',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0',
  'tcp.flags.reset == 1 || tcp.flags.fin == 1',
  'icmp or udp and not dns',
  'not ip.addr == 172.16.16.139',
  // integers: decimal, hex, octal; every operator and its word form
  'tcp.port == 80',
  'tcp.port != 80',
  'tcp.srcport eq 80 and tcp.len gt 0',
  'tcp.dstport >= 1024 && tcp.dstport <= 49151',
  'frame.len < 100',
  'frame.len > 0x200',
  'frame.len le 074',
  'ip.ttl lt 64 and not icmp',
  'tcp.flags == 0x012',
  'eth.type == 0x86dd',
  'ip.proto == 17 and udp.length ge 100',
  'icmp.type == 8',
  'icmpv6.type == 135',
  'arp.opcode == 2',
  'ipv6.nxt ne 58',
  // sets and ranges
  'udp.port in {53, 67, 68}',
  'tcp.port in {1..1023}',
  'http.response.code in {200, 304}',
  'tcp.stream in {0, 1, 5..7}',
  'not tcp.port in {80, 443}',
  // booleans
  'ip.flags.df == 1',
  'dns.flags.response == 0',
  // IPv4 / IPv6 addresses and networks, either-side fields
  'ip.addr == 10.0.0.0/8',
  'ip.addr == 192.168.0.0/16',
  'ip.src == 172.16.16.140',
  'ip.dst != 255.255.255.255',
  'ip.addr != 10.77.0.0/16',
  'ip.src > 192.168.1.0',
  'ip.addr in {10.77.0.0/16, 172.16.16.139}',
  'ipv6.addr == fd77::/16',
  'ipv6.src == 2001:db8:1:2::1002',
  'ipv6.addr == fe80::/10',
  'udp.port == 53 || tcp.port == 8080',
  // MAC addresses
  'eth.addr == ff:ff:ff:ff:ff:ff',
  'eth.dst == ff-ff-ff-ff-ff-ff',
  'eth.src == 00:0c:29:1f:a7:55',
  // strings: ==, contains, matches
  'http.request.method == "GET"',
  'http.request.method == POST',
  'http.request.uri contains "?"',
  'http.host matches "(?i)GOOGLE"',
  'http.user_agent contains "curl"',
  'http.response.code >= 300',
  'dns.qry.name contains "google"',
  'dns.qry.name matches "\\\\.(com|org)$"',
  // bytes and protocol contents
  'tcp.payload contains 47:45:54',
  'frame contains "HTTP/1.1"',
  'udp contains 00:01',
  // field against field, times
  'udp.srcport == udp.dstport',
  'tcp.window_size == 0',
  'frame.time_delta > 0.5',
  // byte slices: [i:j], [i-j], [i], [:j], [i:], negative offsets, several ranges joined; of
  // addresses, strings (their value, not the bytes they were read from), bytes and protocols
  'ip.src[0:2] == ac:10',
  'ip.dst[-1] == 01',
  'ipv6.src[0:2] == fe:80',
  'eth.src[0:3] == 00:21:6a',
  'eth.dst[:3] == 01:00:5e',
  'eth.src[4:] == 7d:4a',
  'eth.src[1-2] == 21:6a',
  'eth.src[0:1,2] == 00:6a',
  'eth.dst[-2:1] == 99',
  'http.host[0:3] == "www"',
  'http.request.method[0:1] == "P"',
  'dns.qry.name[-4:] == ".com"',
  'tcp.payload[0:4] == "GET "',
  'tcp.payload[0:3] == 48:54:54',
  'frame[12:2] == 86:dd',
  'ip[0] == 45',
  'udp[0:2] == 00:35',
  'tcp[13] == 12',
  // (not `ff`: to Wireshark that word is a protocol's name, Foundation Fieldbus, never present)
  'frame[0:6] contains 21',
  'http.user_agent[0:4] matches "^cu"',
  'eth.src[0:3] > 00:20:00',
  'ip.src[3:2]',
  'ip.src[3:]',
];

const TSHARK_VERSION = (() => {
  try {
    return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!;
  } catch {
    return undefined;
  }
})();

/** Captures curl/http.server, ping, ping -6 and UDP on a veth between two namespaces with tcpdump. */
async function makeNetnsCapture(file: string): Promise<void> {
  const net = createNetnsPair();
  const started: ReturnType<typeof spawn>[] = [];
  try {
    const dump = net.spawn(net.nsB, ['tcpdump', '-i', net.vethB, '--immediate-mode', '-U', '-n', '-w', file]);
    started.push(dump);
    await waitForStderr(dump, /listening on/);
    const server = net.spawn(net.nsB, ['python3', '-m', 'http.server', '8080', '--bind', '::', '--directory', os.tmpdir()]);
    started.push(server);
    // Wait until the server answers (bounded).
    for (let k = 0; k < 50; k++) {
      try {
        net.exec(net.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '1', `http://${net.ipB}:8080/`]);
        break;
      } catch {
        await sleep(100);
      }
    }
    net.exec(net.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', '-A', 'curl-sievecap-test', `http://${net.ipB}:8080/?q=filter&x=1`]);
    net.exec(net.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://[${net.ip6B}]:8080/missing-page`]);
    net.exec(net.nsA, ['ping', '-c', '3', '-i', '0.2', '-W', '1', net.ipB]);
    net.exec(net.nsA, ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '1', net.ip6B]);
    // UDP: a few datagrams to a closed port (the ICMP port-unreachable replies are traffic too),
    // and a DNS query to port 53, where nothing listens.
    const udpScript = [
      'import socket, sys',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      'for i in range(3): s.sendto(b"sievecap filter test %d" % i, (sys.argv[1], 9999))',
      'q = bytes.fromhex("abcd01000001000000000000") + b"\\x07example\\x03org\\x00" + bytes.fromhex("00010001")',
      's.sendto(q, (sys.argv[1], 53))',
    ].join('\n');
    net.exec(net.nsA, ['python3', '-c', udpScript, net.ipB]);
    await sleep(300);
  } finally {
    for (const child of started.reverse()) {
      const done = finished(child);
      child.kill('SIGINT');
      await Promise.race([done, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    net.destroy();
  }
}

async function sievecapFrames(file: string, filter: string): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += t),
    error: (t) => void (err += t + '\n'),
    interfaceName: () => undefined,
    onOutputClosed: () => undefined,
  };
  const code = await main(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], io);
  if (code !== 0) throw new Error(`sievecap -Y '${filter}' failed (${code}): ${err}`);
  return out;
}

function tsharkFrames(file: string, filter: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`tshark -Y '${filter}' failed (${code}): ${err}`))));
  });
}

const numbers = (text: string): number[] => text.split('\n').filter(Boolean).map(Number);

test(`display filters select the same frames as tshark -Y (${TSHARK_VERSION ?? 'tshark missing'})`, async (t) => {
  assert.ok(TSHARK_VERSION, 'tshark is needed for this test (apt-get install tshark)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-filter-'));
  try {
    const inputs: string[] = [];
    for (const rel of CORPUS_FILES) inputs.push(requireCorpusFile(rel));
    const live = path.join(dir, 'netns.pcap');
    await makeNetnsCapture(live);
    inputs.push(live);
    const merged = path.join(dir, 'merged.pcapng');
    execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...inputs], { stdio: ['ignore', 'ignore', 'pipe'] });
    // One tshark run answers every filter (support/agree.ts: a Lua tap Listener per filter).
    const selections = tsharkFrameSelections(merged, FILTERS);
    const total = selections.lines.length;
    const liveCount = numbers(await tsharkFrames(live, 'frame')).length;
    t.diagnostic(`${inputs.length - 1} corpus files + a netns capture of ${liveCount} frames = ${total} frames`);
    assert.ok(liveCount >= 20, `the namespace capture holds only ${liveCount} frames`);
    const expected = new Map(FILTERS.map((f, k) => [f, selections.frames[k]!]));
    const disagreements: string[] = [];
    let matchedSomething = 0;
    for (const filter of FILTERS) {
      const ours = numbers(await sievecapFrames(merged, filter));
      const theirs = expected.get(filter)!;
      if (theirs.length > 0) matchedSomething++;
      const only = (a: number[], b: number[]) => a.filter((n) => !b.includes(n)).slice(0, 10);
      if (ours.join() !== theirs.join()) {
        disagreements.push(`${filter}: sievecap ${ours.length}, tshark ${theirs.length}; only sievecap: [${only(ours, theirs)}], only tshark: [${only(theirs, ours)}]`);
      }
      t.diagnostic(`${ours.join() === theirs.join() ? 'agree' : 'DIFFER'} ${String(theirs.length).padStart(5)} frames  ${filter}`);
    }
    t.diagnostic(`${FILTERS.length - disagreements.length}/${FILTERS.length} filters agree exactly with ${TSHARK_VERSION}; ${matchedSomething} of them match at least one frame`);
    assert.deepEqual(disagreements, []);
    assert.ok(matchedSomething >= FILTERS.length - 5, 'most filters should select something, or the comparison says little');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
