/**
 * HTTP session tracking in the kernel (`--preset http`, bpf/programs/http-sessions.ts), on real
 * traffic between two network namespaces: HTTP over IPv4 and IPv6 on several ports, a port that
 * speaks HTTP to some clients and another protocol to others, non-HTTP TCP, UDP and ICMP.
 *
 * tcpdump captures everything on the same interface at the same time; tshark reads its file and
 * names, for every packet, its TCP stream, direction, flags and payload. From those the expected
 * packets follow from the stage's rule: a connection's packets from the first one whose payload
 * begins an HTTP/1.x request or response, until both sides have sent a FIN or one a RST. The
 * frames Sievecap wrote must be exactly those, byte for byte; every HTTP request and response
 * tshark finds in tcpdump's file must be in Sievecap's, and `--http` must list every transaction.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { SIEVECAP, framesOf, sievecap } from './support/sievecap';
import { HTTP_START_PREFIXES } from '../bpf/programs/http-sessions';
import { httpMixFrames } from '../bench/capture/flood';
import { writePcap } from './support/frames';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root: network namespaces and live capture' : false;
const tool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const MISSING = ['tcpdump', 'tshark', 'curl', 'python3'].filter((t) => !tool(t));
const SKIP = NOT_ROOT || (MISSING.length ? `needs ${MISSING.join(', ')}` : false);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-sessions-'));
let pair: NetnsPair;
const servers: Array<ReturnType<NetnsPair['spawn']>> = [];

/**
 * Port 9000 (IPv4 and IPv6): a reply in HTTP to a client that begins with "GET ", an echo of its
 * line to any other. Two protocols on one port: only the HTTP connections may be captured.
 */
const DUAL_SERVER = `
import socket, sys, threading
def serve(conn):
    with conn:
        data = conn.recv(4096)
        if data.startswith(b'GET '):
            body = b'dual ' * 400
            conn.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n' % len(body) + body)
        else:
            conn.sendall(b'ECHO ' + data)
            conn.recv(4096)
def listen(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 9000))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=listen, args=(socket.AF_INET6, sys.argv[2]), daemon=True).start()
listen(socket.AF_INET, sys.argv[1])
`;

before(() => {
  if (SKIP) return;
  pair = createNetnsPair();
  fs.writeFileSync(path.join(tmp, 'index.html'), 'x'.repeat(20000));
  fs.writeFileSync(path.join(tmp, 'small.txt'), 'small\n');
  fs.writeFileSync(path.join(tmp, 'dual.py'), DUAL_SERVER);
  servers.push(pair.spawn(pair.nsB, ['python3', '-m', 'http.server', '--bind', pair.ipB, '--directory', tmp, '8000']));
  servers.push(pair.spawn(pair.nsB, ['python3', '-m', 'http.server', '--bind', pair.ip6B, '--directory', tmp, '8123']));
  servers.push(pair.spawn(pair.nsB, ['python3', path.join(tmp, 'dual.py'), pair.ipB, pair.ip6B]));
});

after(() => {
  for (const s of servers) if (s.pid && s.exitCode === null) s.kill('SIGTERM');
  pair?.destroy();
  if (!process.env.SIEVECAP_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# kept ${tmp}`);
});

/** Waits until each server answers (bounded). */
async function serversUp(): Promise<void> {
  for (const url of [`http://${pair.ipB}:8000/small.txt`, `http://[${pair.ip6B}]:8123/small.txt`, `http://${pair.ipB}:9000/`]) {
    for (let i = 0; ; i++) {
      const r = spawnSync('ip', ['netns', 'exec', pair.nsA, 'curl', '-s', '-o', '/dev/null', '--max-time', '2', url], { timeout: 5000 });
      if (r.status === 0) break;
      assert.ok(i < 50, `server ${url} did not come up`);
      await sleep(100);
    }
  }
}

/** The traffic: bounded in count, to the peer namespace only. Returns the number of HTTP transactions made. */
function makeTraffic(): number {
  const curl = (...args: string[]): void => {
    pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '-o', '/dev/null', '--max-time', '5', ...args]);
  };
  const echo = (host: string): void => {
    pair.exec(pair.nsA, ['python3', '-c', [
      'import socket',
      `s = socket.create_connection(('${host}', 9000), timeout=5)`,
      "s.sendall(b'HELLO not http at all\\n'); s.recv(4096); s.close()",
    ].join('\n')]);
  };
  let transactions = 0;
  pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', '-W', '1', pair.ipB]);
  curl(`http://${pair.ipB}:8000/index.html`);
  transactions += 1;
  echo(pair.ipB);
  // Two requests on one kept-alive connection (curl reuses it), then IPv6.
  curl(`http://${pair.ipB}:8000/small.txt`, `http://${pair.ipB}:8000/index.html`);
  transactions += 2;
  curl('-g', `http://[${pair.ip6B}]:8123/index.html`);
  transactions += 1;
  curl(`http://${pair.ipB}:9000/dual`);
  transactions += 1;
  echo(pair.ip6B);
  curl('-g', `http://[${pair.ip6B}]:9000/dual6`);
  transactions += 1;
  pair.exec(pair.nsA, ['python3', '-c', `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(5): s.sendto(b'GET / HTTP/1.1 over udp', ('${pair.ipB}', 8000))`]);
  pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', '-W', '1', pair.ip6B]);
  return transactions;
}

