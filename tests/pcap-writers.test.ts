/**
 * Our writers, checked by the reference readers: tshark and tcpdump must read the files without
 * a single warning, and capinfos must report the packet count, encapsulation and time precision.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EPB_FLAG_INBOUND, EPB_FLAG_OUTBOUND, PcapngWriter, PcapWriter, forEachEpb } from '../app/pcap';
import { parseTsharkFrames, readWithOurReader, requireTool, runTool, stderrWithoutRootWarning, TSHARK_FIELDS, tempDir } from './pcap-helpers';

/** A small valid Ethernet/IPv4/UDP frame (so tshark dissects without "malformed" noise), padded to `size`. */
function udpFrame(seq: number, size = 60): Buffer {
  const f = Buffer.alloc(Math.max(size, 42));
  Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]).copy(f, 0);
  const ipLen = f.length - 14;
  f[14] = 0x45;
  f.writeUInt16BE(ipLen, 16);
  f.writeUInt16BE(seq & 0xffff, 18);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([127, 0, 0, 1, 127, 0, 0, 1]).copy(f, 26);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += f.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, 24);
  f.writeUInt16BE(40000, 34);
  f.writeUInt16BE(9, 36); // discard port: tshark shows plain UDP
  f.writeUInt16BE(ipLen - 20, 38);
  for (let i = 42; i < f.length; i++) f[i] = (seq + i) & 0xff;
  return f;
}

const T0 = 1_700_000_000_123_456_789n;

function checkReferenceTools(file: string, expect: { packets: number; encapsulation: string; precision: string }): void {
  const ts = runTool('tshark', ['-n', '-r', file]);
  assert.equal(ts.code, 0, `tshark failed on ${file}: ${ts.stderr}`);
  assert.equal(stderrWithoutRootWarning(ts.stderr), '', 'tshark printed warnings');
  const td = runTool('tcpdump', ['-n', '-r', file]);
  assert.equal(td.code, 0, `tcpdump failed: ${td.stderr}`);
  assert.deepEqual(td.stderr.split('\n').filter((l) => l && !l.startsWith('reading from file')), [], 'tcpdump printed warnings');
  assert.equal(td.stdout.trim().split('\n').filter(Boolean).length, expect.packets, 'tcpdump packet count');
  const ci = runTool('capinfos', ['-c', '-E', '-T', '-r', '-a', '-e', file]);
  assert.equal(ci.code, 0, ci.stderr);
  const info = runTool('capinfos', [file]).stdout;
  assert.match(info, new RegExp(`Number of packets:\\s+${expect.packets}\\b`));
  assert.match(info, new RegExp(`File encapsulation:\\s+${expect.encapsulation}`));
  assert.match(info, new RegExp(`File timestamp precision:\\s+${expect.precision}`));
}

for (const nanosecond of [false, true]) {
  test(`PcapWriter ${nanosecond ? 'nanosecond' : 'microsecond'}: tshark, tcpdump and capinfos agree`, () => {
    requireTool('tshark');
    requireTool('tcpdump');
    requireTool('capinfos');
    const { dir, remove } = tempDir('pcapw');
    try {
      const file = path.join(dir, 'out.pcap');
      const w = new PcapWriter(file, { linkType: 1, snapLen: 1000, nanosecond });
      const written: Array<{ tsNs: bigint; len: number; cap: number }> = [];
      for (let i = 0; i < 50; i++) {
        const data = udpFrame(i, 60 + i * 37);
        const tsNs = T0 + BigInt(i) * 1_000_001_001n;
        w.writePacket({ tsNs, data });
        written.push({ tsNs, len: data.length, cap: Math.min(1000, data.length) });
      }
      // A batch as the native layer hands it over: nanosecond records, converted when the file is µs.
      const records: Buffer[] = [];
      for (let i = 0; i < 20; i++) {
        const data = udpFrame(100 + i, 80);
        const tsNs = T0 + 100_000_000_000n + BigInt(i) * 123_456_789n;
        const h = Buffer.alloc(16);
        h.writeUInt32LE(Number(tsNs / 1_000_000_000n), 0);
        h.writeUInt32LE(Number(tsNs % 1_000_000_000n), 4);
        h.writeUInt32LE(data.length, 8);
        h.writeUInt32LE(data.length, 12);
        records.push(h, data);
        written.push({ tsNs, len: data.length, cap: data.length });
      }
      assert.equal(w.writeRecords(Buffer.concat(records)), 20);
      w.close();
      checkReferenceTools(file, { packets: 70, encapsulation: 'Ethernet', precision: nanosecond ? 'nanoseconds' : 'microseconds' });
      const frames = parseTsharkFrames(runTool('tshark', ['-r', file, ...TSHARK_FIELDS]).stdout);
      assert.deepEqual(
        frames.map((f) => [f.origLen, f.capLen, f.tsNs]),
        written.map((p) => [p.len, p.cap, nanosecond ? p.tsNs : (p.tsNs / 1000n) * 1000n]),
      );
    } finally {
      remove();
    }
  });
}

