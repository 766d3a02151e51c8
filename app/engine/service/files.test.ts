/**
 * The engine service's files: saveFile (pcap and pcapng read back frame for frame, interface blocks
 * and nanoseconds kept, a view's matches, never a half file, cancelled or failed), the recent files
 * list, presets through the service, and the interface list and capture-filter check (no root).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CaptureReader } from '../../pcap/reader';
import { PcapngWriter } from '../../pcap/pcapng-writer';
import type { EngineEvent } from '../../rpc/engine-protocol';
import { listNetworkInterfaces, linkTypeOfHardware } from './interfaces';
import { MAX_RECENT_FILES } from './recent-files';
import { EngineService, type EngineServiceOptions } from './service';
import { EngineTestClient } from './test-client';
import { sampleTraffic, writeCapture, type TrafficFrame } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-files-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => fs.mkdtempSync(path.join(tmp, `d${dirs++}-`));

class Client extends EngineTestClient {
  readonly configDir: string;
  constructor(options: EngineServiceOptions = {}) {
    const configDir = freshDir();
    super(new EngineService({ spoolDir: tmp, configDir, eventIntervalMs: 0, sshConnection: undefined, ...options }));
    this.configDir = configDir;
  }
}

interface ReadFrame {
  tsNs: bigint;
  data: string;
  origLen: number;
  interfaceId: number;
  flags: number;
}

function readBack(file: string): { frames: ReadFrame[]; reader: { format: string | null; nanosecond: boolean; interfaces: Array<{ linkType: number; name?: string; filter?: string; description?: string; snapLen: number }> } } {
  const reader = CaptureReader.open(file);
  const frames: ReadFrame[] = [];
  for (let p = reader.next(); p; p = reader.next()) frames.push({ tsNs: p.tsNs, data: p.data.toString('hex'), origLen: p.origLen, interfaceId: p.interfaceId, flags: p.flags });
  assert.equal(reader.error, null, `${file} reads to its end`);
  const info = { format: reader.info.format, nanosecond: reader.info.nanosecond, interfaces: reader.interfaces.map((i) => ({ linkType: i.linkType, name: i.name, filter: i.filter, description: i.description, snapLen: i.snapLen })) };
  reader.close();
  return { frames, reader: info };
}

/** Time stamps with nanoseconds that microseconds would lose. */
const FRAMES: TrafficFrame[] = sampleTraffic({ connections: 20, dnsQueries: 10, pings: 6 }).map((f, k) => ({ ...f, tsNs: f.tsNs + BigInt(k * 7 + 1) }));

/** Two interfaces (the second with its own name, description and capture filter), frames alternating between them, with directions. */
function twoInterfaceFile(name: string, secondLinkType = 1): string {
  const file = path.join(tmp, name);
  const writer = new PcapngWriter(file, {
    interfaces: [
      { linkType: 1, snapLen: 65535, name: 'eth9' },
      { linkType: secondLinkType, snapLen: 0, name: 'wlan7', description: 'the wireless one', filter: 'not port 22', os: 'Linux' },
    ],
  });
  FRAMES.forEach((f, k) => {
    const data = secondLinkType !== 1 && k % 2 === 1 ? f.data.subarray(14) : f.data;
    writer.writePacket({ interfaceId: k % 2, tsNs: f.tsNs, data, flags: k % 3 === 0 ? undefined : (k % 3), origLen: data.length + (k === 5 ? 100 : 0) });
  });
  writer.close();
  return file;
}

test('saveFile: pcapng keeps every frame, its nanoseconds, direction and interface, and the interface blocks', async () => {
  const c = new Client();
  const source = twoInterfaceFile('two.pcapng');
  const opened = await c.call('openFile', { path: source });
  const target = path.join(freshDir(), 'saved.pcapng');
  const saved = await c.call('saveFile', { session: opened.session, path: target, format: 'pcapng' });
  assert.deepEqual(saved, { path: target, format: 'pcapng', frames: FRAMES.length, bytes: fs.statSync(target).size });
  const ours = readBack(target);
  const theirs = readBack(source);
  assert.deepEqual(ours.frames, theirs.frames);
  assert.deepEqual(ours.reader.interfaces, theirs.reader.interfaces);
  assert.equal(ours.reader.nanosecond, true);
  const progress = c.events.filter((e): e is Extract<EngineEvent, { event: 'progress' }> => e.event === 'progress' && e.task === 'save');
  assert.ok(progress.length >= 2, 'save progress is told');
  assert.deepEqual([progress.at(-1)!.done, progress.at(-1)!.total], [FRAMES.length, FRAMES.length]);
  assert.deepEqual(fs.readdirSync(path.dirname(target)), ['saved.pcapng'], 'no temporary file left');
  c.service.close();
});

