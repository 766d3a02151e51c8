/**
 * The tcpdump flags of a first hour (issue 15): -x/-xx/-X/-XX/-A/-AA, -#, -S, -K, -N, -O, -Q,
 * -L, -I, `-r -` and -vv/-vvv on DNS (sections, EDNS options, cookies, TTLs), compared byte for byte with what tcpdump prints for the same input: corpus
 * files of several link types (Ethernet, Linux cooked, BSD loopback, raw IP), IPv6, truncated
 * records and non-IP frames, and a live capture on a veth pair of the test's own namespaces.
 *
 * Fast on purpose: every sievecap run over files goes through one Node process
 * (support/cli-batch-child.ts), and the tcpdump runs go in parallel.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { requireCorpusFile } from './support/corpus';
import { SIEVECAP } from './support/sievecap';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import type { CliRun } from './support/cli-batch-child';

const CHILD = path.join(__dirname, 'support', 'cli-batch-child.js');
const ENV = { ...process.env, TZ: 'UTC' };

interface Ran {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[], input?: Buffer): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

/** `sievecap ARGS` for each list, in one Node process (the CLI's own main, output included). */
async function sievecapBatch(runs: string[][]): Promise<CliRun[]> {
  const r = await run(process.execPath, ['--single-threaded', CHILD], Buffer.from(JSON.stringify(runs)));
  assert.equal(r.status, 0, `the CLI batch failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')) as CliRun[];
}

/** tcpdump's stdout, as sievecap's batch child gives it (UTF-8 text). */
async function tcpdump(args: string[]): Promise<string> {
  const r = await run('tcpdump', args);
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

// Files on which sievecap's plain lines already equal tcpdump's, so that every difference below
// is one of the flags'.
const FILES: Record<string, string> = {
  ethernetHttp: 'tcpdump/tests/print-flags.pcap',
  ethernetHttpNg: 'chrissanders-packets/http_google.pcapng',
  ipv6: 'chrissanders-packets/http_ip4and6.pcapng',
  ipv6Fragments: 'chrissanders-packets/ipv6_fragments.pcapng',
  linuxCooked: 'tcpdump/tests/tcp-handshake-nano.pcap',
  bsdLoopback: 'tcpdump/tests/quic_handshake.pcap',
  rawIpv6: 'tcpdump/tests/LINKTYPE_IPV6.pcap',
  // Records cut short: by the file's snapshot length (libpcap cuts to it), inside the IPv4 and
  // IPv6 headers (tcpdump's `goto trunc`: the dump still starts after the link header).
  cutToSnapLen: 'tcpdump/tests/extract_read2_asan.pcap',
  truncatedIpv4: 'tcpdump/tests/ipv4_invalid_length.pcap',
  truncatedIpv6: 'tcpdump/tests/ipv6_39_byte_header.pcap',
  arp: 'chrissanders-packets/arp_resolution.pcapng',
  qinq: 'tcpdump/tests/802.1ad_QinQ.pcap',
  unknownEthertype: 'tcpdump/tests/decnet-oobr.pcap',
  // Bad checksums that -v reports and -K does not look for.
  badChecksums: 'tcpdump/tests/accecn_handshake.pcap',
};

const FLAG_SETS: string[][] = [
  ['-x'], ['-xx'], ['-X'], ['-XX'], ['-A'], ['-AA'],
  ['-#'], ['-S'], ['-O'], ['-N', '-t'], ['-e', '-X'], ['-q', '-XX'], ['-#', '-A', '-tttt'],
];
/** -v needs decoders that -v on every file above does not yet match: these files it does. */
const VERBOSE_FILES = ['ethernetHttp', 'ethernetHttpNg', 'ipv6', 'linuxCooked', 'bsdLoopback', 'truncatedIpv4'];
const VERBOSE_FLAG_SETS: string[][] = [['-v', '-x'], ['-vv', '-XX']];

describe('tcpdump flags on corpus files: sievecap prints what tcpdump 4.99 prints', () => {
  test('each flag set on each file, byte for byte', async () => {
    const cases: Array<{ file: string; args: string[] }> = [];
    for (const relative of Object.values(FILES)) {
      const file = requireCorpusFile(relative);
      for (const flags of FLAG_SETS) cases.push({ file, args: ['-n', '-r', file, ...flags] });
    }
    for (const name of VERBOSE_FILES) {
      const file = requireCorpusFile(FILES[name]!);
      for (const flags of VERBOSE_FLAG_SETS) cases.push({ file, args: ['-n', '-r', file, ...flags] });
    }
    const bad = requireCorpusFile(FILES.badChecksums!);
    for (const flags of [['-v'], ['-v', '-K'], ['-vv', '-K'], ['-vvv', '--dont-verify-checksums', '-X']]) cases.push({ file: bad, args: ['-n', '-r', bad, ...flags] });
    const [ours, ...theirs] = await Promise.all([sievecapBatch(cases.map((c) => c.args)), ...cases.map((c) => tcpdump(c.args))]);
    cases.forEach((c, i) => {
      const r = ours[i]!;
      assert.equal(r.status, 0, `sievecap ${c.args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, theirs[i], `sievecap ${c.args.join(' ')} (tcpdump 4.99.3)`);
    });
    // The flags change something, or the comparison would prove little.
    const plain = await tcpdump(['-n', '-r', bad, '-v']);
    assert.match(plain, /incorrect|bad cksum/);
    assert.doesNotMatch(theirs[cases.findIndex((c) => c.args.includes('-K'))]!, /incorrect|bad cksum/);
  });

  test('-vv and -vvv on DNS: the question of a response, the other sections, EDNS options and cookies, TTLs', async () => {
    const cases = [
      ['tcpdump/tests/edns-opts.pcap', '-vv'],
      ['tcpdump/tests/dns-badcookie.pcap', '-vv'],
      ['tcpdump/tests/dnssec.pcap', '-vv'],
      ['tcpdump/tests/dns_udp.pcap', '-vvv'],
      ['tcpdump/tests/dns_tcp.pcap', '-vv'],
    ].map(([file, flag]) => ['-n', '-#', '-r', requireCorpusFile(file!), flag!]);
    const [ours, ...theirs] = await Promise.all([sievecapBatch(cases), ...cases.map((args) => tcpdump(args))]);
    assert.match(theirs[0]!, / ar: \. OPT UDPsize=4096 \[ECS 192\.1\.0\.0\/16\/0,COOKIE aaaaaaaaaaaaaaaa\]/);
    assert.match(theirs[3]!, / q: A\? www\.tcpdump\.org\. .* ns: tcpdump\.org\. \[1d\] NS /);
    cases.forEach((args, i) => {
      assert.equal(ours[i]!.status, 0, `sievecap ${args.join(' ')}: ${ours[i]!.stderr}`);
      assert.equal(ours[i]!.stdout, theirs[i], `sievecap ${args.join(' ')} (tcpdump 4.99.3)`);
    });
  });

  test('long options are tcpdump\'s', async () => {
    const file = requireCorpusFile(FILES.ethernetHttp!);
    const [long, short] = await sievecapBatch([
      ['-n', '-r', file, '--number', '--absolute-tcp-sequence-numbers', '--dont-verify-checksums', '--no-optimize', '-v'],
      ['-n', '-r', file, '-#', '-S', '-K', '-O', '-v'],
    ]);
    assert.equal(long!.status, 0, long!.stderr);
    assert.equal(long!.stdout, short!.stdout);
    assert.equal(long!.stdout, await tcpdump(['-n', '-r', file, '-#', '-S', '-K', '-v']));
  });

  test('-r - reads pcap, pcapng and gzip from a pipe', async () => {
    const pcap = requireCorpusFile(FILES.ethernetHttp!);
    const pcapng = requireCorpusFile(FILES.ipv6!);
    const inputs: Array<[string, Buffer, string]> = [
      ['pcap', fs.readFileSync(pcap), pcap],
      ['pcapng', fs.readFileSync(pcapng), pcapng],
      ['gzip pcap', zlib.gzipSync(fs.readFileSync(pcap)), pcap],
    ];
    const results = await Promise.all(
      inputs.map(async ([what, bytes, file]) => {
        const [ours, theirs] = await Promise.all([run(process.execPath, [SIEVECAP, '-n', '-X', '-r', '-'], bytes), tcpdump(['-n', '-X', '-r', file])]);
        return { what, ours, theirs };
      }),
    );
    for (const { what, ours, theirs } of results) {
      assert.equal(ours.status, 0, `${what}: ${ours.stderr}`);
      assert.ok(theirs.length > 0);
      assert.equal(ours.stdout.toString('utf8'), theirs, `-r - with ${what}`);
    }
  });

  test('refusals and tcpdump\'s messages', async () => {
    const file = requireCorpusFile(FILES.ethernetHttp!);
    const [direction, monitor, tshark, fileDirection] = await sievecapBatch([
      ['-Q', 'sideways', '-i', 'lo'],
      ['-I', '-i', 'lo'],
      ['-r', file, '-V', '-xx'], // -x once with -V is tshark's hex dump (tests/cli-tshark-formats.test.ts)
      ['-n', '-r', file, '-Q', 'in'],
    ]);
    assert.equal(direction!.status, 1);
    assert.equal(direction!.stderr, "sievecap: unknown capture direction `sideways'\n");
    const theirs = await run('tcpdump', ['-Q', 'sideways', '-i', 'lo']);
    assert.equal(direction!.stderr.replace(/^sievecap/, 'tcpdump'), theirs.stderr);
    assert.equal(monitor!.status, 1);
    assert.match(monitor!.stderr, /^sievecap: lo: monitor mode \(-I\) is not possible/);
    assert.equal(tshark!.status, 1);
    assert.match(tshark!.stderr, /-x changes tcpdump-style lines; with -V/);
    // tcpdump ignores -Q when reading a file: every packet is printed; sievecap says so on stderr.
    assert.equal(fileDirection!.status, 0);
    assert.equal(fileDirection!.stdout, await tcpdump(['-n', '-r', file, '-Q', 'in']));
    assert.match(fileDirection!.stderr, /-Q in has no effect on a file/);
  });

  test('-L lists the link types of lo and any as tcpdump -L does', async () => {
    const [lo, any] = await sievecapBatch([['-L', '-i', 'lo'], ['--list-data-link-types', '-i', 'any']]);
    const [tlo, tany] = await Promise.all([run('tcpdump', ['-L', '-i', 'lo']), run('tcpdump', ['-L', '-i', 'any'])]);
    assert.equal(lo!.status, 0);
    assert.equal(lo!.stderr, tlo.stderr);
    assert.equal(any!.stderr, tany.stderr);
    assert.equal(lo!.stdout, '');
  });
});

