import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../app/rpc/engine-protocol';
import { cellText, filterRows, sortRows } from '../components/table';
import { conversationColumns, followTarget, withKeys } from './conversations';

const conv = (a: string, pa: number | null, b: string, pb: number | null, stream: number | null, bytes = 100): Conversation => ({
  addressA: a,
  portA: pa,
  addressB: b,
  portB: pb,
  framesAtoB: 2,
  bytesAtoB: bytes / 2,
  framesBtoA: 1,
  bytesBtoA: bytes / 2,
  frames: 3,
  bytes,
  relativeStart: 0.5,
  duration: 1.25,
  stream,
  filter: `tcp.stream eq ${stream}`,
});

describe('conversation tables', () => {
  it('has ports only for TCP and UDP', () => {
    expect(conversationColumns('tcp').map((c) => c.title)).toEqual([
      'Address A', 'Port A', 'Address B', 'Port B', 'Packets', 'Bytes', 'Packets A→B', 'Bytes A→B', 'Packets B→A', 'Bytes B→A', 'Rel Start', 'Duration',
    ]);
    expect(conversationColumns('ip').map((c) => c.id)).not.toContain('portA');
  });
  it('keys rows uniquely', () => {
    const rows = withKeys([conv('10.0.0.1', 1, '10.0.0.2', 80, 0), conv('10.0.0.1', 1, '10.0.0.2', 80, 0)]);
    expect(rows[0]!.key).not.toBe(rows[1]!.key);
  });
  it('sorts bytes by value though it shows them rounded', () => {
    const rows = withKeys([conv('a', 1, 'b', 2, 0, 2_000_000), conv('c', 1, 'd', 2, 1, 900), conv('e', 1, 'f', 2, 2, 15_000)]);
    const columns = conversationColumns('tcp');
    const sorted = sortRows(rows, columns, { column: 'bytes', descending: true });
    expect(sorted.map((r) => cellText(columns[5]!, r))).toEqual(['2.0 MB', '15 kB', '900 B']);
    expect(filterRows(rows, columns, '15 kB').length).toBe(1);
  });
  it('follows TCP and UDP rows with a stream', () => {
    expect(followTarget('tcp', conv('a', 1, 'b', 2, 4))).toEqual({ protocol: 'tcp', stream: 4 });
    expect(followTarget('udp', conv('a', 1, 'b', 2, 0))).toEqual({ protocol: 'udp', stream: 0 });
    expect(followTarget('udp', conv('a', 1, 'b', 2, null))).toBeNull();
    expect(followTarget('ip', conv('a', null, 'b', null, null))).toBeNull();
    expect(followTarget('tcp', null)).toBeNull();
  });
});
