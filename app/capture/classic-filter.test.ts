/**
 * native().ClassicFilter, the capture filter compiled once and run over many packets per call,
 * against libpcap itself: the addon's per-packet pcapFilter (libpcap's bpf_filter, one program
 * conversion per call) must give the same verdict for every packet. Frames are made by the test
 * (seeded); tests/capture-filter-batch.test.ts compares with tcpdump on files.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterFrames, rawIpPacket, type FilterFrame } from '../../tests/support/filter-frames';
import { seededRandom } from '../../tests/support/prng';
import { linkTypeToDlt } from '../pcap/linktype';
import { native, type ClassicInsn } from './native';

const n = native();

const FILTERS = [
  'tcp port 80', 'udp', 'ip6', 'icmp or icmp6', 'vlan and tcp', 'host 10.0.1.2 and not port 22', 'net 192.168.1.0/30',
  'tcp[tcpflags] & tcp-syn != 0', 'greater 1000', 'less 100', 'ip[6:2] & 0x1fff != 0', 'ip6 and udp dst port 53', 'arp',
  'tcp port 80 and len > 200', 'portrange 5000-40000', 'ip[1400] = 0', 'ether host 02:00:00:00:00:01',
];

function compile(filter: string, linkType = 1, snapLen = 262144): ClassicInsn[] {
  return n.pcapCompile({ filter, linkType: linkTypeToDlt(linkType), snapLen, optimize: true });
}

/** The packets in one buffer, at seeded offsets with gaps between them, and their columns. */
function pack(frames: FilterFrame[], seed: number) {
  const rand = seededRandom(seed);
  const start = new Uint32Array(frames.length);
  const capLen = new Uint32Array(frames.length);
  const origLen = new Uint32Array(frames.length);
  const parts: Buffer[] = [];
  let at = 0;
  frames.forEach((f, i) => {
    const gap = Math.floor(rand() * 20);
    parts.push(Buffer.alloc(gap, 0xee), f.data);
    start[i] = at + gap;
    capLen[i] = f.data.length;
    origLen[i] = f.origLen;
    at += gap + f.data.length;
  });
  return { buf: Buffer.concat(parts), start, capLen, origLen };
}

/** Verdicts of the per-packet reference, as 0/1. */
function reference(program: ClassicInsn[], frames: FilterFrame[]): number[] {
  return frames.map((f) => (n.pcapFilter(program, f.data, f.origLen) !== 0 ? 1 : 0));
}

