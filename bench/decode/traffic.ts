/**
 * Real seed traffic for bench/decode: inside two network namespaces joined by a veth pair (made
 * and deleted by the caller), tcpdump captures while the peer serves HTTP over IPv4 and IPv6
 * (python3 -m http.server) and answers DNS (dns.py), and this side fetches pages with curl, pings
 * both ways, asks DNS questions and sends UDP to a closed port. Every loop is bounded in count;
 * every server is bounded in time and killed by pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, sleep, waitForStderr, type NetnsPair } from '../../tests/support/netns';

const ROOT = path.resolve(__dirname, '../../..');
const DNS_SCRIPT = path.join(ROOT, 'bench/decode/dns.py');
const HTTP_PORT_V4 = 8080;
const HTTP_PORT_V6 = 8081;
const DNS_PORT = 53;
/** Servers stop on their own after this long even if the benchmark dies before killing them. */
const SERVER_LIFETIME_S = 300;

export interface SeedOptions {
  /** Rounds of traffic; each round is ~3 HTTP fetches per address family, pings and DNS queries. */
  rounds: number;
}

/** Makes the web root: pages of a few sizes, so TCP carries both small replies and bulk data. */
function makeWebRoot(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: Array<[string, Buffer]> = [
    ['index.html', Buffer.from(`<html><head><title>sievecap bench</title></head><body>${'<p>hello</p>'.repeat(40)}</body></html>\n`)],
    ['style.css', Buffer.from('body { font-family: sans-serif; }\n'.repeat(300))],
    ['image.bin', crypto.randomBytes(48 * 1024)],
  ];
  for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
  return files.map(([name]) => name);
}

interface Server {
  child: ChildProcess;
  done: Promise<unknown>;
}

/**
 * Starts a server in the peer namespace with its output discarded: the traffic loops below run
 * synchronously, and request logs piped to us would fill the pipe and stall the server meanwhile.
 */
function spawnServer(pair: NetnsPair, cmd: string[]): Server {
  const child = spawn('ip', ['netns', 'exec', pair.nsB, ...cmd], { stdio: 'ignore' });
  return { child, done: new Promise((resolve) => child.once('close', resolve)) };
}

async function startServer(pair: NetnsPair, cmd: string[], ready: () => boolean): Promise<Server> {
  const server = spawnServer(pair, cmd);
  const child = server.child;
  for (let k = 0; k < 100; k++) {
    if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited with ${child.exitCode}`);
    if (ready()) return server;
    await sleep(100);
  }
  child.kill('SIGTERM');
  throw new Error(`${cmd.join(' ')} did not become ready within 10 s`);
}

function curlWorks(pair: NetnsPair, url: string): boolean {
  try {
    pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '1', url], 3000);
    return true;
  } catch {
    return false;
  }
}

/**
 * Captures `rounds` rounds of traffic on pair.vethA into `outFile` (pcap, full packets) and
 * returns tcpdump's count of captured packets.
 */
export async function captureSeedTraffic(pair: NetnsPair, workDir: string, outFile: string, options: SeedOptions): Promise<number> {
  const webRoot = path.join(workDir, 'www');
  const pages = makeWebRoot(webRoot);
  const servers: Server[] = [];
  let tcpdump: ChildProcess | undefined;
  try {
    const v4 = `http://${pair.ipB}:${HTTP_PORT_V4}`;
    const v6 = `http://[${pair.ip6B}]:${HTTP_PORT_V6}`;
    const httpServer = (bind: string, port: number): string[] =>
      ['timeout', String(SERVER_LIFETIME_S), 'python3', '-m', 'http.server', String(port), '--bind', bind, '--directory', webRoot];
    servers.push(await startServer(pair, httpServer(pair.ipB, HTTP_PORT_V4), () => curlWorks(pair, `${v4}/index.html`)));
    servers.push(await startServer(pair, httpServer(pair.ip6B, HTTP_PORT_V6), () => curlWorks(pair, `${v6}/index.html`)));
    servers.push(spawnServer(pair, ['python3', DNS_SCRIPT, 'server', pair.ipB, String(DNS_PORT), String(SERVER_LIFETIME_S)]));

    tcpdump = pair.spawn(pair.nsA, ['tcpdump', '-i', pair.vethA, '-nn', '-s', '0', '-w', outFile]);
    const tcpdumpDone = finished(tcpdump);
    await waitForStderr(tcpdump, /listening on/);

    const perRound = 25;
    for (let round = 0; round < options.rounds; round++) {
      const urls = Array.from({ length: perRound }, (_, k) => pages[k % pages.length]!);
      pair.exec(pair.nsA, ['curl', '-s', '--max-time', '30', ...urls.flatMap((p) => ['-o', '/dev/null', `${v4}/${p}`])], 60000);
      pair.exec(pair.nsA, ['curl', '-s', '--max-time', '30', ...urls.flatMap((p) => ['-o', '/dev/null', `${v6}/${p}`])], 60000);
      pair.exec(pair.nsA, ['ping', '-q', '-c', '100', '-i', '0.002', '-s', String(56 + (round % 8) * 100), pair.ipB], 30000);
      pair.exec(pair.nsA, ['ping', '-q', '-6', '-c', '100', '-i', '0.002', pair.ip6B], 30000);
      pair.exec(pair.nsB, ['ping', '-q', '-c', '30', '-i', '0.002', pair.ipA], 30000);
      pair.exec(pair.nsA, ['python3', DNS_SCRIPT, 'client', pair.ipB, String(DNS_PORT), '300'], 120000);
    }
    await sleep(300);
    tcpdump.kill('SIGINT');
    const result = await tcpdumpDone;
    tcpdump = undefined;
    const captured = /(\d+) packets? captured/.exec(result.stderr);
    if (!captured) throw new Error(`tcpdump did not report a packet count; stderr:\n${result.stderr}`);
    return Number(captured[1]);
  } finally {
    tcpdump?.kill('SIGINT');
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.done));
  }
}

/** Protocol mix of a capture as tshark's protocol hierarchy sees it, for the report: one line per top protocol. */
export function protocolMix(file: string): string {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', 'io,phs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  return out
    .split('\n')
    .filter((l) => /frames:\d+/.test(l))
    .map((l) => l.replace(/\s+bytes:\d+/, '').trimEnd())
    .join('\n');
}
