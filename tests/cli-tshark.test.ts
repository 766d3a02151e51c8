/**
 * tshark-compatible output of `sievecap -r`: -T fields, -T text, -T json and -V agree with tshark
 * 4.0 on a capture the test makes itself (tcpdump in a network namespace while ping, ping -6, curl
 * and UDP run). Both with their defaults (TCP desegmentation on).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { sievecap } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tshark-'));
const capture = path.join(tmp, 'traffic.pcap');
let pair: NetnsPair;

function tshark(args: string[]): string {
  const r = spawnSync('tshark', ['-r', capture, '-n', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  pair = createNetnsPair();
  fs.writeFileSync(path.join(tmp, 'page.html'), '<html>sievecap</html>\n');
  const server = pair.spawn(pair.nsB, ['python3', '-m', 'http.server', '--bind', pair.ipB, '--directory', tmp, '8080']);
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', capture]);
  const done = finished(td);
  try {
    await waitForStderr(td, /listening on/);
    await sleep(800);
    pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', pair.ipB]);
    pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', pair.ip6B]);
    pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '--retry', '3', '--retry-connrefused', '--max-time', '5', `http://${pair.ipB}:8080/page.html`]);
    pair.exec(pair.nsA, [
      'python3', '-c',
      `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(3): s.sendto(bytes(30+k), ('${pair.ipB}', 9000))`,
    ]);
    await sleep(1200);
  } finally {
    td.kill('SIGINT');
    if (server.pid) process.kill(server.pid, 'SIGTERM');
    await done;
  }
});

after(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const FIELDS = [
  'frame.number', 'frame.len', 'frame.time_epoch', 'eth.src', 'eth.type', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.id',
  'ip.flags', 'ipv6.src', 'ipv6.nxt', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len',
  'tcp.stream', 'udp.length', 'icmp.type', 'icmpv6.type', 'http.request.method', 'http.request.uri', 'http.host',
  'http.response.code', 'arp.opcode',
];

describe('sievecap -r agrees with tshark', () => {
  test('-T fields -e … -E separator=,', () => {
    const args = ['-T', 'fields', '-E', 'separator=,', ...FIELDS.flatMap((f) => ['-e', f])];
    const ours = sievecap(['-r', capture, ...args]);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = tshark(args);
    assert.ok(theirs.split('\n').length > 20, 'the capture holds the traffic');
    assert.equal(ours.stdout.toString(), theirs);
  });

  test('-T fields -E occurrence=f and header=y', () => {
    const args = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=f', '-e', 'ip.addr', '-e', 'tcp.port'];
    assert.equal(sievecap(['-r', capture, ...args]).stdout.toString(), tshark(args));
  });

  test('-T text: the summary line of every packet', () => {
    // -n as tshark's here (without it both name MAC addresses: ff:ff:ff:ff:ff:ff is Broadcast).
    const ours = sievecap(['-r', capture, '-n', '-T', 'text']).stdout.toString().split('\n');
    const theirs = tshark([]).split('\n');
    assert.equal(ours.length, theirs.length);
    const differing = ours.flatMap((line, k) => (line === theirs[k] ? [] : [`ours:   ${line}`, `tshark: ${theirs[k]}`]));
    assert.deepEqual(differing, [], 'lines that differ from tshark');
  });

  test('-T json: the same layers and field values', () => {
    type Packet = { _source: { layers: Record<string, Record<string, unknown>> } };
    const ours = JSON.parse(sievecap(['-r', capture, '-T', 'json']).stdout.toString()) as Packet[];
    const theirs = JSON.parse(tshark(['-T', 'json'])) as Packet[];
    assert.equal(ours.length, theirs.length);
    ours.forEach((p, k) => {
      const a = p._source.layers;
      const b = theirs[k]!._source.layers;
      assert.deepEqual(Object.keys(a), Object.keys(b), `packet ${k + 1}: layers ${Object.keys(a)} vs tshark's ${Object.keys(b)}`);
      for (const layer of ['ip', 'ipv6', 'tcp', 'udp']) {
        if (!b[layer]) continue;
        for (const [key, value] of Object.entries(b[layer]!)) {
          if (typeof value === 'string' && /^(ip|ipv6|tcp|udp)\.(src|dst|srcport|dstport|len|ttl|hlim|seq|ack|length|stream)$/.test(key)) {
            assert.equal(a[layer]![key], value, `packet ${k + 1}: ${key}`);
          }
        }
      }
    });
  });

  test('-V: the same protocol headings for every packet', () => {
    const headings = (text: string): string[] =>
      text
        .split('\n')
        // Headings only; tshark -V also prints the bytes of some data sources as a hex dump.
        .filter((l) => l !== '' && !l.startsWith(' ') && !/^[0-9a-f]{4}  /.test(l))
        // tshark adds the capture interface to the frame heading ("on interface …"): not in pcap files.
        .map((l) => l.replace(/ on interface .*$/, ''));
    const ours = headings(sievecap(['-r', capture, '-n', '-V']).stdout.toString());
    const theirs = headings(tshark(['-V']));
    const differing = ours.flatMap((line, k) => (line === theirs[k] ? [] : [`ours:   ${line}`, `tshark: ${theirs[k]}`]));
    assert.deepEqual(differing.slice(0, 10), []);
    assert.equal(ours.length, theirs.length);
  });

  test('-T fields without -e is a usage error', () => {
    const r = sievecap(['-r', capture, '-T', 'fields']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /-T fields needs at least one -e FIELD/);
  });
});
