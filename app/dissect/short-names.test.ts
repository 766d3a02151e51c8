import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protocolShortName } from './short-names';
import { PROTOCOL_GLOSSARY } from '../filter/wireshark-field-registry';

test('protocol short names: every protocol of tshark -G protocols (as Sievecap keeps it) by its filter name', () => {
  let checked = 0;
  const seen = new Set<string>();
  for (const line of PROTOCOL_GLOSSARY) {
    const [, short, filter] = line.split('\t');
    if (filter!.includes('.')) continue;
    // A name tshark lists twice (tpkt, then its RDP heuristic's own entry): the protocol's comes first.
    if (seen.has(filter!)) continue;
    seen.add(filter!);
    assert.equal(protocolShortName(filter!), short, filter);
    checked++;
  }
  assert.ok(checked > 100, `${checked} protocols`);
  assert.equal(protocolShortName('arp'), 'ARP/RARP');
  assert.equal(protocolShortName('dns'), 'DNS');
});
