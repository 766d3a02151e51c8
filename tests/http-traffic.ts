/**
 * The HTTP traffic of the reassembly tests, made for real: curl and a pipelining client against a
 * python3 server (tests/http-peers.ts) in a pair of network namespaces joined by a veth with MTU
 * 1280 (so long URLs span several segments), captured by tcpdump on the client's side. What every
 * request must come back as is known from the server's rules (expectedFor), so a test can check
 * that each request made appears once, whole, paired with its response.
 *
 * With `impaired`, the namespaces are joined through a bridge in a third one, whose two ports lose
 * and reorder IPv4 TCP segments (tests/support/impair.ts): the kernel queues and drops them in
 * the middle of the path, and the peers' TCP retransmits, as over a lossy network.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodedBody, headerValue, type HttpTransaction } from '../app/reassembly';
import { PIPELINE_PY, SERVER_PY } from './http-peers';
import { droppedByImpairment, impairEgress } from './support/impair';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout, type NetnsPair } from './support/netns';

export const PORT = 8080; // in tshark's HTTP port list, so it dissects the traffic as HTTP
const FOUND = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

export interface Expected {
  method: string;
  uri: string;
  status: number;
  /** Body bytes on the wire (transfer coding removed); null: check the decoded size instead. */
  bodyBytes: number | null;
  decodedBytes?: number;
  requestBodyBytes?: number;
  chunked?: boolean;
}

/** Mirrors server.py: the body a URI gets. */
export function expectedFor(method: string, uri: string): Expected {
  const pathname = uri.split('?')[0]!;
  const [kind, n] = pathname.slice(1).split('/') as [string, string | undefined];
  const size = n ? Number(n) : 0;
  const head = method === 'HEAD';
  if (method === 'POST') return { method, uri, status: 201, bodyBytes: `got ${3000}\n`.length, requestBodyBytes: 3000 };
  if (kind === 'chunked') return { method, uri, status: 200, bodyBytes: head ? 0 : size, chunked: !head };
  if (kind === 'gzip') return { method, uri, status: 200, bodyBytes: head ? 0 : null, decodedBytes: head ? undefined : size };
  if (kind === 'nocontent') return { method, uri, status: 204, bodyBytes: 0 };
  if (kind === 'missing') return { method, uri, status: 404, bodyBytes: head ? 0 : 9 };
  return { method, uri, status: 200, bodyBytes: head ? 0 : size || (uri.length % 700) + 10 };
}

/** Deterministic query strings of any length (letters, digits and a few escapes). */
export function longQuery(length: number, seed: number): string {
  let s = '';
  let x = seed;
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%20=&';
  while (s.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[x % alphabet.length];
  }
  return s.replace(/%(?!20)/g, 'p');
}

export interface HttpTraffic {
  tmp: string;
  pair: NetnsPair;
  /** tcpdump's capture of the client's veth. */
  capture: string;
  /** Every request made, in the order made, with what must come back. */
  expected: Expected[];
  /** Segments the impaired veths dropped (0 when not impaired). */
  dropped: number;
  /** Stops the peers, deletes the namespaces and the files. */
  destroy(): void;
}

