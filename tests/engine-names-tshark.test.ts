/**
 * View › Name Resolution through the engine service, against tshark 4.0 on the same file: the
 * rows' Source, Destination and Info columns with MAC names (manuf, wka, an ethers file), host
 * names (a hosts file) and port names (services), alone and together, equal
 * `tshark -N LETTERS -T fields -e _ws.col.Source -e _ws.col.Destination -e _ws.col.Info` (with
 * MAC and host names both on, ARP packets name MAC addresses after the hosts they bind them to, as
 * the CLI's summary lines and -T fields columns do too); tree labels show `name (address)` as tshark -V does; sorting by
 * Source sorts the names. The hosts and
 * ethers files are the test's own, in Wireshark's personal configuration folder
 * ($XDG_CONFIG_HOME/wireshark) for both tshark and the engine. Nothing sends a DNS query: tshark
 * runs without its external resolver (no `N`), and the engine never asks DNS. Needs tshark.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';import { requireTool, tempDir } from './pcap-helpers';

const tmp = tempDir('engine-names');
after(() => tmp.remove());
// The engine reads its name tables on first use, once per process: before any test runs.
const configHome = path.join(tmp.dir, 'config');
fs.mkdirSync(path.join(configHome, 'wireshark'), { recursive: true });
fs.writeFileSync(path.join(configHome, 'wireshark', 'hosts'), '192.0.2.10 alpha.test\n192.0.2.20\tbeta.test beta\n2001:db8::1 gamma6.test\n');
fs.writeFileSync(path.join(configHome, 'wireshark', 'ethers'), '00:50:56:01:02:03 vmhost\n');
process.env.XDG_CONFIG_HOME = configHome;
delete process.env.WIRESHARK_CONFIG_DIR;

import { EngineService } from '../app/engine/service';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { parseEngineResult, type EngineMethod, type EngineResult, type NameResolutionFlags } from '../app/rpc/engine-protocol';

async function call<M extends EngineMethod>(service: EngineService, method: M, params: Record<string, unknown>): Promise<EngineResult<M>> {
  const reply = await service.handle({ id: 1, method, ...params });
  if (reply.type === 'error') assert.fail(`${method}: ${reply.error.code} ${reply.error.message}`);
  return parseEngineResult(method, reply.result);
}

const mac = (text: string): Buffer => Buffer.from(text.replace(/:/g, ''), 'hex');
const ether = (dst: string, src: string, type: number, payload: Buffer): Buffer => {
  const h = Buffer.alloc(14);
  mac(dst).copy(h, 0);
  mac(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
};
const v4 = (text: string): Buffer => Buffer.from(text.split('.').map(Number));
function arp(op: 1 | 2, senderMac: string, senderIp: string, targetMac: string, targetIp: string): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0);
  a.writeUInt16BE(0x0800, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(op, 6);
  mac(senderMac).copy(a, 8);
  v4(senderIp).copy(a, 14);
  mac(targetMac).copy(a, 18);
  v4(targetIp).copy(a, 24);
  return a;
}
function ipv4(src: string, dst: string, protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h[8] = 64;
  h[9] = protocol;
  v4(src).copy(h, 12);
  v4(dst).copy(h, 16);
  return Buffer.concat([h, payload]);
}
function ipv6(src: string, dst: string, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  const bytes = (a: string): Buffer => {
    const [head, tail] = a.split('::') as [string, string];
    const words = (s: string): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
    const all = [...words(head), ...new Array(8 - words(head).length - words(tail).length).fill(0), ...words(tail)];
    const b = Buffer.alloc(16);
    all.forEach((w, k) => b.writeUInt16BE(w, k * 2));
    return b;
  };
  bytes(src).copy(h, 8);
  bytes(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}
function tcp(srcPort: number, dstPort: number, flags: number, seq: number, ack: number): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(srcPort, 0);
  t.writeUInt16BE(dstPort, 2);
  t.writeUInt32BE(seq, 4);
  t.writeUInt32BE(ack, 8);
  t.writeUInt16BE((5 << 12) | flags, 12);
  t.writeUInt16BE(64240, 14);
  return t;
}
function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(srcPort, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([u, payload]);
}

const INTEL = '00:1b:21:aa:bb:cc';
const VMWARE = '00:50:56:01:02:03';
const LOCAL = '02:00:00:00:00:09';
function frames(): Buffer[] {
  return [
    ether('ff:ff:ff:ff:ff:ff', INTEL, 0x0806, arp(1, INTEL, '192.0.2.10', '00:00:00:00:00:00', '192.0.2.20')),
    ether(INTEL, VMWARE, 0x0806, arp(2, VMWARE, '192.0.2.20', INTEL, '192.0.2.10')),
    ether('00:50:56:aa:00:01', LOCAL, 0x0806, arp(1, LOCAL, '198.51.100.7', '00:00:00:00:00:00', '192.0.2.10')),
    ether(VMWARE, INTEL, 0x0800, ipv4('192.0.2.10', '192.0.2.20', 6, tcp(40000, 80, 0x02, 1000, 0))),
    ether(INTEL, VMWARE, 0x0800, ipv4('192.0.2.20', '192.0.2.10', 6, tcp(80, 40000, 0x12, 5000, 1001))),
    ether(VMWARE, INTEL, 0x0800, ipv4('192.0.2.10', '198.51.100.7', 17, udp(40001, 9, Buffer.from('ping')))),
    ether(VMWARE, INTEL, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 6, tcp(40002, 443, 0x02, 7, 0))),
    ether(INTEL, VMWARE, 0x86dd, ipv6('2001:db8::2', '2001:db8::1', 6, tcp(443, 40002, 0x12, 9, 8))),
  ];
}

const env = { ...process.env, XDG_CONFIG_HOME: configHome };
const run = promisify(execFile);
/** A tool's standard output (every reference is asked at once: two CPUs, ten tshark starts). */
const output = async (command: string, args: string[]): Promise<string> => (await run(command, args, { env, maxBuffer: 16 << 20 })).stdout;
const tsharkColumns = async (file: string, letters: string): Promise<string[][]> =>
  (await output('tshark', ['-r', file, ...(letters ? ['-N', letters] : ['-n']), '-T', 'fields', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Info'])).trimEnd().split('\n').map((l) => l.split('\t'));

const RESOLUTIONS: ReadonlyArray<[string, NameResolutionFlags]> = [
  ['', { mac: false, network: false, transport: false }],
  ['m', { mac: true, network: false, transport: false }],
  ['nt', { mac: false, network: true, transport: true }],
  ['mt', { mac: true, network: false, transport: true }],
  // MAC and host names: an ARP packet names MAC addresses after the hosts it binds them to.
  ['mnt', { mac: true, network: true, transport: true }],
];
const ALL: NameResolutionFlags = { mac: true, network: true, transport: true };

test('rows with MAC, host and port names equal tshark -N m, nt, mt and mnt', async () => {
  requireTool('tshark');
  const file = path.join(tmp.dir, 'names.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  frames().forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const service = new EngineService({ spoolDir: tmp.dir, configDir: path.join(tmp.dir, 'sievecap') });
  const { session } = await call(service, 'openFile', { path: file });
  const treeLabels: ReadonlyArray<[string, NameResolutionFlags, string[]]> = [
    ['m', RESOLUTIONS[1]![1], ['Source: IntelCor_aa:bb:cc (00:1b:21:aa:bb:cc)', 'Destination: vmhost (00:50:56:01:02:03)']],
    ['mnt', ALL, ['Source: alpha.test (00:1b:21:aa:bb:cc)', 'Destination: beta.test (00:50:56:01:02:03)', 'Source Address: alpha.test (192.0.2.10)', 'Destination Port: http (80)']],
  ];
  const cli = path.join(__dirname, '..', 'app', 'cli', 'main.js');
  const [columns, verbose, summaries, cliColumns] = await Promise.all([
    Promise.all(RESOLUTIONS.map(([letters]) => tsharkColumns(file, letters))),
    Promise.all(treeLabels.map(([letters]) => output('tshark', ['-r', file, '-N', letters, '-V', '-Y', 'frame.number == 4']))),
    Promise.all([output(process.execPath, [cli, '-r', file, '-N', 'mnt']), output('tshark', ['-r', file, '-N', 'mnt'])]),
    // The CLI's -T fields columns: tshark's default (MAC names), and all names.
    Promise.all([[], ['-N', 'mnt']].map((n) => output(process.execPath, [cli, '-r', file, ...n, '-T', 'fields', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Info']))),
  ]);
  for (const [k, [letters, names]] of RESOLUTIONS.entries()) {
    const theirs = columns[k]!;
    const ours = (await call(service, 'rows', { session, start: 0, count: 100, names })).rows.map((r) => [r.source, r.destination, r.info]);
    assert.deepEqual(ours, theirs, `-N ${letters || '(none: -n)'}`);
  }
  // Something was named in each: the test would pass vacuously otherwise.
  const all = (await call(service, 'rows', { session, start: 0, count: 100, names: ALL })).rows;
  assert.deepEqual([all[2]!.source, all[2]!.destination, all[3]!.source, all[6]!.source], ['02:00:00:00:00:09', 'VMware_aa:00:01', 'alpha.test', 'gamma6.test']);
  assert.deepEqual((await call(service, 'rows', { session, start: 0, count: 2, names: RESOLUTIONS[1]![1] })).rows.map((r) => [r.source, r.destination]), [['IntelCor_aa:bb:cc', 'Broadcast'], ['vmhost', 'IntelCor_aa:bb:cc']]);
  // ARP's bindings: alpha.test and beta.test name the MAC addresses of frames 1 and 2.
  assert.deepEqual(all.slice(0, 2).map((r) => [r.source, r.destination]), [['alpha.test', 'Broadcast'], ['beta.test', 'alpha.test']]);
  assert.match(all[3]!.info, /^safetynetp\(40000\) → http\(80\)/);
  // The CLI's summary lines (tshark's one pass) name them the same way.
  assert.equal(summaries[0], summaries[1], 'sievecap -r F -N mnt');
  const lines = (text: string): string[][] => text.trimEnd().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(lines(cliColumns[0]!), columns[1], 'sievecap -T fields -e _ws.col.*: MAC names by default, as tshark (-N m)');
  assert.deepEqual(lines(cliColumns[1]!), columns[4], 'sievecap -N mnt -T fields -e _ws.col.*');

  // Tree labels: `name (address)`, as tshark -V prints them.
  for (const [k, [letters, names, wanted]] of treeLabels.entries()) {
    const detail = await call(service, 'packet', { session, number: 4, names });
    const labels = detail.layers.flatMap((l) => l.fields.map((f) => f.label));
    for (const label of wanted) {
      assert.ok(labels.includes(label), `our tree has ${label}`);
      assert.ok(verbose[k]!.includes(label), `tshark -V -N ${letters} has ${label}`);
    }
  }
  // Without names, the same frame's labels are addresses alone.
  const plain = await call(service, 'packet', { session, number: 4 });
  assert.ok(plain.layers.flatMap((l) => l.fields.map((f) => f.label)).includes('Source Address: 192.0.2.10'));

  // Sorting by Source sorts what the column shows.
  const sorted = (await call(service, 'rows', { session, start: 0, count: 100, names: ALL, sort: { column: 'source', descending: false } })).rows.map((r) => r.source);
  assert.deepEqual(sorted, [...sorted].sort());
  assert.ok(sorted.includes('alpha.test'));
  await call(service, 'closeSession', { session });
});
