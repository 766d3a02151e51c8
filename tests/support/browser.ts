/**
 * Debian's Chromium driven by playwright-core, for the UI's end-to-end tests against `sievecap
 * serve`. Chromium runs headless with the flags this machine's closed network needs; given a
 * network namespace it runs inside it (through a wrapper script: playwright talks to it over a
 * pipe, so only its own connections, to the server on that namespace's 127.0.0.1, are affected).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.SIEVECAP_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here (no Chromium), or null. */
export function chromiumMissing(): string | null {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SIEVECAP_CHROMIUM)`;
  }
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(options: { netns?: string } = {}): Promise<LaunchedBrowser> {
  // Loaded here so that unit-test runs without playwright-core installed can still load this file.
  const { chromium } = await import('playwright-core');
  let executablePath = CHROMIUM;
  let wrapperDir: string | null = null;
  if (options.netns) {
    if (!/^[A-Za-z0-9_-]+$/.test(options.netns)) throw new Error(`bad namespace name ${options.netns}`);
    wrapperDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-chromium-'));
    executablePath = path.join(wrapperDir, 'chromium');
    fs.writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${options.netns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  }
  // playwright gives the browser a fresh profile directory of its own, removed on close.
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      if (wrapperDir) fs.rmSync(wrapperDir, { recursive: true, force: true });
    },
  };
}

/** Where screenshots of the UI go (kept as the test run's artifacts): SIEVECAP_ARTIFACTS, else test-artifacts/ui in the checkout. */
export function artifactDir(name: string): string {
  const base = process.env.SIEVECAP_ARTIFACTS || path.resolve(__dirname, '../../../test-artifacts');
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
