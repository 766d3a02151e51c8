/**
 * Everyday mixed traffic for bench/cli, captured for real: three network namespaces (client,
 * router, server) joined by two veth pairs, made here and deleted afterwards; the server side of
 * the router is a 1280-byte link (a tunnel or a VPN on the way), so large datagrams are fragmented
 * and path-MTU discovery sends ICMP errors. tcpdump captures on the client's veth while, per round:
 *
 *   - HTTP/1.1 on ports 80 and 8080, IPv4 and IPv6 (everyday.py serve): keep-alive page loads,
 *     60 short connections (`Connection: close`), POSTs, a 404 and a 301;
 *   - HTTPS on 443 with SNI (curl --resolve): TLS 1.2 over IPv4 and TLS 1.3 over IPv6, kept alive
 *     and in short connections (which resume their sessions);
 *   - connections refused (RST) on port 81;
 *   - DNS over UDP (bench/decode/dns.py, IPv4 and IPv6, with a datagram to the closed port 9 every
 *     ten queries: ICMP port unreachable) and over TCP;
 *   - ping both ways, large pings (fragments, IPv4 and IPv6), ping with DF over the small link
 *     (ICMP fragmentation needed), ping with TTL / hop limit 1 (time exceeded from the router),
 *     large UDP datagrams to an echo port and to a closed port (fragments, Packet Too Big);
 *   - ARP and neighbour discovery as the stacks do them.
 *
 * The shape is fixed (counts, sizes, names, addresses); only time stamps, ports, sequence numbers
 * and TLS secrets change from run to run. Every loop is bounded in count; every command in time;
 * the server stops by itself after SERVER_LIFETIME_S and is killed by pid before that.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, sleep, waitForStderr, waitForStdout } from '../../tests/support/netns';

const ROOT = path.resolve(__dirname, '../../..');
const PEERS = path.join(ROOT, 'bench/cli/everyday.py');
const DNS_SCRIPT = path.join(ROOT, 'bench/decode/dns.py');
/** The server stops on its own after this long even if the benchmark dies before killing it. */
const SERVER_LIFETIME_S = 600;
/** The router's link towards the server: the smallest MTU IPv6 allows. */
const SMALL_MTU = 1280;

/** Fixed addresses (each namespace has its own stack, so they cannot collide with anything). */
export const EVERYDAY_ADDRESSES = {
  client4: '192.168.50.2',
  client6: 'fd00:50::2',
  router4ToClient: '192.168.50.1',
  router6ToClient: 'fd00:50::1',
  router4ToServer: '192.168.60.1',
  router6ToServer: 'fd00:60::1',
  server4: '192.168.60.2',
  server6: 'fd00:60::2',
  /** The name the TLS clients ask for (SNI), resolved with curl --resolve, not DNS. */
  tlsName: 'www.example.test',
} as const;

