/**
 * Spec parsing and the empty tables (the layouts are checked byte for byte against tshark in
 * tests/stats-conv-tshark.test.ts and tests/stats-conv-netns.test.ts).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConversationReport } from './conversations';
import { createEndpointReport } from './endpoints';
import { StatisticsSpecError } from './report';

test('every kind is accepted, with and without a filter', () => {
  for (const kind of ['eth', 'ip', 'ipv6', 'tcp', 'udp']) {
    assert.equal(createConversationReport(`conv,${kind}`).kind, kind);
    assert.equal(createEndpointReport(`endpoints,${kind}`).kind, kind);
    assert.equal(createConversationReport(`conv,${kind},ip.addr == 10.0.0.0/8`).spec, `conv,${kind},ip.addr == 10.0.0.0/8`);
  }
});

test('bad specs throw StatisticsSpecError naming the problem', () => {
  assert.throws(() => createConversationReport('conv,sctp'), (e: unknown) => e instanceof StatisticsSpecError && /unknown table 'sctp'.*eth, ip, ipv6, tcp, udp/.test(e.message));
  assert.throws(() => createConversationReport('conv,ip6'), StatisticsSpecError);
  assert.throws(() => createConversationReport('conv,tcp,'), /filter .* is empty/);
  assert.throws(() => createConversationReport('conv,tcp,tcp.port ==='), (e: unknown) => e instanceof StatisticsSpecError && /not a valid display filter/.test(e.message));
  assert.throws(() => createEndpointReport('conv,ip'), /use -z endpoints,eth|ip/);
  assert.throws(() => createConversationReport('endpoints,ip'), /use -z conv/);
});

test('an empty table still has its header, filter line and rules', () => {
  const text = createConversationReport('conv,udp,udp.port == 53').text();
  const lines = text.split('\n');
  assert.equal(lines[1], 'UDP Conversations');
  assert.equal(lines[2], 'Filter:udp.port == 53');
  assert.equal(lines.length, 7); // rule, title, filter, two header lines, rule, final ''
  assert.deepEqual(createConversationReport('conv,ip').json(), []);
  assert.equal(createEndpointReport('endpoints,ipv6').text().split('\n')[1], 'IPv6 Endpoints');
});
