/**
 * sFlow v5 datagram headers (UDP 6343). Expected values are what tshark 4.0 prints for the same
 * frames (`tshark -T fields -e sflow_245.* -e _ws.col.Info`); frames built with python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import { uptimeText } from './sflow';

const FRAMES = {
  ipv4Agent: '011b1900000002000000000108004500003800010000401166b20a0000010a0000029c4018c7002400000000000500000001c000020100000003000004d2055e38c800000000',
  ipv6Agent: '011b1900000002000000000186dd600000000030114020010db800000000000000000000000120010db80000000000000000000000029c4018c700301234000000050000000220010db800000000000000000000000100000000000000070000ea6000000000',
  /** Version 7: not sFlow, the payload is data. */
  badVersion: '011b1900000002000000000108004500002800010000401166c20a0000010a0000029c4018c700140000000000070000000100000000',
  /** Cut after the agent address type. */
  short: '011b1900000002000000000108004500002400010000401166c60a0000010a0000029c4018c7001000000000000500000001',
};

test('sFlow v5 header with an IPv4 and an IPv6 agent, Info', () => {
  const p = dissectHex(FRAMES.ipv4Agent);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:sflow');
  assert.equal(p.summary.protocol, 'sFlow');
  assert.equal(p.summary.info, 'V5, agent 192.0.2.1, sub-agent ID 3, seq 1234, 0 samples');
  assert.equal(fieldText(p, 'sflow_245.version'), '5');
  assert.equal(fieldText(p, 'sflow_245.agenttype'), '1');
  assert.equal(fieldText(p, 'sflow_245.agent'), '192.0.2.1');
  assert.equal(fieldText(p, 'sflow_245.sysuptime'), '90061000');
  const uptime = p.layers.find((l) => l.protocol === 'sflow')!.fields.find((f) => f.abbrev === 'sflow_245.sysuptime')!;
  assert.equal(uptime.label, 'SysUptime: 1 day, 1 hour, 1 minute, 1 second (90061000ms)');
  const v6 = dissectHex(FRAMES.ipv6Agent);
  assert.equal(fieldText(v6, 'sflow_245.agent.v6'), '2001:db8::1');
  assert.equal(v6.summary.info, 'V5, agent 2001:db8::1, sub-agent ID 0, seq 7, 0 samples');
});

test('sFlow: another version is data; a header cut short is malformed', () => {
  const bad = dissectHex(FRAMES.badVersion);
  assert.equal(fieldText(bad, 'frame.protocols'), 'eth:ethertype:ip:udp:data');
  assert.equal(bad.summary.protocol, 'UDP');
  const short = dissectHex(FRAMES.short);
  assert.equal(short.summary.info, 'V5[Malformed Packet]');
  assert.equal(short.layers.find((l) => l.protocol === 'sflow')!.status, 'malformed');
  assert.equal(uptimeText(60), '1 minute');
  assert.equal(uptimeText(0), '0 seconds');
});
