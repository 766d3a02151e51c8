/**
 * The HTTP session tracking stage run by the kernel itself (BPF_PROG_TEST_RUN) on built frames:
 * which packets of a connection it lets through, FIN and RST handling, IPv6, a user filter before
 * it, and that its LRU map stays bounded under more connections than it holds. Needs CAP_BPF
 * (root); the verdicts are the kernel's.
 *
 * The kernel's test run hands a socket filter the packet from its network header, with
 * skb->protocol from the Ethernet header (eth_type_trans): what a cooked (`any`) capture socket
 * sees, so the program is built in cooked mode. The Ethernet path is tested on live traffic
 * (tests/capture-http-sessions.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCaptureProgram } from './capture';
import { HTTP_MAX_CONNECTIONS, HTTP_SESSIONS_MAP } from './http-sessions';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root (CAP_BPF) to load programs' : false;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

interface Endpoint {
  ip: string;
  port: number;
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const groups = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
    const a = groups(head!);
    const b = groups(tail);
    const all = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
    const out = Buffer.alloc(16);
    all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
    return out;
  }
  return Buffer.from(ip.split('.').map(Number));
}

/** An Ethernet frame carrying one TCP segment (checksums left zero: the program does not read them). */
function tcpFrame(from: Endpoint, to: Endpoint, flags: number, payload = '', vlan?: number): Buffer {
  const data = Buffer.from(payload, 'latin1');
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(from.port, 0);
  tcp.writeUInt16BE(to.port, 2);
  tcp.writeUInt32BE(1, 4);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(65535, 14);
  let ip: Buffer;
  let ethertype: number;
  if (from.ip.includes(':')) {
    ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(20 + data.length, 4);
    ip[6] = 6;
    ip[7] = 64;
    ipBytes(from.ip).copy(ip, 8);
    ipBytes(to.ip).copy(ip, 24);
    ethertype = 0x86dd;
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 20 + data.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    ipBytes(from.ip).copy(ip, 12);
    ipBytes(to.ip).copy(ip, 16);
    ethertype = 0x0800;
  }
  const eth = Buffer.alloc(vlan === undefined ? 14 : 18);
  Buffer.from('020000000002020000000001', 'hex').copy(eth, 0);
  if (vlan !== undefined) {
    eth.writeUInt16BE(0x8100, 12);
    eth.writeUInt16BE(vlan, 14);
  }
  eth.writeUInt16BE(ethertype, eth.length - 2);
  return Buffer.concat([eth, ip, tcp, data]);
}

async function loadHttp(filter = ''): Promise<{ run: (frame: Buffer) => number; entries: () => number; close: () => void }> {
  const { compileFilter } = await import('../../app/capture/filter');
  const { loadSocketFilter } = await import('../../app/capture/load');
  const { native } = await import('../../app/capture/native');
  const classic = compileFilter({ filter, linkType: 276, snapLen: 262144 });
  const loaded = loadSocketFilter(buildCaptureProgram({ classic, snapLen: 262144, cooked: 'sll2', stages: { httpSessions: true } }));
  const n = native();
  return {
    run: (frame) => n.bpfProgTestRun(loaded.progFd, frame).retval,
    entries: () => {
      let count = 0;
      const fd = loaded.mapFds[HTTP_SESSIONS_MAP.name]!;
      for (let key = n.bpfMapNextKey(fd, null, HTTP_SESSIONS_MAP.keySize); key; key = n.bpfMapNextKey(fd, key, HTTP_SESSIONS_MAP.keySize)) count++;
      return count;
    },
    close: () => loaded.close(),
  };
}

