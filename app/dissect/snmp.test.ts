/**
 * SNMP on hand-made datagrams: a v2c get-request and its response (named by request-id and
 * conversation, each pair given a new udp.stream as tshark's SNMP conversation does), value types,
 * noSuchObject, a v1 trap, SNMPv3 with a Net-SNMP engine ID and an encryptedPDU, bytes after the
 * message, a payload that is not SNMP, a capture cut short, an empty msgFlags, and the same selected
 * fields without a tree. Expected values are what tshark 4.0 prints for the same frames
 * (tests/dissect-snmp-tshark.test.ts compares them all with tshark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';
import type { DissectedPacket } from './model';

/** v2c get-request id 42 (community "public") for sysUpTime.0. */
const GET = '302602010104067075626c6963a01902012a020100020100300e300c06082b060102010103000500';
/** Its get-response: sysUpTime.0 = Timeticks 258. */
const RESPONSE = '302802010104067075626c6963a21b02012a0201000201003010300e06082b0601020101030043020102';
/** v2c get-response: sysDescr.0 "Linux", sysName.0 noSuchObject, an Integer32 -5, a Counter64 and an IpAddress. */
const VALUES = '306d02010104067075626c6963a2600201070201000201003055301106082b0601020101010004054c696e7578300c06082b060102010105008000300d06082b060102010107000201fb301106082b0601020101070146050100000002301006082b0601020101070240040a000001';
/** v1 trap: enterprise 1.3.6.1.4.1.8072.3.2.10, agent 10.0.0.1, enterpriseSpecific 17, sysName.0 "hi". */
const TRAP = '303c02010004067075626c6963a42f060a2b06010401bf0803020a40040a000001020106020111430300ffff3010300e06082b0601020101050004026869';
/** SNMPv3 report: Net-SNMP engine ID with its creation time, usmStatsUnknownEngineIDs.0 = 1. */
const REPORT = '3071020103301102041a9b5f3f020300ffe30401000201030421301f041180001f8880d47ce8032562126b000000000201010201060400040004003036041180001f8880d47ce8032562126b000000000400a81f0204165cba1c0201000201003011300f060a2b060106030f01010400410101';
/** SNMPv3 authPriv from user "p": an encryptedPDU; engine ID of the IPv4 format. */
const ENCRYPTED = '3050020103301102041a9b5f3f020300ffe3040107020103042e302c0409800000090103020101020101020106040170040c000102030405060708090a0b0408000000000000000004080102030405060708';
/** SNMPv3 with an empty msgFlags. */
const EMPTY_FLAGS = '306b020103301002041a9b5f3f020300ffe3040002010304223020041180001f8880d47ce8032562126b00000000020101020106040175040004003030041180001f8880d47ce8032562126b000000000400a019020107020100020100300e300c06082b060102010101000500';

function dissect(d: Dissector, payload: string, options?: { number?: number; tsNs?: bigint; reply?: boolean; fields?: ReadonlySet<string>; capture?: number; port?: number }): DissectedPacket {
  const bytes = Buffer.from(payload, 'hex');
  const port = options?.port ?? 161;
  const frame = options?.reply ? udpFrame(port, 40000, bytes, options.capture, true) : udpFrame(40000, port, bytes, options?.capture);
  const select = options?.fields ? { fields: options.fields, columns: false } : undefined;
  return d.dissect({ number: options?.number ?? 1, tsNs: options?.tsNs ?? 0n, data: frame, origLen: 42 + bytes.length, linkType: 1 }, select);
}

const fields = (p: DissectedPacket, names: string[]) => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('a get-request and its response: PDU fields, Info, the response names its request', () => {
  const d = new Dissector();
  const request = dissect(d, GET, { number: 1, tsNs: 1_000_000_000n });
  assert.equal(fields(request, ['frame.protocols']), 'eth:ethertype:ip:udp:snmp');
  assert.equal(request.summary.protocol, 'SNMP');
  assert.equal(request.summary.info, 'get-request 1.3.6.1.2.1.1.3.0');
  assert.equal(fields(request, ['snmp.version', 'snmp.community', 'snmp.data', 'snmp.get_request_element', 'snmp.request_id', 'snmp.error_status', 'snmp.error_index', 'snmp.variable_bindings', 'snmp.name', 'snmp.value.null']),
    '1|public|0|1|42|0|0|1|1.3.6.1.2.1.1.3.0|1');
  assert.equal(fields(request, ['snmp.response_in', 'udp.stream']), '|0');
  const response = dissect(d, RESPONSE, { number: 2, tsNs: 1_000_250_000n, reply: true });
  assert.equal(response.summary.info, 'get-response 1.3.6.1.2.1.1.3.0');
  assert.equal(fields(response, ['snmp.response_to', 'snmp.time', 'snmp.value.timeticks']), '1|0.000250000|258');
  // tshark's SNMP makes its own conversation for the pair after the request: the response's UDP stream is a new one.
  assert.equal(fields(response, ['udp.stream']), '1');
  const snmp = response.layers.at(-1)!;
  const bindings = snmp.fields.find((f) => f.abbrev === 'snmp.data')!.children![0]!.children!.find((f) => f.abbrev === 'snmp.variable_bindings')!;
  assert.equal(bindings.label, 'variable-bindings: 1 item');
  assert.equal(bindings.children![0]!.label, '1.3.6.1.2.1.1.3.0: 258');
  assert.deepEqual(bindings.children![0]!.children!.map((f) => f.label), ['Object Name: 1.3.6.1.2.1.1.3.0 (iso.3.6.1.2.1.1.3.0)', 'Value (Timeticks): 258']);
});

