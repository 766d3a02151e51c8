/** tshark's format options taken off the command line, and the letters tcpdump shares (tests/cli-tshark-formats.test.ts compares the outputs with tshark). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, UsageError } from '../args';
import { invalidFieldsMessage, tabsLine, takeTsharkFormatOptions } from './formats';
import { hexDump } from './hex-dump';
import { fieldsLine } from './fields';
import { Dissector } from '../../dissect/dissector';
import { udpFrame } from '../../dissect/test-frames';

test('-G REPORT is tshark\'s glossary; a number is tcpdump\'s -G SECONDS (rotation of the -w file)', () => {
  assert.equal(takeTsharkFormatOptions(['-G', 'fields']).formats.glossary, 'fields');
  assert.equal(takeTsharkFormatOptions(['-Gprotocols']).formats.glossary, 'protocols');
  assert.equal(takeTsharkFormatOptions(['-G']).formats.glossary, 'fields');
  assert.deepEqual(takeTsharkFormatOptions(['-G', '-r', 'x.pcap']).argv, ['-r', 'x.pcap']);
  assert.equal(takeTsharkFormatOptions(['-G', 'nonsense']).formats.glossary, 'nonsense');
  assert.deepEqual(takeTsharkFormatOptions(['-w', 'x.pcap', '-G', '30']).argv, ['-w', 'x.pcap', '-G', '30']);
  assert.equal(parseCommandLine(['-i', 'lo', '-w', 'x-%s.pcap', '-G', '30']).rotation?.seconds, 30);
  assert.throws(() => parseCommandLine(['-i', 'lo', '-G', '30']), (e: Error) => e instanceof UsageError && /give -w FILE/.test(e.message));
});

test('-j PROTOCOLS and -J PROTOCOLS are tshark\'s; -j with a time-stamp type and a bare -J stay for tcpdump', () => {
  const taken = takeTsharkFormatOptions(['-r', 'f', '-T', 'json', '-j', 'ip  udp']);
  assert.deepEqual(taken.formats.protocolFilter, { names: ['ip', 'udp'], includeChildren: false });
  assert.deepEqual(taken.argv, ['-r', 'f', '-T', 'json']);
  assert.deepEqual(takeTsharkFormatOptions(['-J', 'http']).formats.protocolFilter, { names: ['http'], includeChildren: true });
  for (const tcpdump of [['-j', 'adapter_unsynced'], ['-J'], ['-J', '-i', 'eth0']]) {
    const t = takeTsharkFormatOptions(tcpdump);
    assert.equal(t.formats.protocolFilter, undefined);
    assert.deepEqual(t.argv, tcpdump);
  }
  assert.throws(() => parseCommandLine(['-r', 'f', '-j', 'ip']), /go with -T json, jsonraw, ek or pdml/);
});

test('-E quote= and bom= are taken; the other -E options stay for args.ts; nothing after --', () => {
  const taken = takeTsharkFormatOptions(['-E', 'quote=s', '-E', 'separator=,', '-Ebom=y', '--', '-G', 'fields']);
  assert.equal(taken.formats.fieldQuote, "'");
  assert.equal(taken.formats.fieldBom, true);
  assert.deepEqual(taken.argv, ['-E', 'separator=,', '--', '-G', 'fields']);
  assert.throws(() => takeTsharkFormatOptions(['-E', 'quote=x']), /quote takes d/);
  const opts = parseCommandLine(['-r', 'f', '-T', 'fields', '-E', 'quote=d', '-e', 'ip.src']);
  assert.equal(opts.tsharkFormats.fieldQuote, '"');
  assert.deepEqual(opts.fields, ['ip.src']);
});

test('-x is tshark\'s with -V or -T text (once); tcpdump\'s otherwise, refused with -V as -xx', () => {
  assert.equal(parseCommandLine(['-r', 'f', '-V', '-x']).tsharkFormats.hexDump, true);
  assert.equal(parseCommandLine(['-r', 'f', '-T', 'text', '-x']).tsharkFormats.hexDump, true);
  assert.equal(parseCommandLine(['-r', 'f', '-x']).tsharkFormats.hexDump, false);
  assert.throws(() => parseCommandLine(['-r', 'f', '-V', '-xx']), /-x changes tcpdump-style lines/);
  assert.throws(() => parseCommandLine(['-r', 'f', '-T', 'fields', '-e', 'ip.src', '-x']), /-x changes tcpdump-style lines/);
});

test('-T takes tshark\'s eight formats', () => {
  for (const t of ['text', 'json', 'jsonraw', 'ek', 'pdml', 'psml', 'tabs']) assert.equal(parseCommandLine(['-r', 'f', '-T', t]).outputType, t);
  assert.throws(() => parseCommandLine(['-r', 'f', '-T', 'xml']), /-T takes text, fields, json, ek, pdml, psml, tabs, jsonraw/);
});

test('unknown -e names: tshark\'s message, names in reverse order, columns always valid', () => {
  const known = (n: string) => n === 'ip.src';
  assert.equal(invalidFieldsMessage(['ip.src', 'foo.bar', '_ws.col.Info', 'bogus'], known), "Some fields aren't valid:\n\tbogus\n\tfoo.bar");
  assert.equal(invalidFieldsMessage(['ip.src'], known), undefined);
});

test('-T fields values: quoted when present, line ends and tabs escaped', () => {
  const frame = udpFrame(40000, 7, Buffer.from('hi'));
  const p = new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen: frame.length, linkType: 1 });
  assert.equal(fieldsLine(p, ['udp.srcport', 'tcp.port', 'udp.port'], { quote: '"' }), '"40000"\t\t"40000,7"');
});

test('-T tabs and the hex dump: tshark\'s padding', () => {
  assert.equal(tabsLine(['1', '0.000000', '10.0.0.1', '10.0.0.2', 'UDP', '60', 'x']), '    1\t  0.000000\t    10.0.0.1\t→\t10.0.0.2    \tUDP\t60\tx');
  assert.deepEqual(hexDump(Buffer.from('0123456789abcdefXY\n')).split('\n'), [
    '0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66   0123456789abcdef',
    '0010  58 59 0a                                          XY.',
  ]);
  assert.equal(hexDump(Buffer.alloc(0)), '');
  // Five offset digits past 64 KiB, a full last row, control and high bytes as dots.
  const big = hexDump(Buffer.alloc(0x10010, 0x80)).split('\n');
  assert.equal(big.length, 0x1001);
  assert.equal(big[0x1000], `10000  ${'80 '.repeat(16)}  ${'.'.repeat(16)}`);
});

test('-G: fields and protocols print the glossary; another report is refused in tshark\'s words (exit 1)', async () => {
  const { printGlossaryReport } = await import('./glossary-report');
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), error: (t: string) => err.push(t) } as unknown as Parameters<typeof printGlossaryReport>[1];
  assert.equal(await printGlossaryReport('protocols', io), 0);
  assert.match(out.join(''), /^Internet Protocol Version 4\tIPv4\tip$/m);
  // tshark 4.0: 'tshark: Invalid "nonsense" option for -G flag, enter -G help for more help.', status 1.
  assert.equal(await printGlossaryReport('nonsense', io), 1);
  assert.deepEqual(err, ['sievecap: Invalid "nonsense" option for -G flag, enter -G help for more help.']);
});

test('-T ek, pdml and jsonraw write the tree with the glossary\'s names, types and bitmasks', async () => {
  const { loadGlossary } = await import('../../filter/glossary');
  await loadGlossary();
  const { ekPacket } = await import('./ek');
  const { pdmlPacket } = await import('./pdml');
  const { rawJsonPacket } = await import('./raw-json');
  const frame = udpFrame(40000, 7, Buffer.from('hi'));
  const p = new Dissector().dissect({ number: 1, tsNs: 1_166_293_367_202_144_000n, data: frame, origLen: frame.length, linkType: 1 });
  const [index, doc] = ekPacket(p, frame).split('\n');
  // The index is named by the local date, as tshark's localtime().
  const day = new Date(1_166_293_367_000);
  const local = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
  assert.equal(index, `{"index":{"_index":"packets-${local}","_type":"doc"}}`);
  const layers = (JSON.parse(doc!) as { timestamp: string; layers: Record<string, Record<string, unknown>> });
  assert.equal(layers.timestamp, '1166293367202');
  assert.equal(layers.layers.udp!.udp_udp_srcport, '40000');
  assert.deepEqual(layers.layers.udp!.udp_udp_port, ['40000', '7']);
  assert.equal(typeof layers.layers.ip!.ip_ip_flags_df, 'boolean');
  assert.equal(layers.layers.frame!.frame_frame_time, '2006-12-16T18:22:47.202144000Z');
  const pdml = pdmlPacket(p, frame);
  assert.match(pdml, /<field name="udp.srcport" showname="Source Port: 40000" size="2" pos="34" show="40000" value="9c40"\/>/);
  assert.match(pdml, /<field name="ip.flags.df" showname="[^"]*" size="1" pos="20" show="[01]" value="[01]" unmaskedvalue="[0-9a-f]{2}"\/>/);
  assert.match(pdml, /^ {2}<proto name="udp" showname="User Datagram Protocol, Src Port: 40000, Dst Port: 7" size="8" pos="34">$/m);
  const raw = JSON.parse(`[${rawJsonPacket(p, frame)}]`) as Array<{ _source: { layers: Record<string, unknown> } }>;
  assert.deepEqual(raw[0]!._source.layers.frame_raw, [frame.toString('hex'), 0, frame.length, 0, 1]);
  assert.deepEqual((raw[0]!._source.layers.udp as Record<string, unknown>)['udp.srcport_raw'], ['9c40', 34, 2, 0, 5]);
});
