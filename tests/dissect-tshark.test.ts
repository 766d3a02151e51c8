/**
 * Our dissectors against tshark (the reference) on the same files: corpus captures of the link,
 * network and transport protocols, and a capture this test makes itself on `lo` inside a fresh
 * network namespace (ping, ping -6, curl ↔ python3 -m http.server, UDP). Prints per-field
 * agreement and the mismatches; asserts ≥ 99.5% on the fields we claim.
 */
// test-runner: beside the others (its `lo` and loopback addresses are a network namespace's own): scripts/run-tests.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareFile, tsharkVersion, type Comparison } from '../app/cli/tshark/compare';
import { CaptureReader } from '../app/pcap/reader';
import { requireCorpusDir } from './support/corpus';

/** Fields whose values depend only on the link/network/transport dissectors. */
export const CLAIMED_FIELDS = `
frame.number frame.len frame.cap_len frame.time_epoch frame.time_relative frame.time_delta frame.encap_type
eth.dst eth.src eth.addr eth.type eth.lg eth.ig eth.dst.lg eth.src.ig eth.padding eth.trailer eth.len eth.fcs
vlan.id vlan.priority vlan.dei vlan.etype sll.pkttype sll.hatype sll.halen sll.src.eth sll.etype sll.ifindex null.family
arp.hw.type arp.proto.type arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4
ip.version ip.hdr_len ip.dsfield ip.dsfield.dscp ip.dsfield.ecn ip.len ip.id ip.flags ip.flags.rb ip.flags.df ip.flags.mf
ip.frag_offset ip.ttl ip.proto ip.checksum ip.checksum.status ip.src ip.dst ip.addr ip.host ip.fragment ip.fragment.count ip.reassembled.length
ipv6.version ipv6.tclass ipv6.flow ipv6.plen ipv6.nxt ipv6.hlim ipv6.src ipv6.dst ipv6.addr ipv6.fraghdr.offset ipv6.fraghdr.more
ipv6.fraghdr.ident ipv6.hopopts.nxt ipv6.opt.type ipv6.routing.type ipv6.fragment
icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq icmp.seq_le
icmpv6.type icmpv6.code icmpv6.checksum icmpv6.checksum.status icmpv6.echo.identifier icmpv6.echo.sequence_number
icmpv6.nd.ns.target_address icmpv6.nd.na.flag icmpv6.opt.type icmpv6.opt.linkaddr
tcp.srcport tcp.dstport tcp.port tcp.stream tcp.len tcp.seq tcp.seq_raw tcp.nxtseq tcp.ack tcp.ack_raw tcp.hdr_len tcp.flags
tcp.flags.syn tcp.flags.ack tcp.flags.fin tcp.flags.reset tcp.flags.push tcp.flags.str tcp.window_size_value tcp.window_size
tcp.window_size_scalefactor tcp.checksum tcp.checksum.status tcp.urgent_pointer tcp.options tcp.option_kind tcp.option_len
tcp.options.mss_val tcp.options.wscale.shift tcp.options.wscale.multiplier tcp.options.timestamp.tsval tcp.options.timestamp.tsecr
tcp.payload tcp.time_relative tcp.time_delta
udp.srcport udp.dstport udp.port udp.length udp.checksum udp.checksum.status udp.stream udp.payload udp.time_relative
vxlan.vni gre.proto gre.flags_and_version
`.split(/\s+/).filter(Boolean);

/** Reported, not asserted: they also depend on the application dissectors and TCP reassembly. */
const INFORMATIONAL = ['frame.protocols', 'data.data', 'data.len', 'tcp.completeness'];

/** Folders of the shared corpus (support/corpus.ts finds it) whose captures are compared. */
const CORPUS_FILES = [
  'chrissanders-packets', 'lwerdna-filesamples', 'dpkt/examples/data', 'gopacket/layers', 'gopacket/pcapgo', 'libpcap/tests/filter',
];
/** Link types these dissectors decode; files of other link types are not compared. */
const SUPPORTED_LINKTYPES = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

function report(title: string, result: Comparison, fields: readonly string[]): number {
  let equal = 0;
  let total = 0;
  console.log(`\n${title} (${result.packets} packets) against ${tsharkVersion()}`);
  for (const f of fields) {
    const a = result.perField.get(f);
    if (!a || a.total === 0) continue;
    equal += a.equal;
    total += a.total;
    if (a.equal !== a.total) console.log(`  ${f}: ${a.equal}/${a.total}`);
  }
  const shown = new Map<string, number>();
  for (const m of result.mismatches) {
    const n = shown.get(m.field) ?? 0;
    if (n >= 3) continue;
    shown.set(m.field, n + 1);
    console.log(`  mismatch ${path.basename(m.file)}#${m.frame} ${m.field}: ours=${JSON.stringify(m.ours.slice(0, 80))} tshark=${JSON.stringify(m.tshark.slice(0, 80))}`);
  }
  const pct = total ? (100 * equal) / total : 100;
  console.log(`  agreement on ${fields.length} fields: ${equal}/${total} = ${pct.toFixed(3)}%`);
  return pct;
}

