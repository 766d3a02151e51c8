/**
 * The renderer's build (dist/renderer) and its unit tests (vitest). `base: './'` makes every asset
 * URL relative, so the same build loads from Electron's app:// origin (app/main) and from `sievecap serve`.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  // Vite's caches go with the project's node_modules, not into renderer/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/renderer', import.meta.url)),
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: keep assets as files (the CSP allows no inline scripts).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  // Svelte's browser build for components under test, not its server build.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    root: here,
    // src/: unit tests (happy-dom; rpc.test.ts runs the real engine). e2e/: the window in Chromium over sievecap serve.
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    environment: 'happy-dom',
    testTimeout: 60_000,
    // rpc.test.ts's beforeAll transforms the whole engine and writes captures of 20,000
    // connections: seconds on a quiet machine, more than vitest's 10 s default on a busy one.
    hookTimeout: 120_000,
    // expect.poll's default of 1 s is shorter than a busy CI machine takes to load a capture over
    // the engine (seen: "Loading sample.pcapng" still in the footer after 1 s with both CPUs
    // loaded); a poll ends as soon as its condition holds, so a long limit costs nothing.
    expect: { poll: { timeout: 20_000 } },
  },
});