test('saveFile: pcap (nanosecond) keeps every frame; a pcap of two link types is refused; a view saves its matches', async () => {
  const c = new Client();
  const source = path.join(tmp, 'one.pcap');
  writeCapture(source, FRAMES, 'pcap');
  const opened = await c.call('openFile', { path: source });
  const dir = freshDir();
  await c.call('saveFile', { session: opened.session, path: path.join(dir, 'all.pcap'), format: 'pcap' });
  const all = readBack(path.join(dir, 'all.pcap'));
  assert.equal(all.reader.format, 'pcap');
  assert.equal(all.reader.nanosecond, true);
  assert.deepEqual(all.frames, readBack(source).frames);

  const view = await c.call('createView', { session: opened.session, filter: 'dns || icmp' });
  assert.ok(view.matches > 0 && view.matches < FRAMES.length);
  const rows = await c.call('rows', { session: opened.session, start: 0, count: 1000, view: view.view });
  for (const format of ['pcap', 'pcapng'] as const) {
    const target = path.join(dir, `view.${format}`);
    const saved = await c.call('saveFile', { session: opened.session, path: target, format, view: view.view });
    assert.equal(saved.frames, view.matches);
    const back = readBack(target).frames;
    assert.deepEqual(back.map((f) => f.tsNs.toString()), rows.rows.map((r) => r.time), `${format}: the view's frames, in order`);
  }

  const mixed = await c.call('openFile', { path: twoInterfaceFile('mixed.pcapng', 101) });
  await c.fails('ESAVE', 'saveFile', { session: mixed.session, path: path.join(dir, 'mixed.pcap'), format: 'pcap' }, /2 link types \(1, 101\).*save it as pcapng/);
  await c.call('saveFile', { session: mixed.session, path: path.join(dir, 'mixed.pcapng'), format: 'pcapng' });
  assert.equal(readBack(path.join(dir, 'mixed.pcapng')).frames.length, FRAMES.length);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['all.pcap', 'mixed.pcapng', 'view.pcap', 'view.pcapng']);
  c.service.close();
});

test('saveFile: an existing file is replaced whole; failures say why and leave nothing behind', async () => {
  const c = new Client();
  const source = path.join(tmp, 'replace.pcap');
  writeCapture(source, FRAMES, 'pcap');
  const opened = await c.call('openFile', { path: source });
  const dir = freshDir();
  const target = path.join(dir, 'keep.pcapng');
  fs.writeFileSync(target, 'an older file');
  await c.call('saveFile', { session: opened.session, path: target, format: 'pcapng' });
  assert.equal(readBack(target).frames.length, FRAMES.length);

  await c.fails('ESAVE', 'saveFile', { session: opened.session, path: path.join(dir, 'missing', 'x.pcap'), format: 'pcap' }, /the folder .*missing does not exist \(ENOENT\); nothing was written/);
  await c.fails('ESAVE', 'saveFile', { session: opened.session, path: dir, format: 'pcap' }, /it is a folder/);
  await c.fails('ESAVE', 'saveFile', { session: opened.session, path: path.join(target, 'x.pcap'), format: 'pcap' }, /is not a folder \(ENOTDIR\)/);
  await c.fails('ENOSESSION', 'saveFile', { session: 99, path: path.join(dir, 'x.pcap'), format: 'pcap' });
  await c.fails('ENOVIEW', 'saveFile', { session: opened.session, path: path.join(dir, 'x.pcap'), format: 'pcap', view: 5 });
  assert.deepEqual(fs.readdirSync(dir), ['keep.pcapng']);
  c.service.close();
});

