/**
 * tshark's options of `sievecap` (issue 15) compared with tshark 4.0 (and tcpdump for
 * --time-stamp-precision), byte for byte: a tshark-only option switching to tshark's summary,
 * -t FORMAT and -u hms at the file's precision, -T text and -V on nanosecond files, -o
 * preferences, -d decode-as, -2 -R, -N name resolution (summaries and tree labels), -c with -Y,
 * -P, and exit statuses.
 *
 * On a corpus file (chrissanders-packets/http_google.pcapng) and on a nanosecond pcapng (and pcap)
 * the test writes: two TCP conversations (HTTP on port 8888, which only -d or -o http.tcp.port
 * makes HTTP, and on port 80 towards 127.0.0.1, which /etc/hosts names), a syslog message on UDP
 * port 9999 and ARP frames whose MAC addresses Wireshark's manuf and wka files name in each of
 * their ways, seconds, minutes and hours apart.
 *
 * Kept under 15 s: every sievecap run goes through one Node process (support/agree.ts), and the
 * tshark runs, one per case (ten), run side by side; about 10 CPU-seconds in all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapngWriter } from '../app/pcap/pcapng-writer';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusFile } from './support/corpus';
import { sievecapRuns } from './support/agree';
import { sievecap } from './support/sievecap';
import { TcpConversation } from './support/tcp-frames';
import type { CliRun } from './support/cli-batch-child';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tshark-options-'));
const made = path.join(tmp, 'made.pcapng');
const madePcapNs = path.join(tmp, 'made-ns.pcap');
/** tshark's and tcpdump's local time is UTC here, whatever the machine's zone. */
const env = { ...process.env, TZ: 'UTC' };

/** A frame's MAC addresses replaced. */
function withMacs(frame: Buffer, dst: string, src: string): Buffer {
  const f = Buffer.from(frame);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(f, 0);
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(f, 6);
  return f;
}

function arp(dst: string, src: string, senderIp: number[], targetIp: number[]): Buffer {
  const f = Buffer.alloc(42);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(f, 0);
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(f, 6);
  f.writeUInt16BE(0x0806, 12);
  f.writeUInt16BE(1, 14);
  f.writeUInt16BE(0x0800, 16);
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(1, 20);
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(f, 22);
  Buffer.from(senderIp).copy(f, 28);
  Buffer.from(targetIp).copy(f, 38);
  return f;
}

/** A syslog message from 10.1.2.3:40001 to 10.1.2.4:9999 (a port no dissector and no heuristic of tshark's takes). */
function syslogMessage(): Buffer {
  const text = Buffer.from('<34>Oct 11 22:14:15 mymachine su: test message');
  const f = Buffer.alloc(14 + 20 + 8 + text.length);
  Buffer.from('020000000004020000000003', 'hex').copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(28 + text.length, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([10, 1, 2, 3, 10, 1, 2, 4]).copy(f, 26);
  f.writeUInt16BE(40001, 34);
  f.writeUInt16BE(9999, 36);
  f.writeUInt16BE(8 + text.length, 38);
  text.copy(f, 42);
  return f;
}

function madeFrames(): Buffer[] {
  const http = new TcpConversation({ client: '10.1.2.3', server: '10.1.2.4', clientPort: 40000, serverPort: 8888 });
  http.handshake();
  http.send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'), [10]);
  http.send('server', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'), [20]);
  http.fin('client').fin('server');
  const local = new TcpConversation({ client: '10.1.2.3', server: '127.0.0.1', clientPort: 40002, serverPort: 80 });
  local.handshake();
  local.send('client', Buffer.from('GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  local.send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  return [
    // Manufacturer (HonHaiPr) to the broadcast address (wka, exact).
    arp('ff:ff:ff:ff:ff:ff', '00:16:ce:6e:8b:24', [10, 1, 2, 3], [10, 1, 2, 4]),
    // A 36-bit manuf block to an IPv6 multicast address (a wka range).
    arp('33:33:00:01:00:02', '00:1b:c5:00:00:05', [10, 1, 2, 5], [10, 1, 2, 6]),
    arp('33:33:ff:00:10:00', '02:00:00:00:00:09', [10, 1, 2, 7], [10, 1, 2, 8]),
    ...http.frames.map((f) => f.data),
    syslogMessage(),
    ...local.frames.map((f) => withMacs(f.data, '00:16:ce:6e:8b:24', '00:0c:29:1f:a7:55')),
  ];
}

/** Time stamps with nanoseconds, seconds then minutes then hours apart (for -u hms). */
function stampOf(k: number): bigint {
  const base = 1_700_000_000_123_456_789n;
  const step = k < 6 ? 1_000_000_001n : k < 14 ? 61_000_000_003n : 3_601_000_000_007n;
  return base + BigInt(k) * step;
}

before(() => {
  const frames = madeFrames();
  const ng = new PcapngWriter(made, { interfaces: [{ linkType: 1 }] });
  frames.forEach((data, k) => ng.writePacket({ interfaceId: 0, tsNs: stampOf(k), data }));
  ng.close();
  const pcap = new PcapWriter(madePcapNs, { linkType: 1, snapLen: 262144, nanosecond: true });
  frames.forEach((data, k) => pcap.writePacket({ tsNs: stampOf(k), data }));
  pcap.close();
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** tshark runs side by side: each started at once, awaited where its case needs it. */
function tshark(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('tshark', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ status, stdout, stderr: stderr.split('\n').filter((l) => l && !/Running as user "root"/.test(l)).join('\n') });
    });
  });
}

