/**
 * Unit checks of the printer's building blocks. Agreement with the real tcpdump on whole captures
 * is tested in tests/print.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPacketLine, PRINTABLE_LINKTYPES, PrintState, type PrintOptions } from './index';
import { formatIpv6, NameResolver, parseHosts, parseServices } from './names';

const ip6 = (text: string): Buffer => {
  const groups = text.split(':').map((g) => parseInt(g, 16));
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
};

test('IPv6 text as tcpdump addrtostr6 writes it', () => {
  assert.equal(formatIpv6(ip6('0:0:0:0:0:0:0:1')), '::1');
  assert.equal(formatIpv6(ip6('0:0:0:0:0:0:0:0')), '::');
  assert.equal(formatIpv6(ip6('2001:db8:0:0:0:0:0:1')), '2001:db8::1');
  assert.equal(formatIpv6(ip6('1:0:0:1:0:0:0:1')), '1:0:0:1::1');
  assert.equal(formatIpv6(ip6('1:0:2:3:4:5:6:7')), '1:0:2:3:4:5:6:7');
  assert.equal(formatIpv6(ip6('0:0:0:0:0:ffff:102:304')), '::ffff:1.2.3.4');
  assert.equal(formatIpv6(ip6('fe80:0:0:0:0:0:0:0')), 'fe80::');
});

test('names come from services and hosts files only, first entry wins', () => {
  const services = parseServices('http 80/tcp www # web\nhttp 80/udp\nwww-alt 80/tcp\ndomain 53/udp\n');
  assert.equal(services.tcp.get(80), 'http');
  assert.equal(services.udp.get(53), 'domain');
  const hosts = parseHosts('127.0.0.1 localhost\n127.0.0.1 other\n::1 ip6-localhost\n# 10.0.0.1 commented\n');
  assert.equal(hosts.get('127.0.0.1'), 'localhost');
  assert.equal(hosts.get('::1'), 'ip6-localhost');
  assert.equal(hosts.has('10.0.0.1'), false);
  const names = new NameResolver(false, { services: 'ssh 22/tcp\n', hosts: '10.0.0.1 gw\n', ethers: '' });
  assert.equal(names.tcpPort(22), 'ssh');
  assert.equal(names.tcpPort(2222), '2222');
  assert.equal(names.ipv4Name(Buffer.from([10, 0, 0, 1])), 'gw');
  assert.equal(names.ipv4Name(Buffer.from([10, 0, 0, 2])), '10.0.0.2');
  assert.equal(names.macName(Buffer.from([0, 0, 0, 0, 0, 0])), '00:00:00:00:00:00 (oui Ethernet)');
  assert.equal(new NameResolver(true).tcpPort(22), '22');
});

test('random bytes on every link type never throw and always give a line', () => {
  const opts: PrintOptions = { numeric: true, quick: false, linkHeader: true, timestamp: 'delta', verbose: 3 };
  const state = new PrintState();
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (const linkType of [...Object.values(PRINTABLE_LINKTYPES), 9999]) {
    for (let i = 0; i < 400; i++) {
      const data = Buffer.alloc(rand() % 120);
      for (let j = 0; j < data.length; j++) data[j] = rand() & 0xff;
      // Bias toward real headers so the deeper printers run too.
      if (linkType === 1 && data.length > 14) data.writeUInt16BE([0x0800, 0x86dd, 0x0806, 0x8100][i % 4]!, 12);
      if (data.length > 0 && (linkType === 101 || linkType === 228)) data[0] = (data[0]! & 0x0f) | 0x40;
      const line = formatPacketLine({ tsNs: BigInt(i) * 1000n, data, origLen: data.length + (i % 3), linkType }, opts, state);
      assert.equal(typeof line, 'string');
      assert.ok(!line.includes('[|sievecap error]'), `internal error for link type ${linkType}: ${line}`);
    }
  }
});

test('record header problems print tcpdump\'s [Invalid header] line', () => {
  const opts: PrintOptions = { numeric: true, quick: false, linkHeader: false, timestamp: 'default' };
  const line = formatPacketLine({ tsNs: 0n, data: Buffer.alloc(0), origLen: 0, linkType: 1 }, opts);
  assert.equal(line, '[Invalid header: caplen==0, len==0]');
});
