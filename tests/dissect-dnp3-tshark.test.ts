/**
 * DNP 3.0 (TCP and UDP 20000) as tshark 4.0 shows it, on traffic this test builds: link status
 * requests and replies, a Read of class data and its Response with binary inputs, analog inputs
 * and counters, two frames in one TCP segment, a frame spread over two segments, an application
 * layer message in three transport segments (unreassembled fragments, then the message on the
 * FIN segment), a Write of the time, a Select with a control relay output block, a chunk with a
 * bad CRC, a Read with no objects (malformed), a segment that is not DNP 3.0 (data), and a UDP
 * datagram holding two frames. Compared with tshark: -T fields of dnp3.* (and udp.pdu.size),
 * frame.protocols, Protocol and Info, and -V.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation } from './support/tcp-frames';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { dnp3Crc } from '../app/dissect/dnp3';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dnp3-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const le16 = (v: number): Buffer => Buffer.from([v & 0xff, v >> 8]);

/** One data link frame: header with its CRC, then the user data (transport byte first) in 16-byte chunks each with its CRC. */
function frame(ctl: number, dst: number, src: number, user: Buffer, badChunk = false): Buffer {
  const header = Buffer.concat([Buffer.from([0x05, 0x64, 5 + user.length, ctl]), le16(dst), le16(src)]);
  const parts = [header, le16(dnp3Crc(header, 0, 8))];
  for (let at = 0; at < user.length; at += 16) {
    const chunk = user.subarray(at, at + 16);
    parts.push(chunk, le16(dnp3Crc(chunk, 0, chunk.length) ^ (badChunk ? 0x1111 : 0)));
  }
  return Buffer.concat(parts);
}

/** A frame carrying one transport segment: FIN/FIR flags and sequence, then application bytes. */
const transport = (fin: boolean, fir: boolean, seq: number, app: Buffer): Buffer => Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | (fir ? 0x40 : 0) | seq]), app]);
/** A whole application message in one transport segment, from master (1) to outstation (10) or back. */
const request = (seq: number, app: number[]): Buffer => frame(0xc4, 10, 1, transport(true, true, seq, Buffer.from(app)));
const response = (seq: number, app: number[]): Buffer => frame(0x44, 1, 10, transport(true, true, seq, Buffer.from(app)));

function tcpTraffic(): TcpConversation {
  const c = new TcpConversation({ clientPort: 50020, serverPort: 20000 }).handshake();
  c.send('client', frame(0xc9, 10, 1, Buffer.alloc(0)));
  c.send('server', frame(0x0b, 1, 10, Buffer.alloc(0)));
  // Read class 1, 2, 3 and 0.
  c.send('client', request(1, [0xc1, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06]));
  // Response: binary inputs with status 0-2, a 32-bit analog input 5, 16-bit counters 0-1 (IIN: restart, time sync).
  c.send('server', response(2, [
    0xc1, 0x81, 0x90, 0x00,
    0x01, 0x02, 0x00, 0x00, 0x02, 0x81, 0x01, 0x01,
    0x1e, 0x01, 0x17, 0x01, 0x05, 0x01, 0x39, 0x30, 0x00, 0x00,
    0x14, 0x02, 0x00, 0x00, 0x01, 0x01, 0x10, 0x00, 0x21, 0x01, 0x00,
  ]));
  // Two frames in one segment: a Confirm and a Read of binary inputs by range.
  c.send('client', Buffer.concat([request(3, [0xc2, 0x00]), request(4, [0xc3, 0x01, 0x01, 0x00, 0x00, 0x00, 0x07])]));
  // A Write of the time and date, its frame spread over two segments.
  c.send('client', request(5, [0xc4, 0x02, 0x32, 0x01, 0x07, 0x01, 0xeb, 0xe4, 0x5a, 0x87, 0xff, 0x00]), [9]);
  // An unsolicited response in three transport segments (sequence 6, 7, 8), each its own frame and segment.
  const message = Buffer.from([
    0xf5, 0x82, 0x00, 0x00, 0x02, 0x02, 0x28, 0x02, 0x00, 0x03, 0x00, 0x81, 0xb0, 0x5b, 0x84, 0xef, 0x00, 0x00,
    0x07, 0x00, 0x01, 0x1e, 0x05, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x40, 0x40, 0x01, 0x66, 0x66, 0xa6, 0xc0,
  ]);
  c.send('server', frame(0x44, 1, 10, transport(false, true, 6, message.subarray(0, 12))));
  c.send('server', frame(0x44, 1, 10, transport(false, false, 7, message.subarray(12, 24))));
  c.send('server', frame(0x44, 1, 10, transport(true, false, 8, message.subarray(24))));
  // Select with a control relay output block (latch on, index 3).
  c.send('client', request(9, [0xc5, 0x03, 0x0c, 0x01, 0x28, 0x01, 0x00, 0x03, 0x00, 0x03, 0x01, 0x64, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00]));
  // A chunk whose CRC is wrong: its data is thrown away.
  c.send('client', frame(0xc4, 10, 1, transport(true, true, 10, Buffer.from([0xc6, 0x01, 0x3c, 0x02, 0x06])), true));
  // A Read with no objects: tshark's objects subtree throws at the end of the message.
  c.send('client', request(11, [0xc7, 0x01]));
  // Not DNP 3.0 at the start of a segment: declined, data.
  c.send('client', Buffer.from('not dnp3 at all'));
  return c;
}

