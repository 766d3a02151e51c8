/**
 * tshark's output formats and their options against tshark 4.0 on the same file: -T psml, tabs,
 * pdml, ek, jsonraw, -T json -e, -T fields with -E quote=/bom=, an unknown -e name, -V -x, -j/-J,
 * -G fields and -G protocols. The file is a few small corpus captures (DNS; HTTP over reassembled
 * TCP with a gzip body; ARP; ICMPv6) and a capture this test makes in a network namespace (ping,
 * ping -6, UDP), put end to end with mergecap: tshark runs once per format, all runs at once.
 * Byte for byte where the output is made of values -T fields prints (psml, tabs, fields, json -e,
 * the hex dump, the glossary lines). Where it prints the whole tree (pdml, ek, jsonraw): the same
 * protocols in the same order, exactly, and for the fields both print the same value, place, size,
 * bytes, bitmask and type; that agreement is printed with examples of what differs and held above
 * a floor, as it also measures the dissectors (a field Sievecap's dissectors lack is counted, not
 * compared). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, waitForStderr, type NetnsPair } from './support/netns';
import { requireCorpusFile } from './support/corpus';
import { SIEVECAP } from './support/sievecap';
import { main } from '../app/cli/main';
import type { CliIo } from '../app/cli/io';

const CORPUS_FILES = [
  'chrissanders-packets/dns_query_response.pcapng',
  'chrissanders-packets/http_google.pcapng',
  'chrissanders-packets/arp_resolution.pcapng',
  'chrissanders-packets/icmpv6_neighbor_solicitation.pcapng',
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-formats-'));
const merged = path.join(tmp, 'formats.pcapng');
let pair: NetnsPair | undefined;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** tshark's stderr without its running-as-root notice. */
const tsharkErrors = (r: Run): string => r.stderr.split('\n').filter((l) => !/^Running as user/.test(l)).join('\n');

/** sievecap as bin/sievecap starts it (its V8 flags save CPU on short runs). */
const sievecap = (args: readonly string[]): Promise<Run> => run(process.execPath, ['--single-threaded', '--no-memory-reducer', SIEVECAP, ...args]);

/**
 * sievecap's main() in this process, with stdout and stderr collected: the same code as the
 * command, without a Node start-up per format (CPU time is this test's budget).
 */
async function sievecapHere(args: readonly string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), error: (t) => err.push(t + '\n'), interfaceName: () => undefined, onOutputClosed: () => undefined };
  const status = await main(args, io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}

/** Runs by bin/sievecap itself (the bundle, its chunks: the glossary is one); the others in this process. */
const SPAWNED: ReadonlySet<string> = new Set(['pdml']);

/** Each format's tshark and sievecap runs, started together once the file exists. */
const RUNS = {
  psml: ['-T', 'psml'],
  tabs: ['-T', 'tabs'],
  pdml: ['-T', 'pdml'],
  ek: ['-T', 'ek'],
  jsonraw: ['-T', 'jsonraw'],
  tree: ['-V', '-x'],
  hexSeparated: ['-T', 'text', '-x', '-S', '---'],
  jsonFiltered: ['-T', 'json', '-j', 'ip udp', '-J', 'ipv6'],
  ekFiltered: ['-T', 'ek', '-j', 'ip udp'],
  quotedFields: [
    '-T', 'fields', '-E', 'quote=s', '-E', 'header=y', '-E', 'bom=y', '-E', 'separator=,',
    ...['ip.src', 'udp.srcport', 'dns.qry.name', 'tcp.flags', 'ip.addr', 'arp.opcode', 'icmpv6.type', 'ipv6.src', 'frame.len'].flatMap((f) => ['-e', f]),
  ],
  unknownFields: ['-T', 'fields', '-e', 'ip.src', '-e', 'foo.bar', '-e', 'bogus', '-e', 'tcp.port'],
  jsonFields: ['-T', 'json', ...['ip.src', 'ip.addr', 'dns.a', 'tcp.flags', 'udp.payload', 'frame.number'].flatMap((f) => ['-e', f])],
} as const;
type RunName = keyof typeof RUNS;
const results = new Map<RunName, { ours: Run; theirs: Run }>();
let glossary: { fields: [Run, Run]; protocols: [Run, Run] };