/** A capture's link type (-1 if unreadable) and whether it ends in a damaged record. */
function inspect(file: string): { linkType: number; damaged: boolean } {
  try {
    const reader = CaptureReader.open(file);
    const first = reader.next();
    while (reader.next());
    const damaged = reader.error !== null;
    reader.close();
    return { linkType: first ? first.linkType : -1, damaged };
  } catch {
    return { linkType: -1, damaged: true };
  }
}

function requireTshark(): void {
  assert.ok(tsharkVersion(), 'tshark is not installed: install it (apt-get install tshark) to compare dissection with the reference');
}

test('corpus captures agree with tshark on the link/network/transport fields', { timeout: 600_000 }, () => {
  requireTshark();
  const corpus = requireCorpusDir();
  const files: string[] = [];
  /** Captures cut short in a record: mergecap refuses them, so each is compared on its own. */
  const damaged: string[] = [];
  let skipped = 0;
  for (const dir of CORPUS_FILES) {
    const full = path.join(corpus, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full).sort()) {
      if (!/\.(pcap|pcapng|cap)$/.test(name)) continue;
      const file = path.join(full, name);
      const { linkType, damaged: cut } = inspect(file);
      if (!SUPPORTED_LINKTYPES.has(linkType)) skipped++;
      else (cut ? damaged : files).push(file);
    }
  }
  assert.ok(files.length > 50, `only ${files.length} corpus captures with a supported link type were found in ${corpus}`);
  // One file for both tools (mergecap -a: the captures one after another, each keeping its link
  // type as an interface of its own): one tshark start instead of one per capture, which was most
  // of this test's time. Stream numbers and TCP analysis run on across the captures, alike on both sides.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-dissect-corpus-'));
  try {
    const merged = path.join(dir, 'corpus.pcapng');
    run('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...files]);
    const fields = [...CLAIMED_FIELDS, ...INFORMATIONAL];
    let result = compareFile(merged, fields);
    assert.equal(result.skipped, undefined, result.skipped);
    for (const file of damaged) result = compareFile(file, fields, result);
    console.log(`\ncompared ${files.length} corpus files as one and ${damaged.length} damaged ones apart (${skipped} of other link types not compared)`);
    report('informational fields', result, INFORMATIONAL);
    const pct = report('corpus: claimed fields', result, CLAIMED_FIELDS);
    assert.ok(result.packets > 1000, `only ${result.packets} packets compared`);
    assert.ok(pct >= 99.5, `agreement ${pct.toFixed(3)}% is below 99.5%`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

test('a capture made here (ping, ping -6, HTTP, UDP on lo in a netns) agrees with tshark', { timeout: 120_000 }, async () => {
  requireTshark();
  for (const tool of ['ip', 'tcpdump', 'curl', 'python3', 'ping']) {
    assert.equal(spawnSync('which', [tool]).status, 0, `${tool} is needed for the self-made capture; install it`);
  }
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root: run this test as root');
  const ns = `sv-dissect-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-dissect-'));
  const file = path.join(dir, 'lo.pcap');
  run('ip', ['netns', 'add', ns]);
  const children: Array<ReturnType<typeof spawn>> = [];
  try {
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    // --immediate-mode: without it, packets of the ring block not yet retired (up to tcpdump's 1 s
    // timeout) are lost when it is interrupted; on a loaded machine that was all of HTTP and UDP.
    const dump = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'lo', '--immediate-mode', '-U', '-w', file, '-c', '400'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(dump);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('tcpdump did not start within 10 s')), 10_000);
      dump.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const server = spawn('ip', ['netns', 'exec', ns, 'python3', '-m', 'http.server', '18080', '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
    children.push(server);
    run('ip', ['netns', 'exec', ns, 'ping', '-c', '3', '-i', '0.2', '-s', '100', '127.0.0.1']);
    run('ip', ['netns', 'exec', ns, 'ping', '-6', '-c', '3', '-i', '0.2', '::1']);
    run('ip', ['netns', 'exec', ns, 'ping', '-c', '2', '-s', '3000', '127.0.0.1']);
    // The server's start-up is slow on a loaded machine: try for up to 20 s (bounded).
    for (let i = 0; i < 200; i++) {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '-o', '/dev/null', '--max-time', '2', 'http://127.0.0.1:18080/']);
      if (r.status === 0) break;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    run('ip', ['netns', 'exec', ns, 'python3', '-c',
      "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(5): s.sendto(b'hello %d'%i,('127.0.0.1',9999))\ns6=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\ns6.sendto(b'x'*40,('::1',9998))"]);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    for (const c of children.reverse()) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    spawnSync('ip', ['netns', 'del', ns]);
  }
  const fields = [...CLAIMED_FIELDS, ...INFORMATIONAL];
  const result = compareFile(file, fields);
  assert.ok(result.packets >= 20, `only ${result.packets} packets were captured`);
  report('self-made capture: informational fields', result, INFORMATIONAL);
  const pct = report('self-made capture: claimed fields', result, CLAIMED_FIELDS);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(pct >= 99.5, `agreement ${pct.toFixed(3)}% is below 99.5%`);
});