function udpFrame(payload: Buffer, index: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payload.length);
  Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]).copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 8 + payload.length, 16);
  f.writeUInt16BE(index, 18);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([10, 0, 1, 1]).copy(f, 26);
  Buffer.from([10, 0, 1, 2]).copy(f, 30);
  f.writeUInt16BE(1128, 34);
  f.writeUInt16BE(20000, 36);
  f.writeUInt16BE(8 + payload.length, 38);
  payload.copy(f, 42);
  return f;
}

function writeCapture(file: string): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  let ts = 1_700_000_000_000_000_000n;
  const frames = [
    ...tcpTraffic().frames.map((f) => f.data),
    udpFrame(Buffer.concat([frame(0xc9, 10, 1, Buffer.alloc(0)), request(12, [0xc8, 0x01, 0x3c, 0x01, 0x06])]), 1),
    udpFrame(response(13, [0xc8, 0x81, 0x00, 0x00, 0x50, 0x01, 0x00, 0x07, 0x07, 0x01]), 2),
  ];
  for (const data of frames) {
    writer.writePacket({ tsNs: ts, data });
    ts += 1_000_000n;
  }
  writer.close();
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

const FIELDS = [
  'dnp3.start', 'dnp3.len', 'dnp3.ctl', 'dnp3.ctl.dir', 'dnp3.ctl.prm', 'dnp3.ctl.fcb', 'dnp3.ctl.fcv', 'dnp3.ctl.dfc', 'dnp3.ctl.prifunc',
  'dnp3.ctl.secfunc', 'dnp3.dst', 'dnp3.src', 'dnp3.addr', 'dnp3.hdr.CRC', 'dnp.hdr.CRC.status', 'dnp3.tr.ctl', 'dnp3.tr.fin', 'dnp3.tr.fir',
  'dnp3.tr.seq', 'dnp.data_chunk', 'dnp.data_chunk_len', 'dnp.data_chunk.CRC', 'dnp.data_chunk.CRC.status', 'dnp3.al.frag_data',
  'dnp3.al.fragment', 'dnp3.al.fragment.count', 'dnp3.al.fragment.reassembled.length', 'dnp3.al.ctl', 'dnp3.al.fir', 'dnp3.al.fin',
  'dnp3.al.con', 'dnp3.al.uns', 'dnp3.al.seq', 'dnp3.al.func', 'dnp3.al.iin', 'dnp3.al.iin.rst', 'dnp3.al.iin.tsr', 'dnp3.al.obj',
  'dnp3.al.objq.prefix', 'dnp3.al.objq.range', 'dnp3.al.range.start', 'dnp3.al.range.stop', 'dnp3.al.range.quantity', 'dnp3.al.index',
  'dnp3.al.point_index', 'dnp3.al.bit', 'dnp3.al.biq.b0', 'dnp3.al.biq.b7', 'dnp3.al.ana.int', 'dnp3.al.ana.float', 'dnp3.al.anaout.int',
  'dnp3.al.cnt', 'dnp3.al.ctrlstatus', 'dnp3.al.timestamp', 'dnp3.ctl.op', 'dnp3.al.count', 'dnp3.al.on_time', 'udp.pdu.size',
  '_ws.expert', '_ws.malformed',
];

test('DNP 3.0 over TCP and UDP: link layer, transport, chunks and CRCs, reassembled application layer, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'dnp3.pcap');
  writeCapture(file);
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', args);
  for (const info of ['Read, Class 0123', 'Confirm, Read, Binary Input', 'Write, Time and Date', '(Application Layer Unreassembled fragment 7)', 'Unsolicited Response', 'from 1 to 10, len=11, Unconfirmed User Data', 'Read[Malformed Packet]', 'eth:ethertype:ip:tcp:data|', 'eth:ethertype:ip:udp:dnp3|']) {
    assert.ok(theirs.includes(info), `tshark's output lacks ${info}`);
  }
  assert.deepEqual(run('sievecap', args).split('\n'), theirs.split('\n'));
  const frames = (text: string): string[] => text.split(/^(?=Frame \d+:)/m);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
});