before(async () => {
  const made = path.join(tmp, 'made.pcap');
  pair = createNetnsPair();
  // tcpdump stops by itself after the six packets the filter keeps: two pings each way and two UDP datagrams.
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-c', '10', '-i', pair.vethA, '-w', made, 'icmp or (icmp6 and ip6[40] >= 128 and ip6[40] <= 129) or udp port 9000']);
  const done = finished(td);
  await waitForStderr(td, /listening on/);
  pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', pair.ipB]);
  pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', pair.ip6B]);
  pair.exec(pair.nsA, ['python3', '-c', `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(2): s.sendto(b'sievecap\\tformats\\n'+bytes(k), ('${pair.ipB}', 9000))`]);
  const timer = setTimeout(() => td.kill('SIGINT'), 5000);
  await done;
  clearTimeout(timer);
  execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...CORPUS_FILES.map(requireCorpusFile), made]);
  // tshark's runs all at once (its start-up is most of what it costs), sievecap's meanwhile.
  const names = Object.keys(RUNS) as RunName[];
  const theirs = Promise.all([...names.map((n) => run('tshark', ['-r', merged, '-n', ...RUNS[n]])), run('tshark', ['-G', 'fields']), run('tshark', ['-G', 'protocols'])]);
  // Both without names (-n): tshark's default resolves MAC addresses in summary columns, and so does ours.
  const spawned = new Map(names.filter((n) => SPAWNED.has(n)).map((n) => [n, sievecap(['-r', merged, '-n', ...RUNS[n]])] as const));
  const spawnedFields = sievecap(['-G', 'fields']);
  const ours: Run[] = [];
  for (const n of names) ours.push(await (spawned.get(n) ?? sievecapHere(['-r', merged, '-n', ...RUNS[n]])));
  const ourProtocols = await sievecapHere(['-G', 'protocols']);
  const tshark = await theirs;
  names.forEach((n, k) => results.set(n, { ours: ours[k]!, theirs: tshark[k]! }));
  glossary = { fields: [await spawnedFields, tshark[names.length]!], protocols: [ourProtocols, tshark[names.length + 1]!] };
  // tshark names its version in PDML (no tshark --version run: start-up is most of what tshark costs here).
  const version = /creator="([^"]+)"/.exec(results.get('pdml')!.theirs.stdout)?.[1];
  console.log(`compared on ${CORPUS_FILES.join(', ')} and a capture of ping, ping -6 and UDP, against tshark (${version})`);
});

