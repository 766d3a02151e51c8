/**
 * TcpReassembler on hand-placed segments: the cases real traffic on a veth rarely produces
 * (sequence wrap-around, overlaps whose bytes differ, streams without their SYN, memory bounds).
 * The end-to-end tests in tests/http-reassembly-netns.test.ts cover real captures.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './tcp-segment';
import { seqDiff, TcpReassembler, type LimitHit, type StreamEnd, type StreamGap } from './tcp-stream';

interface Received {
  bytes: string[];
  frames: number[][];
  gaps: StreamGap[][];
  ends: Array<StreamEnd | null>;
}

function harness(limits = {}) {
  const got: Received = { bytes: ['', ''], frames: [[], []], gaps: [[], []], ends: [null, null] };
  const r = new TcpReassembler(
    {
      onData(_info, dir, chunk) {
        got.bytes[dir] += chunk.data.toString('latin1');
        got.frames[dir]!.push(chunk.frame);
      },
      onGap(_info, dir, gap) {
        got.gaps[dir]!.push(gap);
        got.bytes[dir] += '#'.repeat(gap.length);
      },
      onEnd(_info, dir, reason) {
        got.ends[dir] = reason;
      },
    },
    limits,
  );
  let frame = 0;
  const send = (dir: 0 | 1, seq: number, data: string, flags = TCP_ACK, ack = 0): void => {
    const payload = Buffer.from(data, 'latin1');
    const seg: TcpSegment = {
      frame: ++frame, tsNs: BigInt(frame) * 1000n, stream: 7,
      srcAddress: dir === 0 ? '10.0.0.1' : '10.0.0.2', srcPort: dir === 0 ? 40000 : 80,
      dstAddress: dir === 0 ? '10.0.0.2' : '10.0.0.1', dstPort: dir === 0 ? 80 : 40000,
      seq: seq >>> 0, ack: ack >>> 0, flags, length: payload.length, payload,
    };
    r.add(seg);
  };
  return { r, got, send };
}

test('seqDiff is a signed distance in 32-bit sequence space', () => {
  assert.equal(seqDiff(5, 0xfffffffb), 10);
  assert.equal(seqDiff(0xfffffffb, 5), -10);
});

test('sequence numbers wrap around 2^32 without a hiccup', () => {
  const { got, send } = harness();
  const isn = 0xfffffff0;
  send(0, isn, '', TCP_SYN);
  send(0, isn + 1, 'abcdefghij'); // ends at 0xfffffffb
  send(0, isn + 11, 'KLMNOPQRST'); // crosses zero
  send(0, isn + 21, 'uvw', TCP_ACK | TCP_FIN);
  assert.equal(got.bytes[0], 'abcdefghijKLMNOPQRSTuvw');
  assert.equal(got.ends[0], 'fin');
});

test('out-of-order segments wait for the hole; duplicates are dropped', () => {
  const { r, got, send } = harness();
  send(0, 100, '', TCP_SYN);
  send(0, 111, 'klmno'); // frame 2, ahead of a hole
  send(0, 106, 'fghij'); // frame 3, ahead of a hole too
  send(0, 101, 'abcde'); // frame 4 fills it
  send(0, 101, 'abcde'); // retransmission
  assert.equal(got.bytes[0], 'abcdefghijklmno');
  assert.deepEqual(got.frames[0], [4, 3, 2]);
  assert.equal(r.stats.duplicateBytes, 5);
  assert.equal(r.stats.outOfOrderSegments, 2);
  assert.equal(r.queuedBytes, 0);
});

test('overlaps resolve as Linux resolves them: delivered bytes never change', () => {
  const { got, send } = harness();
  send(0, 0, '', TCP_SYN);
  send(0, 1, 'AAAA'); // bytes 1-4
  send(0, 3, 'xxYY'); // 3-4 were delivered: 'AA' stays; 5-6 are new
  send(0, 9, 'QQQQ'); // 9-12 queued
  send(0, 10, 'zz'); // wholly inside queued data: dropped
  send(0, 15, 'PPPP'); // 15-18 queued
  send(0, 13, 'RRRR'); // 13-16 queued; starts earlier, so it supplies 15-16
  // In order at last: delivered whole; the queued copy of 9-12 it covers is dropped (Linux
  // queues an in-order segment whole and trims the out-of-order queue against rcv_nxt).
  send(0, 7, 'BBccccc');
  assert.equal(got.bytes[0], 'AAAAYYBBccccc' + 'RRR' + 'PP');
})

test('a stream seen without its SYN starts at its first data, or where the peer acknowledged', () => {
  const a = harness();
  a.send(0, 5000, 'hello');
  a.send(0, 5005, ' world');
  assert.equal(a.got.bytes[0], 'hello world');

  // The peer acknowledged 9000: a first segment at 9005 leaves a 5-byte hole for the missing one.
  // (The peer spoke first, so the reassembler numbers it direction 0 and the sender direction 1.)
  const b = harness();
  b.send(1, 1, '', TCP_ACK, 9000);
  b.send(0, 9005, 'world');
  assert.equal(b.got.bytes[1], '');
  b.send(0, 9000, 'hello');
  assert.equal(b.got.bytes[1], 'helloworld');
});

test('FIN ends a direction once every byte before it arrived; RST ends both at once', () => {
  const a = harness();
  a.send(0, 0, '', TCP_SYN);
  a.send(0, 4, 'def', TCP_ACK | TCP_FIN); // FIN ahead of a hole
  assert.equal(a.got.ends[0], null);
  a.send(0, 1, 'abc');
  assert.equal(a.got.ends[0], 'fin');
  assert.equal(a.got.bytes[0], 'abcdef');
  a.send(0, 7, 'late'); // nothing after the FIN
  assert.equal(a.got.bytes[0], 'abcdef');

  const b = harness();
  b.send(0, 0, '', TCP_SYN);
  b.send(0, 1, 'abc');
  b.send(0, 10, 'queued');
  b.send(1, 0, '', TCP_RST);
  assert.deepEqual(b.got.ends, ['rst', 'rst']);
  assert.equal(b.got.bytes[0], 'abc######queued', 'queued data is handed over across its hole');
  assert.equal(b.got.gaps[0]![0]!.reason, 'missing');
});

test('memory bounds: the hole is given up, the data delivered, the hit reported', () => {
  const { r, got, send } = harness({ maxQueuedPerDirection: 8 });
  send(0, 0, '', TCP_SYN);
  send(0, 11, 'abcde');
  assert.equal(r.limitHits.length, 0);
  send(0, 16, 'fghij'); // 10 bytes queued > 8
  assert.equal(r.limitHits.length, 1);
  assert.deepEqual(r.limitHits[0], { stream: 7, dir: 0, kind: 'direction', frame: 3, skippedBytes: 10 } satisfies LimitHit);
  assert.equal(got.bytes[0], '##########abcdefghij');
  assert.equal(got.gaps[0]![0]!.reason, 'limit');
  assert.equal(r.queuedBytes, 0);

  const total = harness({ maxQueuedTotal: 4 });
  total.send(0, 0, '', TCP_SYN);
  total.send(0, 5, 'xyzzy');
  assert.equal(total.r.limitHits[0]!.kind, 'total');
  assert.equal(total.got.bytes[0], '####xyzzy');
});

test('a segment cut by the snap length leaves a gap of the missing tail', () => {
  const { got, r } = harness();
  r.add({
    frame: 1, tsNs: 0n, stream: 1, srcAddress: 'a', srcPort: 1, dstAddress: 'b', dstPort: 2,
    seq: 0, ack: 0, flags: TCP_SYN, length: 0, payload: Buffer.alloc(0),
  });
  r.add({
    frame: 2, tsNs: 0n, stream: 1, srcAddress: 'a', srcPort: 1, dstAddress: 'b', dstPort: 2,
    seq: 1, ack: 0, flags: TCP_ACK, length: 10, payload: Buffer.from('abcd'),
  });
  assert.equal(got.bytes[0], 'abcd######');
  assert.equal(got.gaps[0]![0]!.reason, 'truncated');
});
