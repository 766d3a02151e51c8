import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDisplayFilter } from '../filter';
import { decidedByStream } from './filter-view';

test('decidedByStream: filters on a simple frame\'s addresses, ports and stream only, protocols only as presence', () => {
  const yes = [
    'ip.addr == 10.0.0.1', 'tcp.port == 80 || udp.port == 53', 'ip.src == 10.0.0.0/8 && !(tcp.dstport in {22, 443})', 'ipv6.addr == fd00::1',
    'tcp.stream == 3', 'udp.stream in {1..4}', 'tcp', 'ip && !udp', 'ipv6 or ip.proto == 17', 'tcp.srcport > 1024 and tcp.srcport < 2048',
  ];
  const no = [
    'frame.len > 100', 'tcp.flags.syn == 1', 'http.request', 'dns', 'tcp contains "GET"', 'ip.ttl == 64', 'eth.addr == 02:00:00:00:00:01',
    'ip.addr == 10.0.0.1 && tcp.len > 0', 'icmp', 'udp contains 01:02',
  ];
  for (const text of yes) assert.equal(decidedByStream(compileDisplayFilter(text)), true, text);
  for (const text of no) assert.equal(decidedByStream(compileDisplayFilter(text)), false, text);
});