describe('ClassicFilter.run = pcapFilter per packet (libpcap bpf_filter)', () => {
  const ethernet = filterFrames(3000, 7);
  const raw = ethernet.map(rawIpPacket).filter((f): f is FilterFrame => f !== undefined);

  for (const [linkType, frames] of [[1, ethernet], [101, raw]] as const) {
    test(`${frames.length} frames of link type ${linkType}, ${FILTERS.length} filters, one call each`, (t) => {
      const packed = pack(frames, linkType);
      let compared = 0;
      let kept = 0;
      for (const filter of FILTERS) {
        let program: ClassicInsn[];
        try {
          program = compile(filter, linkType);
        } catch {
          continue; // e.g. ether host on raw IP: nothing to compare
        }
        const verdicts = new Uint8Array(frames.length);
        const accepted = new n.ClassicFilter(program).run(packed.buf, packed.start, packed.capLen, packed.origLen, verdicts);
        const expected = reference(program, frames);
        assert.deepEqual([...verdicts], expected, filter);
        assert.equal(accepted, expected.filter((v) => v === 1).length, `${filter}: count kept`);
        compared += frames.length;
        kept += accepted;
      }
      assert.ok(kept > 0 && kept < compared, 'the filters keep some packets and drop others');
      t.diagnostic(`${compared} verdicts compared, ${kept} kept`);
    });
  }

  test('first and count: only that range is judged and written', () => {
    const frames = ethernet.slice(0, 500);
    const packed = pack(frames, 3);
    const program = compile('tcp port 80 or udp');
    const filter = new n.ClassicFilter(program);
    const expected = reference(program, frames);
    const verdicts = new Uint8Array(frames.length).fill(7);
    const kept = filter.run(packed.buf, packed.start, packed.capLen, packed.origLen, verdicts, 100, 250);
    assert.deepEqual([...verdicts.subarray(100, 350)], expected.slice(100, 350));
    assert.equal(kept, expected.slice(100, 350).filter((v) => v === 1).length);
    assert.ok(verdicts.subarray(0, 100).every((v) => v === 7) && verdicts.subarray(350).every((v) => v === 7), 'outside the range: untouched');
    // count defaults to the rest of the columns
    verdicts.fill(7);
    filter.run(packed.buf, packed.start, packed.capLen, packed.origLen, verdicts, 400);
    assert.deepEqual([...verdicts.subarray(400)], expected.slice(400));
    assert.ok(verdicts.subarray(0, 400).every((v) => v === 7));
  });

  test('packets in a view of a larger buffer are read at the view\'s offset', () => {
    const frames = ethernet.slice(0, 50);
    const packed = pack(frames, 4);
    const outer = Buffer.alloc(packed.buf.length + 333, 0xaa);
    packed.buf.copy(outer, 211);
    const view = outer.subarray(211, 211 + packed.buf.length);
    const program = compile('tcp port 80 or udp port 53 or ip6');
    const verdicts = new Uint8Array(frames.length);
    new n.ClassicFilter(program).run(view, packed.start, packed.capLen, packed.origLen, verdicts);
    assert.deepEqual([...verdicts], reference(program, frames));
  });

  test('zero packets: nothing judged, 0 kept', () => {
    const filter = new n.ClassicFilter(compile('tcp'));
    const none = new Uint32Array(0);
    assert.equal(filter.run(Buffer.alloc(0), none, none, none, new Uint8Array(0)), 0);
    const one = new Uint32Array(1);
    const verdicts = new Uint8Array([9]);
    assert.equal(filter.run(Buffer.alloc(10), one, one, one, verdicts, 1), 0);
    assert.equal(filter.run(Buffer.alloc(10), one, one, one, verdicts, 0, 0), 0);
    assert.equal(verdicts[0], 9);
  });

  test('a packet of no bytes is judged without reading any', () => {
    const program = compile('tcp or less 100');
    const zero = new Uint32Array([0]);
    const verdicts = new Uint8Array(1);
    // Empty buffer: the program's loads fail (return 0) rather than read.
    new n.ClassicFilter(program).run(Buffer.alloc(0), zero, zero, new Uint32Array([60]), verdicts);
    assert.equal(verdicts[0], n.pcapFilter(program, Buffer.alloc(0), 60) !== 0 ? 1 : 0);
  });

  test('packets longer than the snap length the program was compiled for', () => {
    const big = ethernet.filter((f) => f.data.length > 1000);
    assert.ok(big.length > 50);
    const packed = pack(big, 5);
    for (const filter of ['tcp port 80', 'ip[1400] = 0', 'greater 1200', 'udp']) {
      const program = compile(filter, 1, 96);
      const verdicts = new Uint8Array(big.length);
      new n.ClassicFilter(program).run(packed.buf, packed.start, packed.capLen, packed.origLen, verdicts);
      assert.deepEqual([...verdicts], reference(program, big), filter);
    }
  });

  test('the length on the wire is passed as it is, even below the captured length (as pcap_offline_filter does)', () => {
    const frame = ethernet.find((f) => f.data.length === f.origLen && f.data.length > 200)!;
    const start = new Uint32Array([0]);
    const capLen = new Uint32Array([frame.data.length]);
    const verdicts = new Uint8Array(1);
    const run = (filter: string, origLen: number): number => {
      new n.ClassicFilter(compile(filter)).run(frame.data, start, capLen, new Uint32Array([origLen]), verdicts);
      return verdicts[0]!;
    };
    assert.equal(run('less 100', 50), 1);
    assert.equal(run('greater 100', 50), 0);
    assert.equal(run('greater 100', frame.data.length), 1);
  });
});

