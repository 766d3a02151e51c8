/**
 * The DNS layer keeps the whole message, as tshark's does: bytes after the last record it reads
 * are Extraneous Data (dns.extraneous.data, dns.extraneous.length) and still belong to the DNS and
 * UDP layers, so `udp contains` and `dns contains` find them. Expected values are what tshark 4.0
 * shows for the same frame (tshark -V and -T pdml: dns size 31).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { Field } from './model';
import { compileDisplayFilter } from '../filter';

/** Ethernet/IPv4/UDP to port 53: a DNS query whose counts are all zero, followed by a question for extra.example. */
const ZERO_COUNTS_THEN_QUESTION = Buffer.from(
  '02005e10000202005e10000108004500003b1c46400040119b06c0a80114c0a80101cf0d003500274de8' +
    '123801000000000000000000' + '056578747261076578616d706c650000010001',
  'hex',
);

function find(fields: Field[], abbrev: string): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    const inner = f.children && find(f.children, abbrev);
    if (inner) return inner;
  }
  return undefined;
}

test('bytes after the last DNS record are Extraneous Data, inside the DNS and UDP layers', () => {
  const data = ZERO_COUNTS_THEN_QUESTION;
  for (const [linkType, frame] of [[1, data], [101, data.subarray(14)]] as const) {
    const packet = new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen: frame.length, linkType });
    const dns = packet.layers.find((l) => l.protocol === 'dns');
    assert.ok(dns, `link type ${linkType}: no DNS layer`);
    const udpPayload = frame.length - 12 - (linkType === 1 ? 30 : 16);
    assert.equal(dns.length, udpPayload, `link type ${linkType}: the DNS layer spans the whole UDP payload`);
    assert.equal(find(dns.fields, 'dns.extraneous.data')?.text, '056578747261076578616d706c650000010001');
    assert.equal(find(dns.fields, 'dns.extraneous.length')?.value, 19);
    for (const filter of ['udp contains 00:01', 'dns contains 65:78:74:72:61', 'dns.extraneous.length == 19']) {
      assert.equal(compileDisplayFilter(filter).matches(packet, frame), true, `link type ${linkType}: ${filter}`);
    }
  }
});
