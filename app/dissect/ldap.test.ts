/**
 * LDAP and CLDAP on built frames (app/dissect/ldap-test-frames.ts): Info lines, the operations'
 * fields, the filter string, request/response matching, several messages in a segment, a message
 * over three segments, malformed BER, CLDAP. Expected values are what tshark 4.0 prints for the
 * same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import { LDAP_FRAMES, splitFrames } from './ldap-test-frames';
import type { DissectedPacket, Field } from './model';

function dissectAll(frames: Buffer[], options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((data, k) => d.dissect({ number: k + 1, tsNs: BigInt(k) * 1000n, data, origLen: data.length, linkType: 1 }, options));
}

function labels(packet: DissectedPacket): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { out.push(f.label); if (f.children) walk(f.children); });
  packet.layers.filter((l) => l.protocol === 'ldap' || l.protocol === 'cldap').forEach((l) => walk(l.fields));
  return out;
}

const names = Object.keys(LDAP_FRAMES);
const packets = dissectAll(Object.values(LDAP_FRAMES));
const at = (name: string): DissectedPacket => packets[names.indexOf(name)]!;

test('LDAP Info lines as tshark prints them', () => {
  const expected: Record<string, string> = {
    saslBind: 'bindRequest(1) "uid=bob,dc=example,dc=org" sasl ',
    saslBindResponse: 'bindResponse(1) saslBindInProgress ',
    search: 'searchRequest(7) "ou=people,dc=example,dc=org" singleLevel ',
    searchResults: 'searchResEntry(7) "cn=alice,ou=people,dc=example,dc=org"  | searchResRef(7)  | searchResDone(7) success  [1 result]',
    modDNResponse: 'modDNResponse(8) noSuchObject (no such object) ',
    compareFalse: 'compareResponse(9) compareFalse ',
    abandon: 'abandonRequest(7) ',
    delReferral: 'delResponse(11) referral ',
    startTls: 'extendedReq(12) LDAP_START_TLS_OID ',
    startTlsRefused: 'extendedResp(12) (unsupported extended operation) ',
    passwd: 'extendedReq(13) passwdModifyOID ',
    intermediate: 'intermediateResponse(13) syncInfoOID ',
    unbind: 'unbindRequest(14) ',
    malformed: 'searchRequest(2) "dc=x" [Malformed Packet]',
    malformedScope: 'searchRequest(2) "dc=x" wholeSubtree [Malformed Packet]',
    malformedUnbind: 'unbindRequest(2) [Malformed Packet]',
    unknownChoices: 'searchRequest(5) "dc=y" Unknown scope(9) ',
    short: 'delRequest(3) "cn=gone,dc=example,dc=org" ',
    cldapSearch: 'searchRequest(1) "<ROOT>" baseObject ',
    cldapResponse: 'searchResEntry(1) "<ROOT>" searchResDone(1) success  [1 result]',
  };
  for (const [name, info] of Object.entries(expected)) assert.equal(at(name).summary.info, info, name);
  assert.equal(at('search').summary.protocol, 'LDAP');
  assert.equal(at('cldapSearch').summary.protocol, 'CLDAP');
  assert.equal(fieldText(at('cldapSearch'), 'frame.protocols'), 'eth:ethertype:ip:udp:cldap');
  // The paged results control and the password modify value are dissected by handle: "ldap" twice.
  assert.equal(fieldText(at('search'), 'frame.protocols'), 'eth:ethertype:ip:tcp:ldap:ldap');
  assert.equal(fieldText(at('passwd'), 'frame.protocols'), 'eth:ethertype:ip:tcp:ldap:ldap');
  for (const name of ['malformed', 'malformedScope', 'malformedUnbind']) assert.equal(at(name).status, 'malformed', name);
});

test('LDAP fields of the operations', () => {
  const search = at('search');
  assert.equal(fieldText(search, 'ldap.messageID'), '7');
  assert.equal(fieldText(search, 'ldap.protocolOp'), '3');
  assert.equal(fieldText(search, 'ldap.scope'), '1');
  assert.equal(fieldText(search, 'ldap.derefAliases'), '3');
  assert.equal(fieldText(search, 'ldap.sizeLimit'), '500');
  assert.equal(fieldText(search, 'ldap.typesOnly'), '1');
  assert.equal(fieldText(search, 'ldap.filter'), '0');
  assert.equal(fieldText(search, 'ldap.and_item'), '3,1,5,6,8,9');
  assert.equal(fieldText(search, 'ldap.or_item'), '4,7,2');
  assert.equal(fieldText(search, 'ldap.not'), '3');
  assert.equal(fieldText(search, 'ldap.assertionValue'), 'person,01:ff,1000,smyth');
  assert.equal(fieldText(search, 'ldap.substrings_item'), '0,1,2');
  assert.equal(fieldText(search, 'ldap.matchValue'), 'Alice');
  assert.equal(fieldText(search, 'ldap.AttributeDescription'), 'cn,mail,1.1');
  assert.equal(fieldText(search, 'ldap.controlType'), '1.2.840.113556.1.4.319');
  assert.equal(fieldText(search, 'ldap.size'), '100');
  assert.equal(fieldText(search, 'ldap.cookie'), '<MISSING>');
  assert.ok(labels(search).includes('Filter: (&(&(&(&(&(objectClass=person)(|(|(cn=a*l*e)(mail=*))(!(uid=01:ff))))(uidNumber>=1000))(gidNumber<=1000))(sn~=smyth))(cn:dn:caseExactMatch:=Alice))'));
  const results = at('searchResults');
  assert.equal(fieldText(results, 'ldap.protocolOp'), '4,19,5');
  assert.equal(fieldText(results, 'ldap.AttributeValue'), '616c696365,416c696365,ffd800');
  assert.equal(fieldText(results, 'ldap.LDAPURL'), 'ldap://other.example.org/dc=example,dc=org');
  assert.equal(fieldText(results, 'ldap.response_to'), '3,3,3');
  assert.ok(labels(results).includes('LDAPMessage searchResEntry(7) "cn=alice,ou=people,dc=example,dc=org" [1 result]'));
  assert.ok(labels(results).includes('PartialAttributeList item jpegPhoto'));
  assert.equal(fieldText(at('saslBind'), 'ldap.mechanism'), 'CRAM-MD5');
  assert.equal(fieldText(at('saslBindResponse'), 'ldap.resultCode'), '14');
  assert.equal(fieldText(at('saslBindResponse'), 'ldap.serverSaslCreds'), '6368616c6c656e6765');
  assert.equal(fieldText(at('modDNResponse'), 'ldap.matchedDN'), 'dc=example,dc=org');
  assert.equal(fieldText(at('modDN'), 'ldap.newSuperior'), 'ou=staff,dc=example,dc=org');
  assert.equal(fieldText(at('compare'), 'ldap.assertionValue'), 'Smith');
  assert.equal(fieldText(at('abandon'), 'ldap.messageID'), '10');
  assert.equal(fieldText(at('abandon'), 'ldap.abandonRequest'), '7');
  assert.ok(labels(at('abandon')).includes('protocolOp: abandonRequest (16) abandonRequest(7)'));
  assert.equal(fieldText(at('delReferral'), 'ldap.LDAPURL'), 'ldap://a.example.org/,ldap://b.example.org/');
  assert.equal(fieldText(at('passwd'), 'ldap.newPasswd'), '6e6577');
  assert.equal(fieldText(at('passwdDone'), 'ldap.responseName'), '1.3.6.1.4.1.4203.1.11.1');
  assert.equal(fieldText(at('passwdDone'), 'ldap.response'), '3000');
  assert.equal(fieldText(at('passwdDone'), 'ldap.response_to'), '14');
  assert.equal(fieldText(at('cldapResponse'), 'ldap.AttributeValue'), '646331');
  // The malformed baseObject is shown as far as its bytes go; the INTEGER cut short is not shown.
  assert.equal(fieldText(at('malformed'), 'ldap.baseObject'), 'dc=x');
  assert.equal(fieldText(at('malformedScope'), 'ldap.derefAliases'), '');
  assert.equal(fieldText(at('unknownChoices'), 'ldap.filter'), '');
});

test('a search result over three TCP segments is dissected on the last one', () => {
  const split = dissectAll(splitFrames());
  assert.deepEqual(split.map((p) => p.summary.protocol), ['LDAP', 'TCP', 'TCP', 'LDAP']);
  assert.match(split[1]!.summary.info, /\[TCP segment of a reassembled PDU\]$/);
  assert.equal(split[3]!.summary.info, 'searchResEntry(2) "cn=big,dc=example,dc=org"  | searchResDone(2) success  [1 result]');
  assert.equal(fieldText(split[3]!, 'frame.protocols'), 'eth:ethertype:ip:tcp:ldap:ldap');
  assert.equal(fieldText(split[3]!, 'tcp.reassembled.length'), '666');
  assert.equal(fieldText(split[3]!, 'ldap.objectName'), 'cn=big,dc=example,dc=org');
});

test('without a tree the selected LDAP fields come out the same', () => {
  const selection = ['ldap.messageID', 'ldap.protocolOp', 'ldap.filter', 'ldap.assertionValue', 'ldap.AttributeValue', 'ldap.response_to', 'ldap.resultCode', 'ldap.type', 'frame.protocols'];
  const selected = dissectAll(Object.values(LDAP_FRAMES), { fields: new Set(selection), columns: false });
  packets.forEach((tree, k) => {
    for (const name of selection) assert.equal(fieldText(selected[k]!, name), fieldText(tree, name), `${names[k]} ${name}`);
  });
});