describe('ClassicFilter: bad arguments', () => {
  const program = compile('tcp port 80');
  const filter = new n.ClassicFilter(program);
  const buf = Buffer.alloc(100);
  const cols = (starts: number[], caps: number[]) => [new Uint32Array(starts), new Uint32Array(caps), new Uint32Array(caps.map((c) => c + 10))] as const;

  test('the constructor takes a valid instruction array only', () => {
    assert.equal(filter.length, program.length);
    assert.throws(() => new n.ClassicFilter([]), { name: 'TypeError', message: /program is empty/ });
    assert.throws(() => new n.ClassicFilter('tcp' as never), TypeError);
    assert.throws(() => new n.ClassicFilter([{ code: 6, jt: 0, jf: 0, k: 'x' }] as never), { name: 'TypeError', message: /program\[0\]\.k/ });
    const jumpOut: ClassicInsn[] = [{ code: 0x05, jt: 0, jf: 0, k: 10 }, { code: 0x06, jt: 0, jf: 0, k: 0 }];
    assert.throws(() => new n.ClassicFilter(jumpOut), (e: NodeJS.ErrnoException) => e.code === 'EINVAL' && /bpf_validate/.test(e.message));
    assert.throws(() => (n.ClassicFilter as unknown as (p: ClassicInsn[]) => unknown)(program), TypeError);
  });

  test('columns of the wrong type throw TypeError naming them', () => {
    const [s, c, o] = cols([0], [10]);
    const v = new Uint8Array(1);
    assert.throws(() => filter.run('x' as never, s, c, o, v), { name: 'TypeError', message: /packets must be a Uint8Array/ });
    assert.throws(() => filter.run(new Uint16Array(50) as never, s, c, o, v), { name: 'TypeError', message: /packets/ });
    assert.throws(() => filter.run(buf, [0] as never, c, o, v), { name: 'TypeError', message: /start must be a Uint32Array/ });
    assert.throws(() => filter.run(buf, new Int32Array(1) as never, c, o, v), { name: 'TypeError', message: /start/ });
    assert.throws(() => filter.run(buf, s, new Float64Array(1) as never, o, v), { name: 'TypeError', message: /capLen/ });
    assert.throws(() => filter.run(buf, s, c, undefined as never, v), { name: 'TypeError', message: /origLen/ });
    assert.throws(() => filter.run(buf, s, c, o, new Uint32Array(1) as never), { name: 'TypeError', message: /verdicts must be a Uint8Array/ });
    assert.throws(() => filter.run(buf, s, c, o, v, -1), { name: 'TypeError', message: /first/ });
    assert.throws(() => filter.run(buf, s, c, o, v, 0, 1.5), { name: 'TypeError', message: /count/ });
  });

  test('ranges past the end throw RangeError before any verdict is written', () => {
    const v = new Uint8Array(3).fill(9);
    const untouched = (): void => assert.deepEqual([...v], [9, 9, 9]);
    // The last packet runs one byte past the buffer.
    assert.throws(() => filter.run(buf, ...cols([0, 20, 50], [10, 10, 51]), v), { name: 'RangeError', message: /packet 2 \(start 50, capLen 51\) runs past the end of packets \(100 bytes\)/ });
    untouched();
    // start + capLen overflowing 32 bits is past the end too.
    assert.throws(() => filter.run(buf, ...cols([0, 0xffffffff, 0], [1, 2, 1]), v), { name: 'RangeError', message: /packet 1/ });
    untouched();
    assert.throws(() => filter.run(buf, ...cols([0, 0, 0], [1, 1, 1]), v, 4), { name: 'RangeError', message: /first \(4\) is past the end/ });
    assert.throws(() => filter.run(buf, ...cols([0, 0, 0], [1, 1, 1]), v, 1, 3), { name: 'RangeError', message: /need 4 entries in start, which has 3/ });
    assert.throws(() => filter.run(buf, ...cols([0, 0, 0], [1, 1, 1]), new Uint8Array(2)), { name: 'RangeError', message: /verdicts, which has 2/ });
    const [s, c] = cols([0, 0, 0], [1, 1, 1]);
    assert.throws(() => filter.run(buf, s, c, new Uint32Array(2), v), { name: 'RangeError', message: /origLen, which has 2/ });
    untouched();
    // A view of a larger buffer: bounded by the view, not by the memory behind it.
    const view = Buffer.alloc(200).subarray(50, 100);
    assert.throws(() => filter.run(view, ...cols([40], [20]), new Uint8Array(1)), { name: 'RangeError', message: /50 bytes/ });
  });
});