interface PacketFacts {
  frame: number;
  stream: number;
  from: string;
  flags: number;
  payload: Buffer;
  dstPort: number;
}

/** tshark on tcpdump's file: each TCP packet's stream, source, flags and payload (segment by segment). */
function tcpFacts(file: string): PacketFacts[] {
  const r = spawnSync(
    'tshark',
    ['-r', file, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t',
      '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tcp.flags', '-e', 'tcp.payload', '-e', 'tcp.dstport'],
    { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const [frame, stream, ip4, ip6, port, flags, payload, dstPort] = line.split('\t');
    return {
      frame: Number(frame), stream: Number(stream), from: `${ip4 || ip6}:${port}`, flags: Number(flags),
      payload: Buffer.from((payload ?? '').replace(/:/g, ''), 'hex'), dstPort: Number(dstPort),
    };
  });
}

const STARTS = HTTP_START_PREFIXES.map((p) => Buffer.from(p, 'latin1'));

/** The frame numbers of tcpdump's file the stage must let through (its rule, applied to tshark's facts). */
function expectedFrames(facts: PacketFacts[], only?: (f: PacketFacts) => boolean): number[] {
  const byStream = new Map<number, PacketFacts[]>();
  for (const f of facts) byStream.set(f.stream, [...(byStream.get(f.stream) ?? []), f]);
  const kept: number[] = [];
  for (const packets of byStream.values()) {
    let tracking = false;
    const finFrom = new Set<string>();
    for (const p of packets) {
      if (only && !only(p)) continue;
      const rst = (p.flags & 0x04) !== 0;
      const fin = (p.flags & 0x01) !== 0;
      if (!tracking) {
        const begins = p.payload.length >= 8 && STARTS.some((s) => p.payload.subarray(0, s.length).equals(s));
        if (!begins) continue;
        kept.push(p.frame);
        if (!rst && !fin) tracking = true;
        continue;
      }
      kept.push(p.frame);
      if (rst) tracking = false;
      else if (fin) {
        finFrom.add(p.from);
        if (finFrom.size === 2) tracking = false;
      }
      if (!tracking) finFrom.clear();
    }
  }
  return kept.sort((a, b) => a - b);
}

function hexMultiset(frames: Buffer[]): string[] {
  return frames.map((f) => f.toString('hex')).sort();
}