after(() => {
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function outputs(name: RunName): { ours: string; theirs: string } {
  const r = results.get(name)!;
  assert.equal(r.ours.status, 0, `sievecap ${RUNS[name].join(' ')}: ${r.ours.stderr}`);
  assert.equal(r.theirs.status, 0, `tshark ${RUNS[name].join(' ')}: ${r.theirs.stderr}`);
  return { ours: r.ours.stdout, theirs: r.theirs.stdout };
}

function sameLines(ours: string, theirs: string, what: string): void {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const differing = a.flatMap((line, k) => (line === b[k] ? [] : [`line ${k + 1} ours:   ${line}`, `line ${k + 1} tshark: ${b[k]}`]));
  assert.deepEqual(differing.slice(0, 10), [], `${what}: lines that differ from tshark's`);
  assert.equal(a.length, b.length, `${what}: line count`);
  console.log(`${what}: ${a.length} lines, all equal`);
}

/** Agreement of multisets of items per packet, for the names both sides print. */
function agreement(what: string, ours: string[][], theirs: string[][], nameOf: (item: string) => string, floor: number): void {
  assert.equal(ours.length, theirs.length, `${what}: packet count`);
  let equal = 0;
  let compared = 0;
  let onlyTshark = 0;
  const samples: string[] = [];
  theirs.forEach((items, k) => {
    const mine = new Map<string, number>();
    const names = new Set(ours[k]!.map(nameOf));
    for (const item of ours[k]!) mine.set(item, (mine.get(item) ?? 0) + 1);
    for (const item of items) {
      if (!names.has(nameOf(item))) {
        onlyTshark++;
        continue;
      }
      compared++;
      const left = mine.get(item) ?? 0;
      if (left > 0) {
        equal++;
        mine.set(item, left - 1);
      } else if (samples.length < 8) samples.push(`packet ${k + 1}: tshark ${item}`);
    }
  });
  console.log(`${what}: ${equal} of ${compared} field items equal (${((100 * equal) / compared).toFixed(1)}%); ${onlyTshark} items of fields Sievecap does not print`);
  if (samples.length) console.log(`  e.g. ${samples.join('\n  e.g. ')}`);
  assert.ok(equal / compared >= floor, `${what}: ${equal}/${compared} below ${floor}`);
}

describe('sievecap -r agrees with tshark on its output formats', () => {
  test('-T psml and -T tabs: byte for byte', () => {
    const psml = outputs('psml');
    sameLines(psml.ours, psml.theirs, '-T psml');
    const tabs = outputs('tabs');
    sameLines(tabs.ours, tabs.theirs, '-T tabs');
  });

  test('-T pdml: the preamble, the protocols of every packet, and the fields both print', () => {
    const { ours, theirs } = outputs('pdml');
    const head = (s: string) => s.split('\n').slice(0, 4).join('\n').replace(/ time="[^"]*"/, '');
    assert.equal(head(ours), head(theirs));
    assert.ok(ours.endsWith('</packet>\n\n\n</pdml>\n') && theirs.endsWith('</packet>\n\n\n</pdml>\n'), 'both end as tshark does');
    const packets = (s: string) => s.split('<packet>\n').slice(1);
    const protos = (p: string) => [...p.matchAll(/^ {2}<proto name="([^"]+)"/gm)].map((m) => m[1]);
    const a = packets(ours);
    const b = packets(theirs);
    assert.equal(a.length, b.length);
    const differing = a.flatMap((p, k) => (protos(p).join(' ') === protos(b[k]!).join(' ') ? [] : [`packet ${k + 1}: ${protos(p).join(' ')} | tshark: ${protos(b[k]!).join(' ')}`]));
    assert.deepEqual(differing, [], 'top-level protocols per packet');
    // A field: its name, value, place, size and bytes (showname is the -V tree line, compared by the -V tests).
    const items = (p: string) => [...p.matchAll(/<field name="([^"]+)"(?: showname="[^"]*")?(?: hide="yes")? size="(\d+)" pos="(\d+)"(?: show="([^"]*)")?(?: value="([^"]*)")?(?: unmaskedvalue="([^"]*)")?/g)].map((m) => m.slice(1).join('|'));
    agreement('-T pdml', a.map(items), b.map(items), (i) => i.split('|')[0]!, 0.99);
  });

  test('-T ek: index lines byte for byte, the same layers, and the values of the fields both print', () => {
    const { ours, theirs } = outputs('ek');
    const a = ours.split('\n');
    const b = theirs.split('\n');
    assert.equal(a.length, b.length, 'two lines per packet');
    const index = (lines: string[]) => lines.filter((_, k) => k % 2 === 0);
    assert.deepEqual(index(a), index(b));
    const docs = (lines: string[]) => lines.filter((l, k) => k % 2 === 1 && l !== '').map((l) => JSON.parse(l) as { timestamp: string; layers: Record<string, Record<string, unknown>> });
    const da = docs(a);
    const db = docs(b);
    da.forEach((d, k) => {
      assert.equal(d.timestamp, db[k]!.timestamp);
      assert.deepEqual(Object.keys(d.layers), Object.keys(db[k]!.layers), `packet ${k + 1}: layers`);
    });
    // A layer's members; a field at the top of the tree (tcp_tcp_segments) is a member of the layers.
    const members = (d: { layers: Record<string, Record<string, unknown>> }) =>
      Object.entries(d.layers).flatMap(([layer, fields]) =>
        fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? Object.entries(fields).map(([name, value]) => `${layer}|${name}|${JSON.stringify(value)}`) : [`|${layer}|${JSON.stringify(fields)}`],
      );
    agreement('-T ek', da.map(members), db.map(members), (i) => i.split('|').slice(0, 2).join('|'), 0.99);
  });

  test('-T jsonraw: the same layers and each field\'s bytes, place, bitmask and type', () => {
    const { ours, theirs } = outputs('jsonraw');
    const packets = (s: string) => s.split(/\n {2}\{\n/).slice(1);
    const layers = (p: string) => [...p.matchAll(/^ {8}"([^"]+)": /gm)].map((m) => m[1]);
    const a = packets(ours);
    const b = packets(theirs);
    assert.equal(a.length, b.length);
    a.forEach((p, k) => assert.deepEqual(layers(p), layers(b[k]!), `packet ${k + 1}: layers`));
    const raws = (p: string) => [...p.matchAll(/"([^"\n]+)_raw": \[\s*("[^"]*"),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)\s*\]/g)].map((m) => m.slice(1).join('|'));
    agreement('-T jsonraw', a.map(raws), b.map(raws), (i) => i.split('|')[0]!, 0.99);
    assert.ok(JSON.parse(ours), 'valid JSON');
  });

  test('-T fields -E quote=s, header=y, bom=y, separator=,: byte for byte', () => {
    const quoted = outputs('quotedFields');
    assert.ok(quoted.theirs.startsWith('\uFEFF'));
    sameLines(quoted.ours, quoted.theirs, '-T fields -E quote=s -E header=y -E bom=y -E separator=,');
  });

  test('-T json -e FIELD: byte for byte', () => {
    const { ours, theirs } = outputs('jsonFields');
    sameLines(ours, theirs, '-T json -e');
  });

  test('-T fields -e with names Wireshark does not know fails as tshark does', () => {
    const r = results.get('unknownFields')!;
    assert.equal(r.theirs.status, 1);
    assert.equal(r.ours.status, r.theirs.status);
    assert.equal(r.ours.stdout, '');
    assert.equal(r.ours.stderr.replace(/^sievecap: /, ''), tsharkErrors(r.theirs).replace(/^tshark: /, ''));
  });

  test('-V -x: the hex and ASCII dump of the frame and of reassembled TCP after each tree', () => {
    const { ours, theirs } = outputs('tree');
    // Per packet, its dump's sections: a data source's name line (when there are several) and its
    // lines (the frame, reassembled TCP, an HTTP body de-chunked and uncompressed).
    const header = /^([A-Z][A-Za-z ]+) \(\d+ bytes?\):$/;
    const dumps = (s: string) =>
      s.split(/\n(?=Frame \d+: \d+ bytes on wire)/).map((packet) => {
        const sections: string[][] = [];
        for (const line of packet.split('\n')) {
          if (header.test(line)) sections.push([line]);
          else if (/^[0-9a-f]{4,8}  /.test(line)) {
            if (sections.length === 0) sections.push([]);
            sections[sections.length - 1]!.push(line);
          }
        }
        return sections;
      });
    const a = dumps(ours);
    const b = dumps(theirs);
    assert.equal(a.length, b.length, 'packets');
    let lines = 0;
    a.forEach((p, k) => {
      assert.deepEqual(p, b[k], `packet ${k + 1}`);
      lines += p.flat().length;
    });
    // Between packets: the tree, a blank line, the dump, a blank line.
    assert.match(ours, /\n\n0000  [^\n]+\n(?:[^\n]+\n)*\nFrame 2: /);
    console.log(`-V -x: ${lines} dump lines of ${a.length} packets equal`);
  });

  test('-T text -x -S SEPARATOR: the dumps alone, the separator after each, byte for byte', () => {
    const { ours, theirs } = outputs('hexSeparated');
    assert.equal(ours, theirs);
    assert.match(ours, /Uncompressed entity body \(\d+ bytes\):\n/);
    assert.match(ours, /\n---\n0000  /);
  });

  test('-j / -J: the protocols kept and the subtrees filtered, in -T json and -T ek', () => {
    const json = outputs('jsonFiltered');
    // "filtered" markers: which subtrees each output left out, in order.
    const filtered = (s: string) => [...s.matchAll(/"filtered": ?"([^"]+)"/g)].map((m) => m[1]!).filter((n) => !/^[A-Z]/.test(n));
    const markers = (s: string) => filtered(s).filter((n) => !n.includes(' '));
    assert.deepEqual(markers(json.ours), markers(json.theirs));
    assert.ok(json.ours.includes('"ipv6.src_host"'), '-J ipv6 keeps all of IPv6');
    const ek = outputs('ekFiltered');
    const docs = (s: string) => s.split('\n').filter((l, k) => k % 2 === 1 && l !== '').map((l) => JSON.parse(l) as { layers: Record<string, Record<string, unknown>> });
    const a = docs(ek.ours);
    const b = docs(ek.theirs);
    let equal = 0;
    a.forEach((d, k) => {
      assert.deepEqual(Object.keys(d.layers), Object.keys(b[k]!.layers));
      for (const [layer, fields] of Object.entries(b[k]!.layers)) {
        if ('filtered' in fields) {
          assert.deepEqual(d.layers[layer], fields);
          equal++;
        } else {
          for (const [name, value] of Object.entries(fields)) {
            if (name in d.layers[layer]! && JSON.stringify(value).includes('filtered')) {
              assert.deepEqual(d.layers[layer]![name], value, `${layer} ${name}`);
              equal++;
            }
          }
        }
      }
    });
    console.log(`-j: ${markers(json.ours).length} json subtrees filtered as tshark's; -T ek: ${equal} filtered members equal`);
  });

  // Not compared: the order, which tshark's dynamically registered fields (XML's, from DTDs) change from run to run.
  test('-G fields and -G protocols: tshark\'s lines for the protocols Sievecap dissects', () => {
    for (const [report, [ours, theirs]] of Object.entries(glossary)) {
      assert.equal(ours.status, 0, ours.stderr);
      const known = new Set(theirs.stdout.split('\n'));
      const lines = ours.stdout.split('\n').filter(Boolean);
      const missing = lines.filter((l) => !known.has(l));
      assert.deepEqual(missing.slice(0, 5), [], `-G ${report}: lines tshark does not print`);
      console.log(`-G ${report}: ${lines.length} lines, each one of tshark's ${known.size - 1}`);
    }
    assert.ok(glossary.fields[0].stdout.includes('\nF\tSource Address\tip.src\tFT_IPv4\tip\t\t0x0\t\n'));
  });
});