test('saveFile: cancelled or closed while it writes, nothing is left under the name nor beside it', async () => {
  const big = path.join(tmp, 'big.pcap');
  const frames = sampleTraffic({ connections: 3000 });
  writeCapture(big, frames, 'pcap');
  for (const how of ['cancel', 'close'] as const) {
    const c = new Client({ sliceMs: 0 });
    const opened = await c.call('openFile', { path: big });
    const dir = freshDir();
    const id = c.upcomingId;
    const pending = c.send({ method: 'saveFile', session: opened.session, path: path.join(dir, 'big.pcapng'), format: 'pcapng' });
    await new Promise((r) => setImmediate(r));
    if (how === 'cancel') await c.call('cancel', { request: id });
    else await c.call('closeSession', { session: opened.session });
    const reply = await pending;
    assert.equal(reply.type, 'error');
    assert.equal(reply.type === 'error' && reply.error.code, how === 'cancel' ? 'ECANCELED' : 'ECLOSED');
    assert.deepEqual(fs.readdirSync(dir), [], `${how}: no file, no temporary file`);
    c.service.close();
  }
});

test('saveFile: a live session saves the frames it holds, while it goes on', async () => {
  const c = new Client();
  const session = c.service.openLive([{ linkType: 1, name: 'replay', snapLen: 0 }]);
  for (const f of FRAMES.slice(0, 30)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data, flags: 1 });
  const target = path.join(freshDir(), 'live.pcapng');
  await c.call('saveFile', { session, path: target, format: 'pcapng' });
  const back = readBack(target);
  assert.equal(back.frames.length, 30);
  assert.deepEqual(back.reader.interfaces.map((i) => i.name), ['replay']);
  assert.ok(back.frames.every((f) => f.flags === 1));
  c.service.close();
});

test('recentFiles: successful opens, newest first, once each, at most 20; gone files say so', async () => {
  const c = new Client();
  assert.deepEqual(await c.call('recentFiles'), { files: [] });
  const files = Array.from({ length: MAX_RECENT_FILES + 2 }, (_, k) => {
    const file = path.join(tmp, `recent-${k}.pcap`);
    writeCapture(file, FRAMES.slice(0, 3), 'pcap');
    return file;
  });
  for (const f of files.slice(0, 3)) await c.call('openFile', { path: f });
  // A relative path is recorded absolute; a failed open is not recorded.
  const relative = path.relative(process.cwd(), files[0]!);
  await c.call('openFile', { path: relative });
  const notCapture = path.join(tmp, 'not-a-capture.txt');
  fs.writeFileSync(notCapture, 'hello, this is text');
  await c.fails('EFORMAT', 'openFile', { path: notCapture });
  let list = await c.call('recentFiles');
  assert.deepEqual(list.files.map((f) => f.path), [files[0], files[2], files[1]]);
  assert.ok(list.files.every((f) => f.exists && f.openedAt > 0));
  assert.ok(list.files[0]!.openedAt >= list.files[1]!.openedAt);
  fs.rmSync(files[2]!);
  list = await c.call('recentFiles');
  assert.deepEqual(list.files.map((f) => f.exists), [true, false, true]);
  for (const f of files.slice(3)) await c.call('openFile', { path: f });
  list = await c.call('recentFiles');
  assert.equal(list.files.length, MAX_RECENT_FILES);
  assert.equal(list.files[0]!.path, files.at(-1));
  // A damaged list is started afresh (it is Sievecap's bookkeeping, not the user's work).
  fs.writeFileSync(path.join(c.configDir, 'recent.json'), '{"files": [');
  assert.deepEqual(await c.call('recentFiles'), { files: [] });
  await c.call('openFile', { path: files[0]! });
  assert.deepEqual((await c.call('recentFiles')).files.map((f) => f.path), [files[0]]);
  c.service.close();
});

