/**
 * tshark's SEQ/ACK analysis numbers (tcp-analysis.ts) on segments fed by hand: the segment an ACK
 * acknowledges and its RTT, bytes in flight (less the peer's SACKed bytes) and bytes since PSH.
 * The whole against tshark in tests/cli-tshark-reports.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSegment, newAnalysisFlow } from './tcp-analysis';

const ACK = 0x10;
const PSH = 0x08;
const ms = (n: number): bigint => BigInt(n) * 1_000_000n;

test('an ACK names the segment it ends at and its RTT; bytes in flight span what is unacknowledged', () => {
  const client = newAnalysisFlow();
  const server = newAnalysisFlow();
  // Three data segments of 100 bytes (the last with PSH), then an ACK of the first two.
  const a = analyzeSegment(client, server, 1, 1, 100, ACK, 500, -2, 0n, 1, ms(0));
  assert.equal(a.bytesInFlight, 100);
  assert.equal(a.pushBytesSent, 100);
  const b = analyzeSegment(client, server, 101, 1, 100, ACK, 500, -2, 0n, 2, ms(1));
  assert.equal(b.bytesInFlight, 200);
  const c = analyzeSegment(client, server, 201, 1, 100, ACK | PSH, 500, -2, 0n, 3, ms(2));
  assert.deepEqual([c.bytesInFlight, c.pushBytesSent, c.recorded], [300, 300, true]);
  const ack = analyzeSegment(server, client, 1, 201, 0, ACK, 500, -2, 0n, 4, ms(12));
  assert.deepEqual([ack.acksFrame, ack.ackRttNs, ack.bytesInFlight], [2, ms(11), 0]);
  // After a PSH the count starts again; one segment is still unacknowledged.
  const d = analyzeSegment(client, server, 301, 1, 50, ACK, 500, -2, 0n, 5, ms(13));
  assert.deepEqual([d.bytesInFlight, d.pushBytesSent], [150, 50]);
  // An ACK inside a segment keeps its rest and names no frame (tshark 4.0).
  const partial = analyzeSegment(server, client, 1, 320, 0, ACK, 500, -2, 0n, 6, ms(14));
  assert.equal(partial.acksFrame, 0);
  const e = analyzeSegment(client, server, 351, 1, 50, ACK, 500, -2, 0n, 7, ms(15));
  assert.equal(e.bytesInFlight, 81);
});

test('the bytes of the peer\'s last SACK blocks are not in flight', () => {
  const client = newAnalysisFlow();
  const server = newAnalysisFlow();
  analyzeSegment(client, server, 1, 1, 100, ACK, 500, -2, 0n, 1, ms(0));
  server.sackDelivered = 100;
  const r = analyzeSegment(client, server, 101, 1, 100, ACK, 500, -2, 0n, 2, ms(1));
  assert.equal(r.bytesInFlight, 100);
});