export async function makeHttpTraffic(options: { impaired: boolean }): Promise<HttpTraffic> {
  for (const tool of ['tcpdump', 'tshark', 'curl', 'python3', 'ip']) {
    if (!FOUND(tool)) throw new Error(`this test needs ${tool} (apt-get install ${tool === 'ip' ? 'iproute2' : tool})`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-'));
  const expected: Expected[] = [];
  const children: ChildProcess[] = [];
  fs.writeFileSync(path.join(tmp, 'server.py'), SERVER_PY);
  fs.writeFileSync(path.join(tmp, 'pipeline.py'), PIPELINE_PY);
  fs.writeFileSync(path.join(tmp, 'upload.bin'), Buffer.alloc(3000, 0x41));
  const capture = path.join(tmp, 'http.pcap');
  const p = createNetnsPair({ mtu: 1280, bridged: options.impaired });
  const traffic: HttpTraffic = {
    tmp, pair: p, capture, expected, dropped: 0,
    destroy() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      p.destroy();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  try {
    // veth hands the sender's GSO super-segments to tcpdump whole (one 6 kB "segment"): one segment
    // per skb makes the capture show the segments the MTU really allows.
    for (const [ns, dev] of [[p.nsA, p.vethA], [p.nsB, p.vethB]] as const) execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'gso_max_segs', '1']);
    if (options.impaired) for (const port of [p.middleToA!, p.middleToB!]) impairEgress(p.nsMiddle!, port);
    const server = p.spawn(p.nsB, ['python3', path.join(tmp, 'server.py'), p.ipB, String(PORT)]);
    children.push(server);
    await waitForStdout(server, /serving/, 'python3 http server');
    const server6 = p.spawn(p.nsB, ['python3', path.join(tmp, 'server.py'), p.ip6B, String(PORT)]);
    children.push(server6);
    await waitForStdout(server6, /serving/, 'python3 http server (IPv6)');
    const tcpdump = p.spawn(p.nsA, ['tcpdump', '-i', p.vethA, '-U', '--immediate-mode', '-s', '0', '-w', capture, 'tcp', 'port', String(PORT)]);
    children.push(tcpdump);
    await waitForStderr(tcpdump, /listening on/);
    const base = `http://${p.ipB}:${PORT}`;
    const curl = (args: string[]): Promise<unknown> => {
      const child = p.spawn(p.nsA, ['curl', '-s', '--noproxy', '*', '--max-time', '15', '-o', '/dev/null', ...args]);
      return finished(child).then((r) => {
        if (r.code !== 0) throw new Error(`curl ${args.join(' ').slice(0, 200)} failed (${r.code}): ${r.stderr}`);
      });
    };
    const record = (method: string, uris: string[]): string[] => {
      for (const uri of uris) expected.push(expectedFor(method, uri));
      return uris.map((u) => `${base}${u}`);
    };

    // Long URLs on one keep-alive connection: each request line spans several 1280-byte segments.
    const longUris = [`/echo?q=${longQuery(6000, 1)}`, `/echo?q=${longQuery(9000, 2)}&end=1`, `/echo/4321?q=${longQuery(3000, 3)}`];
    const keepAlive = ['/chunked/5000', '/gzip/20000', '/nocontent', '/missing', '/echo/1234'];
    await curl(record('GET', longUris).flatMap((u) => ['-o', '/dev/null', u]));
    await curl(record('GET', keepAlive).flatMap((u) => ['-o', '/dev/null', u]));
    await curl(['-I', ...record('HEAD', ['/gzip/3000'])]);
    await curl(['-H', 'Expect: 100-continue', '--data-binary', `@${path.join(tmp, 'upload.bin')}`, ...record('POST', ['/upload?kind=expect'])]);
    // Pipelined: all requests leave in one write, before any response.
    const pipelined: Array<[string, string]> = [['GET', '/echo/111'], ['HEAD', '/chunked/2000'], ['GET', '/chunked/3000'], ['GET', '/gzip/4000'], ['GET', `/echo/222?q=${longQuery(2500, 4)}`]];
    for (const [m, u] of pipelined) expected.push(expectedFor(m, u));
    const pipe = finished(p.spawn(p.nsA, ['python3', path.join(tmp, 'pipeline.py'), p.ipB, String(PORT), ...pipelined.map(([m, u]) => `${m} ${u}`)]));
    const pipeResult = await pipe;
    if (pipeResult.code !== 0) throw new Error(`pipelining client failed: ${pipeResult.stderr}`);
    // IPv6, keep-alive, a long URL split over segments.
    const v6Uris = ['/echo/606', `/echo?v6=${longQuery(4000, 5)}`];
    for (const u of v6Uris) expected.push(expectedFor('GET', u));
    await curl(['-g', ...v6Uris.flatMap((u) => ['-o', '/dev/null', `http://[${p.ip6B}]:${PORT}${u}`])]);
    // Concurrent connections.
    await Promise.all([1, 2, 3, 4].map((i) => curl(record('GET', [`/echo/${i}00`, `/chunked/${i}500`]).flatMap((u) => ['-o', '/dev/null', u]))));
    await sleep(1200);
    tcpdump.kill('SIGINT');
    await finished(tcpdump);
    if (options.impaired) traffic.dropped = droppedByImpairment(p.nsMiddle!, p.middleToA!) + droppedByImpairment(p.nsMiddle!, p.middleToB!);
  } catch (err) {
    traffic.destroy();
    throw err;
  }
  return traffic;
}

function key(method: string | null, uri: string | null): string {
  return `${method} ${uri}`;
}

export function checkTransactions(transactions: HttpTransaction[], expected: readonly Expected[], label: string): void {
  assert.equal(transactions.length, expected.length, `${label}: one transaction per request made`);
  const byKey = new Map<string, HttpTransaction[]>();
  for (const t of transactions) {
    const k = key(t.request?.method ?? null, t.request?.target ?? null);
    byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  for (const e of expected) {
    const found = byKey.get(key(e.method, e.uri)) ?? [];
    assert.equal(found.length, 1, `${label}: ${e.method} ${e.uri.slice(0, 60)}… appears once (found ${found.length})`);
    const t = found[0]!;
    assert.ok(t.request!.complete, `${label}: request ${e.uri.slice(0, 40)} complete`);
    assert.ok(t.response, `${label}: ${e.uri.slice(0, 40)} has a response`);
    assert.equal(t.response.status, e.status, `${label}: status of ${e.method} ${e.uri.slice(0, 40)}`);
    assert.ok(t.response.complete, `${label}: response to ${e.uri.slice(0, 40)} complete`);
    if (e.bodyBytes !== null) assert.equal(t.response.bodyBytes, e.bodyBytes, `${label}: body of ${e.method} ${e.uri.slice(0, 40)}`);
    else assert.equal(t.response.bodyBytes, Number(headerValue(t.response, 'content-length')), `${label}: body of ${e.uri} matches Content-Length`);
    if (e.chunked) assert.equal(t.response.framing, 'chunked');
    if (e.requestBodyBytes !== undefined) {
      assert.equal(t.request!.bodyBytes, e.requestBodyBytes, `${label}: request body of ${e.uri}`);
      assert.deepEqual(t.interim.map((m) => m.status), [100], `${label}: 100 Continue before the final response`);
    }
    if (e.decodedBytes !== undefined) {
      const decoded = decodedBody(t.response);
      assert.equal(decoded.error, null);
      const unit = 'gzip-0123456789abcdefghijklmnopqrstuvwxyz\n';
      assert.equal(decoded.data!.toString(), unit.repeat(Math.ceil(e.decodedBytes / unit.length)).slice(0, e.decodedBytes), `${label}: gzip body of ${e.uri} decodes`);
    }
  }
}

/**
 * The requests tshark lists (stream, method, URI, Host), one line each, sorted. `options` are
 * tshark -o preferences (a lossy capture needs tcp.reassemble_out_of_order:TRUE).
 */
export function tsharkRequests(capture: string, options: string[] = []): string[] {
  const r = spawnSync('tshark', ['-r', capture, ...options.flatMap((o) => ['-o', o]), '-Y', 'http.request', '-T', 'fields', '-E', 'aggregator=|', '-e', 'tcp.stream', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.host'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  // A frame that completes several pipelined requests lists each field once per request.
  return r.stdout.split('\n').filter(Boolean).flatMap((line) => {
    const [stream, methods, uris, hosts] = line.split('\t').map((f) => f.split('|')) as [string[], string[], string[], string[]];
    return methods.map((m, i) => [stream[0], m, uris[i], hosts[i]].join('\t'));
  }).sort();
}

/** Our transactions in tsharkRequests' form. */
export function ourRequests(transactions: HttpTransaction[]): string[] {
  return transactions.map((t) => [t.stream, t.request!.method, t.request!.target, headerValue(t.request!, 'host')].join('\t')).sort();
}