test('presets through the service: filters checked by libpcap, built-ins read-only, a damaged file reported and kept', async () => {
  const c = new Client({ sshConnection: '192.0.2.7 50122 192.0.2.1 22' });
  const listed = await c.call('listPresets');
  assert.equal(listed.problem, null);
  assert.equal(listed.presets.find((p) => p.name === 'not-my-ssh')!.filter, 'not (host 192.0.2.7 and host 192.0.2.1 and tcp port 50122 and tcp port 22)');
  await c.fails('ECAPFILTER', 'savePreset', { preset: { name: 'bad', description: '', filter: 'port 99999' } }, /port 99999/);
  assert.equal(fs.existsSync(listed.file), false, 'a refused preset writes nothing');
  await c.fails('EPRESET', 'savePreset', { preset: { name: 'DNS', description: '', filter: 'udp' } }, /built-in/);
  const saved = await c.call('savePreset', { preset: { name: 'lab', description: 'lab hosts', filter: 'net 10.1.0.0/16', interfaces: ['lo'] } });
  assert.deepEqual(saved.presets.at(-1), { name: 'lab', description: 'lab hosts', filter: 'net 10.1.0.0/16', interfaces: ['lo'], builtin: false });
  await c.fails('EPRESET', 'deletePreset', { name: 'all' }, /built-in/);
  await c.fails('EPRESET', 'deletePreset', { name: 'nope' }, /no preset named 'nope'/);
  const deleted = await c.call('deletePreset', { name: 'lab' });
  assert.equal(deleted.presets.some((p) => !p.builtin), false);

  fs.writeFileSync(listed.file, '{"version": 1, "presets": [{"name": "x"}]}\n');
  const before = fs.readFileSync(listed.file);
  const damaged = await c.call('listPresets');
  assert.match(damaged.problem!, new RegExp(`${listed.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: presets\\.0\\.description`));
  await c.fails('EPRESET', 'savePreset', { preset: { name: 'new', description: '', filter: 'udp' } }, /does not overwrite it: fix it, or move it away/);
  await c.fails('EPRESET', 'deletePreset', { name: 'x' }, /fix it, or move it away/);
  assert.deepEqual(fs.readFileSync(listed.file), before, 'byte-identical');
  c.service.close();
});

test('listInterfaces and checkCaptureFilter: from /sys without privileges; libpcap judges filters', async () => {
  const c = new Client();
  const listed = await c.call('listInterfaces');
  const lo = listed.interfaces.find((i) => i.name === 'lo');
  assert.ok(lo, 'lo is listed');
  assert.deepEqual([lo.loopback, lo.linkType, lo.up], [true, 1, true]);
  assert.ok(lo.addresses.includes('127.0.0.1/8'), lo.addresses.join(' '));
  assert.ok(Math.abs(listed.time - Date.now()) < 5000);

  assert.deepEqual(await c.call('checkCaptureFilter', { filter: 'tcp port 80' }), { filter: 'tcp port 80', instructions: 20 });
  assert.ok((await c.call('checkCaptureFilter', { filter: '', interface: 'lo' })).instructions >= 1);
  // The interface's link type decides: `any` is Linux cooked v2, which has no broadcast address.
  assert.ok((await c.call('checkCaptureFilter', { filter: 'ether broadcast', interface: 'lo' })).instructions >= 1);
  await c.fails('ECAPFILTER', 'checkCaptureFilter', { filter: 'ether broadcast', interface: 'any' }, /not a broadcast link/);
  await c.fails('ECAPFILTER', 'checkCaptureFilter', { filter: 'tcp port 80 and' }, /invalid filter expression 'tcp port 80 and': .*syntax error/);
  await c.fails('ENODEV', 'checkCaptureFilter', { filter: 'tcp', interface: 'nosuch0' }, /no network interface 'nosuch0'/);
  c.service.close();
});

test('interfaces: read from a /sys/class/net tree: flags, type, counters; files that are not interfaces skipped', () => {
  const sys = freshDir();
  const make = (name: string, files: Record<string, string>): void => {
    fs.mkdirSync(path.join(sys, name, 'statistics'), { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(sys, name, f), `${text}\n`);
  };
  make('eth7', { ifindex: '7', flags: '0x1003', type: '1', carrier: '1', 'statistics/rx_packets': '10', 'statistics/tx_packets': '20', 'statistics/rx_bytes': '1000', 'statistics/tx_bytes': '2000' });
  make('lo', { ifindex: '1', flags: '0x9', type: '772', carrier: '1' });
  make('tun0', { ifindex: '3', flags: '0x1090', type: '65534' });
  fs.writeFileSync(path.join(sys, 'bonding_masters'), '\n');
  const listed = listNetworkInterfaces({ sysClassNet: sys, addresses: () => ({ eth7: [{ address: '10.0.0.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '10.0.0.7/24' }] }) });
  assert.deepEqual(listed, [
    { name: 'lo', index: 1, up: true, running: true, loopback: true, linkType: 1, addresses: [], rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0 },
    { name: 'tun0', index: 3, up: false, running: false, loopback: false, linkType: 101, addresses: [], rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0 },
    { name: 'eth7', index: 7, up: true, running: true, loopback: false, linkType: 1, addresses: ['10.0.0.7/24'], rxPackets: 10, txPackets: 20, rxBytes: 1000, txBytes: 2000 },
  ]);
  assert.equal(linkTypeOfHardware(9999), 1);
});
