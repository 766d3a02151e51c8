// @vitest-environment node
/**
 * The window in a real browser against `sievecap serve` (the same engine and protocol as the
 * desktop app): Debian's Chromium driven by playwright-core, on a capture the engine's test-traffic
 * helper writes. Opens a file through the Open dialog, filters, sorts, walks the packet list and the
 * details tree with the keyboard, checks field ↔ byte highlighting, downloads the displayed packets,
 * toggles the theme. A live capture on lo when this process may capture (root).
 *
 * Needs the builds (`npm run build`: dist/app and dist/renderer) and Chromium (SIEVECAP_CHROMIUM,
 * default /usr/bin/chromium); without them it is skipped, saying why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'dist/app/cli/main.js');
const rendererDir = path.join(root, 'dist/renderer');
const chromiumPath = process.env.SIEVECAP_CHROMIUM ?? '/usr/bin/chromium';
const missing = [cli, path.join(rendererDir, 'index.html'), chromiumPath].filter((p) => !fs.existsSync(p));
if (missing.length) console.warn(`renderer e2e skipped: missing ${missing.join(', ')} (run npm run build; install chromium)`);
// Live capture needs root here; `run-tests.js --unit` asks for none (SIEVECAP_NO_LIVE_CAPTURE).
const canCapture = process.getuid?.() === 0 && !process.env.SIEVECAP_NO_LIVE_CAPTURE;

let dir = '';
let server: ChildProcess | null = null;
let url = '';
let browser: Browser | null = null;

async function startServe(): Promise<string> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    env: { ...process.env, SIEVECAP_RENDERER_DIR: rendererDir, XDG_CONFIG_HOME: path.join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sievecap serve printed no URL in 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`sievecap serve exited (${code}): ${err}`)));
  });
}

async function newPage(colorScheme: 'light' | 'dark'): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 }, colorScheme, acceptDownloads: true });
  page.on('pageerror', (e) => {
    throw new Error(`the page threw: ${e.message}`);
  });
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  return page;
}

const footer = async (page: Page): Promise<string> => (await page.locator('footer').innerText()).replace(/\s+/g, ' ');

describe.skipIf(missing.length > 0)('the window in Chromium over sievecap serve', () => {
  let capture = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-renderer-e2e-'));
    capture = path.join(dir, 'sample.pcapng');
    const traffic = (await import(/* @vite-ignore */ path.join(root, 'app/engine/service/test-traffic.ts'))) as {
      sampleTraffic(o: { connections: number; dnsQueries?: number; pings?: number }): unknown[];
      writeCapture(file: string, frames: unknown[], format?: 'pcap' | 'pcapng'): void;
    };
    // 300 HTTP exchanges, 40 DNS pairs, 20 ping pairs: 3,120 frames.
    traffic.writeCapture(capture, traffic.sampleTraffic({ connections: 300, dnsQueries: 40, pings: 20 }), 'pcapng');
    url = await startServe();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('open, filter, sort, keyboard, details ↔ bytes, export', async () => {
    const page = await newPage('light');
    // No session yet: the start page, and the in-page menu bar (no desktop bridge).
    await expect.poll(() => page.getByRole('menubar', { name: 'Main menu' }).count()).toBe(1);
    await page.getByRole('menuitem', { name: 'File' }).click();
    await page.getByRole('menuitem', { name: /^Open/ }).click();
    await page.getByLabel('Path on the machine running Sievecap').fill(capture);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => footer(page)).toContain('Packets: 3,120');
    expect(await page.title()).toBe('sample.pcapng — Sievecap');

    const grid = page.getByRole('grid', { name: 'Packet list' });
    // Virtual scrolling: a few dozen rows in the DOM for 3,120 packets.
    expect(await grid.locator('.layer [role=row]').count()).toBeLessThan(80);
    await grid.focus();
    await page.keyboard.press('End');
    await expect.poll(() => grid.locator('[aria-selected=true] [role=gridcell]').first().innerText()).toBe('3120');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => grid.locator('[aria-selected=true] [role=gridcell]').first().innerText()).toBe('2');

    // Details: the tree with the keyboard; the selected field's bytes are highlighted.
    const tree = page.getByRole('tree');
    await expect.poll(() => tree.getAttribute('aria-label')).toBe('Packet 2 details');
    await tree.focus();
    // Frame, then Ethernet II: open it, and down to its first field.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[role=treeitem][aria-selected=true]').innerText()).toMatch(/Ethernet II, Src/);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[role=treeitem][aria-selected=true]').innerText()).toMatch(/Destination/);
    expect(await page.locator('.hex .hl').allInnerTexts()).toEqual(['02', '00', '00', '00', '00', '01']);
    // A click on a byte of the IP source address selects ip.src.
    await page.locator('.hex .b').nth(27).click();
    await expect.poll(() => page.locator('[role=treeitem][aria-selected=true]').innerText()).toMatch(/Source Address/);

    // The field's context menu: Prepare as Filter puts it in the bar (checked, not applied).
    await tree.focus();
    await page.keyboard.press('Shift+F10');
    await page.getByRole('menuitem', { name: 'Prepare as Filter' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Display filter' }).inputValue()).toBe('ip.src == 10.0.0.2');

    // The packet's context menu: Follow TCP Stream shows both directions of the exchange.
    await grid.locator('.layer [role=row]').nth(4).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Follow TCP Stream' }).click();
    const follow = page.getByRole('dialog', { name: /Follow TCP Stream/ });
    await expect.poll(() => follow.innerText()).toMatch(/GET \/item\/0 HTTP\/1\.1[\s\S]*HTTP\/1\.1 200 OK/);
    await page.keyboard.press('Escape');
    await expect.poll(() => follow.count()).toBe(0);

    // The display filter: red while invalid, green when valid, applied with Enter.
    await page.keyboard.press('Control+/');
    await page.keyboard.type('dns.qry.name ==');
    const filter = page.getByRole('combobox', { name: 'Display filter' });
    await expect.poll(() => filter.getAttribute('aria-invalid')).toBe('true');
    await filter.fill('dns || icmp');
    await filter.dispatchEvent('input');
    await expect.poll(() => filter.getAttribute('class')).toMatch(/\bvalid\b/);
    await page.keyboard.press('Enter');
    await expect.poll(() => footer(page)).toContain('Displayed: 120 (3.8%)');
    await expect.poll(() => grid.locator('.layer [role=row].row-dns').count()).toBeGreaterThan(5);

    // Sort by Protocol, descending on a second click.
    await page.getByRole('button', { name: 'Sort by Protocol' }).click();
    await page.getByRole('button', { name: 'Sort by Protocol' }).click();
    await expect.poll(() => grid.locator('[role=columnheader][aria-sort=descending]').innerText()).toMatch(/Protocol/);
    await expect.poll(() => grid.locator('.layer [role=row] [role=gridcell]:nth-child(5)').first().innerText()).toBe('ICMP');

    // Export Specified Packets: the displayed ones, downloaded.
    await page.getByRole('menuitem', { name: 'File' }).click();
    await page.getByRole('menuitem', { name: /Export Specified/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('sample-filtered.pcapng');
    const saved = path.join(dir, 'export.pcapng');
    await download.saveAs(saved);
    expect(fs.statSync(saved).size).toBeGreaterThan(120 * 60);

    // Escape clears the filter: every packet again.
    await filter.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => footer(page)).toContain('Displayed: 3,120');

    // Go to packet (Ctrl+G).
    await page.keyboard.press('Control+g');
    await page.getByLabel(/Packet number/).fill('1234');
    await page.keyboard.press('Enter');
    await expect.poll(() => grid.locator('[aria-selected=true] [role=gridcell]').first().innerText()).toBe('1234');

    // A file of this browser's machine: uploaded (POST /upload), then opened.
    const small = path.join(dir, 'upload me.pcap');
    fs.copyFileSync(capture, small);
    await page.keyboard.press('Control+o');
    await page.locator('input[type=file]').setInputFiles(small);
    // The name shows while the file is sent ("Uploading upload me.pcap") and while it loads
    // ("Loading upload me.pcap … Opening … 62%"), and the file before it had as many packets:
    // wait until the upload has finished loading.
    await expect
      .poll(async () => {
        const text = await footer(page);
        return text.includes('upload me.pcap') && !/Uploading|Loading|Opening/.test(text) ? text : 'still loading';
      }, { timeout: 30_000 })
      .toContain('Packets: 3,120');

    // A file that is not a capture: a banner, and the packets shown stay.
    await page.keyboard.press('Control+o');
    await page.getByLabel('Path on the machine running Sievecap').fill(path.join(root, 'package.json'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toMatch(/Not a capture file/);
    expect(await footer(page)).toContain('Packets: 3,120');
    await page.close();
  });

  test('the theme follows the system, and the View menu overrides it', async () => {
    const page = await newPage('dark');
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect.poll(background).toBe('rgb(30, 31, 34)');
    await page.getByRole('menuitem', { name: 'View' }).click();
    await page.getByRole('menuitemradio', { name: 'Theme: Light' }).click();
    await expect.poll(background).toBe('rgb(255, 255, 255)');
    expect(await page.evaluate(() => localStorage.getItem('sievecap.theme'))).toBe('light');
    await page.reload();
    await expect.poll(background).toBe('rgb(255, 255, 255)');
    await page.getByRole('menuitem', { name: 'View' }).click();
    await page.getByRole('menuitemradio', { name: 'Theme: System' }).click();
    await expect.poll(background).toBe('rgb(30, 31, 34)');
    await page.close();
  });

  test.skipIf(!canCapture)('a live capture on lo: follows new packets, stops with Ctrl+E', async () => {
    // Traffic of our own on lo: a little HTTP server and a client asking it every 50 ms.
    const web = http.createServer((_req, res) => res.end('hello\n'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const port = (web.address() as { port: number }).port;
    const client = setInterval(() => http.get(`http://127.0.0.1:${port}/`, (res) => res.resume()).on('error', () => undefined), 50);
    try {
      const page = await newPage('light');
      // Connected (the page shows the session the engine holds), then Capture Options.
      await expect.poll(() => footer(page)).toMatch(/Loaded|Ready/);
      await page.keyboard.press('Control+k');
      await page.getByRole('checkbox', { name: /^lo\b/ }).check();
      await page.getByRole('button', { name: /Start capture/ }).click();
      await expect.poll(() => footer(page), { timeout: 15_000 }).toMatch(/Capturing.*Packets: [1-9]/);
      const grid = page.getByRole('grid', { name: 'Packet list' });
      // Following: the last row drawn is the newest packet.
      await expect
        .poll(async () => {
          const gap = await grid.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
          const shown = Number(await grid.locator('.layer [role=row] [role=gridcell]:first-child').last().innerText());
          const total = Number(/Packets: ([\d,]+)/.exec(await footer(page))![1]!.replace(/,/g, ''));
          return gap <= 11 && shown >= total - 40;
        }, { timeout: 10_000 })
        .toBe(true);
      await page.keyboard.press('Control+e');
      await expect.poll(() => footer(page), { timeout: 10_000 }).toContain('Capture stopped');
      expect(await page.title()).toMatch(/^• Capture on lo/);
      await page.close();
    } finally {
      clearInterval(client);
      web.close();
    }
  });
});
