/**
 * The window's everyday conveniences the engine answers: the Time column in tshark's -t formats,
 * marked and ignored frames (rows, reports, Export Specified Packets), Find Packet and the next
 * packet of a conversation, Capture File Properties.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CaptureReader } from '../../pcap/reader';
import { EngineService } from './service';
import { EngineTestClient } from './test-client';
import { sampleTraffic, writeCapture } from './test-traffic';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-conveniences-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function opened(format: 'pcap' | 'pcapng' = 'pcapng'): Promise<{ client: EngineTestClient; session: number; file: string }> {
  const file = path.join(dir, `sample-${format}.${format}`);
  if (!fs.existsSync(file)) writeCapture(file, sampleTraffic({ connections: 5, dnsQueries: 3, pings: 2 }), format);
  const client = new EngineTestClient(new EngineService({ spoolDir: dir, configDir: path.join(dir, 'config') }));
  const info = await client.call('openFile', { path: file });
  return { client, session: info.session, file };
}

test('rows: the Time column in tshark -t formats, at the file’s precision or a chosen one', async () => {
  const { client, session } = await opened('pcap');
  const all = await client.call('rows', { session, start: 0, count: 5 });
  const first = BigInt(all.rows[0]!.time);
  const r = await client.call('rows', { session, start: 0, count: 5, time: { format: 'r' } });
  // A nanosecond pcap: nine digits.
  assert.equal(r.rows[0]!.timeText, '0.000000000');
  const ns = BigInt(all.rows[3]!.time) - first;
  assert.equal(r.rows[3]!.timeText, `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`);
  const micro = await client.call('rows', { session, start: 3, count: 1, time: { format: 'r', precision: 6 } });
  assert.equal(micro.rows[0]!.timeText, r.rows[3]!.timeText!.slice(0, -3));
  const e = await client.call('rows', { session, start: 2, count: 1, time: { format: 'e', precision: 3 } });
  const t = BigInt(all.rows[2]!.time);
  assert.equal(e.rows[0]!.timeText, `${t / 1_000_000_000n}.${(t % 1_000_000_000n).toString().padStart(9, '0').slice(0, 3)}`);
  const u = await client.call('rows', { session, start: 0, count: 1, time: { format: 'ud', precision: 0 } });
  assert.equal(u.rows[0]!.timeText, new Date(Number(first / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 19));
  // dd: since the previous displayed frame, in frame order (a view's matches).
  const view = await client.call('createView', { session, filter: 'dns' });
  const dd = await client.call('rows', { session, view: view.view, start: 0, count: 3, time: { format: 'dd', precision: 9 } });
  assert.equal(dd.rows[0]!.timeText, '0.000000000');
  const gap = BigInt(dd.rows[1]!.time) - BigInt(dd.rows[0]!.time);
  assert.equal(dd.rows[1]!.timeText, `${gap / 1_000_000_000n}.${(gap % 1_000_000_000n).toString().padStart(9, '0')}`);
});

test('marked and ignored frames: rows, counts, reports leave ignored frames out, Export Specified Packets', async () => {
  const { client, session } = await opened();
  const total = (await client.call('sessionInfo', { session })).frames;
  let result = await client.call('setFrameFlag', { session, flag: 'marked', value: true, frames: [2, 4, 6] });
  assert.deepEqual(result, { session, marked: 3, ignored: 0, changed: 3 });
  const rows = await client.call('rows', { session, start: 0, count: 6 });
  assert.deepEqual(rows.rows.map((r) => r.marked === true), [false, true, false, true, false, true]);
  // The details say so, as Wireshark's frame.marked.
  const markedLabels = async (number: number): Promise<string[]> => (await client.call('packet', { session, number })).layers[0]!.fields.filter((f) => f.abbrev === 'frame.marked').map((f) => f.label);
  assert.deepEqual([await markedLabels(2), await markedLabels(3)], [['[Frame is marked: True]'], ['[Frame is marked: False]']]);
  // Marked only, within frames 3-10: 4 and 6.
  const out = path.join(dir, 'marked.pcapng');
  const saved = await client.call('saveFile', { session, path: out, format: 'pcapng', marked: true, ranges: [{ first: 3, last: 10 }] });
  assert.equal(saved.frames, 2);
  const reader = CaptureReader.open(out);
  let n = 0;
  while (reader.nextView() !== null) n++;
  reader.close();
  assert.equal(n, 2);
  // Every displayed frame of a view marked, then unmarked.
  const dns = await client.call('createView', { session, filter: 'dns' });
  result = await client.call('setFrameFlag', { session, flag: 'marked', value: true, displayed: true, view: dns.view });
  assert.equal(result.marked, 3 + dns.matches);
  result = await client.call('setFrameFlag', { session, flag: 'marked', value: false, displayed: true });
  assert.equal(result.marked, 0);

  // Ignored frames: the report counted before counts again without them.
  const udpBefore = await client.call('conversations', { session, kind: 'udp' });
  assert.ok(udpBefore.conversations.length > 0);
  const report = await client.call('createReport', { session, spec: 'io,phs' });
  const before = await client.call('readReport', { session, report: report.report });
  const frames = (data: unknown): number => (data as { protocols: Array<{ frames: number }> }).protocols.reduce((s, p) => s + p.frames, 0);
  assert.equal(frames(before.data), total);
  await client.call('setFrameFlag', { session, flag: 'ignored', value: true, displayed: true, view: dns.view });
  const afterIgnore = await client.call('readReport', { session, report: report.report });
  assert.equal(frames(afterIgnore.data), total - dns.matches);
  // The conversations table counts again too: the DNS exchanges were the only UDP.
  assert.equal((await client.call('conversations', { session, kind: 'udp' })).conversations.length, 0);
  const dimmed = await client.call('rows', { session, view: dns.view, start: 0, count: 1, columns: ['udp.srcport'] });
  assert.equal(dimmed.rows[0]!.ignored, true);
  // As Wireshark shows an ignored frame: Info <Ignored>, nothing dissected past the frame.
  const { number, length, time } = dimmed.rows[0]!;
  assert.deepEqual(
    { source: dimmed.rows[0]!.source, destination: dimmed.rows[0]!.destination, protocol: dimmed.rows[0]!.protocol, info: dimmed.rows[0]!.info, columns: dimmed.rows[0]!.columns },
    { source: '', destination: '', protocol: '', info: '<Ignored>', columns: [''] },
  );
  assert.ok(length > 0 && number > 0 && time !== '');
  const detail = await client.call('packet', { session, number });
  assert.deepEqual(detail.layers.map((l) => l.protocol), ['frame']);
  assert.equal(detail.summary.info, '<Ignored>');
  assert.deepEqual(detail.layers[0]!.fields.filter((f) => f.abbrev === 'frame.ignored').map((f) => f.label), ['[Frame is ignored: True]', 'This frame is marked as ignored']);
  // A filter run afterwards matches no ignored frame; the find bar's neither.
  assert.equal((await client.call('createView', { session, filter: 'dns' })).matches, 0);
  assert.equal((await client.call('findFrame', { session, from: 0, find: { kind: 'filter', filter: 'dns' } })).frame, null);
  const kept = await client.call('saveFile', { session, path: path.join(dir, 'kept.pcap'), format: 'pcap', removeIgnored: true });
  assert.equal(kept.frames, total - dns.matches);
  assert.equal((await client.call('sessionInfo', { session })).ignored, dns.matches);
});

test('findFrame: display filter, hex, string, wrapping, and the next frame of a conversation', async () => {
  const { client, session } = await opened();
  const dns = await client.call('createView', { session, filter: 'dns' });
  const dnsRows = await client.call('rows', { session, view: dns.view, start: 0, count: 2 });
  const firstDns = dnsRows.rows[0]!.number;
  assert.deepEqual(await client.call('findFrame', { session, from: 0, find: { kind: 'filter', filter: 'dns' } }), { frame: firstDns, index: firstDns - 1, wrapped: false });
  assert.equal((await client.call('findFrame', { session, from: firstDns, find: { kind: 'filter', filter: 'dns' } })).frame, dnsRows.rows[1]!.number);
  // Backwards from the first one wraps to the last.
  const last = await client.call('findFrame', { session, from: firstDns, backwards: true, find: { kind: 'filter', filter: 'dns' } });
  assert.equal(last.wrapped, true);
  // In a view, positions are the view's.
  const inView = await client.call('findFrame', { session, view: dns.view, from: firstDns, find: { kind: 'filter', filter: 'dns' } });
  assert.equal(inView.index, 1);
  const get = await client.call('findFrame', { session, from: 0, find: { kind: 'string', text: 'get /ITEM/', caseSensitive: false } });
  assert.ok(get.frame !== null);
  assert.equal((await client.call('findFrame', { session, from: 0, find: { kind: 'string', text: 'get /ITEM/', caseSensitive: true } })).frame, null);
  const hex = await client.call('findFrame', { session, from: 0, find: { kind: 'hex', bytes: Buffer.from('GET /item/').toString('hex') } });
  assert.equal(hex.frame, get.frame);
  await client.fails('EFILTER', 'findFrame', { session, from: 0, find: { kind: 'filter', filter: 'tcp.port ==' } });
  // The next frame of frame 1's TCP stream, and back.
  const next = await client.call('findFrame', { session, from: 1, find: { kind: 'conversation' } });
  const stream = await client.call('createView', { session, filter: 'tcp.stream == 0' });
  const streamRows = await client.call('rows', { session, view: stream.view, start: 0, count: 3 });
  assert.equal(next.frame, streamRows.rows[1]!.number);
  assert.equal((await client.call('findFrame', { session, from: next.frame!, backwards: true, find: { kind: 'conversation' } })).frame, 1);
});

test('captureProperties: capinfos’ facts', async () => {
  const { client, session, file } = await opened('pcap');
  const p = await client.call('captureProperties', { session });
  const info = await client.call('sessionInfo', { session });
  assert.equal(p.packets, info.frames);
  assert.equal(p.fileBytes, fs.statSync(file).size);
  // A pcap: a 24-byte header, a 16-byte header per record.
  assert.equal(p.dataBytes, p.fileBytes - 24 - 16 * p.packets);
  assert.equal(p.fileType, 'Wireshark/tcpdump/... - nanosecond pcap');
  assert.equal(p.encapsulation, 'Ethernet');
  assert.equal(p.timePrecision, 'nanoseconds (9)');
  assert.equal(p.firstTime, info.firstTime);
  assert.match(p.firstTimeText!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}$/);
  assert.ok(p.elapsedSeconds !== null && p.elapsedSeconds > 0);
  assert.equal(p.interfaces.length, 1);
  assert.equal(p.interfaces[0]!.packets, p.packets);
});

test('rows: field columns (Apply as Column), as tshark -T fields -e prints them', async () => {
  const { client, session } = await opened();
  const r = await client.call('rows', { session, start: 0, count: 4, columns: ['tcp.srcport', 'ip.src', 'http.request.uri', '_ws.col.Protocol'] });
  assert.deepEqual(r.rows[0]!.columns, ['40000', '10.0.0.1', '', 'TCP']);
  assert.deepEqual(r.rows[3]!.columns, ['40000', '10.0.0.1', '/item/0', 'HTTP']);
  // Sorted rows too.
  const sorted = await client.call('rows', { session, start: 0, count: 1, sort: { column: 'number', descending: true }, columns: ['frame.number'] });
  assert.deepEqual(sorted.rows[0]!.columns, [String(sorted.rows[0]!.number)]);
  await client.fails('EBADMSG', 'rows', { session, start: 0, count: 1, columns: ['not a field'] });
});

test('openFile with Decode As: every row and filter of the session uses it; an unknown protocol is refused with the known ones', async () => {
  const { client, file } = await opened();
  const info = await client.call('openFile', { path: file, decodeAs: [{ transport: 'tcp', port: 80, protocol: 'dns' }] });
  assert.deepEqual(info.decodeAs, [{ transport: 'tcp', port: 80, protocol: 'dns' }]);
  const rows = await client.call('rows', { session: info.session, start: 3, count: 1 });
  assert.equal(rows.rows[0]!.protocol, 'TCP');
  const http = await client.call('createView', { session: info.session, filter: 'http' });
  assert.equal(http.matches, 0);
  await client.fails('EDECODEAS', 'openFile', { path: file, decodeAs: [{ transport: 'tcp', port: 80, protocol: 'nosuch' }] }, /there are: .*http/);
});

test('setDecodeAs on a live session: the frames held are dissected again with the rules (rows, views, reports), and the frames that come after', async () => {
  const { client } = await opened();
  const frames = sampleTraffic({ connections: 4 });
  const { session } = await client.call('openLive', { interfaces: [{ linkType: 1 }] });
  const append = (from: number, to: number): void => {
    for (const f of frames.slice(from, to)) client.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  };
  append(0, 20);
  const http = await client.call('createView', { session, filter: 'http' });
  assert.equal(http.matches, 4);
  const phs = await client.call('createReport', { session, spec: 'io,phs' });
  interface Node {
    protocol: string;
    children: Node[];
  }
  const walk = (p: Node): string[] => [p.protocol, ...p.children.flatMap(walk)];
  const names = (data: unknown): string[] => (data as { protocols: Node[] }).protocols.flatMap(walk);
  assert.ok(names((await client.call('readReport', { session, report: phs.report })).data).includes('http'));

  const info = await client.call('setDecodeAs', { session, decodeAs: [{ transport: 'tcp', port: 80, protocol: 'dns' }] });
  assert.deepEqual(info.decodeAs, [{ transport: 'tcp', port: 80, protocol: 'dns' }]);
  assert.equal((await client.call('rows', { session, start: 3, count: 1 })).rows[0]!.protocol, 'TCP');
  // The view runs again: no HTTP any more; nor in the report, counted again.
  assert.equal((await client.call('updateView', { session, view: http.view, filter: 'http' })).matches, 0);
  assert.ok(!names((await client.call('readReport', { session, report: phs.report })).data).includes('http'));
  // Frames captured afterwards too.
  append(20, 40);
  assert.deepEqual((await client.call('rows', { session, start: 33, count: 1 })).rows.map((r) => r.protocol), ['TCP']);
  // No rules: HTTP again, in every frame held.
  await client.call('setDecodeAs', { session, decodeAs: [] });
  assert.equal((await client.call('rows', { session, start: 33, count: 1 })).rows[0]!.protocol, 'HTTP');
  assert.equal((await client.call('updateView', { session, view: http.view, filter: 'http' })).matches, 8);
  await client.fails('EDECODEAS', 'setDecodeAs', { session, decodeAs: [{ transport: 'udp', port: 53, protocol: 'nosuch' }] }, /there are: /);
});