test('PcapngWriter: SHB/IDB/EPB options read by tshark, tcpdump and capinfos', () => {
  requireTool('tshark');
  const { dir, remove } = tempDir('pcapngw');
  try {
    const file = path.join(dir, 'out.pcapng');
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, snapLen: 65535, name: 'lo', description: 'loopback', filter: 'udp port 9', os: 'Linux' }] });
    for (let i = 0; i < 30; i++) {
      const flags = i % 3 === 0 ? undefined : i % 3 === 1 ? EPB_FLAG_INBOUND : EPB_FLAG_OUTBOUND;
      const p: Parameters<PcapngWriter['writePacket']>[0] = { interfaceId: 0, tsNs: T0 + BigInt(i) * 7_000_000_007n, data: udpFrame(i, 60 + i) };
      if (flags !== undefined) p.flags = flags;
      if (i === 5) p.comment = 'fifth packet ✓';
      w.writePacket(p);
    }
    w.close();
    checkReferenceTools(file, { packets: 30, encapsulation: 'Ethernet', precision: 'nanoseconds' });
    const fields = runTool('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.interface_description', '-e', 'frame.packet_flags_direction', '-e', 'frame.comment', '-e', 'frame.time_epoch']);
    const rows = fields.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(rows.length, 30);
    assert.deepEqual(rows[0]?.slice(0, 2), ['lo', 'loopback']);
    assert.deepEqual(rows.map((r) => r[2]), Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? '' : i % 3 === 1 ? '0x00000001' : '0x00000002')));
    assert.equal(rows[5]?.[3], 'fifth packet ✓');
    assert.equal(rows[1]?.[4], '1700000007.123456796');
    const info = runTool('capinfos', [file]).stdout;
    assert.match(info, /Capture application:\s+Sievecap \d+\.\d+\.\d+/);
    assert.match(info, /Capture oper-sys:\s+Linux \S+/);
    assert.match(info, /Capture hardware:\s+\S+/);
    assert.match(info, /Name = lo\n\s+Description = loopback\n/);
    assert.match(info, /Capture length = 65535/);
    assert.match(info, /Time precision = nanoseconds \(9\)/);
    assert.match(info, /Filter string = udp port 9/);
    assert.match(info, /Operating system = Linux\n/);
  } finally {
    remove();
  }
});

test('PcapngWriter: a second interface added later is legal pcapng for tshark', () => {
  requireTool('tshark');
  const { dir, remove } = tempDir('pcapngw2');
  try {
    const file = path.join(dir, 'two.pcapng');
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }] });
    w.writePacket({ interfaceId: 0, tsNs: T0, data: udpFrame(1) });
    const sll2 = w.addInterface({ linkType: 276, name: 'any', description: 'all interfaces' });
    assert.equal(sll2, 1);
    const cooked = Buffer.alloc(20 + 28);
    cooked.writeUInt16BE(0x0800, 0); // SLL2 protocol
    cooked.writeUInt16BE(1, 8); // ARPHRD_ETHER
    cooked[10] = 0; // PACKET_HOST
    cooked[11] = 6;
    udpFrame(2).subarray(14, 14 + 28).copy(cooked, 20);
    cooked.writeUInt16BE(28, 22);
    w.writePacket({ interfaceId: sll2, tsNs: T0 + 1n, data: cooked, flags: EPB_FLAG_INBOUND });
    w.writePacket({ interfaceId: 0, tsNs: T0 + 2n, data: udpFrame(3) });
    w.close();
    const ts = runTool('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.encap_type', '-e', 'frame.time_epoch']);
    assert.equal(stderrWithoutRootWarning(ts.stderr), '');
    assert.deepEqual(ts.stdout.trim().split('\n'), ['0\t1\t1700000000.123456789', '1\t210\t1700000000.123456790', '0\t1\t1700000000.123456791']);
    assert.match(runTool('capinfos', [file]).stdout, /Number of interfaces in file: 2/);
    const ours = readWithOurReader(file);
    assert.deepEqual(ours.packets.map((p) => p.linkType), [1, 276, 1]);
  } finally {
    remove();
  }
});

