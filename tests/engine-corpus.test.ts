/**
 * PacketStore on real captures from the shared corpus, against references we did not write:
 * tshark's packet count, Source/Destination/Length columns and `-Y` results; and our full
 * Dissector run over the whole file in order, which the on-demand rows and trees (asked for in a
 * shuffled order) must equal exactly.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, test } from 'node:test';
import { PacketStore } from '../app/engine';
import { requireTool, tempDir } from './pcap-helpers';
import { requireCorpusDir } from './support/corpus';
import { dissectInOrder, filterInOrder, treeText, tsharkColumns, tsharkFilters } from './engine-reference';

const tmp = tempDir('engine-corpus');
after(() => tmp.remove());

/**
 * Files with their traits. `inOrder`: IP fragment reassembly and ICMP echo request/reply pairing
 * are not replayed across a jump (see RowDissector), so those files are paged in order.
 */
const FILES: Array<{ file: string; inOrder?: boolean }> = [
  { file: 'chrissanders-packets/http_espn.pcapng' },
  { file: 'chrissanders-packets/arppoison.pcapng' },
  { file: 'chrissanders-packets/tcp_ports.pcapng' },
  { file: 'chrissanders-packets/dns_isp_hijack.pcapng' },
  { file: 'chrissanders-packets/synscan.pcapng' },
  { file: 'chrissanders-packets/icmp_traceroute.pcapng', inOrder: true },
  { file: 'chrissanders-packets/ipv6_fragments.pcapng', inOrder: true },
  { file: 'lwerdna-filesamples/simple_http_sll2.pcap' },
  { file: 'lwerdna-filesamples/200722_tcp_anon.pcapng' },
  { file: 'tcpdump/tests/gso-ipv6-vxlan-ipv4.pcap' },
  { file: 'tcpdump/tests/afs.pcap', inOrder: true },
];

/** Filters whose tshark results our dissector and filter modules reproduce (light and full path). */
const FILTERS = [
  'tcp.port == 80', 'ip.addr == 172.16.0.0/16 && udp', 'tcp.stream == 3', 'ip.src == 172.16.0.122', 'dns',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'frame.len > 1000', '!tcp', 'udp.port in {53, 67}',
  'tcp.stream in {0, 1, 2} || udp.stream == 1', 'ipv6', 'icmp || icmpv6', 'ip.dst != 4.2.2.1', 'tcp contains "GET"',
  // Answered per stream for simple frames (FilterView: decidedByStream), as the bench's address and port filters.
  'ip.proto == 6 && tcp.srcport > 1024', 'not (tcp.port == 443) and ip', 'ipv6.addr == ::/0 && !udp', 'tcp.srcport >= 1024 && ip.src != 172.16.0.8',
  'udp.srcport == udp.dstport || tcp.dstport == 80', 'ip.addr in {4.2.2.1, 172.16.0.8} or ipv6.dst == ff02::1:2', 'tcp.port == 80 && tcp.len > 0',
];

function requireCorpus(): string {
  requireTool('tshark');
  return requireCorpusDir();
}

/** A fixed shuffle (no randomness in tests): pages visited backwards, odd ones first. */
function pageOrder(count: number, pageSize: number, inOrder = false): number[] {
  const pages: number[] = [];
  for (let s = 0; s < count; s += pageSize) pages.push(s);
  if (inOrder) return pages;
  pages.reverse();
  return [...pages.filter((_, i) => i % 2 === 1), ...pages.filter((_, i) => i % 2 === 0)];
}

for (const { file, inOrder } of FILES) {
  test(`engine: ${file}: count and columns agree with tshark; rows and trees on demand equal a dissection in order`, async () => {
    const full = path.join(requireCorpus(), file);
    const store = PacketStore.openFile(full);
    try {
      const summary = await store.loading;
      assert.equal(summary.error, null);
      const theirs = tsharkColumns(full);
      assert.equal(store.count(), theirs.length, 'frame count (tshark)');
      const reference = dissectInOrder(full);
      let protocolAgrees = 0;
      for (const start of pageOrder(store.count(), 13, inOrder)) {
        for (const row of store.rows(start, 13)) {
          const t = theirs[row.number - 1]!;
          const ours = reference[row.number - 1]!.packet.summary;
          assert.equal(row.source, t.source, `frame ${row.number} source (tshark)`);
          assert.equal(row.destination, t.destination, `frame ${row.number} destination (tshark)`);
          assert.equal(row.length, t.length, `frame ${row.number} length (tshark)`);
          assert.deepEqual({ ...row, number: undefined, tsNs: undefined, relativeSeconds: undefined, status: undefined }, { ...ours, number: undefined, tsNs: undefined, relativeSeconds: undefined, status: undefined }, `frame ${row.number} row (our Dissector in order)`);
          if (row.protocol === t.protocol) protocolAgrees++;
          const indexed = store.indexedColumns(row.number);
          assert.equal(indexed.source, ours.source, `frame ${row.number} indexed source`);
          assert.equal(indexed.destination, ours.destination, `frame ${row.number} indexed destination`);
        }
      }
      console.log(`# ${file}: ${store.count()} frames, protocol column equal to tshark's on ${protocolAgrees}; ${store.notSimpleFrames} frames not simple; ${store.indexBytesPerPacket().toFixed(1)} index bytes/frame`);
      if (!inOrder) {
        for (let n = store.count(); n >= 1; n -= 2) assert.equal(treeText(store.packet(n).packet), treeText(reference[n - 1]!.packet), `frame ${n} tree`);
      }
      const { data } = store.packet(1);
      assert.deepEqual(data, reference[0]!.data, 'frame 1 bytes');
    } finally {
      store.close();
    }
  });
}