test('--preset http: exactly the HTTP connections reach user space, from their first HTTP payload (IPv4, IPv6, any port)', { skip: SKIP }, async () => {
  await serversUp();
  const all = path.join(tmp, 'all.pcap');
  const ours = path.join(tmp, 'http.pcapng');
  const oursPort = path.join(tmp, 'http-9000.pcapng');
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', all]);
  const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '--preset', 'http', '-w', ours]);
  const scPort = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '--preset', 'http', '-w', oursPort, 'tcp port 9000']);
  const done = [finished(td), finished(sc), finished(scPort)];
  try {
    await Promise.all([td, sc, scPort].map((c) => waitForStderr(c, /listening on/, 20000)));
  } catch (err) {
    for (const c of [td, sc, scPort]) c.kill('SIGKILL');
    throw err;
  }
  await sleep(300);
  const transactions = makeTraffic();
  await sleep(1000);
  for (const c of [td, sc, scPort]) c.kill('SIGINT');
  const [t, s, sp] = await Promise.all(done);
  assert.equal(t!.code, 0, `tcpdump: ${t!.stderr}`);
  assert.equal(s!.code, 0, `sievecap --preset http: ${s!.stderr}`);
  assert.equal(sp!.code, 0, `sievecap --preset http 'tcp port 9000': ${sp!.stderr}`);

  const facts = tcpFacts(all);
  const reference = framesOf(all);
  const expect = (frames: number[]): string[] => hexMultiset(frames.map((n) => reference[n - 1]!));
  const expected = expectedFrames(facts);
  const streams = new Set(facts.filter((f) => expected.includes(f.frame)).map((f) => f.stream));
  // 5 or 6: http.server answers HTTP/1.0 and closes, so curl's two URLs may take two connections.
  assert.ok(streams.size >= 5, `the HTTP connections the test made (IPv4 and IPv6, ports 8000, 8123, 9000): ${streams.size}`);
  assert.deepEqual(hexMultiset(framesOf(ours)), expect(expected), 'the frames captured with --preset http');
  const port9000 = expectedFrames(facts, (f) => f.dstPort === 9000 || f.from.endsWith(':9000'));
  assert.ok(port9000.length > 0 && port9000.length < expected.length);
  assert.deepEqual(hexMultiset(framesOf(oursPort)), expect(port9000), "the frames captured with --preset http 'tcp port 9000'");

  // Every request and response tshark finds in everything is in ours; --http lists each transaction.
  const count = (file: string, filter: string): number =>
    spawnSync('tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
  assert.equal(count(all, 'http.request'), transactions);
  assert.equal(count(ours, 'http.request'), transactions);
  assert.equal(count(ours, 'http.response'), count(all, 'http.response'));
  assert.equal(count(ours, 'icmp || icmpv6 || udp'), 0, 'no ICMP or UDP');
  const report = sievecap(['-r', ours, '--http', '--json']);
  assert.equal(report.status, 0, report.stderr);
  const listed = JSON.parse(report.stdout.toString()) as Array<{ uri: string; status: number | null }>;
  assert.equal(listed.length, transactions);
  assert.ok(listed.every((x) => x.status === 200), JSON.stringify(listed));
  assert.match(s!.stderr, /\d+ packets? captured/);
});

test('--preset http: what runs in the kernel is shown, and the verifier accepts it (Ethernet and any)', { skip: NOT_ROOT }, () => {
  for (const iface of ['lo', 'any']) {
    const r = sievecap(['--preset', 'http', '-i', iface, '--explain']);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /Kernel stages after the filter:\n {2}HTTP session tracking/);
    assert.match(out, /Verifier: accepted/);
  }
  const combined = sievecap(['--preset', 'http', '-i', 'lo', '--explain', 'tcp port 8080']);
  assert.equal(combined.status, 0, combined.stderr);
  assert.match(combined.stdout.toString(), /Filter: tcp port 8080\n/);
  assert.match(combined.stdout.toString(), /Verifier: accepted/);
});

test('--preset: unknown names and files are refused with what to do', () => {
  const unknown = sievecap(['--preset', 'nope', '-i', 'lo']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no preset named 'nope'.*http.*--list-presets/);
  const file = sievecap(['--preset', 'http', '-r', '/nonexistent.pcap']);
  assert.equal(file.status, 1);
  assert.match(file.stderr, /runs in the kernel during a live capture.*-Y http/);
  const list = sievecap(['--list-presets']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout.toString(), /^http: .*\n {4}filter: \(none\)\n {4}in the kernel: HTTP session tracking/m);
});