test('PcapngWriter.writeBlocks: a native-style EPB batch is appended verbatim', () => {
  requireTool('tshark');
  const { dir, remove } = tempDir('pcapngw3');
  try {
    // Build the batch the way the native layer lays it out: EPB, if 0, ns time stamp, epb_flags, opt_endofopt.
    const blocks: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const data = udpFrame(i, 61 + i);
      const padded = (data.length + 3) & ~3;
      const total = 28 + padded + 12 + 4;
      const b = Buffer.alloc(total);
      const ts = T0 + BigInt(i) * 1000n;
      b.writeUInt32LE(6, 0);
      b.writeUInt32LE(total, 4);
      b.writeUInt32LE(0, 8);
      b.writeUInt32LE(Number(ts >> 32n), 12);
      b.writeUInt32LE(Number(ts & 0xffffffffn), 16);
      b.writeUInt32LE(data.length, 20);
      b.writeUInt32LE(data.length + 4, 24);
      data.copy(b, 28);
      b.writeUInt16LE(2, 28 + padded);
      b.writeUInt16LE(4, 30 + padded);
      b.writeUInt32LE(i % 2 ? EPB_FLAG_OUTBOUND : EPB_FLAG_INBOUND, 32 + padded);
      b.writeUInt32LE(total, total - 4);
      blocks.push(b);
    }
    const batch = Buffer.concat(blocks);
    const seen: number[] = [];
    assert.equal(forEachEpb(batch, (_h, _l, capLen, origLen, flags) => seen.push(capLen, origLen - capLen, flags)), batch.length);
    assert.equal(seen.length, 120);
    const file = path.join(dir, 'batch.pcapng');
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }] });
    assert.equal(w.writeBlocks(batch), 40);
    w.close();
    assert.equal(fs.readFileSync(file).subarray(-batch.length).equals(batch), true);
    checkReferenceTools(file, { packets: 40, encapsulation: 'Ethernet', precision: 'nanoseconds' });
    const dirs = runTool('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.packet_flags_direction', '-e', 'frame.len']).stdout.trim().split('\n');
    assert.deepEqual(dirs.slice(0, 2), ['0x00000001\t65', '0x00000002\t66']);
  } finally {
    remove();
  }
});

test('writing to "-" through a slow pipe: EAGAIN is retried and tcpdump reads every packet', { timeout: 120_000 }, () => {
  requireTool('tcpdump');
  const { dir, remove } = tempDir('pipe');
  try {
    // Node makes a piped stdout non-blocking once process.stdout is touched; the reader starts a
    // second late, so the 64 KiB pipe fills and writeSync meets EAGAIN.
    const script = path.join(dir, 'child.js');
    const pcapIndex = path.resolve(__dirname, '..', 'app', 'pcap', 'index.js');
    fs.writeFileSync(script, `
      void process.stdout.writable;
      const { PcapWriter } = require(${JSON.stringify(pcapIndex)});
      const w = new PcapWriter('-', { linkType: 1, nanosecond: true });
      const data = Buffer.alloc(1400, 0xab);
      for (let i = 0; i < 28000; i++) w.writePacket({ tsNs: 1700000000000000000n + BigInt(i), data });
      w.close();
      process.stderr.write('blocked writes: ' + w.out.blockedWrites + '\\n');
    `);
    const r = runTool('sh', ['-c', `"${process.execPath}" "${script}" | (sleep 1; tcpdump -r - --count)`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^28000 packets$/m);
    const blocked = Number(/blocked writes: (\d+)/.exec(r.stderr)?.[1]);
    assert.ok(blocked > 0, `the pipe never filled (blocked writes: ${blocked}); the EAGAIN path was not exercised`);
  } finally {
    remove();
  }
});

test('write errors name the file and the cause', () => {
  assert.throws(() => new PcapWriter('/nonexistent-dir/x.pcap', { linkType: 1 }), /cannot create \/nonexistent-dir\/x\.pcap: the directory does not exist \(ENOENT\)/);
  if (fs.existsSync('/dev/full')) {
    const w = new PcapWriter('/dev/full', { linkType: 1 });
    w.writePacket({ tsNs: T0, data: udpFrame(1) });
    assert.throws(() => w.close(), /error writing \/dev\/full: the disk is full \(ENOSPC\)/);
  }
});