test('engine: display filters agree with tshark -Y (and with a dissection in order) on corpus files', async () => {
  const dir = requireCorpus();
  let shortcut = 0;
  for (const file of ['chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/dns_isp_hijack.pcapng', 'chrissanders-packets/icmp_traceroute.pcapng', 'lwerdna-filesamples/simple_http_sll2.pcap', 'chrissanders-packets/ipv6_fragments.pcapng', 'tcpdump/tests/gso-ipv6-vxlan-ipv4.pcap']) {
    const full = path.join(dir, file);
    const store = PacketStore.openFile(full);
    try {
      await store.loading;
      const inOrder = dissectInOrder(full);
      const theirs = tsharkFilters(full, FILTERS);
      for (const text of [...FILTERS, 'http', 'http.request', 'tcp.completeness == 15']) {
        let progressCalls = 0;
        const view = store.filter(text, () => progressCalls++);
        await view.update();
        const ours = Array.from(view.frames());
        assert.deepEqual(ours, filterInOrder(inOrder, text), `${file}: ${text} (our Dissector in order)`);
        if (FILTERS.includes(text)) assert.deepEqual(ours, theirs.get(text), `${file}: ${text} (tshark -Y)`);
        assert.ok(progressCalls > 0, 'progress reported');
        if (view.framesRead < store.count()) shortcut++;
        // Paging through a view gives the matching frames in order.
        assert.deepEqual(store.rows(0, 5, view).map((r) => r.number), ours.slice(0, 5));
        assert.equal(store.count(view), ours.length);
      }
    } finally {
      store.close();
    }
  }
  assert.ok(shortcut >= 20, `address and port filters were answered per stream (${shortcut} views read fewer frames than the file has)`);
});

test('engine: opening a file reports progress and serves the first rows before indexing ends', async () => {
  const full = path.join(requireCorpus(), 'chrissanders-packets/http_espn.pcapng');
  const progress: number[] = [];
  const store = PacketStore.openFile(full, { sliceFrames: 100, onProgress: (p) => progress.push(p.frames) });
  try {
    const early = store.count();
    assert.ok(early > 0 && early < 956, `only the first slice is indexed when openFile returns (${early})`);
    const firstRows = store.rows(0, 3);
    assert.deepEqual(firstRows.map((r) => r.number), [1, 2, 3]);
    const summary = await store.loading;
    assert.equal(summary.frames, 956);
    assert.ok(progress.length >= 9, `progress reported per slice (${progress.length})`);
    assert.equal(progress[progress.length - 1], 956);
    assert.ok(store.indexBytesPerPacket() <= 64, `index bytes per packet ${store.indexBytesPerPacket()}`);
    // Rows asked for early equal the same rows asked for later.
    assert.deepEqual(store.rows(0, 3), firstRows);
  } finally {
    store.close();
  }
});

test('engine: a gzip-compressed file is unpacked into a spool and reads like the original', async () => {
  const full = path.join(requireCorpus(), 'chrissanders-packets/dns_isp_hijack.pcapng');
  const gz = path.join(tmp.dir, 'dns.pcapng.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(full)));
  const plain = PacketStore.openFile(full);
  const packed = PacketStore.openFile(gz, { spoolDir: tmp.dir });
  try {
    await Promise.all([plain.loading, packed.loading]);
    assert.equal(packed.count(), tsharkColumns(gz).length);
    assert.deepEqual(packed.rows(0, packed.count()), plain.rows(0, plain.count()));
    assert.deepEqual(packed.packet(40).data, plain.packet(40).data);
  } finally {
    plain.close();
    packed.close();
  }
});

test('engine: a damaged file is indexed up to the damage and the error says where', async () => {
  const full = path.join(requireCorpus(), 'chrissanders-packets/http_espn.pcapng');
  const bytes = fs.readFileSync(full);
  const cut = path.join(tmp.dir, 'cut.pcapng');
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const store = PacketStore.openFile(cut);
  try {
    const summary = await store.loading;
    assert.match(summary.error ?? '', /byte|offset|truncat|end/i);
    const tsharkCount = tsharkColumns(cut, true).length;
    assert.equal(store.count(), tsharkCount, 'frames before the damage (tshark reads as many)');
    assert.equal(store.rows(store.count() - 1, 1).length, 1);
  } finally {
    store.close();
  }
});