test('--payload-snap: every header (and HTTP header blocks) kept whole, then at most N bytes, per packet', { skip: SKIP }, async () => {
  await serversUp();
  const N = 16;
  const all = path.join(tmp, 'snap-all.pcap');
  const ours = path.join(tmp, 'snap.pcapng');
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', all, 'ip']);
  const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '--payload-snap', String(N), '-w', ours, 'ip']);
  const done = [finished(td), finished(sc)];
  try {
    await Promise.all([td, sc].map((c) => waitForStderr(c, /listening on/, 20000)));
  } catch (err) {
    for (const c of [td, sc]) c.kill('SIGKILL');
    throw err;
  }
  await sleep(300);
  pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://${pair.ipB}:8000/index.html`]);
  pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://${pair.ipB}:9000/dual`]);
  pair.exec(pair.nsA, ['ping', '-c', '2', '-s', '1000', '-i', '0.05', '-W', '1', pair.ipB]);
  pair.exec(pair.nsA, ['python3', '-c', `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(3): s.sendto(bytes(500), ('${pair.ipB}', 8000))`]);
  await sleep(800);
  for (const c of [td, sc]) c.kill('SIGINT');
  const [t, s] = await Promise.all(done);
  assert.equal(t!.code, 0, t!.stderr);
  assert.equal(s!.code, 0, s!.stderr);

  // What each packet keeps, from tshark's reading of tcpdump's whole packets.
  const r = spawnSync('tshark', ['-r', all, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-e', 'frame.len', '-e', 'ip.hdr_len', '-e', 'ip.proto', '-e', 'tcp.hdr_len', '-e', 'tcp.payload', '-E', 'occurrence=f'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const blank = Buffer.from('\r\n\r\n');
  const expectedLengths = r.stdout.split('\n').filter(Boolean).map((line) => {
    const [len, ipHdr, proto, tcpHdr, payloadHex] = line.split('\t');
    let headers = 14 + Number(ipHdr);
    if (proto === '17') headers += 8;
    if (proto === '6') {
      headers += Number(tcpHdr);
      const payload = Buffer.from((payloadHex ?? '').replace(/:/g, ''), 'hex');
      const http = payload.length >= 8 && STARTS.some((p) => payload.subarray(0, p.length).equals(p));
      const end = http ? payload.indexOf(blank) : -1;
      if (end >= 0 && end + 4 <= 2048) headers += end + 4;
    }
    return Math.min(Number(len), headers + N);
  });
  const reference = framesOf(all);
  const captured = framesOf(ours);
  assert.equal(captured.length, reference.length, 'the same packets');
  assert.ok(expectedLengths.some((l, i) => l < reference[i]!.length), 'some packets were cut');
  captured.forEach((frame, i) => {
    assert.equal(frame.length, expectedLengths[i], `packet ${i + 1}: kept bytes`);
    assert.ok(frame.equals(reference[i]!.subarray(0, frame.length)), `packet ${i + 1}: the bytes kept are the packet's`);
  });
  // tshark still reads each HTTP request and response line from the cut file.
  const http = spawnSync('tshark', ['-r', ours, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', 'http.request || http.response', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  assert.equal(http.stdout.split('\n').filter(Boolean).length, 4, 'two requests and two responses');
});

test('--preset http through an 802.1Q tag in the frame: exactly the HTTP connections, IPv4 and IPv6', { skip: NOT_ROOT || (tool('tcpreplay') ? SKIP : 'needs tcpreplay') }, async () => {
  // Frames with the tag in their bytes are what a capture sees of outgoing traffic that a packet
  // socket sends tagged (on receive the kernel moves a tag into the packet's metadata before any
  // tap sees it). tcpreplay sends them out of the capturing interface; the peer drops them.
  const mac = (ns: string, dev: string): string => pair.exec(ns, ['cat', `/sys/class/net/${dev}/address`]).trim();
  const { frames, http } = httpMixFrames(
    { count: 1500, srcMac: mac(pair.nsA, pair.vethA), dstMac: mac(pair.nsB, pair.vethB), clientIp: pair.ipA, serverIp: pair.ipB, clientIp6: pair.ip6A, serverIp6: pair.ip6B, seed: 5 },
    'tcp-services',
  );
  const tag = Buffer.from([0x81, 0x00, 0x00, 0x0a]); // VLAN 10, priority 0
  const tagged = frames.map((f) => Buffer.concat([f.subarray(0, 12), tag, f.subarray(12)]));
  const replayFile = path.join(tmp, 'vlan-http.pcap');
  writePcap(replayFile, tagged);
  const expected = tagged.filter((_, k) => http[k]);
  assert.ok(expected.length > 50 && expected.length < tagged.length / 2, `${expected.length} of ${tagged.length} frames are HTTP connections'`);

  const ours = path.join(tmp, 'vlan-ours.pcapng');
  const cli = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-n', '--preset', 'http', '-w', ours]);
  const done = finished(cli);
  await waitForStderr(cli, /listening on/);
  pair.exec(pair.nsA, ['tcpreplay', '-q', '-i', pair.vethA, '--pps=20000', replayFile], 30_000);
  await sleep(500);
  cli.kill('SIGINT');
  const end = await done;
  assert.equal(end.code, 0, end.stderr);

  const got = framesOf(ours);
  assert.equal(got.length, expected.length, `captured ${got.length}, the HTTP connections' frames: ${expected.length}`);
  got.forEach((f, k) => assert.ok(f.equals(expected[k]!), `frame ${k + 1} differs`));
  // tshark's view of what was kept: every frame tagged VLAN 10, IPv4 and IPv6 HTTP requests there.
  const r = spawnSync('tshark', ['-r', ours, '-n', '-T', 'fields', '-e', 'vlan.id', '-e', 'ip.version', '-e', 'ipv6.version', '-e', 'http.request.method'], { encoding: 'utf8' });
  const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.equal(rows.length, expected.length, r.stderr);
  assert.ok(rows.every((row) => row[0] === '10'), 'every frame is tagged VLAN 10');
  assert.ok(rows.some((row) => row[1] === '4' && row[3]) && rows.some((row) => row[2] === '6' && row[3]), 'HTTP requests over IPv4 and over IPv6');
});
