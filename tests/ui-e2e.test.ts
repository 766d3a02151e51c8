/**
 * The UI end to end, as a user drives it: Debian's Chromium (playwright-core) against `sievecap
 * serve` with the real engine and the real capture helper, both inside a network namespace of
 * the test's own (nsA, joined by a veth to nsB). On the start page the test checks a bad capture
 * filter (libpcap's message, as tcpdump prints it), saves a preset of its own (still listed after
 * a reload), picks the built-in `http` preset (HTTP session tracking in the kernel, no filter) and
 * the veth, and starts a capture; a python3 http.server in nsB answers a fixed list of curl
 * requests from nsA, among traffic that is not HTTP (ping, UDP, a TCP exchange in another
 * protocol), while tcpdump, on the same veth with no filter, writes everything. The reference is
 * tcpdump's file cut by the stage's rule, applied to what tshark reads in it: the packets of each
 * TCP connection from the first whose payload begins an HTTP request or response until FIN from
 * both sides or RST. Then, against what tshark says of that reference (and of the file the UI
 * downloads): the same packets, none of the other traffic, the packet list's count, a packet's layers
 * and the bytes a field highlights (PDML's pos/size), a display filter's count, the Sessions
 * tab's TCP conversations (conv,tcp), the HTTP tab's transactions and a JSON body, Follow TCP
 * Stream, and Save As pcapng; while a second capture runs, the Statistics tab's counters and
 * watchlist, a filter swap, and Decode As dissecting the captured packets again (as tshark -d reads
 * the saved capture). Screenshots of every view in light and dark, and both captures, go to
 * test-artifacts/ui (SIEVECAP_ARTIFACTS to move them).
 *
 * Needs root (namespaces, capture), the builds (dist/app, dist/renderer), Chromium
 * (SIEVECAP_CHROMIUM) and playwright-core, tshark, tcpdump, curl, python3; skipped, saying why,
 * without them.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { artifactDir, chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser';
import { createNetnsPair, finished, sleep, waitForOutput, waitForStderr, waitForStdout, type NetnsPair } from './support/netns';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/app/cli/main.js');
const RENDERER = path.join(ROOT, 'dist/renderer');
const PORT = 8080;
/** A TCP server in nsB on this port speaks a line protocol, not HTTP: none of it may be captured. */
const OTHER_TCP_PORT = 9090;
/** A UDP datagram goes to this port of nsB (nobody listens: an ICMP port unreachable comes back). */
const UDP_PORT = 5353;
/** What begins an HTTP/1.x request or response (RFC 9110's methods, and the status line). */
const HTTP_STARTS = ['GET ', 'HEAD ', 'POST ', 'PUT ', 'DELETE ', 'CONNECT ', 'OPTIONS ', 'TRACE ', 'PATCH ', 'HTTP/1.'].map((s) => Buffer.from(s, 'latin1'));
const BAD_FILTER = 'tcp port eighty';
const WAIT = 15_000;

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces and live capture';
  const chromium = chromiumMissing();
  if (chromium) return chromium;
  for (const file of [CLI, path.join(RENDERER, 'index.html')]) if (!fs.existsSync(file)) return `${path.relative(ROOT, file)} is missing: run npm run build:ts and npm run build:renderer`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm install)';
  }
  for (const tool of ['ip', 'tshark', 'tcpdump', 'curl', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return false;
}
const SKIP = skipReason();

// ---- the files the HTTP server serves -------------------------------------------------------

const JSON_BODY = { name: 'sievecap', purpose: 'ui end-to-end test', items: [1, 2, 3], nested: { ok: true, ratio: 0.5 } };
const TEXT_BODY = 'Plain text served to the browser test.\nSecond line.\n';
const HTML_BODY = '<!doctype html><title>Sievecap test page</title><h1>Hello from nsB</h1>\n';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A 48×48 RGB gradient, stored uncompressed (~7 kB: several segments on the wire). */
const PNG_SIZE = 48;
function makePng(): Buffer {
  const raw = Buffer.alloc(PNG_SIZE * (1 + PNG_SIZE * 3));
  for (let y = 0; y < PNG_SIZE; y++) {
    const row = y * (1 + PNG_SIZE * 3);
    for (let x = 0; x < PNG_SIZE; x++) {
      raw[row + 1 + x * 3] = Math.round((x * 255) / (PNG_SIZE - 1));
      raw[row + 2 + x * 3] = Math.round((y * 255) / (PNG_SIZE - 1));
      raw[row + 3 + x * 3] = 160;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(PNG_SIZE, 0);
  ihdr.writeUInt32BE(PNG_SIZE, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw, { level: 0 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** What curl asks, in this order, one connection each, and the status each must get. */
const REQUESTS: ReadonlyArray<{ path: string; status: number }> = [
  { path: '/index.html', status: 200 },
  { path: '/data.json', status: 200 },
  { path: '/logo.png', status: 200 },
  { path: '/notes.txt', status: 200 },
  { path: '/missing.html', status: 404 },
];

// ---- reference tools -------------------------------------------------------------------------

function tshark(args: string[]): string {
  const r = spawnSync('tshark', ['-n', ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const tsharkFields = (file: string, filter: string | null, fields: string[]): string[][] =>
  lines(tshark(['-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])])).map((l) => l.split('\t'));
const frameCount = (file: string, filter: string | null = null): number => tsharkFields(file, filter, ['frame.number']).length;

/** A field's first occurrence in a frame, as tshark's PDML places it. */
function pdmlField(file: string, frame: number, field: string): { pos: number; size: number; show: string } {
  const pdml = tshark(['-r', file, '-Y', `frame.number == ${frame}`, '-T', 'pdml']);
  const tag = new RegExp(`<field name="${field.replace(/\./g, '\\.')}"[^>]*>`).exec(pdml)?.[0];
  assert.ok(tag, `tshark's PDML of frame ${frame} has ${field}`);
  const attr = (name: string): string => new RegExp(` ${name}="([^"]*)"`).exec(tag)![1]!;
  return { pos: Number(attr('pos')), size: Number(attr('size')), show: attr('show') };
}

interface TcpFacts {
  frame: number;
  stream: number;
  from: string;
  flags: number;
  payload: Buffer;
}
/** tshark on a file: each TCP packet's stream, source, flags and payload, segment by segment (no reassembly). */
function tcpFacts(file: string): TcpFacts[] {
  const out = tshark(['-r', file, '-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=\t',
    '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tcp.flags', '-e', 'tcp.payload']);
  return lines(out).map((line) => {
    const [frame, stream, ip4, ip6, port, flags, payload] = line.split('\t');
    return { frame: Number(frame), stream: Number(stream), from: `${ip4 || ip6}:${port}`, flags: Number(flags), payload: Buffer.from((payload ?? '').replace(/:/g, ''), 'hex') };
  });
}
/**
 * The frames HTTP session tracking lets through: in each TCP stream, from the first packet whose
 * payload begins an HTTP request or response, until a FIN from each side or a RST (included; what
 * follows, such as the last ACK, is not). A first packet that is itself a FIN or RST is the only one.
 */
function httpSessionFrames(facts: readonly TcpFacts[]): number[] {
  const byStream = new Map<number, TcpFacts[]>();
  for (const f of facts) byStream.set(f.stream, [...(byStream.get(f.stream) ?? []), f]);
  const kept: number[] = [];
  for (const packets of byStream.values()) {
    let tracking = false;
    const finFrom = new Set<string>();
    for (const p of packets) {
      const rst = (p.flags & 0x04) !== 0;
      const fin = (p.flags & 0x01) !== 0;
      if (!tracking) {
        if (!HTTP_STARTS.some((s) => p.payload.subarray(0, s.length).equals(s))) continue;
        kept.push(p.frame);
        tracking = !rst && !fin;
        continue;
      }
      kept.push(p.frame);
      if (fin) finFrom.add(p.from);
      if (rst || finFrom.size === 2) {
        tracking = false;
        finFrom.clear();
      }
    }
  }
  return kept.sort((a, b) => a - b);
}

/** A server in nsB that greets in a line protocol of its own and echoes a line: TCP that is not HTTP. */
const OTHER_TCP_SERVER = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
print('listening', flush=True)
while True:
    c, _ = s.accept()
    with c:
        c.sendall(b'+OK sievecap line server\\r\\n')
        c.sendall(b'ECHO ' + c.recv(4096))
`;
/** The client of OTHER_TCP_SERVER, and a UDP datagram: run in nsA. */
const OTHER_CLIENT = `
import socket, sys
ip, tcp_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = socket.create_connection((ip, tcp_port), timeout=5)
greeting = c.recv(4096)
c.sendall(b'HELLO from nsA\\r\\n')
echo = c.recv(4096)
c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'not http either', (ip, udp_port))
print(greeting.decode().strip(), '|', echo.decode().strip())
`;

interface Conv {
  a: string;
  b: string;
  frames: number;
  aToB: number;
  bToA: number;
}
/** `tshark -q -z conv,tcp`: one line per conversation ("<-" counts B→A, "->" A→B). */
function tsharkConversations(file: string): Conv[] {
  const out: Conv[] = [];
  for (const line of lines(tshark(['-r', file, '-q', '-z', 'conv,tcp']))) {
    const m = /^(\S+:\d+)\s+<->\s+(\S+:\d+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s/.exec(line);
    if (m) out.push({ a: m[1]!, b: m[2]!, bToA: Number(m[3]), aToB: Number(m[4]), frames: Number(m[5]) });
  }
  return out;
}
/** A conversation as "lower endpoint <-> higher endpoint", with the counts in that orientation. */
function normalised(c: Conv): string {
  const [x, y, xy, yx] = c.a < c.b ? [c.a, c.b, c.aToB, c.bToA] : [c.b, c.a, c.bToA, c.aToB];
  return `${x} <-> ${y}: ${c.frames} frames, ${xy} → , ${yx} ←`;
}

// ---- the page --------------------------------------------------------------------------------

/** Polls `get` until `ok` holds (or throws with the last value after `timeoutMs`). */
async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = WAIT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown = null;
  for (;;) {
    try {
      last = await get();
      error = null;
      if (ok(last)) return last;
    } catch (err) {
      error = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${error ? String(error) : JSON.stringify(last)}`);
    await sleep(100);
  }
}

const text = async (l: Locator): Promise<string> => (await l.innerText({ timeout: WAIT })).replace(/\s+/g, ' ').trim();
const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Cells of a grid's body rows (rows with gridcells; the header row has columnheaders), in the
 * order of their aria-rowindex where they have one (the packet list's row elements are reused as
 * it scrolls, so their DOM order is not the rows' order).
 */
async function gridRows(grid: Locator): Promise<string[][]> {
  const rows = grid.getByRole('row');
  const out: { at: number; cells: string[] }[] = [];
  for (const row of await rows.all()) {
    const cells = await row.getByRole('gridcell').allInnerTexts();
    if (cells.length) out.push({ at: Number((await row.getAttribute('aria-rowindex')) ?? out.length), cells: cells.map((c) => c.trim()) });
  }
  return out.sort((a, b) => a.at - b.at).map((r) => r.cells);
}

describe('the UI in Chromium over sievecap serve: a live capture in a network namespace, checked against tcpdump and tshark', () => {
  let tmp = '';
  let pair: NetnsPair | null = null;
  const children: ChildProcess[] = [];
  let serve: ChildProcess | null = null;
  let serveErr = '';
  let launched: LaunchedBrowser | null = null;
  let page: Page;
  const pageErrors: string[] = [];
  let shots = '';
  /** tcpdump's capture of everything on the veth. */
  let everything = '';
  /** Its frames that HTTP session tracking lets through (httpSessionFrames), as a file. */
  let reference = '';
  let saved = '';
  let png: Buffer = Buffer.alloc(0);
  const timings: string[] = [];
  let t0 = Date.now();
  const mark = (what: string): void => {
    timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };

  const footer = (): Promise<string> => text(page.getByRole('contentinfo', { name: 'Status' }));
  const captureState = (): Promise<string> => text(page.getByRole('contentinfo', { name: 'Status' }).getByRole('status'));
  /** A step of the scenario: later steps are skipped once one fails (they build on it). */
  let broken: string | null = null;
  const step = (name: string, fn: () => Promise<void>): void => {
    // Skipped test by test (not the suite) so that the run's tally counts them and says why.
    it(name, { skip: SKIP, timeout: 90_000 }, async (t) => {
      if (broken) return t.skip(`an earlier step failed: ${broken}`);
      try {
        await fn();
      } catch (err) {
        broken = name;
        throw err;
      }
    });
  };
  const packetList = (): Locator => page.getByRole('grid', { name: 'Packet list' });

  /** The same view in light and in dark (the page's colour scheme; the theme follows the system). */
  async function screenshots(name: string, options: { fullPage?: boolean } = {}): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await until(`the ${scheme} theme`, () => page.evaluate('getComputedStyle(document.body).backgroundColor') as Promise<string>, (bg) => (scheme === 'dark' ? bg === 'rgb(30, 31, 34)' : bg === 'rgb(255, 255, 255)'));
      await page.screenshot({ path: path.join(shots, `${name}-${scheme}.png`), ...options });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  before(async () => {
    if (SKIP) return;
    t0 = Date.now();
    shots = artifactDir('ui');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ui-e2e-'));
    everything = path.join(tmp, 'everything.pcap');
    reference = path.join(tmp, 'reference.pcap');
    const www = path.join(tmp, 'www');
    fs.mkdirSync(www);
    png = makePng();
    fs.writeFileSync(path.join(www, 'index.html'), HTML_BODY);
    fs.writeFileSync(path.join(www, 'data.json'), JSON.stringify(JSON_BODY));
    fs.writeFileSync(path.join(www, 'logo.png'), png);
    fs.writeFileSync(path.join(www, 'notes.txt'), TEXT_BODY);

    const p = createNetnsPair();
    pair = p;
    // One segment per skb: veth hands GSO super-segments to taps whole otherwise (the PNG would be
    // one 7 kB "segment"). GRO is off on a veth without XDP; both captures tap the same skbs anyway.
    for (const [ns, dev] of [[p.nsA, p.vethA], [p.nsB, p.vethB]] as const) execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'gso_max_segs', '1']);
    const web = p.spawn(p.nsB, ['python3', '-u', '-m', 'http.server', String(PORT), '--bind', p.ipB, '--directory', www]);
    children.push(web);
    await waitForStdout(web, /Serving HTTP/, 'python3 -m http.server');
    fs.writeFileSync(path.join(tmp, 'other-server.py'), OTHER_TCP_SERVER);
    fs.writeFileSync(path.join(tmp, 'other-client.py'), OTHER_CLIENT);
    const other = p.spawn(p.nsB, ['python3', '-u', path.join(tmp, 'other-server.py'), p.ipB, String(OTHER_TCP_PORT)]);
    children.push(other);
    await waitForStdout(other, /listening/, 'the line-protocol server');

    // serve as root (not by sudo: no SUDO_UID, so it stays root and starts the helper at once).
    const { SUDO_UID: _uid, SUDO_GID: _gid, SUDO_USER: _user, ...env } = process.env;
    serve = spawn('ip', ['netns', 'exec', p.nsA, process.execPath, CLI, 'serve', '--port', '0'], {
      env: { ...env, SIEVECAP_RENDERER_DIR: RENDERER, XDG_CONFIG_HOME: path.join(tmp, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stderr!.on('data', (c: Buffer) => (serveErr += c.toString()));
    const out = await waitForOutput(serve, 'stdout', /Press Ctrl-C to stop/, 'sievecap serve', 30_000);
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)?.[0];
    assert.ok(url, `serve printed its URL: ${out}`);

    launched = await launchChromium({ netns: p.nsA });
    page = await launched.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
    page.setDefaultTimeout(WAIT);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(url);
    mark('set up (namespaces, http.server, serve, Chromium)');
  }, { timeout: 120_000 });

  after(async () => {
    await launched?.close().catch(() => undefined);
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const exited = finished(serve);
      serve.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    }
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    pair?.destroy();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (timings.length) console.log(`# ui-e2e timings: ${timings.join('; ')}`);
  }, { timeout: 30_000 });

  step('start page: a bad capture filter shows libpcap\'s message; a preset of ours outlives a reload; the built-in http preset shows its kernel stage', async () => {
    const start = page.getByRole('main', { name: 'Start' });
    const filter = start.getByRole('textbox', { name: /^Capture filter/ });
    const vethA = start.getByRole('checkbox', { name: new RegExp(`^${pair!.vethA}\\b`) });
    await vethA.waitFor();
    // The namespace's interfaces only: lo and the veth.
    assert.equal(await start.getByRole('checkbox').count(), 2, 'nsA has lo and vethA');

    await filter.fill(BAD_FILTER);
    await until('the bad filter marked invalid', () => filter.getAttribute('aria-invalid'), (v) => v === 'true');
    const libpcap = spawnSync('ip', ['netns', 'exec', pair!.nsA, 'tcpdump', '-d', '-i', pair!.vethA, BAD_FILTER], { encoding: 'utf8' });
    assert.notEqual(libpcap.status, 0);
    const message = /tcpdump: (.+)/.exec(libpcap.stderr)?.[1]?.trim();
    assert.ok(message, `tcpdump's message: ${libpcap.stderr}`);
    const status = await text(start.locator(`#${await filter.getAttribute('aria-describedby')}`));
    assert.ok(status.startsWith('✗') && status.includes(message), `the filter's status "${status}" carries libpcap's "${message}"`);
    assert.equal(await start.getByRole('button', { name: 'Start capture' }).isDisabled(), true, 'no Start with a bad filter');

    // A preset of our own: name and description, saved in XDG_CONFIG_HOME, listed after a reload.
    await filter.fill(`tcp port ${PORT}`);
    await until('the filter valid', () => filter.getAttribute('class'), (c) => /\bvalid\b/.test(c ?? ''));
    const valid = await text(start.locator(`#${await filter.getAttribute('aria-describedby')}`));
    const instructions = Number(/\((\d+) BPF instructions\)/.exec(valid)?.[1]);
    // libpcap compiles it the same for tcpdump (Ethernet): one instruction a line.
    const tcpdumpD = lines(execFileSync('ip', ['netns', 'exec', pair!.nsA, 'tcpdump', '-d', '-i', pair!.vethA, `tcp port ${PORT}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.equal(instructions, tcpdumpD.length, 'BPF instructions as tcpdump -d counts them');
    await start.getByRole('button', { name: 'Save as preset…' }).click();
    const form = start.getByRole('form', { name: 'Save as preset' });
    await form.getByRole('textbox', { name: 'Name' }).fill('e2e-web');
    await form.getByRole('textbox', { name: 'Description' }).fill('The test web server on 8080');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const ours = start.getByRole('button', { name: /^e2e-web\b/ });
    assert.equal(await ours.getAttribute('aria-pressed'), 'true');
    await page.reload();
    await vethA.waitFor();
    await ours.waitFor();
    assert.match(await text(ours), /e2e-web The test web server on 8080 tcp port 8080/);
    const presetsFile = fs.readdirSync(path.join(tmp, 'config'), { recursive: true }).map(String);
    assert.ok(presetsFile.some((f) => /preset/i.test(f)), `a presets file under XDG_CONFIG_HOME: ${presetsFile.join(', ')}`);

    // The built-in http preset: no filter, HTTP session tracking in the kernel, named.
    const http = start.getByRole('button', { name: /^http Plain HTTP/ });
    assert.match(await text(http), /\(no filter\) · in the kernel: HTTP session tracking$/);
    await http.click();
    assert.equal(await http.getAttribute('aria-pressed'), 'true');
    assert.equal(await filter.inputValue(), '');
    const statusId = await filter.getAttribute('aria-describedby');
    const presetStatus = await until('the preset applied', () => text(start.locator(`#${statusId}`)), (t) => t.includes('preset “http”'));
    assert.equal(presetStatus, 'No filter: the kernel stage below chooses the packets. — preset “http”');
    const stages = await text(start.getByRole('group', { name: 'Kernel stages' }));
    assert.match(stages, /^In the kernel: HTTP session tracking — TCP connections whose payload begins an HTTP\/1\.x request or response, on any port, from that packet until FIN from both sides or RST/);
    assert.match(stages, /From the preset “http”\. A capture filter combines with it\. Capture with the filter alone$/);

    await vethA.check();
    assert.equal(await start.getByRole('checkbox', { name: /^lo\b/ }).isChecked(), false);
    assert.equal(await start.getByRole('button', { name: 'Start capture' }).isDisabled(), false);
    await screenshots('1-start-page');
    mark('start page');
  });

  step('captures the HTTP connections on the veth, among other traffic, until the count stops growing; tcpdump captures everything', async () => {
    const p = pair!;
    await page.getByRole('button', { name: 'Start capture' }).click();
    await until('the capture running', captureState, (f) => /Capturing$/.test(f));
    // tcpdump on the same interface, with no filter, from before the traffic.
    const tcpdump = p.spawn(p.nsA, ['tcpdump', '-i', p.vethA, '-U', '--immediate-mode', '-s', '0', '-n', '-w', everything]);
    children.push(tcpdump);
    await waitForStderr(tcpdump, /listening on/);
    const tcpdumpDone = finished(tcpdump);

    // Traffic that is not HTTP, before, between and after the requests: ping, UDP, another TCP protocol.
    const notHttp = (): void => {
      const said = p.exec(p.nsA, ['python3', path.join(tmp, 'other-client.py'), p.ipB, String(OTHER_TCP_PORT), String(UDP_PORT)], 15_000);
      assert.match(said, /^\+OK sievecap line server \| ECHO HELLO from nsA$/m);
    };
    p.exec(p.nsA, ['ping', '-c', '2', '-i', '0.2', '-W', '2', p.ipB], 15_000);
    notHttp();
    for (const [k, r] of REQUESTS.entries()) {
      const curl = p.exec(p.nsA, ['curl', '-s', '--noproxy', '*', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', `http://${p.ipB}:${PORT}${r.path}`], 15_000);
      assert.equal(Number(curl), r.status, `curl ${r.path}`);
      if (k === 1) notHttp();
    }
    notHttp();
    p.exec(p.nsA, ['ping', '-c', '1', '-W', '2', p.ip6B], 15_000);
    // Until the status bar's count has not moved for 1.5 s.
    let last = -1;
    let since = Date.now();
    await until('the packet count to settle', async () => {
      const n = Number(/Packets: ([\d,]+)/.exec(await footer())?.[1]?.replace(/,/g, '') ?? -1);
      if (n !== last) {
        last = n;
        since = Date.now();
      }
      return n > 0 && Date.now() - since >= 1500;
    }, (settled) => settled);
    await page.getByRole('button', { name: 'Stop capturing' }).click();
    await until('the capture stopped', captureState, (f) => f === 'Capture stopped');
    tcpdump.kill('SIGINT');
    const done = await Promise.race([tcpdumpDone, sleep(5000).then(() => null)]);
    assert.ok(done, 'tcpdump stopped');
    assert.match(done.stderr, /^0 packets dropped by kernel$/m);

    // The reference: tcpdump's frames that the stage's rule keeps, by tshark's reading of them.
    const expected = httpSessionFrames(tcpFacts(everything));
    assert.ok(expected.length > 0, 'tcpdump saw HTTP connections');
    tshark(['-r', everything, '-Y', `frame.number in {${expected.join(', ')}}`, '-w', reference]);
    assert.equal(frameCount(reference), expected.length);
    mark('capture');
  });

  step('packet list, a packet\'s layers and bytes, a display filter and Save As match tshark', async () => {
    const refFrames = frameCount(reference);
    assert.equal(refFrames, tsharkFields(reference, 'tcp.port == 8080', ['frame.number']).length, 'the reference has only the test traffic');
    assert.ok(refFrames >= REQUESTS.length * 5, `a handful of packets per request (${refFrames})`);
    await until('the packet count', footer, (f) => f.includes(`Packets: ${count(refFrames)} `) && f.includes(`Displayed: ${count(refFrames)}`));
    const grid = packetList();
    assert.equal(await grid.getAttribute('aria-rowcount'), String(refFrames + 1), 'the packet list\'s rows (and its header)');

    // Save As pcapng: a download in serve mode, read back by tshark.
    await page.getByRole('menuitem', { name: 'File' }).click();
    await page.getByRole('menuitem', { name: /^Save As/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Save As' });
    assert.equal(await dialog.getByRole('radio', { name: /pcapng/ }).isChecked(), true);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), dialog.getByRole('button', { name: 'Download' }).click()]);
    assert.match(download.suggestedFilename(), /\.pcapng$/);
    saved = path.join(tmp, 'saved.pcapng');
    await download.saveAs(saved);
    assert.equal(fs.readFileSync(saved).readUInt32LE(0), 0x0a0d0d0a, 'a pcapng file');
    assert.equal(frameCount(saved), refFrames, 'the saved file\'s frames');
    // The captures go with the screenshots: what a failure here is about.
    fs.copyFileSync(everything, path.join(shots, 'everything-tcpdump.pcap'));
    fs.copyFileSync(reference, path.join(shots, 'reference-tcpdump-http-sessions.pcap'));
    fs.copyFileSync(saved, path.join(shots, 'saved-from-ui.pcapng'));
    // The same packets as tcpdump's: each frame's length, direction and TCP numbers, in order
    // within each direction (the two captures may interleave the directions differently when
    // packets cross on two CPUs).
    const identity = ['frame.len', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags'];
    const ours = tsharkFields(saved, null, identity).map((f) => f.join(' '));
    const theirs = tsharkFields(reference, null, identity).map((f) => f.join(' '));
    for (const from of [pair!.ipA, pair!.ipB]) {
      const side = (list: string[]): string[] => list.filter((l) => l.split(' ')[1] === from);
      assert.deepEqual(side(ours), side(theirs), `the packets from ${from}, in order`);
    }
    assert.deepEqual([...ours].sort(), [...theirs].sort());
    // Every HTTP request and response tshark finds in everything is in ours; none of the other traffic is.
    for (const what of ['http.request', 'http.response']) assert.equal(frameCount(saved, what), frameCount(everything, what), what);
    assert.equal(frameCount(everything, 'http.request'), REQUESTS.length);
    for (const other of ['icmp', 'icmpv6.type == 128 || icmpv6.type == 129', 'udp', `tcp.port == ${OTHER_TCP_PORT}`, 'arp']) {
      if (other !== 'arp') assert.ok(frameCount(everything, other) > 0, `tcpdump saw ${other}`);
      assert.equal(frameCount(saved, other), 0, `no ${other} in the UI's capture`);
    }
    assert.equal(frameCount(saved, `!(tcp.port == ${PORT})`), 0, 'only the web server\'s connections');
    // Each connection from its request on: no handshake, and the last ACK after both FINs left out.
    assert.equal(frameCount(saved, 'tcp.flags.syn == 1'), 0, 'no SYN: tracking begins at the request');
    assert.ok(frameCount(everything, 'tcp.flags.syn == 1 && tcp.port == ' + PORT) >= REQUESTS.length * 2);
    const lengths = (file: string): number[] => tsharkFields(file, null, ['frame.len']).map((f) => Number(f[0]));
    if (lengths(saved).join() !== lengths(reference).join()) console.log('# ui-e2e: the directions interleave differently in the two captures (frame.len lists equal as multisets)');

    // The JSON request: go to it (Ctrl+G), see its layers.
    const [jsonFrame] = tsharkFields(saved, 'http.request.uri == "/data.json"', ['frame.number']).map((f) => Number(f[0]));
    assert.ok(jsonFrame);
    await grid.focus();
    await page.keyboard.press('Control+g');
    await page.getByLabel(/Packet number/).fill(String(jsonFrame));
    await page.keyboard.press('Enter');
    const selected = grid.getByRole('row', { selected: true });
    await until('the JSON request selected', async () => (await selected.getByRole('gridcell').allInnerTexts()).map((c) => c.trim()), (cells) => cells[0] === String(jsonFrame));
    const cells = (await selected.getByRole('gridcell').allInnerTexts()).map((c) => c.trim());
    assert.equal(cells[2], pair!.ipA);
    assert.equal(cells[3], pair!.ipB);
    assert.equal(cells[4], 'HTTP');
    assert.match(cells[6]!, /GET \/data\.json HTTP\/1\.1/);
    const tree = page.getByRole('tree', { name: `Packet ${jsonFrame} details` });
    await tree.waitFor();
    const layers = (await tree.getByRole('treeitem', { level: 1 } as never).allInnerTexts()).map((l) => l.replace(/^[▸▾]/, '').trim());
    const layerPattern = [/^Frame \d+/, /^Ethernet II/, /^Internet Protocol Version 4/, /^Transmission Control Protocol/, /^Hypertext Transfer Protocol/];
    for (const re of layerPattern) assert.ok(layers.some((l) => re.test(l)), `a layer ${re} in ${JSON.stringify(layers)}`);

    const bytesTable = page.getByRole('table', { name: new RegExp(`^Bytes of packet ${jsonFrame},`) });
    const highlighted = (): Promise<number[]> =>
      bytesTable.evaluate((table: any) => [...table.querySelectorAll('td.hex span')].flatMap((b: any, i: number) => (b.classList.contains('hl') ? [i] : [])));
    const range = (pos: number, size: number): number[] => Array.from({ length: size }, (_, k) => pos + k);

    // ip.src: open the IPv4 layer, select Source Address; its bytes are PDML's pos/size.
    await tree.getByRole('treeitem', { name: /^Internet Protocol Version 4/ }).dblclick();
    const ipSrc = pdmlField(saved, jsonFrame, 'ip.src');
    assert.equal(ipSrc.show, pair!.ipA);
    await tree.getByRole('treeitem', { name: new RegExp(`^Source Address: ${pair!.ipA.replace(/\./g, '\\.')}`) }).click();
    assert.deepEqual(await until('ip.src highlighted', highlighted, (h) => h.length > 0), range(ipSrc.pos, ipSrc.size), 'ip.src bytes');

    // http.request.uri: open the HTTP layer (and its request line); select Request URI.
    const uri = pdmlField(saved, jsonFrame, 'http.request.uri');
    assert.equal(uri.show, '/data.json');
    await tree.getByRole('treeitem', { name: /^Hypertext Transfer Protocol/ }).dblclick();
    const requestLine = tree.getByRole('treeitem', { name: /^GET \/data\.json HTTP\/1\.1/ });
    if ((await requestLine.count()) > 0 && (await requestLine.getAttribute('aria-expanded')) === 'false') await requestLine.dblclick();
    const uriItem = tree.getByRole('treeitem', { name: /^Request URI: \/data\.json/ });
    await uriItem.click();
    assert.deepEqual(await until('http.request.uri highlighted', highlighted, (h) => h.length === uri.size), range(uri.pos, uri.size), 'http.request.uri bytes');
    await screenshots('2-packets-selected-bytes');
    mark('packet list, details, bytes, save');

    // The display filter http.request: as many as tshark displays; then cleared.
    const requests = frameCount(reference, 'http.request');
    assert.equal(requests, REQUESTS.length);
    const bar = page.getByRole('combobox', { name: 'Display filter' });
    await bar.fill('http.request');
    await bar.press('Enter');
    const percent = ((requests / refFrames) * 100).toFixed(1);
    await until('the display filter applied', footer, (f) => f.includes(`Displayed: ${count(requests)} (${percent}%)`));
    assert.equal(await grid.getAttribute('aria-rowcount'), String(requests + 1));
    const shown = await gridRows(grid);
    assert.deepEqual(shown.map((r) => /^GET (\S+) HTTP\/1\.1/.exec(r[6] ?? '')?.[1]), REQUESTS.map((r) => r.path));
    await screenshots('3-display-filter');
    await page.getByRole('button', { name: 'Clear the display filter' }).click();
    await until('the display filter cleared', footer, (f) => f.includes(`Displayed: ${count(refFrames)} Dropped`));
    assert.equal(await grid.getAttribute('aria-rowcount'), String(refFrames + 1));
    mark('display filter');
  });

  step('Sessions: the TCP conversations are tshark\'s conv,tcp', async () => {
    await page.getByRole('tab', { name: 'Sessions' }).click();
    const grid = page.getByRole('grid', { name: 'TCP conversations' });
    const expected = tsharkConversations(reference);
    assert.equal(expected.length, REQUESTS.length, 'one connection per curl');
    const rows = await until('the TCP conversations', () => gridRows(grid), (r) => r.length === expected.length);
    // Address A, Port A, Address B, Port B, Packets, Bytes, Packets A→B, Bytes A→B, Packets B→A, …
    const ours = rows.map((c) => ({ a: `${c[0]}:${c[1]}`, b: `${c[2]}:${c[3]}`, frames: Number(c[4]!.replace(/,/g, '')), aToB: Number(c[6]!.replace(/,/g, '')), bToA: Number(c[8]!.replace(/,/g, '')) }));
    assert.deepEqual(ours.map(normalised).sort(), expected.map(normalised).sort());
    for (const c of ours) assert.ok([c.a, c.b].includes(`${pair!.ipB}:${PORT}`), `${c.a} <-> ${c.b} is to the server`);
    await screenshots('4-sessions');
    mark('sessions');
  });

  step('HTTP: the transactions are what curl asked and tshark read; the JSON body and the PNG are previewed', async () => {
    await page.getByRole('tab', { name: 'HTTP', exact: true }).click();
    const grid = page.getByRole('grid', { name: 'HTTP transactions' });
    const rows = await until('the HTTP transactions', () => gridRows(grid), (r) => r.length === REQUESTS.length);
    // No., Method, Host, Path, Status, Content type, …
    const ours = rows.map((c) => `${c[1]} ${c[3]} ${c[4]!.split(' ')[0]}`);
    assert.deepEqual(ours, REQUESTS.map((r) => `GET ${r.path} ${r.status}`), 'what curl asked and got');
    // tshark: the requests and the responses, joined by stream.
    const codes = new Map(tsharkFields(reference, 'http.response', ['tcp.stream', 'http.response.code']).map(([s, c]) => [s, c]));
    const fromTshark = tsharkFields(reference, 'http.request', ['frame.number', 'tcp.stream', 'http.request.method', 'http.request.uri', 'http.host']);
    assert.deepEqual(ours, fromTshark.map(([, stream, method, uri]) => `${method} ${uri} ${codes.get(stream!)}`), 'what tshark reads');
    assert.deepEqual(rows.map((c) => Number(c[0])), fromTshark.map((f) => Number(f[0])), 'request frames');
    assert.deepEqual(rows.map((c) => c[2]), fromTshark.map((f) => f[4]), 'hosts');

    // The PNG: shown as an image of its real size.
    await grid.getByRole('row', { name: /\/logo\.png/ }).click();
    const image = page.getByRole('img', { name: 'Response body image (image/png)' });
    await image.waitFor();
    assert.deepEqual(await until('the PNG decoded', () => image.evaluate((img: any) => [img.naturalWidth, img.naturalHeight]), (s) => s[0] > 0), [PNG_SIZE, PNG_SIZE]);
    assert.match(await text(page.getByRole('region', { name: /^GET / })), new RegExp(`Response body: ${count(png.length)} bytes, image`));
    await screenshots('5-http-png');

    // The JSON: pretty-printed, the same object.
    await grid.getByRole('row', { name: /\/data\.json/ }).click();
    const preview = page.getByLabel('Response body preview');
    const json = await until('the JSON preview', () => preview.innerText(), (t) => t.includes('"sievecap"'));
    assert.deepEqual(JSON.parse(json), JSON_BODY);
    assert.ok(json.includes('\n  "name": "sievecap"'), 'pretty-printed');
    assert.match(await text(page.getByRole('heading', { level: 2, name: /^GET / })), new RegExp(`^GET ${pair!.ipB.replace(/\./g, '\\.')}:${PORT}/data\\.json 200 OK`));
    await screenshots('6-http-json');
    mark('http');
  });

  step('Follow TCP Stream: the JSON exchange, both directions, as tshark counts its bytes', async () => {
    await page.getByRole('tab', { name: 'Packets' }).click();
    const grid = packetList();
    const [jsonFrame] = tsharkFields(saved, 'http.request.uri == "/data.json"', ['frame.number']).map((f) => Number(f[0]));
    await grid.focus();
    await page.keyboard.press('Control+g');
    await page.getByLabel(/Packet number/).fill(String(jsonFrame));
    await page.keyboard.press('Enter');
    const selected = grid.getByRole('row', { selected: true });
    await until('the JSON request selected', async () => (await selected.getByRole('gridcell').first().innerText()).trim(), (n) => n === String(jsonFrame));
    await selected.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Follow TCP Stream' }).click();
    const stream = Number(tsharkFields(saved, `frame.number == ${jsonFrame}`, ['tcp.stream'])[0]![0]);
    const dialog = page.getByRole('dialog', { name: `Follow TCP Stream (tcp.stream eq ${stream})` });
    const content = dialog.getByLabel('Stream content');
    const body = JSON.stringify(JSON_BODY);
    const shown = await until('the stream text', () => content.innerText(), (t) => t.includes(body));
    assert.match(shown, /^GET \/data\.json HTTP\/1\.1\r?\n/);
    assert.match(shown, /HTTP\/1\.0 200 OK\r?\n[\s\S]*Content-type: application\/json/i);
    // Bytes per side: tshark's TCP payload lengths of the stream.
    let client = 0;
    let server = 0;
    for (const [src, len] of tsharkFields(saved, `tcp.stream == ${stream} && tcp.len > 0`, ['ip.src', 'tcp.len'])) {
      if (src === pair!.ipA) client += Number(len);
      else server += Number(len);
    }
    assert.match(await text(dialog), new RegExp(`client ${count(client)} bytes, server ${count(server)} bytes`));
    await screenshots('7-follow-stream');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    mark('follow stream');
    assert.deepEqual(pageErrors, [], 'the page threw nothing');
    assert.equal(serveErr.split('\n').filter((l) => /error|exception/i.test(l)).join('\n'), '', 'serve logged no error');
  });

  step('Statistics › Protocol Hierarchy, Endpoints and Conversations: tshark\'s -z io,phs, endpoints,ip|tcp and conv,ip on the saved file', async () => {
    const statistics = async (item: string): Promise<void> => {
      await page.getByRole('menuitem', { name: 'Statistics', exact: true }).click();
      await page.getByRole('menu', { name: 'Statistics' }).getByRole('menuitem', { name: item, exact: true }).click();
    };
    const counted = (cell: string): number => Number(cell.replace(/,/g, ''));
    const tables = tshark(['-r', saved, '-q', '-z', 'io,phs', '-z', 'endpoints,ip', '-z', 'endpoints,tcp', '-z', 'conv,ip']);
    const table = (title: string): string[] => {
      const all = lines(tables);
      const start = all.indexOf(title);
      assert.ok(start >= 0, `tshark printed ${title}`);
      const end = all.findIndex((l, k) => k > start && /^={60,}$/.test(l));
      return all.slice(start + 1, end);
    };

    // Protocol Hierarchy: every protocol with tshark's packets and bytes, in its place in the tree.
    await statistics('Protocol Hierarchy');
    const phs = page.getByRole('grid', { name: 'Protocol hierarchy' });
    const expectedPhs = table('Protocol Hierarchy Statistics').flatMap((l) => {
      const m = /^( *)(\S+) +frames:(\d+) bytes:(\d+)$/.exec(l);
      return m ? [`${m[2]} ${m[3]} ${m[4]}`] : [];
    });
    assert.ok(expectedPhs.some((l) => l.startsWith('http ')) && expectedPhs.some((l) => l.startsWith('tcp ')), expectedPhs.join('; '));
    // Protocol, Percent Packets, Packets, Percent Bytes, Bytes (its tooltip has the exact count), …
    const phsRows = await until('the protocol hierarchy', () => gridRows(phs), (r) => r.length > 0 && counted(r[0]![2]!) === frameCount(saved));
    const phsBytes = await phs.getByRole('row').filter({ has: page.getByRole('gridcell') }).evaluateAll((rows) => rows.map((r) => r.querySelectorAll('[role="gridcell"]')[4]!.getAttribute('title')!.replace(/[^\d]/g, '')));
    // The link, network, transport and HTTP levels and the PNG body as tshark counts them. (Not the
    // whole tree: under a valid JSON body tshark 4.0 lists no data-text-lines, while ours, the
    // CLI's -z io,phs too, always adds it; the corpus test compares whole trees.)
    const levels = ['eth', 'ip', 'tcp', 'http', 'png'];
    const ours = phsRows.map((r, k) => `${r[0]} ${counted(r[2]!)} ${phsBytes[k]}`);
    assert.deepEqual(ours.filter((l) => levels.includes(l.split(' ')[0]!)), expectedPhs.filter((l) => levels.includes(l.split(' ')[0]!)));
    assert.equal(phsRows[0]![1], '100.0%');
    await screenshots('9-protocol-hierarchy');

    // Endpoints: IPv4 (the default tab) and TCP, packets each way as tshark's.
    await statistics('Endpoints');
    const endpointRows = (lines: string[], ports: boolean): string[] => lines.filter((l) => /^\S+ +\d/.test(l)).map((l) => {
      const c = l.trim().split(/ +/);
      return ports ? `${c[0]} ${c[1]} ${c[2]} ${c[4]} ${c[6]}` : `${c[0]} ${c[1]} ${c[3]} ${c[5]}`;
    }).sort();
    const ipv4 = page.getByRole('grid', { name: 'IPv4 endpoints' });
    const expectedIp = endpointRows(table('IPv4 Endpoints'), false);
    // Address, Packets, Bytes, Tx Packets, Tx Bytes, Rx Packets, Rx Bytes
    const ipRows = await until('the IPv4 endpoints', () => gridRows(ipv4), (r) => r.length === expectedIp.length);
    assert.deepEqual(ipRows.map((r) => `${r[0]} ${counted(r[1]!)} ${counted(r[3]!)} ${counted(r[5]!)}`).sort(), expectedIp);
    await page.getByRole('tab', { name: /^TCP/ }).click();
    const tcp = page.getByRole('grid', { name: 'TCP endpoints' });
    const expectedTcp = endpointRows(table('TCP Endpoints'), true);
    const tcpRows = await until('the TCP endpoints', () => gridRows(tcp), (r) => r.length === expectedTcp.length);
    assert.deepEqual(tcpRows.map((r) => `${r[0]} ${r[1]} ${counted(r[2]!)} ${counted(r[4]!)} ${counted(r[6]!)}`).sort(), expectedTcp);
    await screenshots('10-endpoints');

    // Conversations (the Sessions tab's tables): IPv4 pairs as tshark's conv,ip.
    await statistics('Conversations');
    await page.getByRole('tab', { name: /^IPv4/ }).click();
    const convIp = page.getByRole('grid', { name: 'IPv4 conversations' });
    const expectedConv = table('IPv4 Conversations').flatMap((l) => {
      const m = /^(\S+) +<-> +(\S+) +(\d+) +\S+ +\S+ +(\d+) +\S+ +\S+ +(\d+) /.exec(l);
      return m ? [`${m[1]} ${m[2]} ${m[5]} ${m[4]} ${m[3]}`] : [];
    });
    assert.ok(expectedConv.length > 0, 'tshark found IPv4 conversations');
    // Address A, Address B, Packets, Bytes, Packets A→B, Bytes A→B, Packets B→A, …
    const convRows = await until('the IPv4 conversations', () => gridRows(convIp), (r) => r.length === expectedConv.length);
    assert.deepEqual(convRows.map((r) => `${r[0]} ${r[1]} ${counted(r[2]!)} ${counted(r[4]!)} ${counted(r[6]!)}`).sort(), expectedConv.sort());
    mark('statistics views');
    assert.deepEqual(pageErrors, [], 'the page threw nothing');
  });

  step('Statistics › I/O Graph and HTTP: tshark\'s -z io,stat,0.1,,tcp.analysis.flags interval by interval, a click goes to the interval\'s first packet; requests per host, status codes and the slowest http.time as tshark\'s', async () => {
    const started = Date.now();
    const statistics = async (item: string): Promise<void> => {
      await page.getByRole('menuitem', { name: 'Statistics', exact: true }).click();
      await page.getByRole('menu', { name: 'Statistics' }).getByRole('menuitem', { name: item, exact: true }).click();
    };
    const counted = (cell: string): number => Number(cell.replace(/,/g, ''));
    // tshark's table: per interval, [frames, bytes] of each column (every frame; TCP errors).
    const ioRows = lines(tshark(['-r', saved, '-q', '-z', 'io,stat,0.1,,tcp.analysis.flags'])).filter((l) => /^\|\s*[\d.]+ <> /.test(l)).map((l) => l.split('|').slice(2).map((c) => c.trim()).filter((c) => c !== '').map(Number));
    assert.ok(ioRows.length > 2, 'tshark counted intervals');

    // The default graphs (All packets, TCP errors, All bytes) per 100 ms, as a table of values.
    await statistics('I/O Graph');
    const panel = page.getByRole('tabpanel', { name: 'I/O Graph' });
    await panel.getByRole('combobox', { name: 'Interval' }).selectOption('0.1');
    await panel.getByRole('figure', { name: /^I\/O graph: All packets, TCP errors, All bytes per 100 ms/ }).waitFor();
    await panel.getByText('Values per interval').click();
    const values = panel.getByRole('table', { name: 'I/O graph values' });
    const valueRows = await until('the I/O graph values', () => values.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent!.trim()))), (r) => r.length === ioRows.length);
    assert.deepEqual(valueRows.map((r) => r.slice(1).map(Number)), ioRows.map(([frames, bytes, errors]) => [frames!, errors!, bytes!]));
    assert.deepEqual(valueRows.map((r) => Number(r[0])), ioRows.map((_, k) => Number((k * 0.1).toFixed(6))));
    await panel.getByText('Values per interval').click();
    await screenshots('11-io-graph');

    // Only All packets drawn: a click in the middle of an interval goes to its first packet (or to that
    // of the nearest interval that has one), in the packet list.
    for (const name of ['TCP errors', 'All bytes']) await panel.getByRole('checkbox', { name: `Show ${name}` }).uncheck();
    const chart = panel.getByRole('figure', { name: /^I\/O graph: All packets per 100 ms/ });
    await chart.waitFor();
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    const row = Math.floor(ioRows.length / 2);
    await over.click({ position: { x: (box.width * (row + 0.5)) / ioRows.length, y: box.height / 2 } });
    const firsts = new Array<number>(ioRows.length).fill(0);
    for (const [frame, rel] of tsharkFields(saved, null, ['frame.number', 'frame.time_relative'])) {
      const k = Math.floor(Math.round(Number(rel) * 1e6) / 100_000);
      if (k < firsts.length && firsts[k] === 0) firsts[k] = Number(frame);
    }
    const expected = [...firsts.keys()].map((d) => firsts[row + d] || (row - d >= 0 ? firsts[row - d] : 0)).find((f) => f);
    assert.ok(expected, 'tshark has packets');
    const selected = packetList().getByRole('row', { selected: true });
    await until(`packet ${expected} selected`, async () => (await selected.getByRole('gridcell').first().innerText()).trim(), (n) => n === String(expected));

    // HTTP: requests per host (http_req,tree), responses by status code (http,tree), the slowest http.time.
    const trees = tshark(['-r', saved, '-Y', 'http.time', '-T', 'fields', '-e', 'http.time', '-z', 'http_req,tree', '-z', 'http,tree']);
    const tree = (title: string): Array<[number, string, number]> => {
      const all = trees.split('\n');
      const start = all.indexOf(title);
      assert.ok(start >= 0, `tshark printed ${title}`);
      const countAt = all[start + 1]!.indexOf('Count');
      const out: Array<[number, string, number]> = [];
      for (const line of all.slice(start + 3)) {
        if (line === '' || /^-+$/.test(line)) break;
        const name = line.slice(0, countAt).trimEnd();
        out.push([name.length - name.trimStart().length, name.trim(), Number.parseInt(line.slice(countAt), 10)]);
      }
      return out;
    };
    await statistics('HTTP');
    const http = page.getByRole('tabpanel', { name: 'HTTP Statistics' });
    const hosts = http.getByRole('table', { name: 'Requests per host' });
    const expectedHosts = tree('HTTP/Requests:').filter(([depth]) => depth === 1).map(([, name, n]) => `${name} ${n}`);
    assert.ok(expectedHosts.length > 0, 'tshark counted requests per host');
    const hostRows = await until('the hosts', () => hosts.locator('tbody tr.host').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent!.trim()))), (r) => r.length === expectedHosts.length);
    assert.deepEqual(hostRows.map((r) => `${r[0]!.replace(/^[▸▾]\s*/, '')} ${counted(r[1]!)}`), expectedHosts);
    const expectedCodes = tree('HTTP/Packet Counter:').filter(([depth, , n]) => depth === 3 && n > 0).map(([, name, n]) => `${name} ${n}`).sort();
    const codes = http.getByRole('table', { name: 'Responses by status code' });
    const codeRows = await until('the status codes', () => codes.locator('tbody tr.code').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent!.trim()))), (r) => r.length === expectedCodes.length);
    assert.deepEqual(codeRows.map((r) => `${r[0]} ${counted(r[1]!)}`).sort(), expectedCodes);
    const slowest = Math.max(...lines(trees).filter((l) => /^[\d.]+$/.test(l)).map(Number));
    const first = http.getByRole('table', { name: 'Slowest transactions' }).locator('tbody tr td[data-seconds]').first();
    assert.ok(Math.abs(Number(await first.getAttribute('data-seconds')) - slowest) < 1e-6, `the slowest is tshark's largest http.time, ${slowest} s`);
    await screenshots('12-http-statistics', { fullPage: true });
    timings.push(`I/O graph and HTTP statistics step: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    mark('I/O graph and HTTP statistics');
    assert.deepEqual(pageErrors, [], 'the page threw nothing');
  });

  step('Statistics while capturing: live counters and traffic mix; a watchlist rule added and counting; Apply to running capture swaps the filter; Decode As while capturing', async () => {
    const p = pair!;
    // A new capture of ICMP on the veth (the one before is replaced: the page's confirm is accepted).
    await page.getByRole('button', { name: 'Capture options' }).click();
    const start = page.getByRole('main', { name: 'Start' });
    await start.getByRole('checkbox', { name: new RegExp(`^${p.vethA}\\b`) }).check();
    const filter = start.getByRole('textbox', { name: /^Capture filter/ });
    await filter.fill('icmp');
    await until('the filter valid', () => filter.getAttribute('class'), (c) => /\bvalid\b/.test(c ?? ''));
    assert.equal(await start.getByRole('switch', { name: /Count the traffic mix/ }).isChecked(), true, 'the traffic mix is on by default');
    await start.getByRole('button', { name: 'Start capture' }).click();
    await until('the capture running', captureState, (f) => /Capturing$/.test(f));
    await page.keyboard.press('Control+Shift+K');
    const panel = page.getByRole('tabpanel', { name: 'Statistics' });
    await panel.getByRole('region', { name: `Counters of ${p.vethA}` }).waitFor();

    // 5 pings: 10 ICMP packets, counted live in the mix and accepted by the filter.
    p.exec(p.nsA, ['ping', '-c', '5', '-i', '0.2', '-W', '2', p.ipB], 15_000);
    const protocols = panel.getByRole('table', { name: `IP protocols on ${p.vethA}` });
    const icmpRow = async (): Promise<string> => (await protocols.getByRole('row', { name: /^ICMP 1 / }).count()) ? text(protocols.getByRole('row', { name: /^ICMP 1 / })) : '';
    assert.match(await until('ICMP in the traffic mix', icmpRow, (r) => /^ICMP 1 10 /.test(r)), /^ICMP 1 10 980 B /);
    assert.match(await text(panel.getByRole('table', { name: `Ethertypes on ${p.vethA}` })), /IPv4 0x0800 \d+/);
    const counters = panel.getByRole('region', { name: `Counters of ${p.vethA}` });
    await until('10 accepted', () => text(counters), (t) => /Accepted 10 \(/.test(t));

    // A watchlist rule added while it runs (the program gets the stage); a bad prefix is refused with its reason.
    await panel.getByRole('textbox', { name: 'Rule' }).fill('peer');
    await panel.getByRole('textbox', { name: 'First prefix' }).fill(p.ipB);
    await panel.getByRole('button', { name: 'Add rule' }).click();
    const rules = panel.getByRole('table', { name: 'Watchlist rules' });
    await rules.waitFor();
    p.exec(p.nsA, ['ping', '-c', '3', '-i', '0.2', '-W', '2', p.ipB], 15_000);
    await until('the rule counting 6', () => text(rules.getByRole('row', { name: /^peer / })), (r) => new RegExp(`^peer ${p.ipB.replace(/\./g, '\\.')} .*\\b6 588 B Remove rule$`).test(r));
    await panel.getByRole('textbox', { name: 'Prefix to add to peer' }).fill('10.0.0.300');
    await panel.getByRole('form', { name: 'Add a prefix to peer' }).getByRole('button', { name: 'Add' }).click();
    assert.match(await until('the refusal', () => text(panel.getByRole('alert')), (t) => t.length > 0), /rule “peer”: '10\.0\.0\.300': an IPv4 address has four numbers from 0 to 255/);
    await screenshots('8-statistics', { fullPage: true });

    // Another filter for the running capture: a bad one shows libpcap's message, then UDP is applied.
    await panel.getByRole('button', { name: 'Change filter or preset…' }).click();
    assert.equal(await filter.inputValue(), 'icmp', 'the page starts from the running capture');
    await filter.fill(BAD_FILTER);
    await until('the bad filter marked invalid', () => filter.getAttribute('aria-invalid'), (v) => v === 'true');
    const apply = start.getByRole('button', { name: 'Apply to running capture' });
    assert.equal(await apply.isDisabled(), true, 'no Apply with a bad filter');
    await filter.fill('udp');
    await until('the filter valid', () => filter.getAttribute('class'), (c) => /\bvalid\b/.test(c ?? ''));
    await apply.click();
    await page.getByRole('status').filter({ hasText: 'Applied to the running capture' }).waitFor();
    assert.match(await captureState(), /Capturing$/, 'the capture kept running');
    // Pings no longer pass; 4 datagrams to the peer do (and the new program's rule counts them afresh).
    p.exec(p.nsA, ['ping', '-c', '2', '-i', '0.2', '-W', '2', p.ipB], 15_000);
    p.exec(p.nsA, ['python3', '-c', `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(4): s.sendto(b'after the swap %d' % i, ('${p.ipB}', ${UDP_PORT}))`]);
    await page.keyboard.press('Control+Shift+K');
    await until('the rule counting 4 after the swap', () => text(rules.getByRole('row', { name: /^peer / })), (r) => / 4 \d+ B Remove rule$/.test(r));
    assert.match(await text(panel.getByRole('region', { name: 'Capture', exact: true })), /Capture filter udp In the kernel/);
    await until('20 packets', footer, (f) => f.includes('Packets: 20 '));
    // The protocol hierarchy counts while the capture runs: 8 pings' ICMP and the 4 datagrams.
    await page.getByRole('menuitem', { name: 'Statistics', exact: true }).click();
    await page.getByRole('menu', { name: 'Statistics' }).getByRole('menuitem', { name: 'Protocol Hierarchy', exact: true }).click();
    const live = page.getByRole('grid', { name: 'Protocol hierarchy' });
    const liveRows = await until('the live hierarchy', () => gridRows(live), (r) => r.some((c) => c[0] === 'udp' && c[2] === '4'));
    assert.deepEqual(liveRows.filter((c) => ['eth', 'ip', 'icmp', 'udp'].includes(c[0]!)).map((c) => `${c[0]} ${c[2]}`), ['eth 20', 'ip 20', 'icmp 16', 'udp 4']);
    assert.match(await captureState(), /Capturing$/, 'counted while capturing');

    // Analyze › Decode As while capturing (Wireshark dissects the packets captured again): the
    // datagrams to UDP_PORT read as syslog instead of MDNS, and so do those captured afterwards;
    // the rows equal tshark -d on the capture saved afterwards.
    await page.getByRole('tab', { name: 'Packets' }).click();
    const displayFilter = page.getByRole('combobox', { name: 'Display filter' });
    await displayFilter.fill('udp');
    await displayFilter.press('Enter');
    const datagrams = async (): Promise<string[][]> => (await gridRows(packetList())).map((c) => [c[4]!, c[6]!]);
    await until('the datagrams as MDNS', datagrams, (r) => r.length === 4 && r.every((c) => c[0] === 'MDNS'));
    await page.getByRole('menuitem', { name: 'Analyze' }).click();
    await page.getByRole('menuitem', { name: /^Decode As/ }).click();
    await page.getByLabel('Rule 1: transport').selectOption('udp');
    await page.getByLabel('Rule 1: port').fill(String(UDP_PORT));
    await page.getByLabel('Rule 1: protocol').fill('syslog');
    await page.getByRole('button', { name: 'OK' }).click();
    await until('the datagrams dissected again as syslog', datagrams, (r) => r.length === 4 && r.every((c) => c[0] === 'Syslog'));
    p.exec(p.nsA, ['python3', '-c', `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(2): s.sendto(b'after the rule %d' % i, ('${p.ipB}', ${UDP_PORT}))`]);
    const decoded = await until('the datagrams captured afterwards as syslog', datagrams, (r) => r.length === 6 && r.every((c) => c[0] === 'Syslog'));
    assert.match(await captureState(), /Capturing$/, 'the capture kept running');
    await page.getByRole('button', { name: 'Stop capturing' }).click();
    await until('the capture stopped', captureState, (f) => f === 'Capture stopped');
    await page.getByRole('menuitem', { name: 'File' }).click();
    await page.getByRole('menuitem', { name: /^Save As/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.getByRole('dialog', { name: 'Save As' }).getByRole('button', { name: 'Download' }).click()]);
    const decodedFile = path.join(tmp, 'decode-as-live.pcapng');
    await download.saveAs(decodedFile);
    const theirs = lines(tshark(['-r', decodedFile, '-d', `udp.port==${UDP_PORT},syslog`, '-Y', 'udp', '-T', 'fields', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'])).map((l) => l.split('\t').map((t) => t.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(decoded, theirs, 'the rows as tshark -d udp.port==5353,syslog');
    mark('statistics and live changes');
    assert.deepEqual(pageErrors, [], 'the page threw nothing');
    assert.equal(serveErr.split('\n').filter((l) => /error|exception/i.test(l)).join('\n'), '', 'serve logged no error');
  });
});
