/**
 * Two things of TCP that everyday captures hold, against tshark 4.0 as users run it (TCP
 * desegmentation on): a client that opens a new connection from the port of a closed one
 * ("[TCP Port numbers reused]", a new stream, SYN_SENT already on that SYN), and an HTTP response
 * whose segments arrive out of order, a later one before the one that fills the hole (the PDU
 * is put together with the segments held after the hole, on the frame that completes it), also
 * when the segment that fills it is a fast retransmission (sent twice: the second listed as an overlap);
 * and segments sent again with earlier time stamps than their first copies (retransmissions, as
 * Wireshark's unsigned time deltas make them, not out of order); and a handshake seen again with the
 * same sequence numbers (window scaling as packet-tcp.c keeps it). Compared line for line: the summary lines and `-V`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { PcapWriter } from '../app/pcap/pcap-writer';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcp-reuse-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function body(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => 0x41 + (i % 26)));
}

test('a closed connection\'s ports used again: a new stream, marked as tshark marks it', { skip: NO_TSHARK }, () => {
  const first = new TcpConversation({ serverPort: 8081, clientPort: 41900 });
  first.handshake().send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  first.fin('client').fin('server').ack('client');
  const again = new TcpConversation({ serverPort: 8081, clientPort: 41900, clientIsn: 900_000, serverIsn: 7_000_000 });
  again.handshake().send('client', Buffer.from('GET /b HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  const file = path.join(tmp, 'reused.pcap');
  writeConversations(file, [first, again]);
  const lines = tshark(['-r', file]);
  assert.match(lines, /\[TCP Port numbers reused\] 41900 → 8081 \[SYN\]/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.completeness', '-e', 'tcp.analysis.reused_ports'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});

test('segments of a response out of order: the hole filled, the response put together as tshark does', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 8080 });
  c.handshake().send('client', Buffer.from('GET /image.jpg HTTP/1.1\r\nHost: x\r\n\r\n'));
  const payload = body(6000);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${payload.length}\r\n\r\n`, 'latin1');
  const before = c.frames.length;
  c.send('server', Buffer.concat([head, payload]), [1000, 2000, 3000, 4000, 5000]);
  // The third segment arrives after the fourth and fifth (a hole, then what follows it, then the filler).
  const [s1, s2, s3, s4, s5, s6] = c.frames.splice(before, 6);
  c.frames.push(s1!, s2!, s4!, s5!, s3!, s6!);
  c.ack('client').fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'reordered.pcap');
  writeConversations(file, [c]);
  const lines = tshark(['-r', file]);
  assert.match(lines, /Out-Of-Order/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
});

test('a lost segment resent as a fast retransmission (twice) after duplicate ACKs: the hole filled, the response put together', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 8080, clientPort: 41800 });
  c.handshake().send('client', Buffer.from('GET /image.jpg HTTP/1.1\r\nHost: x\r\n\r\n'));
  const payload = body(6000);
  const response = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${payload.length}\r\n\r\n`, 'latin1'), payload]);
  const piece = (from: number, to?: number): Buffer => response.subarray(from, to);
  c.send('server', piece(0, 1000)).send('server', piece(1000, 2000)).ack('client');
  const dupAck = c.frames[c.frames.length - 1]!;
  // The third segment is lost; the client acknowledges the hole again for each segment after it.
  c.lose('server', 1000).send('server', piece(3000, 4000));
  c.frames.push({ data: Buffer.from(dupAck.data) });
  c.send('server', piece(4000, 5000));
  c.frames.push({ data: Buffer.from(dupAck.data) });
  c.resend('server', piece(2000, 3000), 3000).resend('server', piece(2000, 3000), 3000);
  c.send('server', piece(5000)).ack('client').fin('client').fin('server').ack('client');
  const file = path.join(tmp, 'fast-retransmission.pcap');
  writeConversations(file, [c]);
  const lines = tshark(['-r', file]);
  assert.match(lines, /\[TCP Fast Retransmission\] .*\[TCP segment of a reassembled PDU\]\n.*\[TCP Fast Retransmission\] .*\[TCP segment of a reassembled PDU\]/);
  assert.match(lines, /HTTP\/1\.1 200 OK/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.segment', '-e', 'tcp.segment.overlap', '-e', 'tcp.segment.count', '-e', 'http.response.code'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});

test('a segment sent again with an earlier time stamp (time going backwards in a file): a retransmission, as tshark says', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 8080, clientPort: 41900 });
  c.handshake().send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n'));
  // The SYN and the request again, copied as they were.
  c.frames.push(c.frames[0]!, c.frames[3]!);
  c.send('server', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')).ack('client').fin('client').fin('server').ack('client');
  // 1 ms apart, but the two copies 1 s before the frames they repeat (Wireshark's time deltas
  // are unsigned there, so "came within the RTT" does not hold and they are retransmissions, not
  // out of order).
  const file = path.join(tmp, 'backwards.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  c.frames.forEach((frame, i) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n - (i === 4 || i === 5 ? 1_000_000_000n : 0n), data: frame.data }));
  writer.close();
  const lines = tshark(['-r', file]);
  assert.match(lines, /\[TCP Retransmission\] 41900 → 8080 \[SYN\]/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
});

/** A SYN with a window scale option (NOP, WS shift): the frame with the option put after the header. */
function withWindowScale(frame: Buffer, shift: number): Buffer {
  const out = Buffer.concat([frame.subarray(0, 54), Buffer.from([1, 3, 3, shift]), frame.subarray(54)]);
  out.writeUInt16BE(out.readUInt16BE(16) + 4, 16);
  out[46] = 6 << 4;
  return out;
}

