/** Link-type names: ours must be exactly what tcpdump prints after "link-type" for every value. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isRawIpLinkType, linkTypeFromName, linkTypeName, linkTypeShortName, PcapWriter } from '../app/pcap';
import { requireTool, runTool, tcpdumpVersion, tempDir } from './pcap-helpers';

test('linkTypeName matches tcpdump for every link type 0..300', () => {
  requireTool('tcpdump');
  const { dir, remove } = tempDir('linktype');
  try {
    const failures: string[] = [];
    for (let lt = 0; lt <= 300; lt++) {
      const file = path.join(dir, `${lt}.pcap`);
      new PcapWriter(file, { linkType: lt }).close();
      const printed = /link-type (.*), snapshot length/.exec(runTool('tcpdump', ['-r', file]).stderr)?.[1];
      if (printed !== linkTypeName(lt)) failures.push(`${lt}: ours "${linkTypeName(lt)}", tcpdump "${printed}"`);
    }
    console.log(`# compared with tcpdump ${tcpdumpVersion()}`);
    assert.deepEqual(failures, []);
  } finally {
    remove();
  }
});

test('names, constants and raw-IP aliases', () => {
  assert.equal(linkTypeName(1), 'EN10MB (Ethernet)');
  assert.equal(linkTypeName(276), 'LINUX_SLL2 (Linux cooked v2)');
  assert.equal(linkTypeName(101), 'RAW (Raw IP)');
  assert.equal(linkTypeShortName(113), 'LINUX_SLL');
  assert.equal(linkTypeShortName(9999), 'DLT_9999');
  assert.equal(linkTypeFromName('dlt_en10mb'), 1);
  assert.equal(linkTypeFromName('IPV6'), 229);
  assert.deepEqual([12, 14, 101, 1].map(isRawIpLinkType), [true, true, true, false]);
});
