/**
 * The `-z` reports, `--export-objects` and their --json through the real command line, against
 * tshark 4.0 on the same corpus files: `sievecap -r F -z SPEC` must print what
 * `tshark -n -r F -q -z SPEC` prints, byte for byte; the JSON must carry the same numbers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile as corpusFile } from './support/corpus';
import { sievecap } from './support/sievecap';


function tshark(args: string[]): string {
  return execFileSync('tshark', ['-n', ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
}

const HTTP_FILE = 'chrissanders-packets/http_espn.pcapng';
const cases: { file: string; specs: string[] }[] = [
  { file: HTTP_FILE, specs: ['conv,tcp', 'conv,ip', 'conv,eth', 'endpoints,ip', 'io,phs', 'http,tree', 'follow,tcp,ascii,1', 'follow,tcp,hex,0', 'io,stat,1'] },
  { file: 'chrissanders-packets/dns.pcap', specs: ['conv,udp', 'endpoints,udp', 'io,phs'] },
  { file: 'chrissanders-packets/http_ip4and6.pcapng', specs: ['conv,ipv6', 'conv,tcp,ipv6', 'io,phs'] },
];

describe('sievecap -r F -z SPEC prints what tshark -q -z SPEC prints', () => {
  for (const { file, specs } of cases) {
    for (const spec of specs) {
      test(`${path.basename(file)} -z ${spec}`, () => {
        const f = corpusFile(file);
        const ours = sievecap(['-r', f, '-z', spec]);
        assert.equal(ours.status, 0, ours.stderr);
        assert.equal(ours.stdout.toString(), tshark(['-r', f, '-q', '-z', spec]));
      });
    }
  }

  test('several -z in one run, in tshark\'s order', () => {
    const f = corpusFile(HTTP_FILE);
    // io,stat's filter columns see desegmented packets (an HTTP message on its last frame), io,phs segments as they are.
    const specs = ['conv,tcp', 'io,phs', 'http,tree', 'io,stat,1,http.request,tcp.analysis.flags', 'http_req,tree'];
    const ours = sievecap(['-r', f, ...specs.flatMap((s) => ['-z', s])]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout.toString(), tshark(['-r', f, '-q', ...specs.flatMap((s) => ['-z', s])]));
  });

  test('the same file through a capture filter (-r F tcp) equals tshark -f… on tcpdump\'s filtered copy', () => {
    const f = corpusFile(HTTP_FILE);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-z-'));
    try {
      const copy = path.join(tmp, 'port80.pcap');
      execFileSync('tcpdump', ['-r', f, '-w', copy, 'tcp port 80'], { stdio: 'ignore' });
      const ours = sievecap(['-r', f, '-z', 'conv,tcp', 'tcp port 80']);
      assert.equal(ours.status, 0, ours.stderr);
      assert.equal(ours.stdout.toString(), tshark(['-r', copy, '-q', '-z', 'conv,tcp']));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('--json', () => {
  test('-z conv,tcp --json: the contract keys, with the numbers of tshark\'s table', () => {
    const f = corpusFile(HTTP_FILE);
    const ours = sievecap(['-r', f, '-z', 'conv,tcp', '--json']);
    assert.equal(ours.status, 0, ours.stderr);
    const rows = JSON.parse(ours.stdout.toString()) as Record<string, unknown>[];
    const keys = ['addressA', 'portA', 'addressB', 'portB', 'packetsAtoB', 'bytesAtoB', 'packetsBtoA', 'bytesBtoA', 'relStart', 'duration'];
    // tshark's table: A:portA <-> B:portB | <- frames bytes | -> frames bytes | total | start | duration
    const table = tshark(['-r', f, '-q', '-z', 'conv,tcp'])
      .split('\n')
      .filter((l) => l.includes('<->'));
    assert.equal(rows.length, table.length);
    assert.ok(rows.length > 5);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      assert.deepEqual(Object.keys(row).slice(0, keys.length), keys);
      const m = /^(\S+):(\d+)\s+<-> (\S+):(\d+)\s+(\d+) (\d+) (\w+)\s+(\d+) (\d+) (\w+)\s+\d+ \d+ \w+\s+(-?[\d.]+)\s+([\d.]+)$/.exec(table[k]!);
      assert.ok(m, `unexpected tshark line: ${table[k]}`);
      assert.equal(row.addressA, m[1]);
      assert.equal(row.portA, Number(m[2]));
      assert.equal(row.addressB, m[3]);
      assert.equal(row.portB, Number(m[4]));
      assert.equal(row.packetsBtoA, Number(m[5]), '<- is B to A');
      assert.equal(row.packetsAtoB, Number(m[8]), '-> is A to B');
      if (m[7] === 'bytes') assert.equal(row.bytesBtoA, Number(m[6]));
      if (m[10] === 'bytes') assert.equal(row.bytesAtoB, Number(m[9]));
      assert.ok(Math.abs((row.relStart as number) - Number(m[11])) < 1e-9);
      assert.ok(Math.abs((row.duration as number) - Number(m[12])) < 1e-4);
    }
  });

  test('-z endpoints,ip --json and -z io,phs --json are JSON data', () => {
    const f = corpusFile(HTTP_FILE);
    const endpoints = JSON.parse(sievecap(['-r', f, '-z', 'endpoints,ip', '--json']).stdout.toString()) as { packets: number }[];
    assert.ok(endpoints.length > 1);
    const frames = Number(tshark(['-r', f, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length);
    // Every IPv4 frame has two endpoints.
    const ipFrames = tshark(['-r', f, '-Y', 'ip', '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;
    assert.equal(endpoints.reduce((n, e) => n + e.packets, 0), 2 * ipFrames);
    const phs = JSON.parse(sievecap(['-r', f, '-z', 'io,phs', '--json']).stdout.toString()) as { protocols: { protocol: string; frames: number }[] };
    assert.equal(phs.protocols[0]!.protocol, 'eth');
    assert.equal(phs.protocols[0]!.frames, frames);
  });
});

describe('usage errors name the problem', () => {
  test('unknown statistic, bad parameter, -Y with -z', () => {
    const f = corpusFile(HTTP_FILE);
    const unknown = sievecap(['-r', f, '-z', 'conv,sctp']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /-z conv,sctp: /);
    const stat = sievecap(['-r', f, '-z', 'nonsense']);
    assert.equal(stat.status, 1);
    assert.match(stat.stderr, /unknown statistic; sievecap knows conv,eth\|ip\|ipv6\|tcp\|udp/);
    const withY = sievecap(['-r', f, '-z', 'conv,tcp', '-Y', 'tcp']);
    assert.equal(withY.status, 1);
    assert.match(withY.stderr, /give the report its own filter/);
  });
});

describe('--export-objects http,DIR', () => {
  test('writes the files tshark --export-objects writes, with the same bytes', () => {
    const f = corpusFile(HTTP_FILE);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-export-'));
    try {
      const ours = path.join(tmp, 'ours');
      const theirs = path.join(tmp, 'theirs');
      const r = sievecap(['-r', f, '--export-objects', `http,${ours}`]);
      assert.equal(r.status, 0, r.stderr);
      spawnSync('tshark', ['-r', f, '-q', '--export-objects', `http,${theirs}`], { stdio: 'ignore' });
      const names = fs.readdirSync(theirs).sort();
      assert.ok(names.length > 3, 'tshark exported objects');
      assert.deepEqual(fs.readdirSync(ours).sort(), names);
      for (const name of names) {
        assert.ok(fs.readFileSync(path.join(ours, name)).equals(fs.readFileSync(path.join(theirs, name))), `${name} differs`);
      }
      assert.match(r.stderr, new RegExp(`${names.length} HTTP objects written`));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