const TIME_FORMATS = ['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'] as const;
/** Wireshark's column formats for each -t format (-t e goes through %t). */
const COLUMN_OF: Record<(typeof TIME_FORMATS)[number], string> = {
  a: '%At', ad: '%Yt', adoy: '%YDOYt', d: '%Tt', dd: '%Gt', e: '%t', r: '%Rt', u: '%Aut', ud: '%Yut', udoy: '%YDOYut',
};

/** tshark's Time column in every -t format, one run: custom columns printed as fields. */
function tsharkTimes(file: string, extra: string[]): Promise<Run> {
  const format = TIME_FORMATS.map((t) => `"${t}","${COLUMN_OF[t]}"`).join(',');
  return tshark(['-r', file, '-t', 'e', ...extra, '-o', `gui.column.format:${format}`, '-T', 'fields', ...TIME_FORMATS.flatMap((t) => ['-e', `_ws.col.${t}`])]);
}

describe('tshark options agree with tshark 4.0', () => {
  let google: string;
  let ours: CliRun[];
  const cases: Array<{ name: string; args: string[] }> = [];
  const ourRun = (name: string): CliRun => ours[cases.findIndex((c) => c.name === name)]!;
  let reference: Record<string, Promise<Run>>;

  before(() => {
    google = requireCorpusFile('chrissanders-packets/http_google.pcapng');
    const add = (name: string, args: string[]): void => void cases.push({ name, args });
    add('-Y', ['-r', google, '-Y', 'http.request || tcp.len > 1400', '-c', '8', '-t', 'dd']);
    add('-T text', ['-r', made, '-T', 'text']);
    add('-T text pcap-ns', ['-r', madePcapNs, '-T', 'text']);
    for (const t of TIME_FORMATS) add(`-t ${t}`, ['-r', made, '-t', t]);
    for (const t of ['r', 'd', 'dd'] as const) add(`-t ${t} -u hms`, ['-r', made, '-t', t, '-u', 'hms']);
    add('-V names', ['-r', made, '-V', '-N', 'mntN']);
    add('-d', ['-r', made, '-d', 'tcp.port==8888,http', '-d', 'udp.port==9999,syslog', '-o', 'tcp.relative_sequence_numbers:FALSE', '-N', 'mnt']);
    add('-o', ['-r', made, '-o', 'http.tcp.port:8888', '-o', 'nameres.network_name:TRUE', '-o', 'nameres.mac_name:FALSE']);
    add('-2 -R', ['-r', google, '-2', '-R', 'tcp.len > 0']);
    add('bad -Y', ['-r', google, '-Y', 'tcp.port ==']);
    add('-R alone', ['-r', google, '-R', 'tcp']);
    add('-P', ['-r', made, '-P', '-w', path.join(tmp, 'copy.pcapng'), '-c', '6']);
    // Every tshark run starts now and runs beside the others and the CLI batch.
    reference = {
      '-Y': tshark(['-r', google, '-Y', 'http.request || tcp.len > 1400', '-c', '8', '-t', 'dd']),
      '-T text': tshark(['-r', made]),
      times: tsharkTimes(made, []),
      hms: tsharkTimes(made, ['-u', 'hms']),
      '-V names': tshark(['-r', made, '-V', '-N', 'mntN']),
      '-d': tshark(['-r', made, '-d', 'tcp.port==8888,http', '-d', 'udp.port==9999,syslog', '-o', 'tcp.relative_sequence_numbers:FALSE', '-N', 'mnt']),
      '-o': tshark(['-r', made, '-o', 'http.tcp.port:8888', '-o', 'nameres.network_name:TRUE', '-o', 'nameres.mac_name:FALSE']),
      '-2 -R': tshark(['-r', google, '-2', '-R', 'tcp.len > 0']),
      'bad -Y': tshark(['-r', google, '-Y', 'tcp.port ==']),
      '-R alone': tshark(['-r', google, '-R', 'tcp']),
    };
    process.env.TZ = 'UTC';
    ours = sievecapRuns(cases.map((c) => c.args));
  });

  const same = async (name: string, theirs = name): Promise<void> => {
    const mine = ourRun(name);
    const ref = await reference[theirs]!;
    assert.equal(ref.status, 0, ref.stderr);
    assert.equal(mine.status, 0, mine.stderr);
    assert.ok(ref.stdout.length > 0, `tshark printed nothing for ${name}`);
    assert.equal(mine.stdout, ref.stdout, name);
  };

  test('a tshark-only option (-Y) prints tshark’s summary; -c counts the packets read; -t dd the displayed ones', () => same('-Y'));
  test('-T text on a nanosecond pcapng: 9 digits, MAC names of every kind', () => same('-T text'));
  test('-T text on a nanosecond pcap: 9 digits', async () => {
    assert.equal(ourRun('-T text pcap-ns').stdout, (await reference['-T text']!).stdout);
  });
  test('-V on a nanosecond pcapng: the frame times, 9 digits', async () => {
    const times = (text: string): string[] => text.split('\n').filter((l) => /^    (Arrival Time|Epoch Time|\[Time delta from previous captured|\[Time since reference)/.test(l));
    const mine = times(ourRun('-V names').stdout);
    assert.ok(mine.length >= 4 * 18 && mine.some((l) => /\.\d{9} seconds/.test(l)), 'the frame times are there');
    assert.deepEqual(mine, times((await reference['-V names']!).stdout));
  });
  test('-V names MAC addresses, hosts (from /etc/hosts with N) and ports in tree labels as tshark does (-N mntN)', async () => {
    const named = (text: string): string[] => text.split('\n').filter((l) => /^(Ethernet II|    (Destination|Source): |        Address: |    (Sender|Target) MAC|Internet Protocol|    (Source|Destination) Address: |Transmission Control Protocol|User Datagram Protocol|    (Source|Destination) Port: )/.test(l));
    const mine = named(ourRun('-V names').stdout);
    const has = (text: string): boolean => mine.some((l) => l.includes(text));
    assert.ok(has('Broadcast (ff:ff:ff:ff:ff:ff)') && has('http (80)') && has('localhost (127.0.0.1)'), 'names are there');
    assert.deepEqual(mine, named((await reference['-V names']!).stdout));
  });
  test('-d tcp.port==8888,http -d udp.port==9999,syslog, relative sequence numbers off, -N mnt', () => same('-d'));
  test('-o http.tcp.port, nameres.network_name (from /etc/hosts), nameres.mac_name', () => same('-o'));
  test('-2 -R: what is kept is numbered 1, 2, …, segments show TCP’s Info', () => same('-2 -R'));

  test('-t FORMAT: every format, at nanosecond precision', async () => {
    const base = ourRun('-T text').stdout.split('\n').filter(Boolean);
    const times = (await reference.times!).stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.equal(times.length, base.length);
    TIME_FORMATS.forEach((t, column) => {
      const expected = base.map((line, k) => line.slice(0, 6) + times[k]![column]!.padStart(10) + line.slice(6 + Math.max(10, line.slice(6).indexOf(' ', line.slice(6).search(/\S/)))));
      assert.deepEqual(ourRun(`-t ${t}`).stdout.split('\n').filter(Boolean), expected, `-t ${t}`);
    });
  });

  test('-u hms: relative and delta times in hours, minutes and seconds', async () => {
    const base = ourRun('-T text').stdout.split('\n').filter(Boolean);
    const times = (await reference.hms!).stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.ok(times.some((row) => /h +\d+m/.test(row[TIME_FORMATS.indexOf('r')]!)), 'the capture spans hours');
    for (const t of ['r', 'd', 'dd'] as const) {
      const column = TIME_FORMATS.indexOf(t);
      const expected = base.map((line, k) => line.slice(0, 6) + times[k]![column]!.padStart(10) + line.slice(6 + Math.max(10, line.slice(6).indexOf(' ', line.slice(6).search(/\S/)))));
      assert.deepEqual(ourRun(`-t ${t} -u hms`).stdout.split('\n').filter(Boolean), expected, `-t ${t} -u hms`);
    }
  });

  test('exit statuses: a display filter that does not compile 2, -R without -2 1', async () => {
    for (const name of ['bad -Y', '-R alone']) {
      const ref = await reference[name]!;
      const mine = ourRun(name);
      assert.equal(mine.status, ref.status, `${name}: ${mine.stderr}`);
      assert.equal(mine.stdout, '');
    }
    assert.equal((await reference['bad -Y']!).status, 2);
    assert.match(ourRun('-R alone').stderr, /-R without -2/);
  });

  test('-P with -w: the summary as tshark prints it, and the packets in the file', async () => {
    const run = ourRun('-P');
    assert.equal(run.status, 0, run.stderr);
    const lines = (await reference['-T text']!).stdout.split('\n').slice(0, 6).join('\n') + '\n';
    assert.equal(run.stdout, lines);
    const copy = sievecap(['-r', path.join(tmp, 'copy.pcapng'), '-T', 'text']);
    assert.equal(copy.stdout.toString(), lines);
  });

  test('--time-stamp-precision nano with -r prints nanoseconds, as tcpdump does', () => {
    const theirs = spawnSync('tcpdump', ['-r', made, '-n', '--time-stamp-precision', 'nano'], { env, encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    const mine = sievecap(['-r', made, '-n', '--time-stamp-precision', 'nano']);
    assert.equal(mine.status, 0, mine.stderr);
    assert.match(theirs.stdout, /^\d\d:\d\d:\d\d\.\d{9} /);
    assert.equal(mine.stdout.toString(), theirs.stdout);
  });
});

describe('tshark options: messages', () => {
  const cases: Array<[string[], RegExp, number]> = [
    [['-d', 'tcp.port==8888,nosuch'], /-d tcp\.port==8888,nosuch: there is no nosuch dissector for TCP ports; there are: .*http/, 1],
    [['-d', 'ip.proto==6,tcp'], /by tcp\.port or udp\.port, not by ip\.proto/, 1],
    [['-d', 'tcp.port==8888'], /LAYER==SELECTOR,PROTOCOL/, 1],
    [['-o', 'foo.bar:1'], /-o foo\.bar: not a preference Sievecap has; it knows .*http\.tcp\.port/, 1],
    [['-o', 'tcp.relative_sequence_numbers:maybe'], /takes TRUE or FALSE/, 1],
    [['-u', 'x'], /-u x: the seconds format is s .* or hms/, 1],
    [['-t', 'ad', '-x'], /-t ad shapes tshark-style output and -x tcpdump's lines/, 1],
  ];
  let runs: CliRun[];
  before(() => {
    const file = requireCorpusFile('chrissanders-packets/http_google.pcapng');
    runs = sievecapRuns([
      ...cases.map(([args]) => ['-r', file, ...args]),
      ['-r', file, '-n', '-t', '-c', '1'],
      ['-r', file, '-n', '-tt', '-N', '-c', '1'],
      ['-c', '1', '-Nn', '-te', '-r', file],
      ['-n', '-c', '1', '-tr', file],
    ]);
  });

  test('bad tshark options are refused with tshark’s status (1), naming the option', () => {
    cases.forEach(([args, message, status], k) => {
      assert.equal(runs[k]!.status, status, `${args.join(' ')}: ${runs[k]!.stderr}`);
      assert.match(runs[k]!.stderr, message, args.join(' '));
      assert.equal(runs[k]!.stdout, '');
    });
  });

  test('-t and -N alone (or attached as tcpdump users write them) keep tcpdump’s meaning', () => {
    const [bare, tt, te, tr] = runs.slice(cases.length);
    assert.equal(bare!.stdout, 'IP 172.16.16.128.1606 > 74.125.95.104.80: Flags [S], seq 2082691767, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK], length 0\n');
    assert.match(tt!.stdout, /^1265678319\.618072 IP /);
    // -te: -t -e; -Nn: -N -n; -tr FILE: -t -r FILE.
    assert.equal(te!.stdout, '00:21:6a:5b:7d:4a > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 66: ' + bare!.stdout.slice(3), te!.stderr);
    assert.equal(tr!.stdout, bare!.stdout, tr!.stderr);
  });
});
