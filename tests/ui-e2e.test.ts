/**
 * The UI end to end, as a user drives it: Debian's Chromium (playwright-core) against `sievecap
 * serve` with the real engine and the real capture helper, both inside a network namespace of
 * the test's own (nsA, joined by a veth to nsB). On the start page the test checks a bad capture
 * filter (libpcap's message, as tcpdump prints it), saves a preset of its own (still listed after
 * a reload), picks the built-in `http` preset and the veth, and starts a capture; a python3
 * http.server in nsB answers a fixed list of curl requests from nsA while tcpdump, on the same
 * veth with the same filter, writes the reference capture. Then, against what tshark says of
 * that reference (and of the file the UI downloads): the packet list's count, a packet's layers
 * and the bytes a field highlights (PDML's pos/size), a display filter's count, the Sessions
 * tab's TCP conversations (conv,tcp), the HTTP tab's transactions and a JSON body, Follow TCP
 * Stream, and Save As pcapng. Screenshots of every view in light and dark, and both captures, go
 * to test-artifacts/ui (SIEVECAP_ARTIFACTS to move them).
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
/** The built-in preset the capture uses (app/presets/builtin.ts): the same filter goes to tcpdump. */
const HTTP_PRESET = 'tcp port 80 or tcp port 8080 or tcp port 8000';
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

/** Cells of a grid's body rows (rows with gridcells; the header row has columnheaders). */
async function gridRows(grid: Locator): Promise<string[][]> {
  const rows = grid.getByRole('row');
  const out: string[][] = [];
  for (const row of await rows.all()) {
    const cells = await row.getByRole('gridcell').allInnerTexts();
    if (cells.length) out.push(cells.map((c) => c.trim()));
  }
  return out;
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

  step('start page: a bad capture filter shows libpcap\'s message; a preset of ours outlives a reload; the built-in http preset fills the filter', async () => {
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

    // The built-in http preset: fills the filter, checked valid, named.
    await start.getByRole('button', { name: /^http Plain HTTP/ }).click();
    assert.equal(await filter.inputValue(), HTTP_PRESET);
    await until('the preset filter valid', () => filter.getAttribute('class'), (c) => /\bvalid\b/.test(c ?? ''));
    const valid = await text(start.locator(`#${await filter.getAttribute('aria-describedby')}`));
    const instructions = Number(/\((\d+) BPF instructions\)/.exec(valid)?.[1]);
    assert.match(valid, /^✓ Valid filter \(\d+ BPF instructions\) — preset “http”$/);
    // libpcap compiles it the same for tcpdump (Ethernet): one instruction a line.
    const tcpdumpD = lines(execFileSync('ip', ['netns', 'exec', pair!.nsA, 'tcpdump', '-d', '-i', pair!.vethA, HTTP_PRESET], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.equal(instructions, tcpdumpD.length, 'BPF instructions as tcpdump -d counts them');

    await vethA.check();
    assert.equal(await start.getByRole('checkbox', { name: /^lo\b/ }).isChecked(), false);
    await screenshots('1-start-page');
    mark('start page');
  });

  step('captures the HTTP traffic on the veth until the count stops growing, as tcpdump does', async () => {
    const p = pair!;
    await page.getByRole('button', { name: 'Start capture' }).click();
    await until('the capture running', captureState, (f) => /Capturing$/.test(f));
    // The reference: tcpdump on the same interface, with the same filter, from before the traffic.
    const tcpdump = p.spawn(p.nsA, ['tcpdump', '-i', p.vethA, '-U', '--immediate-mode', '-s', '0', '-n', '-w', reference, HTTP_PRESET]);
    children.push(tcpdump);
    await waitForStderr(tcpdump, /listening on/);
    const tcpdumpDone = finished(tcpdump);

    for (const r of REQUESTS) {
      const curl = p.exec(p.nsA, ['curl', '-s', '--noproxy', '*', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', `http://${p.ipB}:${PORT}${r.path}`], 15_000);
      assert.equal(Number(curl), r.status, `curl ${r.path}`);
    }
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
    mark('capture');
  });

  step('packet list, a packet\'s layers and bytes, a display filter and Save As match tshark', async () => {
    const refFrames = frameCount(reference);
    assert.equal(refFrames, tsharkFields(reference, 'tcp.port == 8080', ['frame.number']).length, 'the reference has only the test traffic');
    assert.ok(refFrames >= REQUESTS.length * 8, `a handful of packets per request (${refFrames})`);
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
    // Both captures go with the screenshots: what a failure here is about.
    fs.copyFileSync(reference, path.join(shots, 'reference-tcpdump.pcap'));
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
    await page.getByRole('tab', { name: 'HTTP' }).click();
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
});
