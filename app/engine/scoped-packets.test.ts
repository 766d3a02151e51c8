/**
 * ScopedPackets must change nothing but the speed: on every file of the shared corpus, display
 * filters over header fields (light path) and over application fields (apps path: the light
 * packet plus the one application dissector a payload goes to) select exactly the frames a full
 * dissection of the whole file in order selects. The filters' agreement with tshark itself is
 * checked by `npm run test:corpus` and tests/engine-corpus.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { captureFiles, requireCorpusDir } from '../../tests/support/corpus';
import { Dissector } from '../dissect/dissector';
import type { DissectedPacket } from '../dissect/model';
import { compileDisplayFilter } from '../filter';
import { CaptureReader } from '../pcap/reader';
import { PacketStore } from './store';

const LIGHT = [
  'tcp.port == 80', 'ip.addr == 10.0.0.0/8 && udp', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'frame.len > 1000',
  'eth.dst == ff:ff:ff:ff:ff:ff', 'eth.addr == 00:00:00:00:00:00 || eth.type == 0x86dd', 'ip.ttl < 64', 'tcp.len > 0 and not tcp.port == 443',
  'ip.proto == 17 && udp.length < 100', 'ip.flags.mf == 1 || ip.frag_offset > 0', 'ip.flags.df == 0', 'tcp.window_size_value == 0',
  'ipv6.hlim == 255 || ipv6.plen > 1000', 'ipv6.flow != 0', 'ip.dsfield.dscp != 0 || ip.dsfield.ecn == 3', 'ip.id == 0 || ip.len < 60',
  'tcp.hdr_len > 20 && tcp.flags.push', 'tcp.flags.reset == 1 || tcp.flags.fin == 1', 'tcp.seq_raw < 1000 || tcp.ack_raw == 0',
  'tcp.checksum == 0 || udp.checksum == 0 || ip.checksum == 0', 'tcp.urgent_pointer != 0 || tcp.flags.urg', 'tcp.flags.ece || tcp.flags.cwr || tcp.flags.res',
  'tcp contains "GET"', 'udp contains 00:01', 'tcp.stream in {0, 1, 2} || udp.stream == 1', 'icmp || icmpv6', '!(ip or ipv6)',
];
const APPS = [
  'http', 'http.request', 'http.request.method == "GET"', 'http.request.uri contains "/"', 'http.host matches "\\\\.com$"',
  'http.response.code == 200 || http.response.code >= 400', 'http.content_type contains "text"', 'http && tcp.len > 500',
  'dns', 'dns.qry.name contains "google"', 'dns.flags.response == 1 && dns.count.answers > 0', 'dns.qry.type == 28', 'udp && !dns',
  'tls', 'tls.handshake.type == 1', 'tls.handshake.extensions_server_name', 'tls.record.content_type == 23', 'x509ce.dNSName',
  'dhcp || dhcpv6', 'ntp', 'quic', 'dns || http || tls', 'tcp.port == 53 && dns', 'ip.src == 192.168.0.0/16 && dns.qry.name',
];

/** The first `count` frames of a file through one Dissector, in order. */
function dissectInOrder(file: string, count: number): Array<{ packet: DissectedPacket; data: Buffer }> {
  const d = new Dissector();
  const reader = CaptureReader.open(file);
  const out: Array<{ packet: DissectedPacket; data: Buffer }> = [];
  try {
    for (let p = reader.next(); p !== null && out.length < count; p = reader.next()) {
      const data = Buffer.from(p.data);
      out.push({ packet: d.dissect({ number: out.length + 1, tsNs: p.tsNs, data, origLen: p.origLen, linkType: p.linkType, flags: p.flags }), data });
    }
  } finally {
    reader.close();
  }
  return out;
}

test('ScopedPackets: light and apps paths select the frames a full dissection in order selects, on every corpus file', async () => {
  const files = captureFiles(requireCorpusDir());
  assert.ok(files.length > 100, `expected the corpus's ~1000 captures, found ${files.length}`);
  const filters = [...LIGHT, ...APPS].map((text) => compileDisplayFilter(text));
  const differences: string[] = [];
  const paths = new Map<string, string>();
  let frames = 0;
  let selected = 0;
  for (const file of files) {
    let store: PacketStore;
    try {
      store = PacketStore.openFile(file);
    } catch {
      continue; // not a capture we read (the corpus test covers those)
    }
    try {
      await store.loading;
      const reference = dissectInOrder(file, store.count());
      frames += reference.length;
      for (const filter of filters) {
        const view = store.filter(filter.text);
        await view.update();
        paths.set(filter.text, view.path);
        const ours = Array.from(view.frames());
        const theirs = reference.filter((x) => filter.matches(x.packet, x.data)).map((x) => x.packet.number);
        selected += theirs.length;
        if (ours.join() !== theirs.join()) differences.push(`${path.relative(requireCorpusDir(), file)}: ${filter.text} (${view.path}: ${ours.length} frames, full: ${theirs.length})`);
        store.dropView(view);
      }
    } finally {
      store.close();
    }
  }
  assert.deepEqual(differences, [], `${differences.length} selections differ`);
  // The fast paths must really have been taken, and the filters must have selected something.
  for (const text of LIGHT) assert.equal(paths.get(text), 'light', text);
  for (const text of APPS.filter((t) => !t.includes('udp && !dns'))) assert.equal(paths.get(text), 'apps', text);
  assert.ok(frames > 10000 && selected > 10000, `compared ${frames} frames, ${selected} selections`);
});
