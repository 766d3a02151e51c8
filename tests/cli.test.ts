/**
 * The command line's contracts: errors, -r with libpcap's filter semantics, -w -, -c, --explain.
 * Reference files are made by tcpdump from real traffic on a namespace's loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { SIEVECAP, framesOf, sievecap, tsharkRead } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-cli-'));
let pair: NetnsPair;
const reference = path.join(tmp, 'ref.pcap');

before(async () => {
  pair = createNetnsPair();
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', reference]);
  const done = finished(td);
  await waitForStderr(td, /listening on/);
  pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', pair.ipB]);
  pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', pair.ip6B]);
  pair.exec(pair.nsA, [
    'python3', '-c',
    `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(4): s.sendto(bytes(50*k), ('${pair.ipB}', 53))`,
  ]);
  await sleep(300);
  td.kill('SIGINT');
  await done;
});

after(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('bad input', () => {
  test('an invalid filter exits non-zero with libpcap\'s message and writes nothing', () => {
    const out = path.join(tmp, 'never.pcapng');
    const r = sievecap(['-i', 'lo', '-w', out, 'tcp port']);
    assert.equal(r.status, 1);
    const libpcap = spawnSync('tcpdump', ['-d', '-i', 'lo', 'tcp port'], { encoding: 'utf8' }).stderr.trim();
    const libpcapMessage = libpcap.replace(/^tcpdump: /, '');
    assert.ok(r.stderr.includes(libpcapMessage), `expected libpcap's "${libpcapMessage}" in: ${r.stderr}`);
    assert.equal(fs.existsSync(out), false);
  });

  test('an unknown interface names the problem and what to do', () => {
    const r = sievecap(['-i', 'nosuchif0', '-c', '1']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nosuchif0/);
    assert.match(r.stderr, /sievecap -D/);
  });

  test('a usage error exits 2 and points at --help', () => {
    const r = sievecap(['-c', 'many']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /-c needs a whole number/);
  });

  test('a missing file is named with the system\'s words, as tcpdump names it', () => {
    const missing = path.join(tmp, 'missing.pcap');
    const r = sievecap(['-r', missing]);
    assert.equal(r.status, 1);
    const theirs = spawnSync('tcpdump', ['-r', missing], { encoding: 'utf8' }).stderr.trim().replace(/^tcpdump: .*?: /, '');
    assert.ok(r.stderr.includes(`${missing}: ${theirs} (ENOENT)`), `expected tcpdump's "${theirs}" in: ${r.stderr}`);
  });

  test('-o: tshark\'s tcp.desegment_tcp_streams takes TRUE (the default) and FALSE; other values and names are refused, not ignored', () => {
    const plain = sievecap(['-r', reference, '-T', 'text']);
    assert.equal(plain.status, 0, plain.stderr);
    const withTrue = sievecap(['-r', reference, '-T', 'text', '-o', 'tcp.desegment_tcp_streams:TRUE']);
    assert.equal(withTrue.status, 0, withTrue.stderr);
    assert.equal(withTrue.stdout.toString(), plain.stdout.toString());
    const withFalse = sievecap(['-r', reference, '-T', 'text', '-o', 'tcp.desegment_tcp_streams:false']);
    assert.equal(withFalse.status, 0, withFalse.stderr);
    // tshark's status for a bad -o: 1 (INVALID_OPTION).
    const bad = sievecap(['-r', reference, '-o', 'tcp.desegment_tcp_streams:maybe']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /-o tcp\.desegment_tcp_streams takes TRUE or FALSE, got 'maybe'/);
    const unknown = sievecap(['-r', reference, '-o', 'gui.column.format:x']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /-o gui\.column\.format: not a preference Sievecap has; it knows tcp\.desegment_tcp_streams/);
    assert.match(sievecap(['-r', reference, '-o', 'nocolon']).stderr, /-o takes PREFERENCE:VALUE/);
  });

  test('a file that is not a capture is refused clearly', () => {
    const junk = path.join(tmp, 'junk.pcap');
    fs.writeFileSync(junk, 'hello, not a capture file\n');
    const r = sievecap(['-r', junk]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not a pcap or pcapng file/);
  });
});

describe('-r applies the filter with libpcap\'s semantics', () => {
  for (const filter of ['icmp', 'ip6', 'udp port 53', 'greater 100', 'not icmp and not ip6', '']) {
    test(`'${filter || '(none)'}' keeps the same packets as tcpdump -r`, () => {
      const ours = path.join(tmp, `r-${filter.replace(/\W+/g, '_')}.pcapng`);
      const theirs = path.join(tmp, `r-${filter.replace(/\W+/g, '_')}.ref.pcap`);
      const r = sievecap(['-r', reference, '-w', ours, ...(filter ? [filter] : [])]);
      assert.equal(r.status, 0, r.stderr);
      execFileSync('tcpdump', ['-r', reference, '-w', theirs, ...(filter ? [filter] : [])], { stdio: 'ignore' });
      const a = framesOf(ours);
      const b = framesOf(theirs);
      assert.deepEqual(a.map((f) => f.toString('hex')), b.map((f) => f.toString('hex')));
    });
  }

  test('-c stops reading after N packets', () => {
    const r = sievecap(['-r', reference, '-n', '-c', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString().trim().split('\n').length, 2);
  });
});

describe('-w - streams a capture file to stdout', () => {
  test('tcpdump reads what sievecap -r ... -w - writes', () => {
    const r = sievecap(['-r', reference, '-w', '-', 'icmp']);
    assert.equal(r.status, 0, r.stderr);
    const td = spawnSync('tcpdump', ['-n', '-r', '-'], { input: r.stdout, encoding: 'utf8' });
    assert.equal(td.status, 0, td.stderr);
    const direct = spawnSync('tcpdump', ['-n', '-r', reference, 'icmp'], { encoding: 'utf8' });
    assert.ok(direct.stdout.trim().split('\n').length >= 6, 'pings and port-unreachable replies');
    assert.equal(td.stdout, direct.stdout);
  });

  test('live capture to a pipe', async () => {
    const out = path.join(tmp, 'piped.pcapng');
    const sc = pair.spawn(pair.nsA, ['sh', '-c', `'${process.execPath}' '${SIEVECAP}' -i ${pair.vethA} -c 4 -w - icmp > '${out}'`]);
    const done = finished(sc);
    await waitForStderr(sc, /listening on/);
    pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', pair.ipB]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tsharkRead(out).count, 4);
    assert.equal(framesOf(out).length, 4);
  });
});

describe('SIGTERM and counts', () => {
  test('SIGTERM flushes the file and prints tcpdump\'s three counts', async () => {
    const out = path.join(tmp, 'term.pcapng');
    const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-w', out, 'icmp']);
    const done = finished(sc);
    await waitForStderr(sc, /listening on/);
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', pair.ipB]);
    await sleep(300);
    sc.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^6 packets captured$/m);
    assert.match(r.stderr, /^6 packets received by filter$/m);
    assert.match(r.stderr, /^0 packets dropped by kernel$/m);
    assert.equal(framesOf(out).length, 6);
  });
});

describe('--explain', () => {
  test('prints libpcap\'s program, the eBPF program and the verifier\'s verdict', () => {
    const r = sievecap(['--explain', 'tcp port 80']);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.toString();
    const tcpdumpListing = execFileSync('tcpdump', ['-d', '-i', 'lo', 'tcp port 80'], { encoding: 'utf8' }).trim();
    assert.ok(text.includes(tcpdumpListing), 'the classic listing is tcpdump -d\'s');
    assert.match(text, /eBPF socket filter \(\d+ instructions\)/);
    assert.match(text, /Verifier: accepted/);
    assert.match(text, /exit/);
  });

  test('an invalid expression fails with libpcap\'s message', () => {
    const r = sievecap(['--explain', 'port 99999999']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /port 99999999|illegal port|out of range/i);
  });
});

test('-D lists lo as a loopback interface and any', () => {
  const r = sievecap(['-D']);
  assert.equal(r.status, 0, r.stderr);
  const text = r.stdout.toString();
  assert.match(text, /^\d+\.lo \[Up, Running, Loopback\]$/m);
  assert.match(text, /^\d+\.any \(Pseudo-device that captures on all interfaces\) \[Up, Running\]$/m);
});