test('a handshake seen again (a capture that repeats a connection): window scaling as tshark keeps it', { skip: NO_TSHARK }, () => {
  // The SYN offers scaling, the SYN-ACK does not: no scaling. The same handshake again later (the
  // same sequence numbers: retransmissions in the same stream) — the SYN's option counts again and
  // the SYN-ACK without one no longer turns it off, so tshark scales the client's windows by 32.
  const make = (): TcpConversation => {
    const c = new TcpConversation({ serverPort: 8080, clientPort: 41950 });
    c.handshake().send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
    c.frames[0] = { data: withWindowScale(c.frames[0]!.data, 5) };
    return c;
  };
  const file = path.join(tmp, 'handshake-again.pcap');
  writeConversations(file, [make(), make()]);
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.window_size_scalefactor', '-e', 'tcp.window_size', '-e', 'tcp.completeness'];
  const theirs = tshark(['-r', file, ...fields]);
  assert.match(theirs, /^8\t32\t2097120\t/m);
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), theirs);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
});

test('a SYN-ACK captured before its SYN: one stream, as packet-tcp.c keeps it (the SYN-ACK set the SYN side\'s base)', { skip: NO_TSHARK }, () => {
  const c = new TcpConversation({ serverPort: 8080, clientPort: 41960 });
  c.handshake().send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  c.fin('client').fin('server').ack('client');
  const [syn, synAck] = c.frames.splice(0, 2);
  c.frames.unshift(synAck!, syn!);
  const file = path.join(tmp, 'syn-ack-first.pcap');
  writeConversations(file, [c]);
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.completeness'];
  const theirs = tshark(['-r', file, ...fields]);
  assert.doesNotMatch(theirs, /^\d+\t1\t/m);
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), theirs);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
});

test('a SYN-ACK with another ISN than the one before it: the same stream, ports reused, counted from the new ISN', { skip: NO_TSHARK }, () => {
  const first = new TcpConversation({ serverPort: 8080, clientPort: 41970 });
  first.handshake();
  const again = new TcpConversation({ serverPort: 8080, clientPort: 41970, serverIsn: 7_000_000 });
  again.handshake().send('client', Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')).send('server', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  // The SYN and the first SYN-ACK, then the second SYN-ACK and what follows it.
  const c = new TcpConversation({ serverPort: 8080 });
  c.frames.push(first.frames[0]!, first.frames[1]!, ...again.frames.slice(1));
  const file = path.join(tmp, 'syn-ack-new-isn.pcap');
  writeConversations(file, [c]);
  const lines = tshark(['-r', file]);
  assert.match(lines, /\[TCP Port numbers reused\] 8080 → 41970 \[SYN, ACK\] Seq=0 Ack=1/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.analysis.reused_ports'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});