export interface Topology {
  client: string;
  router: string;
  server: string;
  /** The client's veth, where tcpdump captures. */
  captureDevice: string;
  exec(ns: string, cmd: string[], timeoutMs?: number): string;
  /** As exec, but a non-zero exit (a ping that only gets ICMP errors, a refused connection) is expected. */
  execMayFail(ns: string, cmd: string[], timeoutMs?: number): void;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** client --veth(1500)-- router --veth(1280)-- server, with IPv4 and IPv6 routing through the router. Needs root. */
export function createTopology(): Topology {
  if (process.getuid?.() !== 0) throw new Error('the everyday traffic needs root to create network namespaces');
  const id = `${process.pid % 100000}`;
  const client = `sce${id}c`;
  const router = `sce${id}r`;
  const server = `sce${id}s`;
  const a = EVERYDAY_ADDRESSES;
  const topo: Topology = {
    client,
    router,
    server,
    captureDevice: `sce${id}c`,
    exec(ns, cmd, timeoutMs = 60000) {
      return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    execMayFail(ns, cmd, timeoutMs = 60000) {
      try {
        execFileSync('ip', ['netns', 'exec', ns, ...cmd], { timeout: timeoutMs, stdio: 'ignore' });
      } catch (err) {
        if ((err as { code?: string }).code === 'ETIMEDOUT') throw err;
      }
    },
    destroy() {
      for (const ns of [client, router, server]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
    },
  };
  try {
    for (const ns of [client, router, server]) ip('netns', 'add', ns);
    ip('link', 'add', `sce${id}c`, 'netns', client, 'type', 'veth', 'peer', 'name', `sce${id}rc`, 'netns', router);
    ip('link', 'add', `sce${id}s`, 'netns', server, 'type', 'veth', 'peer', 'name', `sce${id}rs`, 'netns', router);
    const links: Array<[string, string, string, string, number]> = [
      [client, `sce${id}c`, a.client4, a.client6, 1500],
      [router, `sce${id}rc`, a.router4ToClient, a.router6ToClient, 1500],
      [router, `sce${id}rs`, a.router4ToServer, a.router6ToServer, SMALL_MTU],
      [server, `sce${id}s`, a.server4, a.server6, SMALL_MTU],
    ];
    for (const [ns, dev, v4, v6, mtu] of links) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      // One frame per segment, as a physical NIC puts them on the wire (veth would hand the
      // capture GSO super-segments of up to 64 KiB otherwise).
      ip('-n', ns, 'link', 'set', dev, 'mtu', String(mtu), 'gso_max_segs', '1');
      ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
      ip('-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    ip('-n', client, 'route', 'add', 'default', 'via', a.router4ToClient);
    ip('-n', client, '-6', 'route', 'add', 'default', 'via', a.router6ToClient);
    ip('-n', server, 'route', 'add', 'default', 'via', a.router4ToServer);
    ip('-n', server, '-6', 'route', 'add', 'default', 'via', a.router6ToServer);
    topo.exec(router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    // Every ICMP error the traffic provokes is sent (the default limits one per peer per second),
    // so the mix has the same shape however fast the machine is.
    for (const ns of [router, server]) topo.exec(ns, ['sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
  } catch (err) {
    topo.destroy();
    throw err;
  }
  return topo;
}

/** Deterministic bytes (a SHA-256 counter stream): the same page in every run. */
function seededBytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let at = 0, k = 0; at < n; k++) at += createHash('sha256').update(`${seed}:${k}`).digest().copy(out, at);
  return out;
}

function makeWebRoot(dir: string): void {
  fs.mkdirSync(path.join(dir, 'api'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'docs'), { recursive: true });
  const files: Array<[string, Buffer | string]> = [
    ['index.html', `<!doctype html><html><head><title>everyday</title><link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head><body>${'<p>an everyday page</p>\n'.repeat(80)}</body></html>\n`],
    ['style.css', 'body { margin: 0 auto; max-width: 60em; font-family: sans-serif; }\n'.repeat(150)],
    ['app.js', 'function hello(n) { return "hello " + n; }\n'.repeat(700)],
    ['image.jpg', seededBytes(64 * 1024, 'image')],
    ['api/status.json', '{"status":"ok","version":3}\n'],
    ['docs/readme.txt', 'read me\n'.repeat(50)],
    ['post-body.txt', 'field=value&'.repeat(250)],
  ];
  for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${EVERYDAY_ADDRESSES.tlsName}`, '-addext', `subjectAltName=DNS:${EVERYDAY_ADDRESSES.tlsName}`], { stdio: 'ignore' });
  return { cert, key };
}

const host = (addr: string): string => (addr.includes(':') ? `[${addr}]` : addr);
const httpUrl = (addr: string, port: number, page: string): string => `http://${host(addr)}${port === 80 ? '' : `:${port}`}/${page}`;

/** One curl run: several URLs, one after the other (over one connection unless told `Connection: close`). */
function curl(topo: Topology, args: string[], urls: string[]): void {
  topo.execMayFail(topo.client, ['curl', '-s', '--max-time', '20', ...args, ...urls.flatMap((u) => ['-o', '/dev/null', u])], 60000);
}

/** One round of the mix (about 2,200 frames). */
function round(topo: Topology, webRoot: string): void {
  const a = EVERYDAY_ADDRESSES;
  const c = topo.client;
  // Forget learned path MTUs, so that every round meets the small link afresh (ICMP errors, fragments).
  topo.exec(c, ['ip', 'route', 'flush', 'cache']);
  topo.exec(c, ['ip', '-6', 'route', 'flush', 'cache']);

  const pageLoad = ['index.html', 'style.css', 'app.js', 'image.jpg', 'api/status.json', 'index.html', 'style.css', 'api/status.json'];
  curl(topo, [], pageLoad.map((p) => httpUrl(a.server4, 80, p)));
  curl(topo, [], pageLoad.map((p) => httpUrl(a.server6, 8080, p)));
  const short = ['index.html', 'api/status.json', 'style.css', 'missing.html', 'docs'];
  for (const [addr, port] of [[a.server4, 80], [a.server6, 80], [a.server4, 8080], [a.server6, 8080]] as const) {
    curl(topo, ['-H', 'Connection: close'], Array.from({ length: 15 }, (_, k) => httpUrl(addr, port, short[k % short.length]!)));
  }
  curl(topo, ['--data-binary', `@${path.join(webRoot, 'post-body.txt')}`, '-H', 'Content-Type: application/x-www-form-urlencoded'],
    ['api/submit', 'api/submit?step=2', 'api/submit?step=3'].map((p) => httpUrl(a.server4, 8080, p)));

  const tls = (addr: string, version: string[], extra: string[], pages: string[]): void =>
    curl(topo, ['-k', '--resolve', `${a.tlsName}:443:${host(addr)}`, ...version, ...extra], pages.map((p) => `https://${a.tlsName}/${p}`));
  const tls12 = ['--tlsv1.2', '--tls-max', '1.2'];
  const tls13 = ['--tlsv1.3'];
  tls(a.server4, tls12, [], ['index.html', 'style.css', 'app.js', 'api/status.json']);
  tls(a.server6, tls13, [], ['index.html', 'style.css', 'app.js', 'api/status.json']);
  tls(a.server4, tls13, ['-H', 'Connection: close'], Array.from({ length: 6 }, (_, k) => short[k % 3]!));
  tls(a.server6, tls12, ['-H', 'Connection: close'], Array.from({ length: 4 }, (_, k) => short[k % 3]!));

  curl(topo, ['--connect-timeout', '2'], [httpUrl(a.server4, 81, ''), httpUrl(a.server6, 81, '')]); // refused: SYN, RST

  topo.exec(c, ['python3', DNS_SCRIPT, 'client', a.server4, '53', '60'], 60000);
  topo.exec(c, ['python3', DNS_SCRIPT, 'client', a.server6, '53', '30'], 60000);
  topo.exec(c, ['python3', PEERS, 'dns-tcp', a.server4, '9'], 60000);
  topo.exec(c, ['python3', PEERS, 'dns-tcp', a.server6, '6'], 60000);

  topo.execMayFail(c, ['ping', '-q', '-c', '20', '-i', '0.005', '-W', '1', a.server4], 30000);
  topo.execMayFail(c, ['ping', '-q', '-6', '-c', '20', '-i', '0.005', '-W', '1', a.server6], 30000);
  topo.execMayFail(topo.server, ['ping', '-q', '-c', '10', '-i', '0.005', '-W', '1', a.client4], 30000);
  topo.execMayFail(c, ['ping', '-q', '-c', '4', '-i', '0.05', '-W', '1', '-s', '3000', a.server4], 30000); // fragments
  topo.execMayFail(c, ['ping', '-q', '-6', '-c', '4', '-i', '0.05', '-W', '1', '-s', '3000', a.server6], 30000); // Packet Too Big, then fragments
  topo.execMayFail(c, ['ping', '-q', '-c', '2', '-i', '0.05', '-W', '0.3', '-M', 'do', '-s', '1400', a.server4], 30000); // fragmentation needed
  topo.execMayFail(c, ['ping', '-q', '-c', '2', '-i', '0.05', '-W', '0.3', '-t', '1', a.server4], 30000); // time exceeded
  topo.execMayFail(c, ['ping', '-q', '-6', '-c', '2', '-i', '0.05', '-W', '0.3', '-t', '1', a.server6], 30000); // hop limit exceeded
  topo.exec(c, ['python3', PEERS, 'udp', a.server4, '10'], 60000);
  topo.exec(c, ['python3', PEERS, 'udp', a.server6, '10'], 60000);
}

/**
 * Captures `rounds` rounds of everyday traffic on the client's veth into `outFile` (pcap, whole
 * frames) and returns tcpdump's count of captured packets. Makes and deletes the namespaces.
 */
export async function captureEverydayTraffic(workDir: string, outFile: string, rounds: number): Promise<number> {
  const webRoot = path.join(workDir, 'www');
  makeWebRoot(webRoot);
  const { cert, key } = makeCertificate(workDir);
  const topo = createTopology();
  let server: ChildProcess | undefined;
  let tcpdump: ChildProcess | undefined;
  try {
    server = spawn('ip', ['netns', 'exec', topo.server, 'timeout', String(SERVER_LIFETIME_S), 'python3', PEERS, 'serve', webRoot, cert, key, String(SERVER_LIFETIME_S)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForStdout(server, /ready/, 'everyday.py serve');
    tcpdump = spawn('ip', ['netns', 'exec', topo.client, 'tcpdump', '-i', topo.captureDevice, '-nn', '-s', '0', '-B', '32768', '--immediate-mode', '-w', outFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tcpdumpDone = finished(tcpdump);
    await waitForStderr(tcpdump, /listening on/);
    for (let k = 0; k < rounds; k++) round(topo, webRoot);
    // tcpdump ends at SIGINT without reading what is still in the kernel's ring: with
    // --immediate-mode nothing waits there for a block to fill, a moment is enough.
    await sleep(500);
    tcpdump.kill('SIGINT');
    const result = await tcpdumpDone;
    tcpdump = undefined;
    const captured = /(\d+) packets? captured/.exec(result.stderr);
    if (!captured) throw new Error(`tcpdump did not report a packet count; stderr:\n${result.stderr}`);
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(result.stderr)?.[1] ?? 0);
    if (dropped > 0) console.log(`everyday traffic: tcpdump lost ${dropped} packets (the machine is busy): the seed has gaps that tshark flags`);
    return Number(captured[1]);
  } finally {
    tcpdump?.kill('SIGINT');
    if (server && server.exitCode === null && server.signalCode === null) {
      const done = new Promise((resolve) => server!.once('close', resolve));
      server.kill('SIGTERM');
      await done;
    }
    topo.destroy();
  }
}
