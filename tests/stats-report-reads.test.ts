/**
 * Reports that say what they read (StatisticsReport.reads) are fed packets dissected without a
 * tree, only those fields (display-stage.ts ReportSink, TapFeeder's packets, ReportFeed):
 * their text and JSON must be what the whole tree gives, on corpus files, every frame through add().
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Dissector } from '../app/dissect/dissector';
import type { DissectOptions } from '../app/dissect/model';
import { readAllPackets } from '../app/pcap/reader';
import type { CapturePacket } from '../app/pcap/packet';
import { createStatisticsReports } from '../app/cli/report-command';
import { reportDissectOptions } from '../app/stats/report';
import { requireCorpusDir } from './support/corpus';

const FILES = [
  'chrissanders-packets/http_espn.pcapng',
  'chrissanders-packets/dns_isp_hijack.pcapng',
  'chrissanders-packets/arppoison.pcapng',
  'lwerdna-filesamples/simple_http_sll2.pcap',
  'tcpdump/tests/afs.pcap',
  'tcpdump/tests/bigtcp-ipv4-vxlan-ipv6.pcap',
  'tcpdump/tests/bigtcp-ipv6-hbh.pcap',
  'tcpdump/tests/EIGRP_ipv6.pcap',
];

const SPECS = [
  'conv,eth', 'conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp', 'conv,udp,dns', 'conv,eth,tcp.port == 80',
  'endpoints,eth', 'endpoints,ip', 'endpoints,ipv6', 'endpoints,tcp', 'endpoints,udp',
  'io,phs', 'io,phs,tcp', 'io,stat,1', 'io,stat,0.5,,http.request,tcp.analysis.flags', 'http,tree', 'http_req,tree', 'follow,tcp,ascii,0',
];

function run(spec: string, packets: readonly CapturePacket[], noTree: boolean): { text: string; json: string } {
  const [report] = createStatisticsReports([spec]);
  let options: DissectOptions | undefined;
  if (noTree) {
    options = reportDissectOptions([report!]);
    assert.ok(options, `${spec} says what it reads`);
  }
  // Segments as they are, unless the report tests packets as tshark's filters see them.
  const d = new Dissector({ desegment: report!.reads?.desegment === true });
  packets.forEach((p, i) => {
    const packet = d.dissect({ number: i + 1, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags }, options);
    report!.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
  });
  report!.finish?.();
  return { text: report!.text(), json: JSON.stringify(report!.json()) };
}

test('reports fed packets without a tree (only the fields they read) print what the whole tree gives', () => {
  const corpus = requireCorpusDir();
  for (const file of FILES) {
    const { packets } = readAllPackets(path.join(corpus, file));
    assert.ok(packets.length > 0, file);
    for (const spec of SPECS) {
      const tree = run(spec, packets, false);
      const noTree = run(spec, packets, true);
      assert.equal(noTree.text, tree.text, `${file} -z ${spec}: text`);
      assert.equal(noTree.json, tree.json, `${file} -z ${spec}: json`);
    }
  }
});

test('the reads of several reports are united; one that cannot say what it reads gets the whole tree', () => {
  const reports = createStatisticsReports(['conv,ip', 'http,tree']);
  const options = reportDissectOptions(reports)!;
  // Conversations read their addresses from the layout's tap events: no address field.
  assert.ok(options.fields!.has('http.response.code') && options.fields!.has('frame.time_relative'));
  assert.deepEqual([...reportDissectOptions(createStatisticsReports(['conv,ip']))!.fields!], ['frame.time_relative']);
  assert.equal(options.columns, false);
  const tcp = reportDissectOptions(createStatisticsReports(['conv,tcp']))!;
  assert.equal(tcp.columns, false);
  assert.equal(typeof tcp.applications, 'function', 'conv,tcp names the application above TCP: payload layers, without columns, while a stream has none');
  assert.equal(reportDissectOptions([...reports, { spec: 'x', add: () => {}, text: () => '', json: () => null }]), undefined);
});
