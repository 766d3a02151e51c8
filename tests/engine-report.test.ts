/**
 * Statistics fed by the store (light packets for TCP/UDP/IP conversations) give tshark's
 * `-q -z conv,…` text, byte for byte, on corpus files.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { PacketStore, reportTakesLightPackets } from '../app/engine';
import { createConversationReport } from '../app/stats/conversations';
import { corpusDir, requireTool } from './pcap-helpers';
import { tshark } from './engine-reference';

const FILES = ['chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/dns_isp_hijack.pcapng', 'chrissanders-packets/arppoison.pcapng', 'lwerdna-filesamples/simple_http_sll2.pcap', 'tcpdump/tests/afs.pcap'];

test('engine: conversations fed from the store equal tshark -z conv on corpus files', async () => {
  requireTool('tshark');
  const corpus = corpusDir();
  if (corpus === null) throw new Error('the shared corpus (../shared/corpus) is missing');
  for (const file of FILES) {
    const full = path.join(corpus, file);
    const store = PacketStore.openFile(full);
    try {
      await store.loading;
      for (const spec of ['conv,tcp', 'conv,udp', 'conv,ip', 'conv,eth']) {
        const report = createConversationReport(spec);
        let progress = 0;
        await store.feedReport(report, (done) => (progress = done));
        assert.equal(progress, store.count());
        assert.equal(reportTakesLightPackets(spec), spec !== 'conv,eth');
        const theirs = tshark(['-r', full, '-q', '-z', spec]);
        assert.equal(report.text().trim(), theirs.trim(), `${file} ${spec}`);
      }
    } finally {
      store.close();
    }
  }
});