test('a connection is let through from its first HTTP payload until both FINs; other TCP is not', { skip: NOT_ROOT }, async () => {
  const p = await loadHttp();
  try {
    const c = { ip: '10.1.0.1', port: 40000 };
    const s = { ip: '10.1.0.2', port: 8123 };
    const pass = (frame: Buffer): boolean => p.run(frame) > 0;
    assert.equal(pass(tcpFrame(c, s, SYN)), false, 'the handshake comes before any HTTP');
    assert.equal(pass(tcpFrame(s, c, SYN | ACK)), false);
    assert.equal(pass(tcpFrame(c, s, ACK)), false);
    assert.equal(pass(tcpFrame(c, s, PSH | ACK, 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n')), true, 'the request');
    assert.equal(p.run(tcpFrame(c, s, PSH | ACK, 'GET / HTTP/1.1\r\n\r\n')), 262144, 'the verdict is the snap length');
    assert.equal(pass(tcpFrame(s, c, ACK)), true, 'the other direction, a bare ACK');
    assert.equal(pass(tcpFrame(s, c, PSH | ACK, 'body bytes that are not HTTP')), true);
    assert.equal(pass(tcpFrame(c, s, FIN | ACK)), true, 'one FIN');
    assert.equal(pass(tcpFrame(s, c, PSH | ACK, 'more')), true, 'half-closed: still tracked');
    assert.equal(pass(tcpFrame(s, c, FIN | ACK)), true, 'the second FIN');
    assert.equal(pass(tcpFrame(c, s, ACK)), false, 'after both FINs the connection is forgotten');
    assert.equal(p.entries(), 0);

    // Another connection on the same port that is not HTTP, and every method and a response.
    const other = { ip: '10.1.0.1', port: 40001 };
    assert.equal(pass(tcpFrame(other, s, PSH | ACK, 'HELLO not http\r\n')), false);
    assert.equal(pass(tcpFrame(other, s, PSH | ACK, 'GETX / HTTP/1.1\r\n')), false, 'a method must be followed by a space');
    assert.equal(pass(tcpFrame(other, s, PSH | ACK, 'GET /')), false, 'shorter than 8 bytes: not judged');
    let port = 41000;
    for (const start of ['GET /a HTTP/1.1', 'POST /a HTTP/1.1', 'PUT /a HTTP/1.1', 'DELETE /a HTTP/1.1', 'HEAD /a HTTP/1.1', 'OPTIONS * HTTP/1.1', 'PATCH /a HTTP/1.1', 'CONNECT h:443 HTTP/1.1', 'TRACE /a HTTP/1.1', 'HTTP/1.1 200 OK', 'HTTP/1.0 404 Not Found']) {
      const from = { ip: '10.1.0.3', port: port++ };
      assert.equal(pass(tcpFrame(from, s, PSH | ACK, `${start}\r\n\r\n`)), true, start);
      assert.equal(pass(tcpFrame(s, from, ACK)), true, `${start}: the reply`);
    }
    assert.equal(pass(tcpFrame({ ip: '10.1.0.3', port: port++ }, s, PSH | ACK, 'HTTP/2.0 200\r\n')), false, 'HTTP/2 is not HTTP/1.x text');

    // A RST forgets at once (it is let through itself).
    const r = { ip: '10.1.0.4', port: 40002 };
    assert.equal(pass(tcpFrame(s, r, PSH | ACK, 'HTTP/1.1 200 OK\r\n\r\n')), true, 'a response begins it too');
    assert.equal(pass(tcpFrame(r, s, RST)), true);
    assert.equal(pass(tcpFrame(s, r, ACK)), false);
  } finally {
    p.close();
  }
});

test('IPv6 connections are tracked the same; a user filter before the stage narrows it', { skip: NOT_ROOT }, async () => {
  const p = await loadHttp('tcp port 8080');
  try {
    const pass = (frame: Buffer): boolean => p.run(frame) > 0;
    const c6 = { ip: 'fd00::1', port: 40000 };
    const s6 = { ip: 'fd00::2', port: 8080 };
    assert.equal(pass(tcpFrame(c6, s6, PSH | ACK, 'GET / HTTP/1.1\r\n\r\n')), true);
    assert.equal(pass(tcpFrame(s6, c6, ACK)), true);
    const c = { ip: '10.2.0.1', port: 40000 };
    const elsewhere = { ip: '10.2.0.2', port: 9090 };
    assert.equal(pass(tcpFrame(c, elsewhere, PSH | ACK, 'GET / HTTP/1.1\r\n\r\n')), false, 'the filter drops it before the stage');
    assert.equal(p.entries(), 2, 'only the IPv6 connection is in the map (both directions)');
  } finally {
    p.close();
  }
});

test('the connection map stays bounded: more connections than it holds evict the least recently used', { skip: NOT_ROOT }, async () => {
  const p = await loadHttp();
  try {
    const s = { ip: '10.3.0.2', port: 80 };
    const total = 100_000 + HTTP_MAX_CONNECTIONS / 2;
    const client = (k: number): Endpoint => ({ ip: `10.${4 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`, port: 1024 + (k % 50000) });
    for (let k = 0; k < total; k++) assert.ok(p.run(tcpFrame(client(k), s, PSH | ACK, 'GET / HTTP/1.1\r\n\r\n')) > 0);
    const entries = p.entries();
    assert.ok(entries <= HTTP_SESSIONS_MAP.maxEntries, `${entries} entries, at most ${HTTP_SESSIONS_MAP.maxEntries}`);
    assert.ok(entries >= HTTP_SESSIONS_MAP.maxEntries / 2, `the map is used (${entries} entries)`);
    // The latest connection is still tracked; the first ones are gone.
    assert.ok(p.run(tcpFrame(s, client(total - 1), ACK)) > 0, 'the newest connection');
    assert.equal(p.run(tcpFrame(s, client(0), ACK)), 0, 'the oldest connection was evicted');
  } finally {
    p.close();
  }
});
