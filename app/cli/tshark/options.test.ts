/**
 * Unit checks of tshark's options: which letters are tshark's, the Time column, names. Agreement
 * with tshark itself on whole captures is tested in tests/cli-tshark-options.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, UsageError } from '../args';
import { extractTsharkOptions, parseDecodeAs } from './options';
import { nameResolutionOf, portRange, preferenceOptions } from './preferences';
import { precisionDigits, TimeColumn } from '../../engine/time-column';
import { MacNames, PortNames } from '../../dissect/names';
import { existsSync, readFileSync } from 'node:fs';

test('-t WORD and -N LETTERS are tshark’s only where tcpdump could not mean them', () => {
  assert.equal(extractTsharkOptions(['-t', 'ad']).tshark.timeFormat, 'ad');
  assert.equal(extractTsharkOptions(['-tudoy']).tshark.timeFormat, 'udoy');
  // tcpdump's: -t alone, -tt, -te (-t -e), -tr FILE (-t -r FILE), -t followed by a filter.
  for (const argv of [['-t'], ['-tt'], ['-te'], ['-tr', 'f.pcap'], ['-t', 'tcp']]) {
    const { rest, tshark } = extractTsharkOptions(argv);
    assert.equal(tshark.timeFormat, undefined, argv.join(' '));
    assert.deepEqual(rest, argv);
  }
  assert.equal(extractTsharkOptions(['-N', 'mnt']).tshark.nameResolution, 'mnt');
  assert.deepEqual(extractTsharkOptions(['-Nn', '-N', 'dst', 'host', 'x']).rest, ['-Nn', '-N', 'dst', 'host', 'x']);
  // The value of another option is never taken for one of these.
  assert.deepEqual(extractTsharkOptions(['-Y', '-t', '-f', '-2']).rest, ['-Y', '-t', '-f', '-2']);
});

test('a tshark-only option switches the output to tshark’s summary; tcpdump’s line flags keep tcpdump’s lines', () => {
  assert.equal(parseCommandLine(['-r', 'f', '-Y', 'http']).outputType, 'text');
  assert.equal(parseCommandLine(['-r', 'f', '-t', 'e']).outputType, 'text');
  assert.equal(parseCommandLine(['-r', 'f']).outputType, undefined);
  assert.equal(parseCommandLine(['-r', 'f', '-Y', 'http', '-x']).outputType, undefined);
  assert.equal(parseCommandLine(['-r', 'f', '-Y', 'http', '-V']).outputType, undefined);
  assert.throws(() => parseCommandLine(['-r', 'f', '-t', 'ad', '-A']), (e: unknown) => e instanceof UsageError && e.status === 1);
  assert.throws(() => parseCommandLine(['-r', 'f', '-R', 'tcp']), /-R without -2/);
});

test('-d and -o values', () => {
  assert.deepEqual(parseDecodeAs('udp.port==5000-5002,dns'), { text: 'udp.port==5000-5002,dns', transport: 'udp', ports: [5000, 5001, 5002], protocol: 'dns' });
  assert.throws(() => parseDecodeAs('tcp.port==70000,http'), /takes a port/);
  assert.equal(parseDecodeAs('tcp.port=8443,ssl').protocol, 'tls');
  assert.deepEqual(portRange('80, 8000-8002'), [80, 8000, 8001, 8002]);
  assert.equal(portRange('80,x'), undefined);
  assert.deepEqual(preferenceOptions(['nameres.mac_name:false', 'http.tcp.port:80,8080']), { 'nameres.mac_name': 'FALSE', 'http.tcp.port': '80,8080' });
  const names = (o: Parameters<typeof nameResolutionOf>[0]) => nameResolutionOf(o);
  assert.deepEqual(names({ preferences: {}, numeric: false }), { mac: true, network: false, transport: false, external: true });
  assert.deepEqual(names({ preferences: {}, numeric: false, tshark: { nameResolution: 'n' } }), { mac: false, network: true, transport: false, external: false });
  assert.deepEqual(names({ preferences: {}, numeric: true }), { mac: false, network: false, transport: false, external: true });
});

test('the Time column: precision, formats, -u hms, truncated as tshark truncates', () => {
  assert.equal(precisionDigits({ base: 10, exponent: 9 }), 9);
  assert.equal(precisionDigits({ base: 10, exponent: 6 }), 6);
  assert.equal(precisionDigits({ base: 2, exponent: 30 }), 9);
  assert.equal(precisionDigits({ base: 10, exponent: 3 }), 3);
  const ts = 1_265_678_319_618_072_999n;
  process.env.TZ = 'UTC';
  assert.equal(new TimeColumn('ad').text(ts, 0n, 0n, 6), '2010-02-09 01:18:39.618072');
  assert.equal(new TimeColumn('udoy').text(ts, 0n, 0n, 9), '2010/040 01:18:39.618072999');
  assert.equal(new TimeColumn('e').text(ts, 0n, 0n, 3), '1265678319.618');
  assert.equal(new TimeColumn('r', 'hms').text(ts, 3_725_000_001_000n, 0n, 6), '1h  2m  5.000001s');
  assert.equal(new TimeColumn('d', 'hms').text(ts, 0n, 61_500_000_000n, 6), '1m  1.500000s');
  const dd = new TimeColumn('dd');
  assert.equal(dd.text(10n, 0n, 0n, 9), '0.000000000');
  assert.equal(dd.text(25n, 0n, 0n, 9), '0.000000015');
});

test('MAC names: the plain-line reader of Wireshark\'s files gives the names the general parser gives', { skip: !existsSync('/usr/share/wireshark/manuf') }, () => {
  const manuf = readFileSync('/usr/share/wireshark/manuf', 'latin1');
  const wka = existsSync('/usr/share/wireshark/wka') ? readFileSync('/usr/share/wireshark/wka', 'latin1') : '';
  const fast = new MacNames({ ethers: [], wka, manuf });
  // A leading space sends every line through the general parser (it trims; the plain reader does not).
  const indent = (text: string): string => text.replace(/^(?=[0-9A-Fa-f])/gm, ' ');
  const general = new MacNames({ ethers: [], wka: indent(wka), manuf: indent(manuf) });
  // Addresses under each kind of entry: every line's own address, and its last address.
  const addresses: string[] = [];
  for (const line of (manuf + wka).split('\n')) {
    const m = /^([0-9A-F]{2}(?::[0-9A-F]{2}){2,5})/.exec(line);
    if (!m || addresses.length > 40_000) continue;
    const bytes = m[1]!.toLowerCase().split(':');
    while (bytes.length < 6) bytes.push('00');
    addresses.push(bytes.join(':'), [...bytes.slice(0, 5), 'ff'].join(':'));
  }
  assert.ok(addresses.length > 1000);
  for (const a of addresses) assert.equal(fast.name(a), general.name(a), a);
  // Read per OUI on demand (as fromSystem does): the same names, also for locally administered
  // and multicast forms of each address (no manufacturer: the ranges of fewer than 24 bits).
  const lazy = new MacNames({ ethers: ['00:00:0c:07:ac:01 mine\n'], wka, manuf, lazyManuf: true });
  const eager = new MacNames({ ethers: ['00:00:0c:07:ac:01 mine\n'], wka, manuf });
  const variants = addresses.filter((_, k) => k % 41 === 0).flatMap((a) => {
    const first = parseInt(a.slice(0, 2), 16);
    return [a, ...[0x01, 0x02, 0x03].map((bit) => `${(first | bit).toString(16).padStart(2, '0')}${a.slice(2)}`)];
  });
  const few = new MacNames({ ethers: ['00:00:0c:07:ac:01 mine\n'], wka, manuf, lazyManuf: true });
  for (const a of ['00:00:0c:07:ac:01', '02:00:00:00:00:01', '33:33:00:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:1b:c5:00:00:05', '01:1b:c5:00:00:05']) assert.equal(few.name(a), eager.name(a), a);
  // Many OUIs: read one by one, then all of manuf at once.
  for (const a of variants) assert.equal(lazy.name(a), eager.name(a), a);
});

test('MAC names as Wireshark 4.0 makes them: exact, ranges (keyed by masked address alone), manufacturers', () => {
  const names = new MacNames({
    ethers: ['00:16:ce:00:00:01 myhost\n'],
    wka: 'FF-FF-FF-FF-FF-FF\tBroadcast\n33-33-00-00-00-00/16\tIPv6mcast\n01-00-5E/25\tIPv4mcast\n',
    manuf: '00:16:CE\tHonHaiPr\tHon Hai Precision\n00:1B:C5:00:00:00/36\tConvergi\tConverging Systems\n',
  });
  assert.equal(names.name('ff:ff:ff:ff:ff:ff'), 'Broadcast');
  assert.equal(names.name('00:16:ce:00:00:01'), 'myhost');
  assert.equal(names.name('00:16:ce:6e:8b:24'), 'HonHaiPr_6e:8b:24');
  assert.equal(names.name('33:33:ff:00:10:00'), 'IPv6mcast_ff:00:10:00');
  assert.equal(names.name('33:33:00:01:00:02'), 'IPv6mcast_01:00:02');
  assert.equal(names.name('01:00:5e:7f:00:01'), 'IPv4mcast_7f:00:01');
  assert.equal(names.name('00:1b:c5:00:00:05'), 'Convergi_05');
  assert.equal(names.name('02:00:00:00:00:09'), '02:00:00:00:00:09');
  // Spellings the plain-line reader leaves to the general parser, and lines it reads itself.
  const mixed = new MacNames({
    ethers: ['  00:16:ce:00:00:02 indented # comment\n', '00-16-ce-00-00-03\tdashed\n', '0016.ce00.0004 dotted\n', '00:16:ce:00:00:05\tcr\r\n'],
    wka: '01:80:C2:00:00:30/45\tCFM-CCM\n',
    manuf: '00:16:CE\tHonHaiPr # trailing\n',
  });
  assert.equal(mixed.name('00:16:ce:00:00:02'), 'indented');
  assert.equal(mixed.name('00:16:ce:00:00:03'), 'dashed');
  assert.equal(mixed.name('00:16:ce:00:00:04'), 'dotted');
  assert.equal(mixed.name('00:16:ce:00:00:05'), 'cr');
  assert.equal(mixed.name('00:16:ce:00:00:06'), 'HonHaiPr_00:00:06');
  assert.equal(mixed.name('01:80:c2:00:00:37'), 'CFM-CCM_07');
  assert.equal(new PortNames('http\t80/tcp\nslm-api 1606/tcp\n').name('tcp', 80), 'http');
  assert.equal(new PortNames('distinct\t9999/tcp/udp\n').name('udp', 9999), 'distinct');
  assert.equal(new PortNames('').name('udp', 9), undefined);
});