describe('tcpdump flags on a live capture (veth pair in the test\'s namespaces)', () => {
  let pair: NetnsPair;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-flags-'));
  before(() => {
    pair = createNetnsPair();
  });
  after(() => {
    pair?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('-Q in / -Q out with -x, -X, -A, -#: the same lines as tcpdump, live and from the file made', async () => {
    // Both tools at once on the same traffic: sievecap and tcpdump, each with -Q in and -Q out
    // (-t: time stamps are each socket's own). ICMP only: a fresh veth chatters IPv6 on its own.
    const variants: Array<{ direction: string; flags: string[] }> = [
      { direction: 'in', flags: ['-#', '-X'] },
      { direction: 'out', flags: ['-xx', '-v'] },
      { direction: 'inout', flags: ['-A', '-e'] },
    ];
    const ours = variants.map((v) => pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-n', '-t', '-Q', v.direction, ...v.flags, 'icmp']));
    const theirs = variants.map((v) => pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-n', '-t', '-Q', v.direction, ...v.flags, 'icmp']));
    const saved = path.join(tmp, 'live.pcap');
    const writer = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-w', saved, 'icmp']);
    const all = [...ours, ...theirs, writer];
    const done = all.map((c) => finished(c));
    try {
      await Promise.all(all.map((c) => waitForStderr(c, /listening on/)));
      await sleep(200);
      pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', '-p', '0d0a41420d43', pair.ipB]);
      pair.exec(pair.nsB, ['ping', '-c', '2', '-i', '0.05', '-W', '1', pair.ipA]);
      await sleep(1200);
    } finally {
      for (const c of all) c.kill('SIGINT');
    }
    const results = await Promise.all(done);
    variants.forEach((v, k) => {
      const s = results[k]!;
      const t = results[variants.length + k]!;
      assert.equal(s.code, 0, s.stderr);
      assert.equal(t.code, 0, t.stderr);
      assert.ok(t.stdout.length > 0, `tcpdump -Q ${v.direction} captured nothing`);
      assert.equal(s.stdout, t.stdout, `live -Q ${v.direction} ${v.flags.join(' ')}`);
    });
    // -Q in sees the 2 requests from B and the 3 replies to A's; -Q out the other 5.
    assert.equal(results[0]!.stdout.split('\n').filter((l) => /^ {4}\d+ {2}/.test(l)).length, 5);
    assert.equal(results[3]!.stdout.match(/ICMP echo request/g)?.length, 2);
    // The file written live, read back through a pipe, with the dumps.
    assert.equal(results[results.length - 1]!.code, 0);
    const bytes = fs.readFileSync(saved);
    for (const flags of [['-XX'], ['-A'], ['-x', '-#']]) {
      const [s, t] = await Promise.all([run(process.execPath, [SIEVECAP, '-n', '-r', '-', ...flags], bytes), tcpdump(['-n', '-r', saved, ...flags])]);
      assert.equal(s.status, 0, s.stderr);
      assert.equal(s.stdout.toString('utf8'), t, `-r - ${flags.join(' ')} of the live capture`);
    }
  });
});