test('value types, noSuchObject and the sysDescr string', () => {
  const p = dissect(new Dissector(), VALUES, { reply: true });
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:snmp:snmp');
  assert.equal(p.summary.info, 'get-response 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.7.0 1.3.6.1.2.1.1.7.1 1.3.6.1.2.1.1.7.2');
  assert.equal(fields(p, ['snmp.value.octets', 'snmp.var-bind_str', 'snmp.noSuchObject', 'snmp.varbind.response', 'snmp.value.int', 'snmp.value.counter', 'snmp.value.ipv4']),
    '4c696e7578|Linux|1|1|-5|4294967298|10.0.0.1');
  const labels: string[] = [];
  const walk = (fs: DissectedPacket['layers'][number]['fields']) => fs.forEach((f) => { labels.push(f.label); if (f.children) walk(f.children); });
  walk(p.layers.at(-1)!.fields);
  assert.ok(labels.includes('1.3.6.1.2.1.1.1.0: "Linux"'));
  assert.ok(labels.includes('1.3.6.1.2.1.1.5.0: noSuchObject'));
  assert.ok(labels.includes('Value (Counter64): 4294967298'));
});

test('a v1 trap: enterprise by name in Info, agent address, generic and specific trap', () => {
  const p = dissect(new Dissector(), TRAP, { port: 162 });
  assert.equal(p.summary.info, 'trap iso.3.6.1.4.1.8072.3.2.10 1.3.6.1.2.1.1.5.0');
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:snmp:snmp');
  assert.equal(fields(p, ['snmp.enterprise', 'snmp.agent_addr', 'snmp.generic_trap', 'snmp.specific_trap', 'snmp.time_stamp', 'snmp.trap_element']),
    '1.3.6.1.4.1.8072.3.2.10|10.0.0.1|6|17|65535|1');
});

test('SNMPv3: header, USM parameters, engine ID parts, scoped PDU; an encryptedPDU', () => {
  const p = dissect(new Dissector(), REPORT, { reply: true });
  assert.equal(p.summary.info, 'report 1.3.6.1.6.3.15.1.1.4.0');
  assert.equal(fields(p, ['snmp.msgVersion', 'snmp.msgID', 'snmp.msgMaxSize', 'snmp.msgFlags', 'snmp.v3.flags.report', 'snmp.msgSecurityModel', 'snmp.msgAuthoritativeEngineID']),
    '3|446390079|65507|00|0|3|80001f8880d47ce8032562126b00000000');
  assert.equal(fields(p, ['snmp.engineid.conform', 'snmp.engineid.enterprise', 'snmp.engineid.format', 'snmp.engineid.data', 'snmp.engineid.time']),
    '1,1|8072,8072|128,128|d47ce803,d47ce803|Dec  4, 2026 06:48:05.000000000 UTC,Dec  4, 2026 06:48:05.000000000 UTC');
  assert.equal(fields(p, ['snmp.msgUserName', 'snmp.msgAuthenticationParameters', 'snmp.msgData', 'snmp.contextName', 'snmp.report_element', 'snmp.value.counter']), '|<MISSING>|0||1|1');
  const e = dissect(new Dissector(), ENCRYPTED);
  assert.equal(e.summary.info, 'encryptedPDU: privKey Unknown');
  assert.equal(fields(e, ['snmp.msgFlags', 'snmp.v3.flags.crypt', 'snmp.msgUserName', 'snmp.msgData', 'snmp.encryptedPDU', 'snmp.engineid.ipv4']), '07|1|p|1|0102030405060708|3.2.1.1');
});

test('bytes after the message are data; a payload that is not SNMP is data', () => {
  const trailing = dissect(new Dissector(), `${GET}dead`);
  assert.equal(fields(trailing, ['frame.protocols', 'data.data']), 'eth:ethertype:ip:udp:snmp:data|dead');
  assert.equal(trailing.summary.info, 'get-request 1.3.6.1.2.1.1.3.0');
  const other = dissect(new Dissector(), '68656c6c6f20776f726c64');
  assert.equal(fields(other, ['frame.protocols']), 'eth:ethertype:ip:udp:data');
  assert.equal(other.summary.protocol, 'UDP');
});

test('a capture cut short, and an empty msgFlags (malformed)', () => {
  const cut = dissect(new Dissector(), GET, { capture: 42 + 36 });
  assert.equal(cut.summary.info, '[Packet size limited during capture]');
  assert.equal(fields(cut, ['snmp.request_id', 'snmp.variable_bindings']), '42|0');
  const bad = dissect(new Dissector(), EMPTY_FLAGS);
  assert.equal(bad.summary.info, '40000 → 161 Len=109[Malformed Packet]');
  assert.equal(fields(bad, ['snmp.msgFlags', 'snmp.msgSecurityModel']), '<MISSING>|');
});

test('without a tree the selected SNMP fields come out the same', () => {
  const names = ['snmp.name', 'snmp.value.octets', 'snmp.var-bind_str', 'snmp.noSuchObject', 'snmp.value.counter', 'snmp.engineid.time', 'snmp.msgFlags', 'snmp.data', 'snmp.response_to', 'snmp.time', 'frame.protocols', 'udp.stream'];
  for (const [payload, reply] of [[GET, false], [RESPONSE, true], [VALUES, true], [REPORT, true], [ENCRYPTED, false]] as const) {
    const d1 = new Dissector();
    const d2 = new Dissector();
    dissect(d1, GET, { number: 1 });
    dissect(d2, GET, { number: 1 });
    const tree = dissect(d1, payload, { number: 2, tsNs: 5n, reply });
    const selected = dissect(d2, payload, { number: 2, tsNs: 5n, reply, fields: new Set(names) });
    assert.equal(fields(selected, names), fields(tree, names));
  }
});
